// The live Binance feed: combined aggTrade streams over a websocket
// (BinanceStreamClient), frames handed to the sink as they arrive.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "feed/binance_stream_client.h"
#include "source/trade_source.h"

namespace alphastream {

// The client settings of the config's feed section (all but the symbols).
StreamClientOptions stream_client_options(const FeedConfig& feed, const Clock& clock = system_clock());

class BinanceTradeSource : public TradeSource {
 public:
  // `client` holds everything but the symbols, which start() and
  // resubscribe() give.
  BinanceTradeSource(boost::asio::io_context& io, TradeSink& sink, StreamClientOptions client);
  ~BinanceTradeSource() override;

  bool live() const override { return true; }
  Status start(const std::vector<std::string>& symbols) override;
  Status resubscribe(const std::vector<std::string>& symbols) override;
  void stop() override;
  bool closed() const override;
  SourceHealth health() const override;
  std::string description() const override { return "binance: " + options_.url; }
  VenueRest venue_rest() const override;

 private:
  static StreamClientOptions with_shared_limiter(StreamClientOptions options);
  // Stops `client` once the one that replaced it has had time to connect,
  // then releases it when its connections have closed.
  void retire(std::unique_ptr<BinanceStreamClient> client);
  void release_closed_clients();

  boost::asio::io_context& io_;
  TradeSink& sink_;
  const StreamClientOptions options_;
  // Scrapes read the clients' counters while a reload swaps them.
  mutable std::mutex mutex_;
  std::unique_ptr<BinanceStreamClient> client_;
  std::vector<std::unique_ptr<BinanceStreamClient>> retired_;
  std::array<std::uint64_t, kReconnectReasonCount> released_reconnects_{};
  bool stopping_ = false;
};

}  // namespace alphastream
