#include "stats/adf.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "stats/mackinnon.h"
#include "stats/ols.h"

namespace alphastream {
namespace {

// The regression of diff(x) on [1, level, lagged diffs] (kConstant) or
// [level, lagged diffs] (kNone) over the sample that drops the first `trim`
// differences, with lags 1..lags as columns. With the constant, each other
// column is centred: that subtracts a multiple of the ones column, so it
// changes neither the residuals nor the other coefficients' t-values, and it
// keeps a level near 1e5 from swamping moves of 1e-2. Without the constant
// centring would change the column space, so kNone keeps the raw columns.
struct AdfRegression {
  Eigen::MatrixXd design;
  Eigen::VectorXd response;
  int level_col = 0;  // the column of x_{t-1}; the columns before it are deterministic
};

AdfRegression build_regression(std::span<const double> x, const std::vector<double>& dx,
                               int trim, int lags, AdfTrend trend) {
  const Eigen::Index rows = static_cast<Eigen::Index>(dx.size()) - trim;
  const int level = trend == AdfTrend::kConstant ? 1 : 0;
  AdfRegression reg{Eigen::MatrixXd(rows, level + 1 + lags), Eigen::VectorXd(rows), level};
  for (Eigen::Index r = 0; r < rows; ++r) {
    const std::size_t t = static_cast<std::size_t>(trim + r);  // dx[t] = x[t+1] - x[t]
    reg.response(r) = dx[t];
    if (level == 1) reg.design(r, 0) = 1;
    reg.design(r, level) = x[t];
    for (int j = 1; j <= lags; ++j) reg.design(r, level + j) = dx[t - static_cast<std::size_t>(j)];
  }
  if (level == 1) {
    for (Eigen::Index c = 1; c < reg.design.cols(); ++c) {
      reg.design.col(c).array() -= reg.design.col(c).mean();
    }
  }
  return reg;
}

// The lag, and its AIC, that minimises the AIC over the nested regressions on
// the first level_col + 1 + lag columns, lag = 0..cols-level_col-1, all on
// the same rows. The
// candidates are prefixes of one design, so a single Householder QR gives
// every residual sum of squares: with Q'y = c, the regression on the first k
// columns leaves ssr_k = sum of c_i^2 for i >= k. One O(n p^2) factorisation
// instead of p of them keeps the full-sample test fast on a month of seconds.
Result<std::pair<int, double>> search_lag_by_aic(const AdfRegression& search) {
  const Eigen::Index rows = search.design.rows();
  const Eigen::Index cols = search.design.cols();
  if (rows <= cols) {
    return Status::error("lag search: " + std::to_string(rows) + " observations for " + std::to_string(cols) +
                         " regressors; need more observations than regressors");
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(search.design);
  const Eigen::VectorXd c = qr.householderQ().adjoint() * search.response;
  const auto diagonal = qr.matrixQR().diagonal().cwiseAbs();
  const double pivot_floor = diagonal.maxCoeff() * std::numeric_limits<double>::epsilon() * static_cast<double>(cols);
  const Eigen::Index first = search.level_col + 1;  // columns of the lag-0 regression
  // ssr_k for k = cols .. first, accumulated from the tail.
  std::vector<double> ssr(static_cast<std::size_t>(cols) + 1);
  double tail = c.tail(rows - cols).squaredNorm();
  ssr[static_cast<std::size_t>(cols)] = tail;
  for (Eigen::Index k = cols - 1; k >= first; --k) {
    tail += c(k) * c(k);
    ssr[static_cast<std::size_t>(k)] = tail;
  }
  const double exact_floor = kExactFitTolerance * search.response.norm();
  const double nd = static_cast<double>(rows);
  const double half_n = nd / 2;
  int best_lag = 0;
  double best_aic = 0;
  for (Eigen::Index k = first; k <= cols; ++k) {
    const int lag = static_cast<int>(k - first);
    if (!(diagonal(k - 1) > pivot_floor)) {
      return Status::error("lag search at lag " + std::to_string(lag) + ": the " + std::to_string(k) +
                           " regressors are collinear");
    }
    const double ssr_k = ssr[static_cast<std::size_t>(k)];
    if (!(std::sqrt(ssr_k) > exact_floor)) {
      return Status::error("lag search at lag " + std::to_string(lag) + ": the fit is exact to rounding");
    }
    // statsmodels: llf = -n/2 (log(2 pi) + log(ssr/n) + 1), aic = -2 llf + 2 k.
    const double llf = -half_n * std::log(2 * std::numbers::pi) - half_n * std::log(ssr_k / nd) - half_n;
    const double aic = -2 * llf + 2 * static_cast<double>(k);
    // Strictly smaller: a tie keeps the shorter lag, as statsmodels' min over (aic, lag).
    if (lag == 0 || aic < best_aic) {
      best_aic = aic;
      best_lag = lag;
    }
  }
  return std::pair<int, double>(best_lag, best_aic);
}

std::string where(std::size_t n) { return "ADF test on " + std::to_string(n) + " observations: "; }

}  // namespace

Result<AdfResult> adf_test(std::span<const double> series, AdfOptions options) {
  const std::size_t n = series.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(series[i])) {
      return Status::error(where(n) + "value at index " + std::to_string(i) + " is not finite");
    }
  }
  // Lags beyond n/2 - 1 - ntrend (statsmodels: nobs // 2 - ntrend - 1) leave
  // too few rows for the search regressions.
  const int ntrend = options.trend == AdfTrend::kConstant ? 1 : 0;
  const int lag_limit = static_cast<int>(n / 2) - 1 - ntrend;
  if (lag_limit < 0) {
    return Status::error(where(n) + "series too short, need at least " + std::to_string(2 + 2 * ntrend) +
                         " observations");
  }
  int max_lag = 0;
  if (options.max_lag) {
    max_lag = *options.max_lag;
    if (max_lag < 0 || max_lag > lag_limit) {
      return Status::error(where(n) + "max_lag " + std::to_string(max_lag) +
                           " is outside 0..n/2-" + std::to_string(1 + ntrend) + " = 0.." +
                           std::to_string(lag_limit));
    }
  } else {
    max_lag = static_cast<int>(std::ceil(12.0 * std::pow(static_cast<double>(n) / 100.0, 0.25)));
    max_lag = std::min(lag_limit, max_lag);
  }
  if (std::all_of(series.begin(), series.end(), [&](double v) { return v == series[0]; })) {
    return Status::error(where(n) + "series is constant (every value is " +
                         std::to_string(series[0]) + ")");
  }
  std::vector<double> dx(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) dx[i] = series[i + 1] - series[i];

