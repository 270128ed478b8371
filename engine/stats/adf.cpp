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

// Below this many rows a lag search stays with the QR: it costs little there,
// and a short design is the more likely to be ill-conditioned, which the
// Gram matrix squares.
constexpr std::size_t kGramMinRows = 4096;

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

// One Householder reflection H = I - tau v v', chosen so that column j's
// entries below its pivot vanish into the pivot, applied to columns j+1..last
// too. pivot(c) is column c's entry in the pivot row, tail(c) its `len`
// entries below that row, in the same row order for every column. H is
// stored back in column j: beta at its pivot, v (its leading 1 implied) in
// its tail. Both the dense QR of a block and the folding of a block under an
// R factor are this step with different rows.
template <class Pivot, class Tail>
void reflect(int j, int last, std::size_t len, Pivot pivot, Tail tail) {
  double* a = tail(j);
  const double tail_sq = dot(a, a, len);
  const double alpha = *pivot(j);
  if (tail_sq == 0) return;  // already triangular in this column: H = I
  // beta of the opposite sign to alpha: alpha - beta never cancels.
  const double beta = alpha >= 0 ? -std::sqrt(alpha * alpha + tail_sq) : std::sqrt(alpha * alpha + tail_sq);
  const double tau = (beta - alpha) / beta;
  const double scale = 1 / (alpha - beta);
  for (std::size_t i = 0; i < len; ++i) a[i] *= scale;
  *pivot(j) = beta;
  for (int c = j + 1; c <= last; ++c) {
    double* top = pivot(c);
    double* __restrict out = tail(c);
    const double* __restrict in = a;
    const double w = tau * (*top + dot(in, out, len));
    *top -= w;
    std::size_t i = 0;
    for (; i + 4 <= len; i += 4) {  // unrolled so that -O2 pairs the lanes too
      out[i] -= w * in[i];
      out[i + 1] -= w * in[i + 1];
      out[i + 2] -= w * in[i + 2];
      out[i + 3] -= w * in[i + 3];
    }
    for (; i < len; ++i) out[i] -= w * in[i];
  }
}

}  // namespace

AdfWorkspace::AdfWorkspace(std::size_t max_n, AdfOptions options, std::size_t block_rows)
    : max_n_(max_n), options_(options), level_col_(trend_terms(options.trend)) {
  const std::size_t max_rows = max_n > 0 ? max_n - 1 : 0;
  r_stride_ = static_cast<std::size_t>(level_col_ + 1 + lag_capacity(max_n, options));
  // At least as many rows as regressors, so that a regression with more rows
  // than that has a first block that is a full QR.
  block_rows_ = std::min(max_rows, std::max(block_rows, r_stride_));
  block_.resize(block_rows_ * (r_stride_ + 1));
  r_.resize(r_stride_ * (r_stride_ + 1));
  means_.resize(r_stride_);
  gram_lags_.resize(r_stride_ + 1);
  gram_sums_.resize(r_stride_ + 1);
  gram_level_.resize(r_stride_ + 2);
  ssr_.resize(r_stride_ + 1);
  solve_.resize(r_stride_);
}

bool AdfWorkspace::fail(AdfFailure failure) {
  failure_ = failure;
  return false;
}

// The regression of diff(x) on [1, level, lagged diffs] (kConstant) or
// [level, lagged diffs] (kNone) over the sample that drops the first `trim`
// differences, with lags 1..lags as columns, factored into r_, residual_ssr_
// and response_norm_. Returns false, with only rows_ and cols_ set, when the
// regression has no more rows than regressors.
bool AdfWorkspace::factor(std::span<const double> x, int trim, int lags) {
  const std::size_t first = static_cast<std::size_t>(trim);
  const std::size_t rows = x.size() - 1 - first;
  rows_ = static_cast<std::int64_t>(rows);
  cols_ = level_col_ + 1 + lags;
  if (rows_ <= cols_) return false;
  centre(x, first);
  double response_sq = 0;
  residual_ssr_ = 0;
  for (std::size_t row0 = 0; row0 < rows; row0 += block_rows_) {
    const std::size_t block = std::min(block_rows_, rows - row0);
    fill_block(x, first, row0, block);
    response_sq += dot(block_column(cols_), block_column(cols_), block);
    if (row0 == 0) {
      factor_first_block(block);
    } else {
      fold_block(block);
    }
  }
  response_norm_ = std::sqrt(response_sq);
  return true;
}

