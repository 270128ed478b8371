// feed.source: nats, a worker's feed: every trade of the bus's stream for
// the configured market, from the first stored (the stream's history warms
// the pipelines) and then live, in stream order. The client's threads hand
// trades over a lock-free queue to the I/O thread, which puts each symbol's
// back in id order (a publish retried after a failure is stored after newer
// ones; bus.reorder_ms bounds the wait for it) and delivers them to the sink
// in slices; the sink's sequencers drop what two ingests or a retry sent twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <concurrentqueue/concurrentqueue.h>

#include "bus/trade_bus.h"
#include "config/service_config.h"
#include "feed/id_reorder_buffer.h"
#include "source/trade_source.h"

namespace alphastream {

// The bus settings of the config's bus section.
TradeBusSettings trade_bus_settings(const BusConfig& bus);

class NatsTradeSource : public TradeSource {
 public:
  // Connects and checks the stream; errors name the servers or the stream.
  static Result<std::unique_ptr<NatsTradeSource>> create(const BusConfig& bus, TradeSourceContext context);
  ~NatsTradeSource() override;

  // The stream's history is replayed before live trades: intervals close on
  // the trades' own time, as for a replay, so history never arrives late.
  bool live() const override { return false; }
  Status start(const std::vector<std::string>& symbols) override;
  // Every symbol of the market arrives; the sink routes what it needs.
  Status resubscribe(const std::vector<std::string>&) override { return Status::ok(); }
  void stop() override { stopping_ = true; }
  bool closed() const override { return true; }
  SourceHealth health() const override;
  std::string description() const override;

  const TradeBus& bus() const { return *bus_; }

 private:
  NatsTradeSource(TradeSourceContext context, std::unique_ptr<TradeBus> bus, IdReorderBuffer::Limits reorder);
  void drain();
  // Releases what a hole has held too long, a few times a second.
  void schedule_expiry();
  void publish_reorder_counts();

  TradeSourceContext context_;
  std::unique_ptr<TradeBus> bus_;
  moodycamel::ConcurrentQueue<AggTrade> arrived_;
  std::atomic<bool> drain_posted_{false};
  std::atomic<bool> stopping_{false};
  IdReorderBuffer reorder_;  // [I/O thread]
  boost::asio::steady_timer expiry_timer_;
};

}  // namespace alphastream
