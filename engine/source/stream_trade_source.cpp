#include "source/stream_trade_source.h"

#include <boost/asio/post.hpp>

namespace alphastream {

namespace {

// Trades read before yielding to the io_context's other work.
constexpr int kSliceTrades = 4096;

}  // namespace

StreamTradeSource::StreamTradeSource(TradeSourceContext context, std::unique_ptr<TradeStream> stream,
                                     std::string what)
    : context_(std::move(context)), stream_(std::move(stream)), what_(std::move(what)) {}

Status StreamTradeSource::start(const std::vector<std::string>&) {
  reading_ = true;
  boost::asio::post(context_.io, [this] { pump(); });
  return Status::ok();
}

Status StreamTradeSource::resubscribe(const std::vector<std::string>&) { return Status::ok(); }

SourceHealth StreamTradeSource::health() const {
  SourceHealth health;
  health.up = reading_.load();
  return health;
}

void StreamTradeSource::pump() {
  if (stopping_) return;
  AggTrade trade;
  for (int i = 0; i < kSliceTrades; ++i) {
    auto more = stream_->next(trade);
    if (!more.is_ok()) {
      reading_ = false;
      if (context_.events.on_failure) context_.events.on_failure(more.status());
      return;
    }
    if (!more.value()) {
      reading_ = false;
      if (context_.events.on_end) context_.events.on_end(trades_, stream_->summary());
      return;
    }
    ++trades_;
    context_.sink.accept(trade, true);
  }
  boost::asio::post(context_.io, [this] { pump(); });
}

}  // namespace alphastream