// With the constant, each other regressor is centred: that subtracts a
// multiple of the ones column, so it changes neither the residuals nor the
// other coefficients' t-values, and it keeps a level near 1e5 from swamping
// moves of 1e-2. Without the constant centring would change the column
// space, so kNone keeps the raw columns. Each mean is summed in row order,
// the way a whole column in memory would be.
void AdfWorkspace::centre(std::span<const double> x, std::size_t first) {
  std::fill_n(means_.begin(), cols_, 0.0);
  if (level_col_ == 0) return;
  const std::size_t rows = static_cast<std::size_t>(rows_);
  double sum = 0;
  for (std::size_t r = 0; r < rows; ++r) sum += x[first + r];
  means_[static_cast<std::size_t>(level_col_)] = sum / static_cast<double>(rows);
  for (int j = 1; level_col_ + j < cols_; ++j) {
    const double* lagged = x.data() + first - static_cast<std::size_t>(j);
    sum = 0;
    for (std::size_t r = 0; r < rows; ++r) sum += lagged[r + 1] - lagged[r];
    means_[static_cast<std::size_t>(level_col_ + j)] = sum / static_cast<double>(rows);
  }
}

// Rows row0..row0+rows of [X | y] into block_, centred by means_.
void AdfWorkspace::fill_block(std::span<const double> x, std::size_t first, std::size_t row0, std::size_t rows) {
  const double* level = x.data() + first + row0;
  if (level_col_ == 1) std::fill_n(block_column(0), rows, 1.0);
  double* out = block_column(level_col_);
  const double level_mean = means_[static_cast<std::size_t>(level_col_)];
  for (std::size_t r = 0; r < rows; ++r) out[r] = level[r] - level_mean;
  for (int j = 1; level_col_ + j < cols_; ++j) {
    const double* lagged = level - j;
    const double mean = means_[static_cast<std::size_t>(level_col_ + j)];
    out = block_column(level_col_ + j);
    for (std::size_t r = 0; r < rows; ++r) out[r] = (lagged[r + 1] - lagged[r]) - mean;
  }
  out = block_column(cols_);
  for (std::size_t r = 0; r < rows; ++r) out[r] = level[r + 1] - level[r];
}

// Householder QR of the block in place; its upper triangle becomes r_ and
// the sum of squares of Q'y below it residual_ssr_.
// REQUIRES: rows >= cols_.
void AdfWorkspace::factor_first_block(std::size_t rows) {
  for (int j = 0; j < cols_; ++j) {
    const std::size_t d = static_cast<std::size_t>(j);
    reflect(j, cols_, rows - d - 1, [&](int c) { return block_column(c) + d; },
            [&](int c) { return block_column(c) + d + 1; });
  }
  for (int c = 0; c <= cols_; ++c) {
    const double* column = block_column(c);
    for (int i = 0; i <= std::min(c, cols_ - 1); ++i) r(i, c) = column[i];
  }
  const double* y = block_column(cols_) + cols_;
  residual_ssr_ = dot(y, y, rows - static_cast<std::size_t>(cols_));
}

// The QR of r_ stacked on the block: reflection j mixes row j of r_ with the
// block's rows and no other row of r_, which stays as it is. What is left of
// y in the block is orthogonal to every column, so it adds to the residual.
void AdfWorkspace::fold_block(std::size_t rows) {
  for (int j = 0; j < cols_; ++j) {
    reflect(j, cols_, rows, [&](int c) { return &r(j, c); }, [&](int c) { return block_column(c); });
  }
  const double* y = block_column(cols_);
  residual_ssr_ += dot(y, y, rows);
}

