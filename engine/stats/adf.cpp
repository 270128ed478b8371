#include "stats/adf.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "stats/mackinnon.h"
#include "stats/ols.h"

namespace alphastream {
namespace {

int trend_terms(AdfTrend trend) { return trend == AdfTrend::kConstant ? 1 : 0; }

// statsmodels: maxlag <= nobs // 2 - ntrend - 1; beyond it the search
// regressions have too few rows. Negative: the series is too short for any.
int lag_limit(std::size_t n, AdfTrend trend) { return static_cast<int>(n / 2) - 1 - trend_terms(trend); }

// statsmodels' default ceil(12 (n/100)^(1/4)), capped at the limit.
int default_max_lag(std::size_t n, AdfTrend trend) {
  const int schwert = static_cast<int>(std::ceil(12.0 * std::pow(static_cast<double>(n) / 100.0, 0.25)));
  return std::min(lag_limit(n, trend), schwert);
}

// The largest lag any series of up to max_n values can be tested at. Both
// the default and the limit grow with n, so max_n bounds them.
int lag_capacity(std::size_t max_n, const AdfOptions& options) {
  const int lag = options.max_lag ? std::min(*options.max_lag, lag_limit(max_n, options.trend))
                                  : default_max_lag(max_n, options.trend);
  return std::max(lag, 0);
}

// statsmodels: llf = -n/2 (log(2 pi) + log(ssr/n) + 1), aic = -2 llf + 2 k,
// summed in its order so that near-tied AICs rank the same way.
double aic(double ssr, double rows, int regressors) {
  const double half_n = rows / 2;
  const double llf = -half_n * std::log(2 * std::numbers::pi) - half_n * std::log(ssr / rows) - half_n;
  return -2 * llf + 2 * static_cast<double>(regressors);
}

// sum of a[i] b[i] for i < n, in four partial sums so that the additions
// overlap instead of each waiting on the last; the order is fixed, so a run
// gives the same bits whatever the buffers' capacity.
double dot(const double* a, const double* b, std::size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

std::string message(const AdfFailure& f, std::size_t n, AdfTrend trend) {
  const int ntrend = trend_terms(trend);
  const std::string where = "ADF test on " + std::to_string(n) + " observations: ";
  const std::string lag = std::to_string(f.lag);
  const std::string stage = f.in_lag_search ? "lag search at lag " + lag + ": "
                                            : "regression at lag " + lag + ": least squares: ";
  switch (f.error) {
    case AdfError::kNone:
      break;
    case AdfError::kNonFinite:
      return where + "value at index " + std::to_string(f.index) + " is not finite";
    case AdfError::kTooShort:
      return where + "series too short, need at least " + std::to_string(2 + 2 * ntrend) + " observations";
    case AdfError::kMaxLagOutOfRange:
      return where + "max_lag " + lag + " is outside 0..n/2-" + std::to_string(1 + ntrend) + " = 0.." +
             std::to_string(lag_limit(n, trend));
    case AdfError::kConstant:
      return where + "series is constant (every value is " + std::to_string(f.value) + ")";
    case AdfError::kTooFewRows:
      return where + (f.in_lag_search ? std::string("lag search: ") : stage) + std::to_string(f.rows) +
             " observations for " + std::to_string(f.regressors) +
             " regressors; need more observations than regressors";
    case AdfError::kCollinear:
      return where + stage + "the " + std::to_string(f.regressors) + " regressors are collinear";
    case AdfError::kExactFit:
      return where + stage + "the fit is exact to rounding" +
             (f.in_lag_search ? std::string()
                              : " (residual sum of squares " + std::to_string(f.value) +
                                    "), standard errors are undefined");
    case AdfError::kOverCapacity:
      return where + "more than the workspace was sized for";
  }
  return where + "failed";
}

}  // namespace

AdfWorkspace::AdfWorkspace(std::size_t max_n, AdfOptions options)
    : max_n_(max_n), options_(options), level_col_(trend_terms(options.trend)) {
  const std::size_t max_rows = max_n > 0 ? max_n - 1 : 0;
  const std::size_t max_cols = static_cast<std::size_t>(level_col_ + 1 + lag_capacity(max_n, options));
  diffs_.resize(max_rows);
  design_.resize(max_rows * max_cols);
  response_.resize(max_rows);
  ssr_.resize(max_cols + 1);
  solve_.resize(max_cols);
}

bool AdfWorkspace::fail(AdfFailure failure) {
  failure_ = failure;
  return false;
}

// The regression of diff(x) on [1, level, lagged diffs] (kConstant) or
// [level, lagged diffs] (kNone) over the sample that drops the first `trim`
// differences, with lags 1..lags as columns. With the constant, each other
// column is centred: that subtracts a multiple of the ones column, so it
// changes neither the residuals nor the other coefficients' t-values, and it
// keeps a level near 1e5 from swamping moves of 1e-2. Without the constant
// centring would change the column space, so kNone keeps the raw columns.
void AdfWorkspace::build_regression(std::span<const double> x, int trim, int lags) {
  const std::size_t first = static_cast<std::size_t>(trim);
  const std::size_t rows = static_cast<std::size_t>(x.size() - 1 - first);
  rows_ = static_cast<std::int64_t>(rows);
  cols_ = level_col_ + 1 + lags;
  auto column = [&](int c) { return design_.data() + static_cast<std::size_t>(c) * rows; };
  if (level_col_ == 1) std::fill(column(0), column(0) + rows, 1.0);
  for (std::size_t r = 0; r < rows; ++r) {
    response_[r] = diffs_[first + r];
    column(level_col_)[r] = x[first + r];
  }
  for (int j = 1; j <= lags; ++j) {
    std::copy_n(diffs_.data() + first - static_cast<std::size_t>(j), rows, column(level_col_ + j));
  }
  if (level_col_ == 1) {
    for (int c = 1; c < cols_; ++c) {
      double* v = column(c);
      double sum = 0;
      for (std::size_t r = 0; r < rows; ++r) sum += v[r];
      const double mean = sum / static_cast<double>(rows);
      for (std::size_t r = 0; r < rows; ++r) v[r] -= mean;
    }
  }
  response_norm_ = std::sqrt(dot(response_.data(), response_.data(), rows));
}

// Householder QR in place: R in the upper triangle, each reflector's vector
// (its leading 1 implied) below the diagonal, and Q'y in response_.
// REQUIRES: rows_ > cols_.
void AdfWorkspace::factor() {
  const std::size_t rows = static_cast<std::size_t>(rows_);
  for (int j = 0; j < cols_; ++j) {
    const std::size_t d = static_cast<std::size_t>(j);
    double* a = design_.data() + d * rows;
    const std::size_t tail = rows - d - 1;
    const double tail_sq = dot(a + d + 1, a + d + 1, tail);
    const double alpha = a[d];
    if (tail_sq == 0) continue;  // already triangular in this column: H = I
    // beta of the opposite sign to alpha: alpha - beta never cancels.
    const double beta = alpha >= 0 ? -std::sqrt(alpha * alpha + tail_sq) : std::sqrt(alpha * alpha + tail_sq);
    const double tau = (beta - alpha) / beta;
    const double scale = 1 / (alpha - beta);
    for (std::size_t i = d + 1; i < rows; ++i) a[i] *= scale;
    a[d] = beta;
    // H = I - tau v v' on the remaining columns and on y.
    auto reflect = [&](double* v) {
      const double w = tau * (v[d] + dot(a + d + 1, v + d + 1, tail));
      v[d] -= w;
      double* __restrict out = v + d + 1;
      const double* __restrict in = a + d + 1;
      std::size_t i = 0;
      for (; i + 4 <= tail; i += 4) {  // unrolled so that -O2 pairs the lanes too
        out[i] -= w * in[i];
        out[i + 1] -= w * in[i + 1];
        out[i + 2] -= w * in[i + 2];
        out[i + 3] -= w * in[i + 3];
      }
      for (; i < tail; ++i) out[i] -= w * in[i];
    };
    for (int c = j + 1; c < cols_; ++c) reflect(design_.data() + static_cast<std::size_t>(c) * rows);
    reflect(response_.data());
  }
}

// The lag, and its AIC, that minimises the AIC over the nested regressions on
// the first level_col + 1 + lag columns, lag = 0..max_lag, all on the same
// rows. The candidates are prefixes of one design, so a single Householder
// QR gives every residual sum of squares: with Q'y = c, the regression on
// the first k columns leaves ssr_k = sum of c_i^2 for i >= k. One O(n p^2)
// factorisation instead of p of them keeps the full-sample test fast on a
// month of seconds.
bool AdfWorkspace::search_lag_by_aic(int max_lag) {
  if (rows_ <= cols_) {
    return fail({.error = AdfError::kTooFewRows, .in_lag_search = true, .lag = max_lag, .rows = rows_,
                 .regressors = cols_});
  }
  factor();
  const std::size_t rows = static_cast<std::size_t>(rows_);
  const std::size_t cols = static_cast<std::size_t>(cols_);
  auto diagonal = [&](std::size_t i) { return std::abs(design_[i * rows + i]); };
  double max_diagonal = 0;
  for (std::size_t i = 0; i < cols; ++i) max_diagonal = std::max(max_diagonal, diagonal(i));
  const double pivot_floor = max_diagonal * std::numeric_limits<double>::epsilon() * static_cast<double>(cols);
  const std::size_t first = static_cast<std::size_t>(level_col_) + 1;  // columns of the lag-0 regression
  double tail = dot(response_.data() + cols, response_.data() + cols, rows - cols);
  ssr_[cols] = tail;
  for (std::size_t k = cols - 1; k >= first; --k) {
    tail += response_[k] * response_[k];
    ssr_[k] = tail;
  }
  const double exact_floor = kExactFitTolerance * response_norm_;
  const double nd = static_cast<double>(rows);
  for (std::size_t k = first; k <= cols; ++k) {
    const int lag = static_cast<int>(k - first);
    const int regressors = static_cast<int>(k);
    if (!(diagonal(k - 1) > pivot_floor)) {
      return fail({.error = AdfError::kCollinear, .in_lag_search = true, .lag = lag, .regressors = regressors});
    }
    if (!(std::sqrt(ssr_[k]) > exact_floor)) {
      return fail({.error = AdfError::kExactFit, .in_lag_search = true, .lag = lag, .regressors = regressors,
                   .value = ssr_[k]});
    }
    const double criterion = aic(ssr_[k], nd, regressors);
    // Strictly smaller: a tie keeps the shorter lag, as statsmodels' min over (aic, lag).
    if (lag == 0 || criterion < result_.icbest) {
      result_.icbest = criterion;
      result_.used_lag = lag;
    }
  }
  return true;
}

// The level's t-value of the regression at `lag`: b_l / (s |row l of R^-1|),
// since (X'X)^-1 = R^-1 R^-T. The row is z' with R'z = e_l, a forward
// substitution; b_l needs only the back substitution from the last row up
// to l.
bool AdfWorkspace::fit_final(int lag) {
  if (rows_ <= cols_) {
    return fail({.error = AdfError::kTooFewRows, .lag = lag, .rows = rows_, .regressors = cols_});
  }
  factor();
  const std::size_t rows = static_cast<std::size_t>(rows_);
  const std::size_t cols = static_cast<std::size_t>(cols_);
  auto r = [&](std::size_t i, std::size_t j) { return design_[j * rows + i]; };
  double max_diagonal = 0;
  for (std::size_t i = 0; i < cols; ++i) max_diagonal = std::max(max_diagonal, std::abs(r(i, i)));
  const double pivot_floor = max_diagonal * std::numeric_limits<double>::epsilon() * static_cast<double>(cols);
  for (std::size_t i = 0; i < cols; ++i) {
    if (!(std::abs(r(i, i)) > pivot_floor)) {
      return fail({.error = AdfError::kCollinear, .lag = lag, .regressors = cols_});
    }
  }
  const double ssr = dot(response_.data() + cols, response_.data() + cols, rows - cols);
  if (!(std::sqrt(ssr) > kExactFitTolerance * response_norm_)) {
    return fail({.error = AdfError::kExactFit, .lag = lag, .regressors = cols_, .value = ssr});
  }
  const std::size_t l = static_cast<std::size_t>(level_col_);
  double row_sq = 0;
  for (std::size_t i = l; i < cols; ++i) {
    double sum = i == l ? 1.0 : 0.0;
    for (std::size_t j = l; j < i; ++j) sum -= r(j, i) * solve_[j];
    solve_[i] = sum / r(i, i);
    row_sq += solve_[i] * solve_[i];
  }
  for (std::size_t i = cols; i-- > l;) {
    double sum = response_[i];
    for (std::size_t j = i + 1; j < cols; ++j) sum -= r(i, j) * solve_[j];
    solve_[i] = sum / r(i, i);
  }
  const double scale = ssr / (static_cast<double>(rows) - static_cast<double>(cols));
  result_.stat = solve_[l] / std::sqrt(scale * row_sq);
  return true;
}

bool AdfWorkspace::run(std::span<const double> series) {
  const std::size_t n = series.size();
  if (n > max_n_) return fail({.error = AdfError::kOverCapacity});
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(series[i])) return fail({.error = AdfError::kNonFinite, .index = i});
  }
  const int limit = lag_limit(n, options_.trend);
  if (limit < 0) return fail({.error = AdfError::kTooShort});
  int max_lag = default_max_lag(n, options_.trend);
  if (options_.max_lag) {
    max_lag = *options_.max_lag;
    if (max_lag < 0 || max_lag > limit) {
      return fail({.error = AdfError::kMaxLagOutOfRange, .lag = max_lag});
    }
  }
  if (std::all_of(series.begin(), series.end(), [&](double v) { return v == series[0]; })) {
    return fail({.error = AdfError::kConstant, .value = series[0]});
  }
  for (std::size_t i = 0; i + 1 < n; ++i) diffs_[i] = series[i + 1] - series[i];

  result_ = AdfResult{};
  result_.icbest = std::numeric_limits<double>::quiet_NaN();
  result_.used_lag = max_lag;
  if (options_.autolag) {
    build_regression(series, max_lag, max_lag);
    if (!search_lag_by_aic(max_lag)) return false;
  }
  const int lag = result_.used_lag;
  build_regression(series, lag, lag);
  if (!fit_final(lag)) return false;
  result_.nobs = rows_;
  const double nobs = static_cast<double>(rows_);
  const bool constant = options_.trend == AdfTrend::kConstant;
  result_.pvalue = constant ? mackinnon_pvalue(result_.stat, 1) : mackinnon_pvalue_no_constant(result_.stat);
  const auto crit = constant ? mackinnon_critical_values(1, nobs) : mackinnon_critical_values_no_constant(nobs);
  result_.crit_1pct = crit[0];
  result_.crit_5pct = crit[1];
  result_.crit_10pct = crit[2];
  return true;
}

Result<AdfResult> adf_test(std::span<const double> series, AdfOptions options) {
  AdfWorkspace workspace(series.size(), options);
  if (!workspace.run(series)) return Status::error(message(workspace.failure(), series.size(), options.trend));
  return workspace.result();
}

}  // namespace alphastream
