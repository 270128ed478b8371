// A finite TradeStream (a journal replay, CSV/ZIP files) as a service's
// source: read in slices on the I/O thread, so signals and scrapes stay
// responsive during a long replay, with nothing dropped.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "source/trade_source.h"
#include "source/trade_stream.h"

namespace alphastream {

class StreamTradeSource : public TradeSource {
 public:
  // `what` names the input for the log, e.g. "replay of /var/lib/alphastream/journal".
  StreamTradeSource(TradeSourceContext context, std::unique_ptr<TradeStream> stream, std::string what);

  bool live() const override { return false; }
  // Delivers every trade of the stream; `symbols` were chosen when it opened.
  Status start(const std::vector<std::string>& symbols) override;
  Status resubscribe(const std::vector<std::string>& symbols) override;
  void stop() override { stopping_ = true; }
  bool closed() const override { return true; }
  SourceHealth health() const override;
  std::string description() const override { return what_; }

  std::uint64_t trades() const { return trades_; }

 private:
  void pump();

  TradeSourceContext context_;
  std::unique_ptr<TradeStream> stream_;
  std::string what_;
  std::uint64_t trades_ = 0;
  bool stopping_ = false;
  std::atomic<bool> reading_{false};
};

}  // namespace alphastream
