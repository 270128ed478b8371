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

// The ADF test with all its storage (differences, design, response, QR)
// allocated once, so that a rolling test on a shard thread allocates nothing
// per run. The QR is Householder's, unpivoted, in place on the design.
// Not thread-safe: one workspace per thread.
class AdfWorkspace {
 public:
  // Sized for series of up to max_n values tested under options. Allocates
  // O(max_n * (max_lag + 2)) doubles.
  explicit AdfWorkspace(std::size_t max_n, AdfOptions options = {});

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
  void build_regression(std::span<const double> x, int trim, int lags);
  void factor();
  bool search_lag_by_aic(int max_lag);
  bool fit_final(int lag);

  std::size_t max_n_;
  AdfOptions options_;
  int level_col_;  // the column of x_{t-1}; the columns before it are deterministic
  std::vector<double> diffs_;     // dx[t] = x[t+1] - x[t]
  std::vector<double> design_;    // column-major, rows_ x cols_; R and the Householder vectors after factor()
  std::vector<double> response_;  // Q'y after factor()
  std::vector<double> ssr_;       // lag search: ssr of the first k columns, by k
  std::vector<double> solve_;     // final fit: a row of R^-1, then the coefficients
  std::int64_t rows_ = 0;
  int cols_ = 0;
  double response_norm_ = 0;  // of y before factor()
  AdfResult result_;
  AdfFailure failure_;
};

// Regresses diff(x)_t on a constant (kConstant only), x_{t-1} and
// diff(x)_{t-1..t-lag}. With autolag, every lag 0..max_lag is fitted on the
// same sample (the first max_lag differences dropped) and the lag with the
// smallest AIC is kept; the final regression is then re-run on the sample
// trimmed by that lag.
// Allocates (an AdfWorkspace for the series, and the message); meant for
// full-sample or periodic checks, not per event.
// Returns an error, naming the reason, if the series has a non-finite value,
// is constant, is too short for the lag (max_lag must be <= n/2 - 1 - ntrend),
// or a regression is degenerate (collinear or exact).
Result<AdfResult> adf_test(std::span<const double> series, AdfOptions options = {});

}  // namespace alphastream
