// The augmented Engle-Granger cointegration test of one series on another,
// defined exactly as statsmodels 0.13.5 coint(y0, y1, trend='c',
// method='aeg', maxlag=None, autolag='aic') defines it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "core/status.h"
#include "stats/ols.h"

namespace alphastream {

struct CointResult {
  OlsFit hedge;  // y0 = alpha + beta y1 + e over the full sample
  // True when the hedge's R^2 >= 1 - 100 sqrt(eps): statsmodels then skips
  // the ADF and reports stat = -infinity, pvalue = 0 (used_lag, adf_nobs 0).
  bool collinear = false;
  double stat = 0;    // adfuller(e, regression='n', autolag='AIC') statistic
  double pvalue = 0;  // MacKinnon (1994), regression 'c', N = 2
  int used_lag = 0;   // lagged differences in the residual ADF
  std::int64_t adf_nobs = 0;  // rows of that ADF regression
  // MacKinnon (2010), regression 'c', N = 2, at n - 1 observations (statsmodels
  // follows Stata's egranger there).
  double crit_1pct = 0, crit_5pct = 0, crit_10pct = 0;
};

// Regresses y0 on [y1, 1], then runs the ADF test without deterministic
// terms on the residuals, with the AIC lag search up to statsmodels' default
// max lag (see adf_test). Allocates; the reference form, by Householder QR.
// Returns an error, naming the step, if the lengths differ, the series are
// shorter than 4, hold a non-finite value, y1 is constant, or the ADF of the
// residuals fails.
Result<CointResult> coint(std::span<const double> y0, std::span<const double> y1);

// The same test computed for many pairs: the residual ADF's regressions are
// formed from lagged cross-products of the residuals (normal equations of
// size max_lag + 2, O(n max_lag) to form) instead of a QR of the
// n x (max_lag + 1) lag design (O(n max_lag^2)): on a day of 1 s rows
// (max_lag 66) a pair both ways takes ~3 ms against ~1.3 s by coint()
// (perf/screen_throughput). The buffers are kept between calls, so one
// workspace per thread.
// A regression whose normal equations would lose more than ~5 digits (a
// nearly collinear design, a nearly exact fit) is handed to coint() instead,
// so results agree with coint() to ~1e-10 relative (tests check 1e-9).
class CointWorkspace {
 public:
  // As coint(y0, y1).
  Result<CointResult> test(std::span<const double> y0, std::span<const double> y1);

  // The residuals y0 - alpha - beta y1 of the last successful test (centred
  // form). Empty after an error.
  std::span<const double> residuals() const { return residuals_; }
  // Tests that were handed to coint() because the normal equations were too
  // ill-conditioned.
  std::uint64_t fallbacks() const { return fallbacks_; }

 private:
  // Fills stat, used_lag and adf_nobs from residuals_; false when the normal
  // equations are too ill-conditioned to trust.
  bool residual_adf(CointResult& result);

  std::vector<double> residuals_;
  std::vector<double> diffs_;
  std::vector<double> lag_products_;  // sum over the search rows of dx[t] dx[t-k]
  Eigen::MatrixXd gram_;
  std::uint64_t fallbacks_ = 0;
};

}  // namespace alphastream
