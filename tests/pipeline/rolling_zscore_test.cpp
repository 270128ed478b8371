#include "pipeline/rolling_zscore.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <limits>
#include <random>

namespace alphastream {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(RollingZScore, WindowOfThreeOnOneTwoThreeFour) {
  RollingZScore z(3);
  EXPECT_TRUE(std::isnan(z.push(1)));
  EXPECT_TRUE(std::isnan(z.push(2)));
  // {1, 2, 3}: mean 2, sample std 1.
  EXPECT_DOUBLE_EQ(z.push(3), 1.0);
  // {2, 3, 4}: mean 3, sample std 1: (4 - 3) / 1.
  EXPECT_DOUBLE_EQ(z.push(4), 1.0);
  // {3, 4, 10}: mean 17/3, sample variance ((8/3)^2 + (5/3)^2 + (13/3)^2) / 2 = 43/3.
  EXPECT_DOUBLE_EQ(z.push(10), (10 - 17.0 / 3) / std::sqrt(43.0 / 3));
  EXPECT_DOUBLE_EQ(z.mean(), 17.0 / 3);
  EXPECT_DOUBLE_EQ(z.stddev(), std::sqrt(43.0 / 3));
}

TEST(RollingZScore, ConstantWindowGivesNaNNotInfinity) {
  RollingZScore z(3);
  z.push(0.1);
  z.push(0.1);
  EXPECT_TRUE(std::isnan(z.push(0.1)));
  EXPECT_EQ(z.stddev(), 0.0);
}

TEST(RollingZScore, WindowTurningConstantAfterLargeMovesGivesExactlyZeroStd) {
  RollingZScore z(3);
  for (double s : {1e6, -1e6, 3e5, 0.1, 0.1}) z.push(s);
  EXPECT_TRUE(std::isnan(z.push(0.1)));  // the window is {0.1, 0.1, 0.1}
  EXPECT_EQ(z.stddev(), 0.0);
  EXPECT_EQ(z.mean(), 0.1);
  // {0.1, 0.1, 0.4}: mean 0.2, sample std sqrt((0.01 + 0.01 + 0.04) / 2) = sqrt(0.03).
  EXPECT_NEAR(z.push(0.4), 0.2 / std::sqrt(0.03), 1e-12);
}

TEST(RollingZScore, NonFiniteSpreadsAreNotPushed) {
  RollingZScore z(2);
  z.push(1);
  EXPECT_TRUE(std::isnan(z.push(kNaN)));
  EXPECT_TRUE(std::isnan(z.push(kInf)));
  EXPECT_EQ(z.count(), 1);
  // {1, 3}: mean 2, sample std sqrt(2).
  EXPECT_DOUBLE_EQ(z.push(3), 1 / std::sqrt(2.0));
}

// Two-pass mean and sample std of the window, from scratch, in long double
// on values shifted by the first one, so the reference is the more exact.
double direct_z(const std::deque<double>& w) {
  const long double shift = w.front();
  long double mean = 0;
  for (double v : w) mean += v - shift;
  mean /= static_cast<long double>(w.size());
  long double ss = 0;
  for (double v : w) ss += (v - shift - mean) * (v - shift - mean);
  return static_cast<double>((w.back() - shift - mean) /
                             std::sqrt(ss / static_cast<long double>(w.size() - 1)));
}

TEST(RollingZScore, MatchesADirectRecomputationOverALongNoisyRun) {
  // A random walk far from zero, with calm and wild stretches: the regime
  // where naive running sums lose their digits.
  constexpr int kWindow = 50;
  RollingZScore z(kWindow);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  std::deque<double> window;
  double level = 1e5;
  double max_error = 0;
  for (int i = 0; i < 20000; ++i) {
    const double scale = (i / 2000) % 2 == 0 ? 1e-3 : 50.0;
    level += scale * noise(rng);
    const double got = z.push(level);
    window.push_back(level);
    if (window.size() > kWindow) window.pop_front();
    if (window.size() < kWindow) {
      ASSERT_TRUE(std::isnan(got)) << i;
      continue;
    }
    const double want = direct_z(window);
    max_error = std::max(max_error, std::abs(got - want));
  }
  EXPECT_LT(max_error, 1e-11);
  // Exact recomputes happen about once per window, not on every push.
  EXPECT_LT(z.recomputes(), 20000u / kWindow * 2);
}

}  // namespace
}  // namespace alphastream