  AdfResult result;
  result.icbest = std::numeric_limits<double>::quiet_NaN();
  int used_lag = max_lag;
  if (options.autolag) {
    auto best = search_lag_by_aic(build_regression(series, dx, max_lag, max_lag, options.trend));
    if (!best) return Status::error(where(n) + best.error());
    used_lag = best->first;
    result.icbest = best->second;
  }
  const AdfRegression final_reg = build_regression(series, dx, used_lag, used_lag, options.trend);
  auto fit = fit_least_squares(final_reg.design, final_reg.response);
  if (!fit) return Status::error(where(n) + "regression at lag " + std::to_string(used_lag) + ": " + fit.error());

  result.stat = fit->t_values(final_reg.level_col);
  result.used_lag = used_lag;
  result.nobs = fit->nobs;
  const double nobs = static_cast<double>(result.nobs);
  const bool constant = options.trend == AdfTrend::kConstant;
  result.pvalue = constant ? mackinnon_pvalue(result.stat, 1) : mackinnon_pvalue_no_constant(result.stat);
  const auto crit = constant ? mackinnon_critical_values(1, nobs) : mackinnon_critical_values_no_constant(nobs);
  result.crit_1pct = crit[0];
  result.crit_5pct = crit[1];
  result.crit_10pct = crit[2];
  return result;
}

}  // namespace alphastream