// The search regression (trim = lags = p) of a long series, factored from its
// Gram matrix in O(n p + p^3) instead of the QR's O(n p^2), so that the full-
// sample test costs the same per observation over a day or a month; the QR
// then only fits the chosen lag, usually a small one. The lagged-difference
// columns are shifted copies of one series, so every cross product is one of
// the p + 1 lag products of the whole series less at most p terms at its
// ends. The differences are shifted by their mean first and the level is
// centred in two passes, so no sum cancels; a Cholesky pivot that loses more
// than six digits to the columns before it (a nearly collinear or exact
// design) returns false untouched by any state the QR reads, and the QR
// decides, with its own failure semantics. Short series keep the QR (see
// kGramMinRows), and with it the rolling test's bits.
bool AdfWorkspace::factor_by_gram(std::span<const double> x, int p) {
  const std::size_t n = x.size();
  const std::size_t lags = static_cast<std::size_t>(p);
  if (p < 1 || n - 1 - lags < std::max(block_rows_ + 1, kGramMinRows)) return false;
  cols_ = level_col_ + 1 + p;
  const std::size_t rows = n - 1 - lags;  // tau = p+1 .. n-1: response d[tau], lag j d[tau-j], level x[tau-1]
  const double nd = static_cast<double>(rows);
  const bool constant = level_col_ == 1;
  // d[s] = x[s] - x[s-1] for s = 1..n-1; e = d - shift. The differences sum
  // to x[n-1] - x[0], so their mean needs no pass.
  const double shift = constant ? (x[n - 1] - x[0]) / static_cast<double>(n - 1) : 0.0;
  auto e = [&](std::size_t s) { return (x[s] - x[s - 1]) - shift; };

  // full[k] = sum of e[s] e[s+k] over s = 1..n-1-k, a block of e at a time.
  double* full = gram_lags_.data();
  std::fill_n(full, lags + 1, 0.0);
  double* buffer = block_.data();  // block_rows_ + p values of e, then block_rows_ of the level
  for (std::size_t s0 = 1; s0 <= n - 1; s0 += block_rows_) {
    const std::size_t span = std::min(block_rows_ + lags, n - s0);
    for (std::size_t q = 0; q < span; ++q) buffer[q] = e(s0 + q);
    for (std::size_t k = 0; k <= lags; ++k) {
      const std::size_t last = n - 1 - k;  // the last s of lag k
      if (s0 > last) continue;
      full[k] += dot(buffer, buffer + k, std::min(block_rows_, last - s0 + 1));
    }
  }
  auto edge = [&](std::size_t from, std::size_t count, std::size_t k) {
    double sum = 0;
    for (std::size_t s = from; s < from + count; ++s) sum += e(s) * e(s + k);
    return sum;
  };
  // Column sums of lag j (0 = response) over the rows: all of e less its ends.
  double* sums = gram_sums_.data();
  double total = 0;
  for (std::size_t s = 1; s <= n - 1; ++s) total += e(s);
  for (std::size_t j = 0; j <= lags; ++j) {
    double sum = total;
    for (std::size_t s = 1; s <= lags - j; ++s) sum -= e(s);
    for (std::size_t s = n - j; s <= n - 1; ++s) sum -= e(s);
    sums[j] = sum;
  }
  auto column = [&](std::size_t j) { return j == 0 ? cols_ : level_col_ + static_cast<int>(j); };
  double response_raw = 0;  // sum of e^2 over the rows
  double response_centred = 0;
  // G into r_'s upper triangle (y's column included), centred with the constant.
  for (std::size_t j = 0; j <= lags; ++j) {
    for (std::size_t i = 0; i <= j; ++i) {
      const std::size_t k = j - i;
      double g = full[k] - edge(1, lags - j, k) - edge(n - j, i, k);
      if (j == 0) response_raw = g;
      if (constant) g -= sums[i] * sums[j] / nd;
      const int a = column(i), b = column(j);
      if (j == 0) {
        response_centred = g;
      } else {
        r(std::min(a, b), std::max(a, b)) = g;
      }
    }
  }
  // The level x[tau-1], centred with the constant; its products with each lag.
  double level_mean = 0;
  if (constant) {
    for (std::size_t t = lags; t + 1 < n; ++t) level_mean += x[t];
    level_mean /= nd;
  }
  double* level_products = gram_level_.data();
  std::fill_n(level_products, lags + 2, 0.0);  // lag 0..p, then the level itself
  double* level = buffer + block_rows_ + lags;
  for (std::size_t t0 = lags + 1; t0 <= n - 1; t0 += block_rows_) {
    const std::size_t len = std::min(block_rows_, n - t0);
    for (std::size_t q = 0; q < len; ++q) level[q] = x[t0 + q - 1] - level_mean;
    for (std::size_t q = 0; q < len + lags; ++q) buffer[q] = e(t0 - lags + q);
    for (std::size_t j = 0; j <= lags; ++j) level_products[j] += dot(level, buffer + lags - j, len);
    level_products[lags + 1] += dot(level, level, len);
  }
  const int l = level_col_;
  r(l, l) = level_products[lags + 1];
  for (std::size_t j = 1; j <= lags; ++j) r(l, column(j)) = level_products[j];
  r(l, cols_) = level_products[0];

  // Cholesky of the centred block, in place, y's column last: its pivot is
  // the residual sum of squares of the whole regression.
  for (int j = l; j <= cols_; ++j) {
    for (int i = l; i <= j; ++i) {
      const bool diagonal = i == j;
      const double g = diagonal && j == cols_ ? response_centred : r(i, j);
      double sum = g;
      for (int m = l; m < i; ++m) sum -= r(m, i) * r(m, j);
      if (!diagonal) {
        r(i, j) = sum / r(i, i);
      } else if (!(sum > kGramPivotFloor * g)) {
        return false;
      } else if (j == cols_) {
        residual_ssr_ = sum;
      } else {
        r(j, j) = std::sqrt(sum);
      }
    }
  }
  // The constant's row: orthogonal to the centred columns; its part of y.
  const double response_sum = sums[0] + nd * shift;
  if (constant) {
    r(0, 0) = std::sqrt(nd);
    for (int c = 1; c < cols_; ++c) r(0, c) = 0;
    r(0, cols_) = response_sum / std::sqrt(nd);
  }
  // |y| of the raw differences d = e + shift: the exact-fit test's scale.
  rows_ = static_cast<std::int64_t>(rows);
  response_norm_ = std::sqrt(response_raw + 2 * shift * sums[0] + nd * shift * shift);
  return true;
}

