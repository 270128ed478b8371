#include "screen/pair_screen.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <limits>
#include <vector>

#include "simulator/pair_trade_generator.h"

namespace alphastream {
namespace {

// Three symbols over two hours: SIMX and SIMY cointegrated by construction
// (y = 20 + 1.5 x + an OU spread with a 139 s half-life), and SIMZ the x leg
// of an unrelated run, a random walk of its own. The spread is kept small
// (sd 0.1 USD against walks that move ~0.03 USD a second): a large
// stationary part in y would make the finite-sample ADF reject for y against
// any walk, the known size distortion of the test, not a finding. Unrelated
// walks still reject ~10% of the time at 5% (the better of two directions):
// with seed 2 for SIMZ they do not.
UniverseGrid three_symbols() {
  PairGeneratorConfig pair;
  pair.duration_s = 7200;
  pair.x_volatility_per_sqrt_s = 3e-4;
  pair.spread_sigma_per_sqrt_s = 0.01;
  PairGeneratorConfig other = pair;
  other.x_symbol = "SIMZUSDT";
  other.y_symbol = "UNUSEDUSDT";
  other.x_start_price = 250;
  other.seed = 2;
  IntervalCloser x("SIMX", 1000), y("SIMY", 1000), z("SIMZ", 1000);
  AggTrade t;
  for (PairTradeGenerator g(pair); g.next(t);) (t.symbol.view() == "SIMXUSDT" ? x : y).add(t.transact_time_ms, t.price);
  for (PairTradeGenerator g(other); g.next(t);) {
    if (t.symbol.view() == "SIMZUSDT") z.add(t.transact_time_ms, t.price);
  }
  auto grid = UniverseGrid::build({std::move(z).take(), std::move(x).take(), std::move(y).take()}, 1000);
  EXPECT_TRUE(grid) << grid.error();
  return std::move(grid.value());
}

TEST(PairScreen, ThePairCointegratedByConstructionRanksFirstAndTheOthersDoNotReject) {
  const UniverseGrid grid = three_symbols();
  const ScreenRun run = screen_pairs(grid, {.threads = 2, .on_progress = {}});
  ASSERT_EQ(run.pairs.size(), 3u);
  const PairScreenResult& top = run.pairs[0];
  ASSERT_TRUE(top.error.empty()) << top.error;
  EXPECT_EQ(grid.name(top.y), "SIMY");  // y on x is the better direction here
  EXPECT_EQ(grid.name(top.x), "SIMX");
  EXPECT_LT(top.coint.pvalue, 0.01);
  EXPECT_NEAR(top.coint.hedge.beta, 1.5, 0.05);
  // Below the model's 139 s: tick rounding and each leg's staleness within a
  // second add white noise to the spread, which an AR(1) fit reads as faster
  // reversion.
  EXPECT_GT(top.half_life_obs, 5);
  EXPECT_LT(top.half_life_obs, 139);
  for (std::size_t i = 1; i < 3; ++i) {
    SCOPED_TRACE(grid.name(run.pairs[i].y) + "/" + grid.name(run.pairs[i].x));
    EXPECT_TRUE(run.pairs[i].error.empty()) << run.pairs[i].error;
    EXPECT_GT(run.pairs[i].coint.pvalue, 0.05);
    EXPECT_GT(run.pairs[i].reverse_pvalue, 0.05);
  }
  EXPECT_EQ(run.qr_fallbacks, 0u);
}

TEST(PairScreen, EachPairIsCointOnItsGridRowsInTheBetterDirection) {
  const UniverseGrid grid = three_symbols();
  const ScreenRun run = screen_pairs(grid, {.threads = 1, .on_progress = {}});
  for (const PairScreenResult& p : run.pairs) {
    SCOPED_TRACE(grid.name(p.y) + "/" + grid.name(p.x));
    const UniverseGrid::Rows rows = grid.pair_rows(p.y, p.x);
    const auto y = grid.prices(p.y).subspan(rows.begin, rows.size());
    const auto x = grid.prices(p.x).subspan(rows.begin, rows.size());
    auto forward = coint(y, x);
    auto reverse = coint(x, y);
    ASSERT_TRUE(forward && reverse);
    EXPECT_LE(forward->pvalue, reverse->pvalue);
    EXPECT_NEAR(p.coint.stat, forward->stat, 1e-9 * std::abs(forward->stat));
    EXPECT_NEAR(p.coint.pvalue, forward->pvalue, 1e-10);
    EXPECT_EQ(p.coint.used_lag, forward->used_lag);
    EXPECT_NEAR(p.reverse_pvalue, reverse->pvalue, 1e-10);
    EXPECT_EQ(p.n_obs, static_cast<std::int64_t>(rows.size()));
    EXPECT_EQ(p.first_ts_ms, grid.row_ts_ms(rows.begin));
    // The price correlation is the hedge regression's sqrt(R^2) with beta's sign.
    EXPECT_NEAR(p.price_correlation, std::copysign(std::sqrt(forward->hedge.r_squared), forward->hedge.beta), 1e-9);
  }
}

TEST(PairScreen, OneThreadAndTwoThreadsGiveTheSameRanking) {
  const UniverseGrid grid = three_symbols();
  const ScreenRun one = screen_pairs(grid, {.threads = 1, .on_progress = {}});
  const ScreenRun two = screen_pairs(grid, {.threads = 2, .on_progress = {}});
  ASSERT_EQ(one.pairs.size(), two.pairs.size());
  for (std::size_t i = 0; i < one.pairs.size(); ++i) {
    EXPECT_EQ(one.pairs[i].y, two.pairs[i].y);
    EXPECT_EQ(one.pairs[i].x, two.pairs[i].x);
    EXPECT_EQ(one.pairs[i].coint.stat, two.pairs[i].coint.stat);
  }
  EXPECT_EQ(two.threads, 2u);
}

TEST(PairScreen, ProgressEndsWithAllPairsDone) {
  const UniverseGrid grid = three_symbols();
  std::size_t last_done = 0, last_total = 0;
  screen_pairs(grid, {.threads = 2, .on_progress = [&](std::size_t done, std::size_t total) {
                        last_done = done;
                        last_total = total;
                      }});
  EXPECT_EQ(last_done, 3u);
  EXPECT_EQ(last_total, 3u);
}

PairScreenResult result(std::size_t y, std::size_t x, double pvalue, double stat, std::string error = "") {
  PairScreenResult r;
  r.y = y;
  r.x = x;
  r.coint.pvalue = pvalue;
  r.coint.stat = stat;
  r.error = std::move(error);
  return r;
}

TEST(PairScreen, RankingIsByPValueThenStatisticWithFailedPairsLast) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<PairScreenResult> pairs{result(0, 1, 0.20, -2.0), result(0, 2, 0.0, -8.0),
                                      result(1, 2, 0.0, -inf), result(0, 3, 0.01, -4.0),
                                      result(1, 3, std::nan(""), std::nan(""), "coint: y1 is constant"),
                                      result(3, 2, 0.01, -4.0)};
  rank_pairs(pairs);
  std::vector<std::pair<std::size_t, std::size_t>> order;
  for (const auto& p : pairs) order.emplace_back(p.y, p.x);
  // Collinear (-inf) before -8 at p = 0; the p = 0.01 tie goes by the lower
  // symbol index of each pair, {0, 3} before {2, 3}.
  const std::vector<std::pair<std::size_t, std::size_t>> want{{1, 2}, {0, 2}, {0, 3}, {3, 2}, {0, 1}, {1, 3}};
  EXPECT_EQ(order, want);
}

}  // namespace
}  // namespace alphastream
