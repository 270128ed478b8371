// Ordinary least squares: the two-variable hedge regression used for pairs,
// and a general QR-based fit used by the ADF regressions.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>

#include <Eigen/Dense>

#include "core/status.h"

namespace alphastream {

// y = alpha + beta * x + e, fitted over the full sample.
struct OlsFit {
  double alpha = 0;
  double beta = 0;
  double alpha_se = 0;      // standard error of alpha
  double beta_se = 0;       // standard error of beta
  double r_squared = 0;     // 1 - ssr / total sum of squares of y
  double residual_std = 0;  // sqrt(ssr / (n - 2)), statsmodels' sqrt(scale)
  std::int64_t n = 0;
  double x_mean = 0;        // the centring of the fit
  double y_mean = 0;
};

// Fits y on x with an intercept. The data are centred before any product is
// formed, so prices near 1e5 that move by 1e-2 keep their precision.
// Allocates nothing.
// REQUIRES: x.size() == y.size() >= 3 and x is not constant; otherwise the
// returned fit has n set and every other field NaN.
OlsFit fit_ols(std::span<const double> x, std::span<const double> y);

// A visit (fit_ols_visiting) of x and y held in memory, side by side.
// REQUIRES: x.size() == y.size(); both outlive the visitor.
inline auto visit_spans(std::span<const double> x, std::span<const double> y) {
  return [x, y](auto&& f) {
    for (std::size_t i = 0; i < x.size(); ++i) f(x[i], y[i]);
  };
}

// The residuals of a fit not kept (fit_ols_visiting's default).
struct IgnoreResiduals {
  void operator()(double) const {}
};

// x and y each summed in order from 0: fit_ols_visiting's first pass.
struct LegSums {
  double x = 0;
  double y = 0;
  void add(double x_value, double y_value) {
    x += x_value;
    y += y_value;
  }
};

// As fit_ols, over n observations that visit(f) hands to f(x, y) in order,
// as often as asked (three passes): a backtest's row log, which holds a
// month of observations on disk rather than in memory. The last pass hands
// each residual, (y - y_mean) - beta (x - x_mean), to on_residual in order
// (none when the fit is undefined). A caller that saw the observations come
// may pass their LegSums (the same sums, so the same fit) and save a pass.
template <class Visit, class OnResidual = IgnoreResiduals>
OlsFit fit_ols_visiting(std::size_t n, const Visit& visit, OnResidual on_residual = {},
                        std::optional<LegSums> sums = std::nullopt) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const OlsFit undefined{nan, nan, nan, nan, nan, nan, static_cast<std::int64_t>(n), nan, nan};
  if (n < 3) return undefined;
  if (!sums) {
    sums.emplace();
    visit([&](double x, double y) { sums->add(x, y); });
  }
  const double x_sum = sums->x, y_sum = sums->y;
  const double nd = static_cast<double>(n);
  const double x_mean = x_sum / nd;
  const double y_mean = y_sum / nd;
  // Sums of centred products: no cancellation between large squares.
  double sxx = 0, sxy = 0, syy = 0;
  visit([&](double x, double y) {
    const double dx = x - x_mean;
    const double dy = y - y_mean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  });
  if (sxx == 0) return undefined;
  const double beta = sxy / sxx;
  // Residuals from the centred data, summed directly rather than as
  // syy - beta * sxy, which cancels when the fit is tight.
  double ssr = 0;
  visit([&](double x, double y) {
    const double e = (y - y_mean) - beta * (x - x_mean);
    ssr += e * e;
    on_residual(e);
  });
  const double scale = ssr / (nd - 2);
  OlsFit fit;
  fit.alpha = y_mean - beta * x_mean;
  fit.beta = beta;
  fit.beta_se = std::sqrt(scale / sxx);
  fit.alpha_se = std::sqrt(scale * (1 / nd + x_mean * x_mean / sxx));
  fit.r_squared = syy > 0 ? 1 - ssr / syy : nan;
  fit.residual_std = std::sqrt(scale);
  fit.n = static_cast<std::int64_t>(n);
  fit.x_mean = x_mean;
  fit.y_mean = y_mean;
  return fit;
}

// A least-squares fit of a response on the columns of a design matrix.
struct LeastSquaresFit {
  Eigen::VectorXd coefficients;  // one per design column, in column order
  Eigen::VectorXd std_errors;    // sqrt(diag(s^2 (X'X)^-1)), s^2 = ssr / (n - k)
  Eigen::VectorXd t_values;      // coefficients / std_errors
  double ssr = 0;                // residual sum of squares
  std::int64_t nobs = 0;         // rows
  int k = 0;                     // regressors, the constant column included
  // statsmodels' definitions: llf = -n/2 (log(2 pi) + log(ssr / n) + 1),
  // aic = -2 llf + 2 k.
  double llf = 0;
  double aic = 0;
};

// A residual norm at or below this share of the response's norm is rounding,
// not noise: such a fit is refused, since its t-values would be ratios of
// rounding errors.
inline constexpr double kExactFitTolerance = 1e-10;

// Fits response on the columns of design (include a column of ones for an
// intercept) by a column-pivoting Householder QR, never the normal equations.
// Returns an error if the shapes disagree, there are not more rows than
// columns, the columns are collinear, or the fit is exact to rounding
// (sqrt(ssr) <= 1e-10 |response|: standard errors would be rounding noise).
Result<LeastSquaresFit> fit_least_squares(const Eigen::MatrixXd& design,
                                          const Eigen::VectorXd& response);

}  // namespace alphastream
