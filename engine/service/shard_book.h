// Everything one shard reactor owns: the book of the pair and symbol
// pipelines whose keys hash to it (their gauges are the runs' sinks), the
// live clock that closes their intervals, and the shard's latency figures.
// Only the shard's thread touches a ShardBook once it is installed; the
// control plane changes it through commands run there.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "book/pipeline_book.h"
#include "core/clock.h"
#include "metrics/latency_histogram.h"
#include "reactor/shard_group.h"
#include "service/model_state_store.h"

namespace alphastream {

class ShardBook : public ShardHandler {
 public:
  // Live intervals close clock_grace_ms after their end, so trades still in
  // flight at the boundary land in the interval they belong to.
  // Latency is read off clock, which must outlive the book.
  explicit ShardBook(std::int64_t clock_grace_ms, const Clock& clock = system_clock())
      : clock_grace_ms_(clock_grace_ms), clock_(clock), book_(false) {}

  // How far the wall clock may close intervals beyond the latest trade the
  // shard has seen. Forward fill keeps quiet legs sampled for a minute; past
  // that (a feed that stopped, or exchange times far behind the local clock)
  // the data's own time drives the pipelines, so a clock event never fills
  // an unbounded run of intervals.
  static constexpr std::int64_t kMaxClockLeadMs = 60000;

  // [control plane, on the shard thread]
  PipelineBook& book() { return book_; }
  // End of a file source's data: every pipeline emits its open interval and
  // closes its paper position, as the backtest does at the end of its data
  // (PairPipeline::finish, SymbolPipeline::finish). Later trades of the same
  // intervals would be late.
  void finish_data();
  // The models' states as they were before finish_data() ran (a finished
  // model has seen the open interval a restart's replay leaves open), or
  // as they are now. [shard thread, or any once the shard has stopped]
  std::vector<ModelState> model_states();

  // [shard thread] A trade goes to every pipeline with that symbol as a leg
  // or subject; a clock event closes intervals that ended clock_grace_ms ago.
  // Allocates nothing.
  void on_event(const ShardEvent& event) override;

  // A trade of the journal replayed before the feed starts (a warm start):
  // it reaches the pipelines as a live one would, but is not a routed trade
  // of this run and has no latency to measure. [before the shard starts]
  void warm(const AggTrade& trade);

  const PipelineBook& book() const { return book_; }
  // Receive of a trade to the rows it produced, in seconds. [any thread]
  const LatencyHistogram& tick_to_signal() const { return tick_to_signal_; }
  // [any thread]
  std::uint64_t trades_routed() const { return trades_routed_.load(std::memory_order_relaxed); }
  std::uint64_t trades_unrouted() const { return trades_unrouted_.load(std::memory_order_relaxed); }

 private:
  void on_trade(const AggTrade& trade);

  std::int64_t clock_grace_ms_;
  const Clock& clock_;
  PipelineBook book_;
  LatencyHistogram tick_to_signal_;
  std::int64_t latest_trade_ms_ = 0;  // 0: no trade yet
  std::atomic<std::uint64_t> trades_routed_{0};
  std::atomic<std::uint64_t> trades_unrouted_{0};
  std::optional<std::vector<ModelState>> states_before_finish_;
};

}  // namespace alphastream
