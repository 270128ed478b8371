#include "stats/ols.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace alphastream {
namespace {

TEST(FitOls, ExactLineGivesSlopeAndInterceptWithZeroError) {
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(i);
    y.push_back(3 + 2.0 * i);
  }
  const OlsFit fit = fit_ols(x, y);
  EXPECT_NEAR(fit.beta, 2.0, 1e-12);
  EXPECT_NEAR(fit.alpha, 3.0, 1e-12);
  EXPECT_NEAR(fit.beta_se, 0.0, 1e-12);
  EXPECT_NEAR(fit.residual_std, 0.0, 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  EXPECT_EQ(fit.n, 10);
}

TEST(FitOls, ThreePointsGiveTheTextbookStandardErrors) {
  // x = -1, 0, 1; y = 0, 2, 1: beta = sum(xy)/sum(x^2) = 1/2, alpha = mean(y) = 1,
  // residuals -1/2, 1, -1/2: ssr = 3/2, s^2 = ssr/(3-2) = 3/2,
  // se(beta) = sqrt(s^2/2), se(alpha) = sqrt(s^2/3), R^2 = 1 - 1.5/2.
  const std::vector<double> x{-1, 0, 1}, y{0, 2, 1};
  const OlsFit fit = fit_ols(x, y);
  EXPECT_DOUBLE_EQ(fit.beta, 0.5);
  EXPECT_DOUBLE_EQ(fit.alpha, 1.0);
  EXPECT_DOUBLE_EQ(fit.beta_se, std::sqrt(0.75));
  EXPECT_DOUBLE_EQ(fit.alpha_se, std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(fit.residual_std, std::sqrt(1.5));
  EXPECT_DOUBLE_EQ(fit.r_squared, 0.25);
}

TEST(FitOls, PricesNear1e5MovingByACentKeepTheirSlope) {
  // y = 3 + 0.5 x rounds each y by at most 7e-12, tiny against x's spread
  // of ~3: beta stays 0.5 to 1e-10. Uncentred normal equations subtract
  // sums near 1e13 and keep only ~1e-5 of it.
  std::vector<double> x, y;
  for (int i = 0; i < 1000; ++i) {
    x.push_back(1e5 + 0.01 * i + 0.003 * std::sin(i));
    y.push_back(3 + 0.5 * x.back());
  }
  const OlsFit fit = fit_ols(x, y);
  EXPECT_NEAR(fit.beta, 0.5, 1e-10);
  EXPECT_NEAR(fit.alpha, 3.0, 1e-10 * 1e5);
  EXPECT_LT(fit.residual_std, 1e-11);
}

TEST(FitOls, ConstantXOrTooFewPointsGiveNaN) {
  const std::vector<double> flat{2, 2, 2, 2}, y{1, 2, 3, 4};
  EXPECT_TRUE(std::isnan(fit_ols(flat, y).beta));
  EXPECT_EQ(fit_ols(flat, y).n, 4);
  const std::vector<double> two{1, 2};
  EXPECT_TRUE(std::isnan(fit_ols(two, two).beta));
}

TEST(FitLeastSquares, ThreePointsGiveTheTextbookTValuesAndAic) {
  // The fit of ThreePointsGiveTheTextbookStandardErrors, columns [1, x].
  Eigen::MatrixXd design(3, 2);
  design << 1, -1, 1, 0, 1, 1;
  const Eigen::Vector3d response(0, 2, 1);
  auto fit = fit_least_squares(design, response);
  ASSERT_TRUE(fit) << fit.error();
  EXPECT_NEAR(fit->coefficients(0), 1.0, 1e-15);
  EXPECT_NEAR(fit->coefficients(1), 0.5, 1e-15);
  EXPECT_NEAR(fit->t_values(0), std::sqrt(2.0), 1e-14);      // 1 / sqrt(1/2)
  EXPECT_NEAR(fit->t_values(1), 1 / std::sqrt(3.0), 1e-14);  // 0.5 / sqrt(3/4)
  EXPECT_NEAR(fit->ssr, 1.5, 1e-14);
  EXPECT_EQ(fit->nobs, 3);
  EXPECT_EQ(fit->k, 2);
  // llf = -3/2 (log(2 pi) + log(1.5/3) + 1), aic = -2 llf + 2*2.
  const double llf = -1.5 * (std::log(2 * std::numbers::pi) + std::log(0.5) + 1);
  EXPECT_NEAR(fit->llf, llf, 1e-14);
  EXPECT_NEAR(fit->aic, -2 * llf + 4, 1e-13);
}

TEST(FitLeastSquares, ResultsFollowTheColumnOrderWhateverThePivoting) {
  // Columns [x * 1000, 1]: the pivoting QR takes the big column first; the
  // results must still come back in the caller's order.
  Eigen::MatrixXd design(3, 2);
  design << -1000, 1, 0, 1, 1000, 1;
  const Eigen::Vector3d response(0, 2, 1);
  auto fit = fit_least_squares(design, response);
  ASSERT_TRUE(fit) << fit.error();
  EXPECT_NEAR(fit->coefficients(0), 0.5e-3, 1e-17);
  EXPECT_NEAR(fit->coefficients(1), 1.0, 1e-14);
  EXPECT_NEAR(fit->t_values(0), 1 / std::sqrt(3.0), 1e-13);
  EXPECT_NEAR(fit->t_values(1), std::sqrt(2.0), 1e-13);
  EXPECT_NEAR(fit->std_errors(1), std::sqrt(0.5), 1e-14);
}

TEST(FitLeastSquares, RefusesCollinearExactAndUnderdeterminedFits) {
  Eigen::MatrixXd collinear(4, 2);
  collinear << 1, 2, 2, 4, 3, 6, 4, 8;
  const Eigen::Vector4d y(1, 3, 2, 5);
  auto a = fit_least_squares(collinear, y);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().find("collinear"), std::string::npos) << a.error();

  Eigen::MatrixXd line(4, 2);
  line << 1, 0, 1, 1, 1, 2, 1, 3;
  auto b = fit_least_squares(line, Eigen::Vector4d(1, 3, 5, 7));
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().find("exact"), std::string::npos) << b.error();

  auto c = fit_least_squares(line.topRows(2), Eigen::Vector2d(1, 2));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("2 observations for 2 regressors"), std::string::npos) << c.error();

  auto d = fit_least_squares(line, Eigen::Vector3d(1, 2, 3));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().find("4 rows but the response has 3"), std::string::npos) << d.error();
}

}  // namespace
}  // namespace alphastream
