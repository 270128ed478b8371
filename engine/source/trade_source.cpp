#include "source/trade_source.h"

#include "source/binance_trade_source.h"
#include "source/csv_trade_stream.h"
#include "source/journal_trade_stream.h"
#include "source/nats_trade_source.h"
#include "source/simulator_trade_source.h"
#include "source/stream_trade_source.h"

namespace alphastream {

Result<std::unique_ptr<TradeSource>> make_trade_source(const EngineConfig& config,
                                                       const std::vector<std::string>& symbols,
                                                       TradeSourceContext context) {
  const FeedConfig& feed = config.service.feed;
  switch (feed.source) {
    case FeedSource::kBinance:
      return std::unique_ptr<TradeSource>(
          std::make_unique<BinanceTradeSource>(context.io, context.sink, stream_client_options(feed, context.clock)));
    case FeedSource::kNats: {
      auto source = NatsTradeSource::create(config.service.bus, std::move(context));
      if (!source) return source.status().prefixed(config.path + ": bus: ");
      return std::unique_ptr<TradeSource>(std::move(source.value()));
    }
    case FeedSource::kSimulator: {
      auto source = SimulatorTradeSource::create(config, context);
      if (!source) return source.status();
      return std::unique_ptr<TradeSource>(std::move(source.value()));
    }
    case FeedSource::kReplay: {
      auto stream = JournalTradeStream::open(feed.replay.path, feed.replay.from_ms, feed.replay.to_ms);
      if (!stream) return Status::invalid_input(config.path + ": feed.replay.path: " + stream.error());
      return std::unique_ptr<TradeSource>(std::make_unique<StreamTradeSource>(
          std::move(context), std::move(stream.value()), "replay of " + feed.replay.path));
    }
    case FeedSource::kCsv: {
      std::vector<CsvTradeStream::Source> sources;
      for (const std::string& symbol : symbols) {
        const auto file = feed.csv.find(symbol);
        if (file == feed.csv.end()) {
          return Status::invalid_input(config.path + ": feed.csv: no file for " + symbol +
                                       ", which a configured pair or symbol model uses");
        }
        sources.push_back({symbol, {DataFile{file->second, "", 0, 0}}});
      }
      auto stream = CsvTradeStream::open(sources, CsvImportOptions{});
      if (!stream) return Status::invalid_input(config.path + ": feed.csv: " + stream.error());
      return std::unique_ptr<TradeSource>(std::make_unique<StreamTradeSource>(
          std::move(context), std::move(stream.value()), "csv: " + std::to_string(sources.size()) + " file(s)"));
    }
  }
  return Status::error(config.path + ": feed.source: unknown source");
}

}  // namespace alphastream
