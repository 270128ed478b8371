// Everything one shard reactor owns: the pair and symbol pipelines whose keys
// hash to it, their gauges, and the routes from a symbol to the pipelines
// that take its trades. Only the shard's thread touches a ShardBook once it
// is installed; the control plane changes it through commands run there.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/latency_histogram.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"
#include "reactor/shard_group.h"
#include "service/model_gauges.h"

namespace alphastream {

// One pair run with one model.
struct LivePair {
  std::unique_ptr<PairPipeline> pipeline;
  std::shared_ptr<PairGauges> gauges;  // a sink of pipeline; shared with the metrics collector
};

// One symbol run with one model.
struct LiveSymbolModel {
  std::unique_ptr<SymbolPipeline> pipeline;
  std::shared_ptr<SymbolGauges> gauges;
};

class ShardBook : public ShardHandler {
 public:
  // Live intervals close clock_grace_ms after their end, so trades still in
  // flight at the boundary land in the interval they belong to.
  explicit ShardBook(std::int64_t clock_grace_ms) : clock_grace_ms_(clock_grace_ms) {}

  // How far the wall clock may close intervals beyond the latest trade the
  // shard has seen. Forward fill keeps quiet legs sampled for a minute; past
  // that (a feed that stopped, or exchange times far behind the local clock)
  // the data's own time drives the pipelines, so a clock event never fills
  // an unbounded run of intervals.
  static constexpr std::int64_t kMaxClockLeadMs = 60000;

  // [control plane, on the shard thread]
  void add_pair(LivePair pair);
  void add_symbol_model(LiveSymbolModel model);
  // Removes every model of the pair called `name`; returns how many.
  std::size_t remove_pair(std::string_view name);
  // Removes every model of `symbol`; returns how many.
  std::size_t remove_symbol_models(std::string_view symbol);
  // End of a file source's data: every pipeline emits its open interval and
  // closes its paper position, as the backtest does at the end of its data
  // (PairPipeline::finish, SymbolPipeline::finish). Later trades of the same
  // intervals would be late.
  void finish_data();

  // [shard thread] A trade goes to every pipeline with that symbol as a leg
  // or subject; a clock event closes intervals that ended clock_grace_ms ago.
  // Allocates nothing.
  void on_event(const ShardEvent& event) override;

  const std::vector<LivePair>& pairs() const { return pairs_; }
  const std::vector<LiveSymbolModel>& symbol_models() const { return symbol_models_; }
  // Receive of a trade to the rows it produced, in seconds. [any thread]
  const LatencyHistogram& tick_to_signal() const { return tick_to_signal_; }
  // [any thread]
  std::uint64_t trades_routed() const { return trades_routed_.load(std::memory_order_relaxed); }
  std::uint64_t trades_unrouted() const { return trades_unrouted_.load(std::memory_order_relaxed); }

 private:
  struct Route {
    Symbol symbol;
    std::vector<std::pair<PairPipeline*, Leg>> pairs;
    std::vector<SymbolPipeline*> symbol_models;
  };
  void rebuild_routes();
  Route& route_for(const Symbol& symbol);
  void on_trade(const AggTrade& trade);

  std::int64_t clock_grace_ms_;
  std::vector<LivePair> pairs_;
  std::vector<LiveSymbolModel> symbol_models_;
  std::vector<Route> routes_;
  LatencyHistogram tick_to_signal_;
  std::int64_t latest_trade_ms_ = 0;  // 0: no trade yet
  std::atomic<std::uint64_t> trades_routed_{0};
  std::atomic<std::uint64_t> trades_unrouted_{0};
};

}  // namespace alphastream
