// The augmented Dickey-Fuller unit-root test, defined exactly as statsmodels
// 0.13.5 adfuller(x, regression='c' or 'n', autolag='AIC') defines it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

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

// Regresses diff(x)_t on a constant (kConstant only), x_{t-1} and
// diff(x)_{t-1..t-lag}. With autolag, every lag 0..max_lag is fitted on the
// same sample (the first max_lag differences dropped) and the lag with the
// smallest AIC is kept; the final regression is then re-run on the sample
// trimmed by that lag.
// Allocates; meant for full-sample or periodic checks, not per event.
// Returns an error, naming the reason, if the series has a non-finite value,
// is constant, is too short for the lag (max_lag must be <= n/2 - 1 - ntrend),
// or a regression is degenerate (collinear or exact).
Result<AdfResult> adf_test(std::span<const double> series, AdfOptions options = {});

}  // namespace alphastream
