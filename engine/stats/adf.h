// The augmented Dickey-Fuller unit-root test, defined exactly as statsmodels
// 0.13.5 adfuller(x, regression='c' or 'n', autolag='AIC') defines it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/status.h"

namespace alphastream {

// The deterministic terms of the test regression: statsmodels' 'c' and 'n'.
// kNone is the form for residuals that already have mean zero, as in the
// Engle-Granger test (coint).
enum class AdfTrend { kConstant, kNone };

struct AdfOptions {
  // The largest lag searched (autolag) or the lag used (no autolag). Unset:
  // statsmodels' default ceil(12 (n/100)^(1/4)), capped at n/2 - 1 - ntrend
  // (ntrend: 1 for kConstant, 0 for kNone).
  std::optional<int> max_lag;
  // Choose the lag in 0..max_lag that minimises the AIC.
  bool autolag = true;
  AdfTrend trend = AdfTrend::kConstant;
};

struct AdfResult {
  double stat = 0;        // t-value of the lagged level
  double pvalue = 0;      // MacKinnon (1994) approximation, N = 1, for the trend used
  int used_lag = 0;       // lagged differences in the final regression
  std::int64_t nobs = 0;  // rows of the final regression: n - 1 - used_lag
  double crit_1pct = 0, crit_5pct = 0, crit_10pct = 0;  // MacKinnon (2010) at nobs
  // The smallest AIC of the lag search (its regressions all use the sample
  // trimmed by max_lag). NaN when autolag is false: statsmodels returns None.
  double icbest = 0;
};

// Why a test did not give a result.
enum class AdfError : std::uint8_t {
  kNone,
  kNonFinite,         // the value at `index` is NaN or infinite
  kTooShort,          // fewer than 2 + 2 ntrend observations
  kMaxLagOutOfRange,  // the asked max_lag (`lag`) is outside 0..n/2 - 1 - ntrend
  kConstant,          // every value is `value`
  kTooFewRows,        // the regression at `lag` has `rows` <= `regressors`
  kCollinear,         // a QR pivot of the regression at `lag` (first `regressors`
                      // columns) is below max|pivot| eps columns
  kExactFit,          // the regression at `lag` leaves sqrt(ssr) <= kExactFitTolerance
                      // |response|; `value` is the ssr
  kOverCapacity,      // more values than the workspace's max_n()
};

// A failed test, with the figures a message needs, held by value so that
// reporting it allocates nothing.
struct AdfFailure {
  AdfError error = AdfError::kNone;
  bool in_lag_search = false;  // the failing regression is the AIC search's, not the final one
  int lag = 0;
  std::int64_t rows = 0;
  int regressors = 0;
  std::size_t index = 0;
  double value = 0;
};

// Rows of each regression that AdfWorkspace factors at a time unless told
// otherwise: with max_lag ~150 a block of them is ~0.6 MB, so it stays in L2
// while every column's reflection passes over it.
inline constexpr std::size_t kAdfBlockRows = 512;

// A long lag search's Cholesky pivot must keep this fraction of its column's
// squared norm, or the search falls back to the QR (see factor_by_gram).
inline constexpr double kGramPivotFloor = 1e-6;

// The ADF test with all its storage (the current block of the design, the R
// factor) allocated once, so that a rolling test on a shard thread allocates
// nothing per run. Each regression [X | y] is factored by Householder QR,
// unpivoted, a block of rows at a time: the first block in place, each later
// one stacked under the R of the rows before it (sequential TSQR). The R of
// the augmented design gives every nested regression's residual sum of
// squares, so one factorisation serves the whole AIC lag search, and memory
// does not grow with the series: a month of 1 s values (max_lag 152) needs
// ~1 MB, not the 3 GB a whole design would. The search of a series longer
// than a block is factored from the design's Gram matrix instead, in
// O(n max_lag), falling back to the QR if the design is nearly degenerate.
// Not thread-safe: one workspace per thread.
class AdfWorkspace {
 public:
  // Sized for series of up to max_n values tested under options. Allocates
  // O(min(max_n, block_rows) k + k^2) doubles, k = max_lag + 3. A series of
  // at most block_rows + 1 values is factored in one block (a plain
  // Householder QR of the whole design); block_rows below k counts as k.
  explicit AdfWorkspace(std::size_t max_n, AdfOptions options = {}, std::size_t block_rows = kAdfBlockRows);

  // Runs the test on series. Allocates nothing. Returns true and sets
  // result(), or false and sets failure() for the reasons adf_test lists, or
  // kOverCapacity if series.size() > max_n().
  [[nodiscard]] bool run(std::span<const double> series);

  // The last successful run's result; the last failed run's reason.
  const AdfResult& result() const { return result_; }
  const AdfFailure& failure() const { return failure_; }
  std::size_t max_n() const { return max_n_; }

 private:
  bool fail(AdfFailure failure);
  bool factor(std::span<const double> x, int trim, int lags);
  void centre(std::span<const double> x, std::size_t first);
  void fill_block(std::span<const double> x, std::size_t first, std::size_t row0, std::size_t rows);
  void factor_first_block(std::size_t rows);
  void fold_block(std::size_t rows);
  double* block_column(int c) { return block_.data() + static_cast<std::size_t>(c) * block_rows_; }
  double& r(int i, int j) { return r_[static_cast<std::size_t>(j) * r_stride_ + static_cast<std::size_t>(i)]; }
  bool factor_by_gram(std::span<const double> x, int p);
  bool search_lag_by_aic(std::span<const double> x, int max_lag);
  bool fit_final(std::span<const double> x, int lag);

  std::size_t max_n_;
  AdfOptions options_;
  int level_col_;  // the column of x_{t-1}; the columns before it are deterministic
  std::size_t block_rows_;  // rows of [X | y] held at a time
  std::size_t r_stride_;    // the most regressors a run can have
  std::vector<double> block_;  // column-major, block_rows_ x (cols_ + 1): rows of [X | y], y last
  std::vector<double> r_;      // column-major, R of [X | y] without its last row: R of X, then Q'y's head
  std::vector<double> means_;  // subtracted from each column (0 without the constant)
  std::vector<double> gram_lags_;   // long search: e_s e_{s+k} summed over the series, by k
  std::vector<double> gram_sums_;   // long search: each lag column's sum
  std::vector<double> gram_level_;  // long search: the level's products with each lag, then itself
  std::vector<double> ssr_;    // lag search: ssr of the first k columns, by k
  std::vector<double> solve_;  // final fit: a row of R^-1, then the coefficients
  std::int64_t rows_ = 0;
  int cols_ = 0;              // regressors; y is column cols_
  double residual_ssr_ = 0;   // of the regression on all cols_ columns
  double response_norm_ = 0;  // |y|
  AdfResult result_;
  AdfFailure failure_;
};

// Regresses diff(x)_t on a constant (kConstant only), x_{t-1} and
// diff(x)_{t-1..t-lag}. With autolag, every lag 0..max_lag is fitted on the
// same sample (the first max_lag differences dropped) and the lag with the
// smallest AIC is kept; the final regression is then re-run on the sample
// trimmed by that lag.
// Allocates (an AdfWorkspace, O(kAdfBlockRows max_lag + max_lag^2) doubles
// however long the series is, and the message); meant for full-sample or
// periodic checks, not per event.
// Returns an error, naming the reason, if the series has a non-finite value,
// is constant, is too short for the lag (max_lag must be <= n/2 - 1 - ntrend),
// or a regression is degenerate (collinear or exact).
Result<AdfResult> adf_test(std::span<const double> series, AdfOptions options = {});

}  // namespace alphastream
