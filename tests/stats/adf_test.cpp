#include "stats/adf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stats/mackinnon.h"
#include "stats/ols.h"

namespace alphastream {
namespace {

std::vector<double> ar1(double phi, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise;
  std::vector<double> s{noise(rng)};
  while (static_cast<int>(s.size()) < n) s.push_back(phi * s.back() + noise(rng));
  return s;
}

TEST(AdfTest, WithLagZeroIsTheTValueOfTheLevelInTheDifferenceRegression) {
  // Dickey-Fuller without lags: diff(s)_t = a + b s_{t-1}; the statistic is
  // b / se(b), which fit_ols computes on its own.
  const auto s = ar1(0.7, 200, 1);
  std::vector<double> level(s.begin(), s.end() - 1), diff;
  for (std::size_t t = 1; t < s.size(); ++t) diff.push_back(s[t] - s[t - 1]);
  const OlsFit df = fit_ols(level, diff);

  auto adf = adf_test(s, {.max_lag = 0, .autolag = false});
  ASSERT_TRUE(adf) << adf.error();
  EXPECT_NEAR(adf->stat, df.beta / df.beta_se, 1e-10);
  EXPECT_EQ(adf->used_lag, 0);
  EXPECT_EQ(adf->nobs, 199);
  EXPECT_EQ(adf->pvalue, mackinnon_pvalue(adf->stat, 1));
  EXPECT_EQ(adf->crit_5pct, mackinnon_critical_values(1, 199)[1]);
  EXPECT_TRUE(std::isnan(adf->icbest));  // no search, no criterion
}

TEST(AdfTest, DefaultMaxLagIsSchwertsRuleCappedAtHalfTheSample) {
  // Without autolag the default max_lag is the lag: ceil(12 (n/100)^(1/4))
  // capped at n/2 - 2, and nobs = n - 1 - lag.
  struct Case { int n, lag; };
  for (const Case c : {Case{100, 12}, Case{30, 9}, Case{10, 3}, Case{4, 0}}) {
    auto adf = adf_test(ar1(0.5, c.n, 2), {.max_lag = std::nullopt, .autolag = false});
    ASSERT_TRUE(adf) << "n " << c.n << ": " << adf.error();
    EXPECT_EQ(adf->used_lag, c.lag) << "n " << c.n;
    EXPECT_EQ(adf->nobs, c.n - 1 - c.lag) << "n " << c.n;
  }
}

TEST(AdfTest, AutolagPicksALagWithinTheSearchAndReportsItsAic) {
  auto adf = adf_test(ar1(0.9, 300, 3), {.max_lag = 5});
  ASSERT_TRUE(adf) << adf.error();
  EXPECT_GE(adf->used_lag, 0);
  EXPECT_LE(adf->used_lag, 5);
  EXPECT_EQ(adf->nobs, 299 - adf->used_lag);
  EXPECT_TRUE(std::isfinite(adf->icbest));
}

TEST(AdfTest, RejectsAUnitRootForWhiteNoiseButNotForARandomWalk) {
  const auto noise = ar1(0.0, 1000, 4);
  const auto walk = ar1(1.0, 1000, 4);
  auto stationary = adf_test(noise);
  auto unit_root = adf_test(walk);
  ASSERT_TRUE(stationary && unit_root);
  EXPECT_LT(stationary->stat, stationary->crit_1pct);
  EXPECT_LT(stationary->pvalue, 0.01);
  EXPECT_GT(unit_root->pvalue, 0.05);
}

TEST(AdfTest, ShortSeriesAreRefusedWithTheMinimumLength) {
  auto adf = adf_test(std::vector<double>{1, 2, 0});
  ASSERT_FALSE(adf);
  EXPECT_EQ(adf.error(), "ADF test on 3 observations: series too short, need at least 4 observations");
  EXPECT_FALSE(adf_test(std::vector<double>{}));
}

TEST(AdfTest, ConstantSeriesIsRefused) {
  auto adf = adf_test(std::vector<double>(50, 101.5));
  ASSERT_FALSE(adf);
  EXPECT_EQ(adf.error(), "ADF test on 50 observations: series is constant (every value is 101.500000)");
}

TEST(AdfTest, NonFiniteValueIsRefusedWithItsIndex) {
  auto s = ar1(0.5, 50, 5);
  s[17] = std::numeric_limits<double>::quiet_NaN();
  auto adf = adf_test(s);
  ASSERT_FALSE(adf);
  EXPECT_EQ(adf.error(), "ADF test on 50 observations: value at index 17 is not finite");
}

TEST(AdfTest, MaxLagBeyondHalfTheSampleIsRefused) {
  // 30 observations allow lags up to 30/2 - 2 = 13.
  const auto s = ar1(0.5, 30, 6);
  EXPECT_TRUE(adf_test(s, {.max_lag = 13}));
  auto adf = adf_test(s, {.max_lag = 14});
  ASSERT_FALSE(adf);
  EXPECT_EQ(adf.error(), "ADF test on 30 observations: max_lag 14 is outside 0..n/2-2 = 0..13");
  EXPECT_FALSE(adf_test(s, {.max_lag = -1}));
}

TEST(AdfTest, ExactLinearTrendIsRefusedAsADegenerateRegression) {
  // Every difference is 0.5: the constant alone fits them exactly.
  std::vector<double> s;
  for (int i = 0; i < 40; ++i) s.push_back(0.5 * i);
  auto adf = adf_test(s, {.max_lag = 0, .autolag = false});
  ASSERT_FALSE(adf);
  EXPECT_NE(adf.error().find("exact"), std::string::npos) << adf.error();
}

}  // namespace
}  // namespace alphastream
