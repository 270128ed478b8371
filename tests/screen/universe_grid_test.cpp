#include "screen/universe_grid.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simulator/pair_trade_generator.h"
#include "pipeline/pair_aligner.h"

namespace alphastream {
namespace {

struct Trade {
  std::int64_t time_ms;
  double price;
};

// Runs the aligner as the backtest does: both legs merged by time (x first
// on a tie), then flushed.
std::vector<Observation> aligned(const std::vector<Trade>& x, const std::vector<Trade>& y, std::int64_t interval_ms) {
  // The screen's grid fills a quiet leg forward however long it is quiet: an
  // aligner whose stale limit is longer than the run.
  PairAligner aligner(SamplingConfig{SamplingConfig::Mode::kTime, interval_ms, 30LL * 86'400'000});
  std::vector<Observation> out;
  auto sink = [&](const Observation& obs) { out.push_back(obs); };
  std::size_t i = 0, j = 0;
  while (i < x.size() || j < y.size()) {
    if (j == y.size() || (i < x.size() && x[i].time_ms <= y[j].time_ms)) {
      aligner.on_trade(Leg::kX, x[i].time_ms, x[i].price, sink);
      ++i;
    } else {
      aligner.on_trade(Leg::kY, y[j].time_ms, y[j].price, sink);
      ++j;
    }
  }
  aligner.flush(sink);
  return out;
}

IntervalCloses closes_of(const char* symbol, const std::vector<Trade>& trades, std::int64_t interval_ms) {
  IntervalCloser closer(symbol, interval_ms);
  for (const Trade& t : trades) closer.add(t.time_ms, t.price);
  return std::move(closer).take();
}

void expect_grid_equals_aligner(const std::vector<Trade>& x, const std::vector<Trade>& y, std::int64_t interval_ms) {
  auto grid = UniverseGrid::build({closes_of("X", x, interval_ms), closes_of("Y", y, interval_ms)}, interval_ms);
  ASSERT_TRUE(grid) << grid.error();
  const std::vector<Observation> want = aligned(x, y, interval_ms);
  const UniverseGrid::Rows rows = grid->pair_rows(0, 1);
  ASSERT_EQ(rows.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::size_t r = rows.begin + i;
    ASSERT_EQ(grid->row_ts_ms(r), want[i].ts_ms) << "observation " << i;
    ASSERT_EQ(grid->prices(0)[r], want[i].x) << "observation " << i;
    ASSERT_EQ(grid->prices(1)[r], want[i].y) << "observation " << i;
  }
}

TEST(UniverseGrid, PairRowsAreExactlyThePairAlignersObservationsForAGeneratedPair) {
  PairGeneratorConfig config;
  config.duration_s = 1800;
  config.x_trades_per_s = 0.7;  // many empty intervals: forward fill
  config.y_trades_per_s = 2;
  PairTradeGenerator generator(config);
  std::vector<Trade> x, y;
  AggTrade t;
  while (generator.next(t)) (t.symbol.view() == "SIMXUSDT" ? x : y).push_back({t.transact_time_ms, t.price});
  ASSERT_GT(x.size(), 1000u);
  // y starts 5 minutes late and x stops 5 minutes early: the pair starts at
  // y's first interval and runs to y's last.
  const std::int64_t cut = config.start_ms + 300'000;
  std::erase_if(y, [&](const Trade& tr) { return tr.time_ms < cut; });
  std::erase_if(x, [&](const Trade& tr) { return tr.time_ms > config.start_ms + 1'500'000; });
  for (std::int64_t interval_ms : {1000, 250, 7000}) {
    SCOPED_TRACE(interval_ms);
    expect_grid_equals_aligner(x, y, interval_ms);
  }
}

TEST(UniverseGrid, ATradeOlderThanItsLegsLatestCountsInTheLatestsInterval) {
  // x's 3rd trade is older than its 2nd (out of time order in agg id order):
  // the aligner applies it to the open interval, [5000, 6000).
  const std::vector<Trade> x{{1000, 10}, {5500, 11}, {3200, 12}, {8100, 13}};
  const std::vector<Trade> y{{1500, 20}, {4000, 21}, {6000, 22}, {9999, 23}};
  expect_grid_equals_aligner(x, y, 1000);
  auto grid = UniverseGrid::build({closes_of("X", x, 1000), closes_of("Y", y, 1000)}, 1000);
  ASSERT_TRUE(grid) << grid.error();
  EXPECT_EQ(grid->prices(0)[grid->pair_rows(0, 1).begin + 4], 12);  // ts 6000: interval [5000, 6000)
}

TEST(UniverseGrid, BoundaryTradesBelongToTheNextInterval) {
  // A trade at exactly 2000 is not "before" the observation at ts 2000.
  const std::vector<Trade> x{{1000, 1}, {2000, 2}, {2999, 3}};
  const std::vector<Trade> y{{1999, 5}, {3000, 6}};
  expect_grid_equals_aligner(x, y, 1000);
  auto grid = UniverseGrid::build({closes_of("X", x, 1000), closes_of("Y", y, 1000)}, 1000);
  ASSERT_TRUE(grid) << grid.error();
  const UniverseGrid::Rows rows = grid->pair_rows(0, 1);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(grid->row_ts_ms(rows.begin), 2000);
  EXPECT_EQ(grid->prices(0)[rows.begin], 1);
  EXPECT_EQ(grid->prices(0)[rows.begin + 1], 3);
  EXPECT_EQ(grid->prices(1)[rows.begin + 2], 6);
}

TEST(UniverseGrid, LogReturnsAreOneRowLogPriceChangesFromTheFirstPricedRow) {
  auto grid = UniverseGrid::build({closes_of("X", {{0, 100}, {2500, 110}}, 1000)}, 1000);
  ASSERT_TRUE(grid) << grid.error();
  ASSERT_EQ(grid->row_count(), 3u);
  EXPECT_TRUE(std::isnan(grid->log_returns(0)[0]));
  EXPECT_EQ(grid->log_returns(0)[1], 0.0);  // forward filled
  EXPECT_DOUBLE_EQ(grid->log_returns(0)[2], std::log(1.1));
}

TEST(UniverseGrid, RefusesARepeatedSymbolAndASymbolWithoutTrades) {
  IntervalCloses empty;
  empty.symbol = "EMPTY";
  EXPECT_EQ(UniverseGrid::build({closes_of("A", {{0, 1}}, 1000), closes_of("A", {{0, 1}}, 1000)}, 1000).error(),
            "grid: symbol A given twice");
  EXPECT_EQ(UniverseGrid::build({empty}, 1000).error(), "grid: symbol EMPTY has no trades");
}

}  // namespace
}  // namespace alphastream
