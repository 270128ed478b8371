#include "pipeline/pair_aligner.h"
#include "pipeline/sampling_interval.h"

#include <gtest/gtest.h>

#include <limits>
#include <ostream>
#include <vector>

namespace alphastream {

bool operator==(const Observation& a, const Observation& b) {
  return a.ts_ms == b.ts_ms && a.x == b.x && a.y == b.y;
}
void PrintTo(const Observation& o, std::ostream* os) {
  *os << "{" << o.ts_ms << ", x=" << o.x << ", y=" << o.y << "}";
}

namespace {

using Obs = std::vector<Observation>;

// Drives an aligner and keeps every observation it emits.
struct Recorder {
  explicit Recorder(SamplingConfig config) : aligner(config) {}
  auto sink() {
    return [this](const Observation& o) { seen.push_back(o); };
  }
  void x(std::int64_t t, double p) { aligner.on_trade(Leg::kX, t, p, sink()); }
  void y(std::int64_t t, double p) { aligner.on_trade(Leg::kY, t, p, sink()); }
  void advance_to(std::int64_t now_ms) { aligner.advance_to(now_ms, sink()); }
  void flush() { aligner.flush(sink()); }

  PairAligner aligner;
  Obs seen;
};

SamplingConfig time_mode(std::int64_t interval_ms) {
  return {SamplingConfig::Mode::kTime, interval_ms};
}
SamplingConfig tick_mode() { return {SamplingConfig::Mode::kTick, 1000}; }

TEST(PairAligner, EmptyIntervalsAreForwardFilledWithTheLastPrices) {
  Recorder r(time_mode(1000));
  r.x(100, 10);
  r.y(200, 20);
  r.x(1500, 11);  // closes [0, 1000)
  r.y(4200, 21);  // closes [1000, 2000), then the empty [2000, 3000) and [3000, 4000)
  r.flush();      // the last interval with trades, [4000, 5000)
  EXPECT_EQ(r.seen, (Obs{{1000, 10, 20}, {2000, 11, 20}, {3000, 11, 20}, {4000, 11, 20}, {5000, 11, 21}}));
  EXPECT_EQ(r.aligner.observations(), 5u);
  EXPECT_EQ(r.aligner.trades(), 4u);
}

TEST(PairAligner, TradeExactlyAtABoundaryBelongsToTheNextInterval) {
  Recorder r(time_mode(1000));
  r.x(0, 10);
  r.y(999, 20);
  EXPECT_TRUE(r.seen.empty());
  r.x(1000, 11);  // transact_time 1000 is not < 1000: not in the observation at 1000
  EXPECT_EQ(r.seen, (Obs{{1000, 10, 20}}));  // emitted as soon as the boundary is passed
  r.flush();
  EXPECT_EQ(r.seen, (Obs{{1000, 10, 20}, {2000, 11, 20}}));
}

TEST(PairAligner, StartsWithTheFirstIntervalWhereBothLegsHaveAPrice) {
  Recorder r(time_mode(1000));
  r.x(500, 10);
  r.x(1700, 11);
  r.y(2300, 20);  // y's first trade: the interval [2000, 3000) is the first with both
  EXPECT_TRUE(r.seen.empty());
  r.x(3100, 12);
  EXPECT_EQ(r.seen, (Obs{{3000, 11, 20}}));
  r.flush();
  EXPECT_EQ(r.seen, (Obs{{3000, 11, 20}, {4000, 12, 20}}));
}

TEST(PairAligner, IntervalsAreAlignedToTheUnixEpoch) {
  Recorder r(time_mode(250));
  r.x(1'717'200'000'130, 3781.42);
  r.y(1'717'200'000'140, 67000.5);
  r.x(1'717'200'000'260, 3781.5);
  EXPECT_EQ(r.seen, (Obs{{1'717'200'000'250, 3781.42, 67000.5}}));
}

TEST(PairAligner, FlushEmitsOnlyAnIntervalThatHoldsTrades) {
  Recorder r(time_mode(1000));
  r.x(100, 10);
  r.flush();  // only one leg priced: nothing to emit
  EXPECT_TRUE(r.seen.empty());
  r.y(1200, 20);
  r.flush();
  r.flush();  // the interval after has no trade: nothing more
  EXPECT_EQ(r.seen, (Obs{{2000, 10, 20}}));
  r.x(2500, 11);  // in the interval after the flushed one: an ordinary trade
  r.flush();
  EXPECT_EQ(r.seen, (Obs{{2000, 10, 20}, {3000, 11, 20}}));
  EXPECT_EQ(r.aligner.late_trades(), 0u);
}

TEST(PairAligner, AdvanceToClosesIntervalsByTheClock) {
  Recorder r(time_mode(1000));
  r.advance_to(5000);  // no trade yet: nothing
  r.x(5100, 10);
  r.y(5200, 20);
  r.advance_to(5999);
  EXPECT_TRUE(r.seen.empty());
  r.advance_to(6000);
  EXPECT_EQ(r.seen, (Obs{{6000, 10, 20}}));
  r.advance_to(8500);  // two empty intervals, forward filled
  EXPECT_EQ(r.seen, (Obs{{6000, 10, 20}, {7000, 10, 20}, {8000, 10, 20}}));
  r.x(8600, 11);
  r.flush();
  EXPECT_EQ(r.seen.back(), (Observation{9000, 11, 20}));
  EXPECT_EQ(r.seen.size(), 4u);
}

TEST(PairAligner, LateTradesNeverReopenAClosedIntervalAndAreCounted) {
  Recorder r(time_mode(1000));
  r.x(100, 10);
  r.y(200, 20);
  r.x(1500, 11);  // closes 1000
  r.y(900, 21);   // earlier than 1500 and its interval is closed: late, goes to [1000, 2000)
  r.advance_to(3000);
  r.x(2500, 12);  // after the latest trade but [2000, 3000) was closed by the clock: late
  r.flush();
  EXPECT_EQ(r.seen, (Obs{{1000, 10, 20}, {2000, 11, 21}, {3000, 11, 21}, {4000, 12, 21}}));
  EXPECT_EQ(r.aligner.late_trades(), 2u);
}

TEST(PairAligner, TickModeEmitsOneObservationPerTradeOnceBothLegsArePriced) {
  Recorder r(tick_mode());
  r.x(100, 10);
  r.x(150, 11);
  r.y(200, 20);
  r.x(200, 12);
  r.y(900, 21);
  r.advance_to(5000);  // no-ops in tick mode
  r.flush();
  EXPECT_EQ(r.seen, (Obs{{200, 11, 20}, {200, 12, 20}, {900, 12, 21}}));
}

TEST(PairAligner, TickModeLateTradeKeepsObservationTimesNonDecreasing) {
  Recorder r(tick_mode());
  r.x(100, 10);
  r.y(300, 20);
  r.x(250, 11);  // late: carries the latest time, 300
  EXPECT_EQ(r.seen, (Obs{{300, 10, 20}, {300, 11, 20}}));
  EXPECT_EQ(r.aligner.late_trades(), 1u);
}

TEST(PairAligner, PluginObservationCarriesItsStructSize) {
  const as_observation o = to_plugin_observation({1000, 1.5, 2.5});
  EXPECT_EQ(o.struct_size, sizeof(as_observation));
  EXPECT_EQ(o.ts_ms, 1000);
  EXPECT_EQ(o.x, 1.5);
  EXPECT_EQ(o.y, 2.5);
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

// Issue 11's stale legs and issue 13, finding 1: a leg silent longer than
// max_stale_ms makes no observation, and a gap of any length is crossed in
// O(max_stale_ms / interval_ms): ten years of quiet cost 3 observations.
TEST(PairAlignerStaleLegs, AGapOfTenYearsFillsOnlyUpToTheStaleLimitThenBreaks) {
  Recorder r({SamplingConfig::Mode::kTime, 1000, 3000});
  r.x(1'700'000'000'100, 10);
  r.y(1'700'000'000'200, 20);
  const std::int64_t ten_years = 10LL * 365 * 86'400'000;
  r.y(1'700'000'000'200 + ten_years, 21);
  // ts 1001 s: fresh (x 0.9 s old); 1002, 1003: 1.9 and 2.9 s; 1004: 3.9 s old, stale.
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen.back().ts_ms, 1'700'000'003'000);
  EXPECT_EQ(r.aligner.stale_drops(), static_cast<std::uint64_t>(ten_years / 1000 - 3));
  // x is still stale when y trades again: nothing until x trades.
  r.x(1'700'000'000'300 + ten_years, 11);
  r.x(1'700'000'001'300 + ten_years, 12);
  ASSERT_EQ(r.seen.size(), 4u);
  EXPECT_EQ(r.seen.back(), (Observation{1'700'000'001'000 + ten_years, 11, 21}));
  EXPECT_EQ(r.aligner.longest_break_ms(), ten_years - 2000);
}

TEST(PairAlignerStaleLegs, TheClockStopsFillingAtTheStaleLimitToo) {
  Recorder r({SamplingConfig::Mode::kTime, 1000, 5000});
  r.x(100, 1);
  r.y(200, 2);
  r.advance_to(60'000);
  // ts 1000..5000 are fresh (the older leg at most 4.9 s old); the rest are not.
  EXPECT_EQ(r.seen.size(), 5u);
  EXPECT_EQ(r.aligner.stale_drops(), 55u);
}

TEST(PairAlignerStaleLegs, TickModeSkipsObservationsWhileTheOtherLegIsStale) {
  Recorder r({SamplingConfig::Mode::kTick, 1000, 2000});
  r.x(0, 1);
  r.y(500, 2);      // observation: x 0.5 s old
  r.y(2'600, 3);    // x 2.6 s old: none
  r.x(2'700, 4);    // observation: y 0.1 s old
  EXPECT_EQ(r.seen, (Obs{{500, 1, 2}, {2'700, 4, 3}}));
  EXPECT_EQ(r.aligner.stale_drops(), 1u);
  EXPECT_EQ(r.aligner.longest_break_ms(), 2'200);
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

// Issue 13, finding 5: T = INT64_MAX aborted under UBSan here.
TEST(SamplingInterval, EndsAreFloorBasedAndSaturateAtTheInt64Limits) {
  EXPECT_EQ(interval_end_containing(1'500, 1000), 2'000);
  EXPECT_EQ(interval_end_containing(2'000, 1000), 3'000);
  EXPECT_EQ(interval_end_containing(-1, 1000), 0);
  EXPECT_EQ(interval_end_containing(std::numeric_limits<std::int64_t>::max(), 1000),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(interval_end_containing(std::numeric_limits<std::int64_t>::max(), 1),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(interval_end_containing(std::numeric_limits<std::int64_t>::min(), 1000),
            std::numeric_limits<std::int64_t>::min() / 1000 * 1000);
  static_assert(interval_end_containing(999, 1000) == 1000);
}

}  // namespace
}  // namespace alphastream
