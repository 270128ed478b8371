#include "stats/coint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <vector>

#include "stats/adf.h"
#include "stats/mackinnon.h"

namespace alphastream {
namespace {

struct Legs {
  std::vector<double> x, y;
};

// x a random walk near 100; y = 20 + 1.5 x + an AR(1) spread with phi, both
// rounded to a 0.01 tick like second-sampled futures prices.
Legs cointegrated(int n, double phi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise;
  Legs legs;
  double x = 100, s = 0;
  for (int t = 0; t < n; ++t) {
    x += 0.02 * noise(rng);
    s = phi * s + 0.05 * noise(rng);
    legs.x.push_back(std::round(x * 100) / 100);
    legs.y.push_back(std::round((20 + 1.5 * x + s) * 100) / 100);
  }
  return legs;
}

double rel_diff(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

void expect_same_test(const CointResult& fast, const CointResult& exact) {
  EXPECT_LE(rel_diff(fast.stat, exact.stat), 1e-9) << fast.stat << " vs " << exact.stat;
  EXPECT_NEAR(fast.pvalue, exact.pvalue, 1e-10);
  EXPECT_EQ(fast.used_lag, exact.used_lag);
  EXPECT_EQ(fast.adf_nobs, exact.adf_nobs);
  EXPECT_EQ(fast.hedge.beta, exact.hedge.beta);
  EXPECT_EQ(fast.crit_5pct, exact.crit_5pct);
}

TEST(Coint, WorkspaceAgreesWithTheQrPathOnLongTickedSeriesBothWays) {
  CointWorkspace workspace;
  int with_lags = 0;
  for (double phi : {0.0, 0.9, 0.995, 1.0}) {
    SCOPED_TRACE(phi);
    const Legs legs = cointegrated(10000, phi, 3);
    for (bool y_on_x : {true, false}) {
      const auto& y0 = y_on_x ? legs.y : legs.x;
      const auto& y1 = y_on_x ? legs.x : legs.y;
      auto exact = coint(y0, y1);
      ASSERT_TRUE(exact) << exact.error();
      auto fast = workspace.test(y0, y1);
      ASSERT_TRUE(fast) << fast.error();
      expect_same_test(*fast, *exact);
      with_lags += exact->used_lag > 0 ? 1 : 0;
    }
  }
  EXPECT_GT(with_lags, 0);  // the lag search chose something beyond lag 0
  EXPECT_EQ(workspace.fallbacks(), 0u);
}

TEST(Coint, StationarySpreadRejectsAndIndependentWalksDoNot) {
  const Legs tight = cointegrated(5000, 0.9, 5);
  auto yes = coint(tight.y, tight.x);
  ASSERT_TRUE(yes) << yes.error();
  EXPECT_LT(yes->pvalue, 0.01);
  EXPECT_LT(yes->stat, yes->crit_1pct);
  EXPECT_NEAR(yes->hedge.beta, 1.5, 0.05);

  const Legs a = cointegrated(5000, 1.0, 6);
  const Legs b = cointegrated(5000, 1.0, 7);
  auto no = coint(a.x, b.x);
  ASSERT_TRUE(no) << no.error();
  EXPECT_GT(no->pvalue, 0.05);
}

TEST(Coint, CriticalValuesAreTheTwoVariableTablesAtNMinusOne) {
  const Legs legs = cointegrated(700, 0.9, 8);
  auto got = coint(legs.y, legs.x);
  ASSERT_TRUE(got) << got.error();
  const auto want = mackinnon_critical_values(2, 699);
  EXPECT_EQ(got->crit_1pct, want[0]);
  EXPECT_EQ(got->crit_5pct, want[1]);
  EXPECT_EQ(got->crit_10pct, want[2]);
  EXPECT_EQ(got->pvalue, mackinnon_pvalue(got->stat, 2));
}

TEST(Coint, PerfectlyCollinearLegsGiveMinusInfinityAndPValueZero) {
  std::vector<double> x, y;
  for (int t = 0; t < 100; ++t) {
    x.push_back(100 + std::sin(t * 0.1) * 5);
    y.push_back(3 + 2 * x.back());
  }
  CointWorkspace workspace;
  for (auto got : {coint(y, x), workspace.test(y, x)}) {
    ASSERT_TRUE(got) << got.error();
    EXPECT_TRUE(got->collinear);
    EXPECT_EQ(got->stat, -std::numeric_limits<double>::infinity());
    EXPECT_EQ(got->pvalue, 0.0);
    EXPECT_NEAR(got->hedge.beta, 2.0, 1e-12);
  }
}

TEST(Coint, ErrorsNameTheProblem) {
  const std::vector<double> four{1, 2, 3, 4}, three{1, 2, 3}, flat{5, 5, 5, 5};
  EXPECT_EQ(coint(four, three).error(), "coint: y0 has 4 observations, y1 has 3");
  EXPECT_EQ(coint(three, three).error(), "coint: 3 observations, need at least 4");
  EXPECT_EQ(coint(four, flat).error(), "coint: y1 is constant, the hedge regression is undefined");
  const std::vector<double> bad{1, 2, std::nan(""), 4};
  EXPECT_EQ(coint(bad, four).error(), "coint: y0[2] is not finite");
  CointWorkspace workspace;
  EXPECT_EQ(workspace.test(four, flat).error(), "coint: y1 is constant, the hedge regression is undefined");
  EXPECT_TRUE(workspace.residuals().empty());
}

TEST(AdfWithoutConstant, AllowsOneMoreLagThanWithAConstant) {
  // statsmodels: maxlag <= nobs // 2 - ntrend - 1, so 4 for n = 10 without
  // the constant and 3 with it.
  const std::vector<double> s{0.3, -1.2, 0.8, 0.1, -0.4, 1.9, -0.7, 0.2, 1.1, -0.5};
  auto none = adf_test(s, {.max_lag = 5, .autolag = false, .trend = AdfTrend::kNone});
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("max_lag 5 is outside 0..n/2-1 = 0..4"), std::string::npos) << none.error();
  auto constant = adf_test(s, {.max_lag = 4, .autolag = false, .trend = AdfTrend::kConstant});
  ASSERT_FALSE(constant);
  EXPECT_NE(constant.error().find("max_lag 4 is outside 0..n/2-2 = 0..3"), std::string::npos) << constant.error();
  auto fits = adf_test(s, {.max_lag = 3, .autolag = false, .trend = AdfTrend::kNone});
  ASSERT_TRUE(fits) << fits.error();
  EXPECT_EQ(fits->nobs, 6);  // 9 differences less 3 lags
}

TEST(AdfWithoutConstant, WithLagZeroIsTheRegressionThroughTheOrigin) {
  // diff(s)_t = b s_{t-1}: b = sum(s dx) / sum(s^2), se = sqrt(ssr/(n-1) / sum(s^2)).
  const std::vector<double> s{1.0, 0.4, 0.9, -0.3, 0.2, 0.6, -0.8, 0.1};
  double sxy = 0, sxx = 0;
  for (std::size_t t = 1; t < s.size(); ++t) {
    sxy += s[t - 1] * (s[t] - s[t - 1]);
    sxx += s[t - 1] * s[t - 1];
  }
  const double b = sxy / sxx;
  double ssr = 0;
  for (std::size_t t = 1; t < s.size(); ++t) ssr += std::pow(s[t] - s[t - 1] - b * s[t - 1], 2);
  const double se = std::sqrt(ssr / 6 / sxx);
  auto adf = adf_test(s, {.max_lag = 0, .autolag = false, .trend = AdfTrend::kNone});
  ASSERT_TRUE(adf) << adf.error();
  EXPECT_NEAR(adf->stat, b / se, 1e-12);
  EXPECT_EQ(adf->pvalue, mackinnon_pvalue_no_constant(adf->stat));
  EXPECT_EQ(adf->crit_5pct, mackinnon_critical_values_no_constant(7)[1]);
}

}  // namespace
}  // namespace alphastream
