// Turns the trades of a pair's two legs into observations (ts_ms, x, y), each
// leg's price carried forward from its last trade. The backtest, the replay
// and the live service feed the same aligner; it allocates nothing, takes no
// lock and does no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "alphastream/plugin.h"
#include "config/pipeline_config.h"

namespace alphastream {

// One aligned sample of a pair: x and y are the legs' last trade prices.
struct Observation {
  std::int64_t ts_ms = 0;
  double x = 0;
  double y = 0;
};
static_assert(std::is_trivially_copyable_v<Observation>);

// The plugin ABI form of obs, struct_size filled in.
inline as_observation to_plugin_observation(const Observation& obs) {
  return as_observation{sizeof(as_observation), obs.ts_ms, obs.x, obs.y};
}

enum class Leg : std::uint8_t { kX = 0, kY = 1 };

// A non-owning reference to a callable taking (const Observation&), like a
// function_ref: two pointers, no allocation. It is passed per call and never
// stored, so a temporary lambda is fine.
class ObservationSink {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, ObservationSink> &&
             std::is_invocable_v<F&, const Observation&>)
  ObservationSink(F&& f)  // NOLINT: implicit by design
      : callable_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* callable, const Observation& obs) {
          (*static_cast<std::remove_reference_t<F>*>(callable))(obs);
        }) {}

  void operator()(const Observation& obs) const { call_(callable_, obs); }

 private:
  void* callable_;
  void (*call_)(void*, const Observation&);
};

// Time mode: intervals are [k*I, (k+1)*I) on the Unix epoch; the observation
// of an interval has ts_ms = (k+1)*I and each leg's last price with
// transact_time < ts_ms. Observations start with the first interval at whose
// end both legs have a price, and from then on every interval gives one, even
// with no trade in it (forward fill), as long as neither leg's last trade is
// older than max_stale_ms at the interval's end; past that the intervals are
// dropped (counted) until a trade makes both legs fresh again: a break.
// Tick mode: one observation per trade of either leg at the trade's time,
// the other leg carried forward, from the first trade at which both legs have
// a price; none while the other leg is stale.
class PairAligner {
 public:
  // REQUIRES: config.mode is kTick or config.interval_ms > 0.
  explicit PairAligner(const SamplingConfig& config);

  // Takes one trade of a leg, first emitting (time mode) the observation of
  // every interval that ends at or before transact_time_ms: all trades before
  // such a boundary have been seen.
  // REQUIRES: per leg, trades in agg-id order; across legs, transact times
  // non-decreasing (the backtest merges the legs' files by time); price finite
  // and positive.
  // A trade earlier than the latest trade seen, or earlier than the start of
  // the open interval (its interval was already closed by advance_to or
  // flush), is late: it never re-opens a closed interval. Its price applies to
  // the open interval as if it had arrived in it, and late_trades() counts it.
  // In tick mode a late trade's observation carries the latest time seen, so
  // observation times never decrease.
  void on_trade(Leg leg, std::int64_t transact_time_ms, double price, ObservationSink emit) {
    // Most trades fall in the open interval, after the latest one: inline,
    // they cost a few stores instead of a call.
    if (mode_ == SamplingConfig::Mode::kTime && started_ && transact_time_ms >= latest_trade_ms_ &&
        transact_time_ms < open_end_ms_ && transact_time_ms >= open_end_ms_ - interval_ms_) {
      ++trades_;
      latest_trade_ms_ = transact_time_ms;
      set_leg(leg, price, transact_time_ms);
      open_has_trade_ = true;
      return;
    }
    on_trade_outside_open_interval(leg, transact_time_ms, price, emit);
  }

  // Time mode: closes, by the clock, every interval that ends at or before
  // now_ms (forward filled when empty). The live service calls it from a
  // timer; the caller picks now_ms (e.g. a clock minus a grace delay for
  // trades still in flight). No-op in tick mode.
  void advance_to(std::int64_t now_ms, ObservationSink emit);

  // Time mode, at end of data: emits the open interval if it holds a trade
  // (the last interval with trades); the next interval becomes the open one.
  // No-op in tick mode.
  void flush(ObservationSink emit);

  std::uint64_t trades() const { return trades_; }
  std::uint64_t late_trades() const { return late_trades_; }
  std::uint64_t observations() const { return observations_; }
  // Observations not made because a leg was stale (intervals in time mode,
  // trades in tick mode), and the longest span between two observations
  // made across such a break.
  std::uint64_t stale_drops() const { return stale_drops_; }
  std::int64_t longest_break_ms() const { return longest_break_ms_; }

 private:
  bool both_priced() const { return priced_[0] && priced_[1]; }
  // The leg's slot, stored without a branch on which leg it is.
  void set_leg(Leg leg, double price, std::int64_t time_ms) {
    const auto slot = static_cast<std::size_t>(leg);
    price_[slot] = price;
    priced_[slot] = true;
    time_ms_[slot] = time_ms;
  }
  // on_trade for the rest: the first trade, tick mode, a late trade, a
  // trade that closes intervals.
  void on_trade_outside_open_interval(Leg leg, std::int64_t transact_time_ms, double price, ObservationSink& emit);
  // Ends (time mode) every interval with end <= t; the open interval then
  // contains t.
  void close_through(std::int64_t t, ObservationSink& emit);
  void emit_observation(std::int64_t ts_ms, ObservationSink& emit);
  // Whether both legs traded within max_stale_ms before ts_ms.
  bool fresh_at(std::int64_t ts_ms) const;

  SamplingConfig::Mode mode_;
  std::int64_t interval_ms_;
  std::int64_t max_stale_ms_;

  // Each leg's last price and the time of its last trade (a late one's
  // raised time), indexed by Leg: a trade stores to its leg's slot without
  // a branch on which leg it is (the legs alternate at random).
  std::array<double, 2> price_{};
  std::array<std::int64_t, 2> time_ms_{};
  std::array<bool, 2> priced_{};

  bool started_ = false;           // a trade has been seen
  std::int64_t latest_trade_ms_ = 0;
  std::int64_t open_end_ms_ = 0;    // time mode: end of the open interval
  bool open_has_trade_ = false;     // time mode: a trade arrived in the open interval

  std::uint64_t trades_ = 0;
  std::uint64_t late_trades_ = 0;
  std::uint64_t observations_ = 0;
  std::uint64_t stale_drops_ = 0;
  bool dropped_since_emit_ = false;
  std::int64_t last_emit_ms_ = 0;
  std::int64_t longest_break_ms_ = 0;
};

}  // namespace alphastream
