#include "pipeline/performance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace alphastream {
namespace {

constexpr std::int64_t D = kMsPerDay;

std::vector<LedgerPoint> path_of(std::vector<std::int64_t> ts_ms, std::vector<double> equity) {
  std::vector<LedgerPoint> path;
  for (std::size_t i = 0; i < ts_ms.size(); ++i) path.push_back({ts_ms[i], equity[i], 0});
  return path;
}

ClosedTrade trade(int side, std::int64_t entry_ms, std::int64_t exit_ms, double pnl, double fees) {
  ClosedTrade t;
  t.side = side;
  t.entry_ts_ms = entry_ms;
  t.exit_ts_ms = exit_ms;
  t.pnl_usd = pnl;
  t.fees_usd = fees;
  return t;
}

TEST(PerformanceSummary, MaxDrawdownIsTheLargestFallFromARunningPeak) {
  // Peaks 10 then 15; falls 10 -> 5 and 15 -> 3.
  const auto s = summarize_performance(path_of({1, 2, 3, 4, 5, 6}, {0, 10, 5, 15, 3, 8}), {}, 1000);
  EXPECT_DOUBLE_EQ(s.max_drawdown_usd, 12);
}

TEST(PerformanceSummary, DrawdownCountsAFallFromTheStartingZero) {
  const auto s = summarize_performance(path_of({1, 2}, {-5, -2}), {}, 1000);
  EXPECT_DOUBLE_EQ(s.max_drawdown_usd, 5);
  EXPECT_EQ(s.longest_drawdown_ms, 1);  // below 0 from the first point to the last
}

TEST(PerformanceSummary, LongestDrawdownRunsFromThePeakToThePointThatRegainsIt) {
  // Peak 10 at 10 ms, regained (12) at 40 ms: 30 ms. Then 12 -> 3 at 50 ms,
  // never regained: 10 ms.
  const auto s = summarize_performance(path_of({0, 10, 20, 30, 40, 50}, {0, 10, 5, 8, 12, 3}), {}, 1000);
  EXPECT_EQ(s.longest_drawdown_ms, 30);
  EXPECT_DOUBLE_EQ(s.max_drawdown_usd, 9);
}

// Day 0 closes at +20, day 1 has no point (flat), day 2 closes at 5:
// daily P&L 20, 0, -15; returns on 1000 USD 0.02, 0, -0.015.
TEST(PerformanceSummary, DailyReturnsGiveSharpeSortinoAndCalmarOnA365DayYear) {
  const auto s = summarize_performance(path_of({1000, 2000, 2 * D + 5}, {10, 20, 5}), {}, 1000);
  ASSERT_EQ(s.days, 3u);
  ASSERT_EQ(s.daily.size(), 3u);
  EXPECT_EQ(s.daily[0].day_start_ms, 0);
  EXPECT_DOUBLE_EQ(s.daily[0].pnl_usd, 20);
  EXPECT_EQ(s.daily[1].day_start_ms, D);
  EXPECT_DOUBLE_EQ(s.daily[1].pnl_usd, 0);
  EXPECT_DOUBLE_EQ(s.daily[1].equity_usd, 20);
  EXPECT_EQ(s.daily[2].day_start_ms, 2 * D);
  EXPECT_DOUBLE_EQ(s.daily[2].pnl_usd, -15);
  EXPECT_DOUBLE_EQ(s.total_return, 0.005);
  EXPECT_DOUBLE_EQ(s.annualised_return, 0.005 * 365 / 3);
  // mean 0.005 / 3; deviations 0.055/3, -0.005/3, -0.05/3: sample variance
  // (0.055^2 + 0.005^2 + 0.05^2) / 9 / 2.
  const double mean = 0.005 / 3;
  const double std = std::sqrt((0.055 * 0.055 + 0.005 * 0.005 + 0.05 * 0.05) / 18);
  EXPECT_NEAR(s.sharpe, mean / std * std::sqrt(365.0), 1e-12);
  EXPECT_NEAR(s.sharpe, 1.81336, 1e-5);
  // Downside deviation sqrt(0.015^2 / 3).
  EXPECT_NEAR(s.sortino, mean / (0.015 / std::sqrt(3.0)) * std::sqrt(365.0), 1e-12);
  EXPECT_DOUBLE_EQ(s.max_drawdown_usd, 15);
  EXPECT_NEAR(s.calmar, (0.005 * 365 / 3) / 0.015, 1e-12);
}

TEST(PerformanceSummary, RatiosOfFewerThanTwoDaysOrNoVariationAreNaN) {
  const auto one_day = summarize_performance(path_of({1000, 2000, 3000}, {0, 10, 5}), {}, 1000);
  EXPECT_EQ(one_day.days, 1u);
  EXPECT_TRUE(std::isnan(one_day.sharpe));
  EXPECT_TRUE(std::isnan(one_day.sortino));
  EXPECT_NEAR(one_day.calmar, 0.005 * 365 / 0.005, 1e-9);
  const auto flat = summarize_performance(path_of({1, D + 1, 2 * D + 1}, {0, 0, 0}), {}, 1000);
  EXPECT_EQ(flat.days, 3u);
  EXPECT_TRUE(std::isnan(flat.sharpe));
  EXPECT_TRUE(std::isnan(flat.sortino));
  EXPECT_TRUE(std::isnan(flat.calmar));  // no drawdown
  const auto none = summarize_performance({}, {}, 1000);
  EXPECT_EQ(none.days, 0u);
  EXPECT_TRUE(std::isnan(none.annualised_return));
}

TEST(PerformanceSummary, APointStampedAtMidnightClosesTheDayBefore) {
  // The interval [23:59:59, 24:00:00) is stamped at midnight: day 0's last.
  const auto closing = summarize_performance(path_of({D - 1000, D}, {3, 7}), {}, 1000);
  ASSERT_EQ(closing.days, 1u);
  EXPECT_DOUBLE_EQ(closing.daily[0].pnl_usd, 7);
  const auto next = summarize_performance(path_of({D, D + 1}, {3, 7}), {}, 1000);
  ASSERT_EQ(next.days, 2u);
  EXPECT_EQ(next.daily[1].day_start_ms, D);
  EXPECT_DOUBLE_EQ(next.daily[0].pnl_usd, 3);
  EXPECT_DOUBLE_EQ(next.daily[1].pnl_usd, 4);
}

TEST(PerformanceSummary, ReplaceLastSwapsTheFinalPointForTheClosingOne) {
  PerformanceTracker tracker(1000);
  tracker.add({0, 0, 0});
  tracker.add({1000, -4, 1});
  tracker.replace_last({1000, 6, 0});
  const auto s = tracker.summarize({});
  EXPECT_DOUBLE_EQ(s.total_return, 0.006);
  EXPECT_DOUBLE_EQ(s.exposure, 0);  // the held position was closed
  EXPECT_DOUBLE_EQ(s.max_drawdown_usd, 0);
  // Summarising does not consume the tracker.
  tracker.add({2000, 1, 0});
  EXPECT_DOUBLE_EQ(tracker.summarize({}).max_drawdown_usd, 5);
}

TEST(PerformanceSummary, TradeFiguresSplitWinsLossesAndSides) {
  const std::vector<ClosedTrade> trades = {trade(+1, 0, 1000, 5, 1), trade(-1, 0, 3000, -3, 2),
                                           trade(+1, 0, 2000, 1, 0.5)};
  const std::vector<LedgerPoint> path = {{0, 0, 0}, {1000, 1, 1}, {2000, 2, -1}, {3000, 3, 0}};
  const auto s = summarize_performance(path, trades, 1000);
  EXPECT_EQ(s.n_trades, 3u);
  EXPECT_DOUBLE_EQ(s.pnl_usd, 3);
  EXPECT_DOUBLE_EQ(s.fees_usd, 3.5);
  EXPECT_DOUBLE_EQ(s.win_rate, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.exposure, 0.5);
  EXPECT_DOUBLE_EQ(s.profit_factor, 6.0 / 3);
  EXPECT_DOUBLE_EQ(s.expectancy_usd, 1);
  EXPECT_DOUBLE_EQ(s.avg_win_usd, 3);
  EXPECT_DOUBLE_EQ(s.avg_loss_usd, -3);
  EXPECT_DOUBLE_EQ(s.best_trade_usd, 5);
  EXPECT_DOUBLE_EQ(s.worst_trade_usd, -3);
  EXPECT_DOUBLE_EQ(s.avg_holding_ms, 2000);
  EXPECT_EQ(s.long_trades, 2u);
  EXPECT_DOUBLE_EQ(s.long_pnl_usd, 6);
  EXPECT_EQ(s.short_trades, 1u);
  EXPECT_DOUBLE_EQ(s.short_pnl_usd, -3);
}

TEST(PerformanceSummary, WithoutLossesTheProfitFactorIsNaN) {
  const auto s = summarize_performance({}, std::vector<ClosedTrade>{trade(+1, 0, 10, 2, 0)}, 1000);
  EXPECT_TRUE(std::isnan(s.profit_factor));
  EXPECT_TRUE(std::isnan(s.avg_loss_usd));
  EXPECT_DOUBLE_EQ(s.avg_win_usd, 2);
}

}  // namespace
}  // namespace alphastream
