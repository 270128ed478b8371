// AdfWorkspace, reused across series of many lengths and options, against
// adf_test (a fresh workspace per call) and against the general least-squares
// fit (a column-pivoting QR) on the same regressions.
#include "stats/adf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <Eigen/Dense>

#include "stats/ols.h"

namespace alphastream {
namespace {

std::vector<double> ar1(double phi, std::size_t n, double level, std::mt19937_64& rng) {
  std::normal_distribution<double> noise;
  std::vector<double> s(n);
  double v = 0;
  for (double& x : s) x = level + (v = phi * v + noise(rng));
  return s;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The design of adf.cpp's definition built with Eigen: [1?, x_{t-1}, dx lags]
// on the rows that drop the first `trim` differences, centred with the constant.
struct Regression {
  Eigen::MatrixXd design;
  Eigen::VectorXd response;
};

Regression regression(const std::vector<double>& x, int trim, int lags, AdfTrend trend) {
  const int level = trend == AdfTrend::kConstant ? 1 : 0;
  const Eigen::Index rows = static_cast<Eigen::Index>(x.size()) - 1 - trim;
  Regression reg{Eigen::MatrixXd(rows, level + 1 + lags), Eigen::VectorXd(rows)};
  auto dx = [&](Eigen::Index t) { return x[static_cast<std::size_t>(t) + 1] - x[static_cast<std::size_t>(t)]; };
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Eigen::Index t = trim + r;
    reg.response(r) = dx(t);
    if (level == 1) reg.design(r, 0) = 1;
    reg.design(r, level) = x[static_cast<std::size_t>(t)];
    for (int j = 1; j <= lags; ++j) reg.design(r, level + j) = dx(t - j);
  }
  if (level == 1) {
    for (Eigen::Index c = 1; c < reg.design.cols(); ++c) reg.design.col(c).array() -= reg.design.col(c).mean();
  }
  return reg;
}

TEST(AdfWorkspace, OneWorkspaceReusedOnRandomWindowsEqualsAFreshAdfTestBitForBit) {
  // Lengths, trends, lags and outcomes vary from run to run, so anything a
  // run left behind in the buffers would show up as a difference.
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<std::size_t> length(4, 300);
  for (const AdfTrend trend : {AdfTrend::kConstant, AdfTrend::kNone}) {
    for (const bool autolag : {true, false}) {
      for (const bool default_lag : {true, false}) {
        const int fixed_lag = static_cast<int>(rng() % 12);
        const AdfOptions options{.max_lag = default_lag ? std::nullopt : std::optional<int>(fixed_lag),
                                 .autolag = autolag,
                                 .trend = trend};
        AdfWorkspace workspace(300, options);
        int passed = 0;
        for (int run = 0; run < 60; ++run) {
          const std::size_t n = length(rng);
          const double phi = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
          const double level = run % 3 == 0 ? 1e5 : 0.0;
          const std::vector<double> s = ar1(phi, n, level, rng);
          SCOPED_TRACE(testing::Message() << "n " << n << " phi " << phi << " max_lag "
                                          << (default_lag ? -1 : fixed_lag) << " autolag " << autolag);
          const auto fresh = adf_test(s, options);
          ASSERT_EQ(workspace.run(s), fresh.is_ok());
          if (!fresh) continue;
          ++passed;
          const AdfResult& got = workspace.result();
          EXPECT_TRUE(same_bits(got.stat, fresh->stat)) << got.stat << " vs " << fresh->stat;
          EXPECT_TRUE(same_bits(got.pvalue, fresh->pvalue));
          EXPECT_TRUE(same_bits(got.icbest, fresh->icbest));
          EXPECT_EQ(got.used_lag, fresh->used_lag);
          EXPECT_EQ(got.nobs, fresh->nobs);
          EXPECT_TRUE(same_bits(got.crit_5pct, fresh->crit_5pct));
        }
        // Short series with a large fixed lag are refused; most are tested.
        EXPECT_GT(passed, 40);
      }
    }
  }
}

TEST(AdfWorkspace, TheLevelsTValueEqualsThePivotingLeastSquaresFitOfTheSameRegression) {
  // fit_least_squares is another QR (Eigen's, with column pivoting) and
  // takes the standard error from the whole inverse: two routes to one number.
  std::mt19937_64 rng(7);
  for (const AdfTrend trend : {AdfTrend::kConstant, AdfTrend::kNone}) {
    for (int lag = 0; lag <= 10; ++lag) {
      const std::vector<double> s = ar1(0.8, 120 + 17 * static_cast<std::size_t>(lag), lag % 2 ? 1e5 : 0.0, rng);
      AdfWorkspace workspace(s.size(), {.max_lag = lag, .autolag = false, .trend = trend});
      ASSERT_TRUE(workspace.run(s)) << "lag " << lag;
      const Regression reg = regression(s, lag, lag, trend);
      auto fit = fit_least_squares(reg.design, reg.response);
      ASSERT_TRUE(fit) << fit.error();
      const double want = fit->t_values(trend == AdfTrend::kConstant ? 1 : 0);
      EXPECT_NEAR(workspace.result().stat, want, 1e-10 * std::abs(want)) << "lag " << lag;
      EXPECT_EQ(workspace.result().nobs, fit->nobs);
    }
  }
}

TEST(AdfWorkspace, TheAicSearchPicksTheLagWhoseSeparateFitHasTheSmallestAic) {
  // Each lag refitted on its own (statsmodels' way) on the sample trimmed by
  // max_lag: the argmin and its AIC equal what the one QR's prefixes give.
  std::mt19937_64 rng(11);
  for (int round = 0; round < 8; ++round) {
    const std::vector<double> s = ar1(0.95, 250, 0.0, rng);
    const int max_lag = 8;
    AdfWorkspace workspace(s.size(), {.max_lag = max_lag});
    ASSERT_TRUE(workspace.run(s));
    int best_lag = -1;
    double best_aic = 0;
    for (int lag = 0; lag <= max_lag; ++lag) {
      const Regression full = regression(s, max_lag, max_lag, AdfTrend::kConstant);
      auto fit = fit_least_squares(full.design.leftCols(2 + lag), full.response);
      ASSERT_TRUE(fit) << fit.error();
      if (best_lag < 0 || fit->aic < best_aic) {
        best_lag = lag;
        best_aic = fit->aic;
      }
    }
    EXPECT_EQ(workspace.result().used_lag, best_lag) << "round " << round;
    EXPECT_NEAR(workspace.result().icbest, best_aic, 1e-12 * std::abs(best_aic)) << "round " << round;
  }
}

TEST(AdfWorkspace, FailuresNameTheirReasonAndFigures) {
  AdfWorkspace workspace(60);
  EXPECT_FALSE(workspace.run(std::vector<double>(40, 2.5)));
  EXPECT_EQ(workspace.failure().error, AdfError::kConstant);
  EXPECT_EQ(workspace.failure().value, 2.5);

  // Flat but for the last value: the lagged level is constant over the
  // search rows, so it is the constant column again.
  std::vector<double> flat_then_jump(40, 2.5);
  flat_then_jump.back() = 3.0;
  EXPECT_FALSE(workspace.run(flat_then_jump));
  EXPECT_EQ(workspace.failure().error, AdfError::kCollinear);
  EXPECT_TRUE(workspace.failure().in_lag_search);
  EXPECT_EQ(workspace.failure().lag, 0);
  EXPECT_EQ(workspace.failure().regressors, 2);

  std::vector<double> trend;
  for (int i = 0; i < 40; ++i) trend.push_back(0.5 * i);
  EXPECT_FALSE(workspace.run(trend));
  EXPECT_EQ(workspace.failure().error, AdfError::kExactFit);

  std::vector<double> with_nan(40, 1.0);
  with_nan[9] = std::nan("");
  EXPECT_FALSE(workspace.run(with_nan));
  EXPECT_EQ(workspace.failure().error, AdfError::kNonFinite);
  EXPECT_EQ(workspace.failure().index, 9u);

  EXPECT_FALSE(workspace.run(std::vector<double>{1, 2, 0}));
  EXPECT_EQ(workspace.failure().error, AdfError::kTooShort);
  EXPECT_FALSE(workspace.run(std::vector<double>(61, 1.0)));
  EXPECT_EQ(workspace.failure().error, AdfError::kOverCapacity);
}

TEST(AdfWorkspace, AdfTestNamesTheRegressionThatFailedAndItsLag) {
  // Every difference of a straight line is 0.5: the constant alone fits the
  // response exactly, and each lag column is the constant column again.
  std::vector<double> line;
  for (int i = 0; i < 40; ++i) line.push_back(0.5 * i);
  auto exact = adf_test(line, {.max_lag = 0, .autolag = false});
  ASSERT_FALSE(exact);
  EXPECT_EQ(exact.error().rfind("ADF test on 40 observations: regression at lag 0: least squares: the fit is exact "
                                "to rounding (residual sum of squares ", 0), 0u) << exact.error();
  auto collinear = adf_test(line, {.max_lag = 3, .autolag = false});
  ASSERT_FALSE(collinear);
  EXPECT_EQ(collinear.error(),
            "ADF test on 40 observations: regression at lag 3: least squares: the 5 regressors are collinear");
  // With the search, its lag-0 regression fails first.
  auto searched = adf_test(line, {.max_lag = 3});
  ASSERT_FALSE(searched);
  EXPECT_EQ(searched.error(), "ADF test on 40 observations: lag search at lag 0: the fit is exact to rounding");
}

}  // namespace
}  // namespace alphastream