// The lag, and its AIC, that minimises the AIC over the nested regressions on
// the first level_col + 1 + lag columns, lag = 0..max_lag, all on the same
// rows. The candidates are prefixes of one design, so a single QR of
// [X | y] gives every residual sum of squares: with Q'y = c, the regression
// on the first k columns leaves ssr_k = sum of c_i^2 for i >= k. One
// O(n p^2) factorisation instead of p of them keeps the full-sample test
// fast on a month of seconds.
bool AdfWorkspace::search_lag_by_aic(std::span<const double> x, int max_lag) {
  if (!factor_by_gram(x, max_lag) && !factor(x, max_lag, max_lag)) {
    return fail({.error = AdfError::kTooFewRows, .in_lag_search = true, .lag = max_lag, .rows = rows_,
                 .regressors = cols_});
  }
  double max_diagonal = 0;
  for (int i = 0; i < cols_; ++i) max_diagonal = std::max(max_diagonal, std::abs(r(i, i)));
  const double pivot_floor = max_diagonal * std::numeric_limits<double>::epsilon() * static_cast<double>(cols_);
  const int first = level_col_ + 1;  // columns of the lag-0 regression
  double tail = residual_ssr_;
  ssr_[static_cast<std::size_t>(cols_)] = tail;
  for (int k = cols_ - 1; k >= first; --k) {
    tail += r(k, cols_) * r(k, cols_);
    ssr_[static_cast<std::size_t>(k)] = tail;
  }
  const double exact_floor = kExactFitTolerance * response_norm_;
  const double nd = static_cast<double>(rows_);
  for (int k = first; k <= cols_; ++k) {
    const int lag = k - first;
    const double ssr = ssr_[static_cast<std::size_t>(k)];
    if (!(std::abs(r(k - 1, k - 1)) > pivot_floor)) {
      return fail({.error = AdfError::kCollinear, .in_lag_search = true, .lag = lag, .regressors = k});
    }
    if (!(std::sqrt(ssr) > exact_floor)) {
      return fail({.error = AdfError::kExactFit, .in_lag_search = true, .lag = lag, .regressors = k, .value = ssr});
    }
    const double criterion = aic(ssr, nd, k);
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
bool AdfWorkspace::fit_final(std::span<const double> x, int lag) {
  if (!factor(x, lag, lag)) {
    return fail({.error = AdfError::kTooFewRows, .lag = lag, .rows = rows_, .regressors = cols_});
  }
  double max_diagonal = 0;
  for (int i = 0; i < cols_; ++i) max_diagonal = std::max(max_diagonal, std::abs(r(i, i)));
  const double pivot_floor = max_diagonal * std::numeric_limits<double>::epsilon() * static_cast<double>(cols_);
  for (int i = 0; i < cols_; ++i) {
    if (!(std::abs(r(i, i)) > pivot_floor)) {
      return fail({.error = AdfError::kCollinear, .lag = lag, .regressors = cols_});
    }
  }
  const double ssr = residual_ssr_;
  if (!(std::sqrt(ssr) > kExactFitTolerance * response_norm_)) {
    return fail({.error = AdfError::kExactFit, .lag = lag, .regressors = cols_, .value = ssr});
  }
  const int l = level_col_;
  auto z = [&](int i) -> double& { return solve_[static_cast<std::size_t>(i)]; };
  double row_sq = 0;
  for (int i = l; i < cols_; ++i) {
    double sum = i == l ? 1.0 : 0.0;
    for (int j = l; j < i; ++j) sum -= r(j, i) * z(j);
    z(i) = sum / r(i, i);
    row_sq += z(i) * z(i);
  }
  for (int i = cols_; i-- > l;) {
    double sum = r(i, cols_);
    for (int j = i + 1; j < cols_; ++j) sum -= r(i, j) * z(j);
    z(i) = sum / r(i, i);
  }
  const double scale = ssr / (static_cast<double>(rows_) - static_cast<double>(cols_));
  result_.stat = z(l) / std::sqrt(scale * row_sq);
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

  result_ = AdfResult{};
  result_.icbest = std::numeric_limits<double>::quiet_NaN();
  result_.used_lag = max_lag;
  if (options_.autolag && !search_lag_by_aic(series, max_lag)) return false;
  if (!fit_final(series, result_.used_lag)) return false;
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
