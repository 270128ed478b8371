// The Engle-Granger two-step check of a pair: the static hedge regression
// y = alpha + beta x, then a unit-root test of its residuals.
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/status.h"
#include "stats/adf.h"
#include "stats/half_life.h"
#include "stats/ols.h"

namespace alphastream {

struct EngleGrangerResult {
  OlsFit hedge;  // y on x with intercept over the full sample
  // adfuller(resid, regression='c', autolag='AIC') of the residuals, p-value
  // and critical values from the N = 1 tables. statsmodels' coint() would use
  // the N = 2 tables (mackinnon_pvalue(stat, 2)), which are stricter because
  // beta was estimated.
  AdfResult adf;
  HalfLifeFit residual_half_life;  // of y - alpha - beta x
};

// Runs both steps. Returns an error if x and y differ in length, are shorter
// than 4, contain a non-finite value, x is constant, or the ADF of the
// residuals fails (the message says which step).
Result<EngleGrangerResult> engle_granger(std::span<const double> x, std::span<const double> y);

// As engle_granger, over n observations that visit(f) hands to f(x, y) in
// order, as often as asked (fit_ols_visiting): only the residuals are held,
// 8 bytes an observation, not the legs' 16.
// sums: as fit_ols_visiting's.
template <class Visit>
Result<EngleGrangerResult> engle_granger_visiting(std::size_t n, const Visit& visit,
                                                  std::optional<LegSums> sums = std::nullopt);

namespace detail {
Status engle_granger_check_size(std::size_t n);
// The non-finite value at index i of leg "x" or "y".
Status engle_granger_not_finite(const char* leg, std::size_t i);
// The second step, on the residuals of result.hedge.
Result<EngleGrangerResult> engle_granger_residuals(EngleGrangerResult result, std::span<const double> residuals);
}  // namespace detail

template <class Visit>
Result<EngleGrangerResult> engle_granger_visiting(std::size_t n, const Visit& visit, std::optional<LegSums> sums) {
  if (Status size = detail::engle_granger_check_size(n); !size) return size;
  // The hedge fit's last pass hands over the residuals: three passes in
  // all, two given the sums.
  // The residuals in the centred form: for legs near 1e5 the plain
  // y - alpha - beta x cancels to residuals of ~1e-3 and keeps only ~8 of
  // their digits.
  std::vector<double> residuals;
  residuals.reserve(n);
  EngleGrangerResult result;
  result.hedge = fit_ols_visiting(n, visit, [&](double e) { residuals.push_back(e); }, sums);
  // A non-finite value makes its leg's mean non-finite: then find the first.
  if (!std::isfinite(result.hedge.x_mean) || !std::isfinite(result.hedge.y_mean)) {
    std::size_t i = 0, bad_x = n, bad_y = n;
    visit([&](double x, double y) {
      if (bad_x == n && !std::isfinite(x)) bad_x = i;
      if (bad_y == n && !std::isfinite(y)) bad_y = i;
      ++i;
    });
    if (bad_x < n) return detail::engle_granger_not_finite("x", bad_x);
    if (bad_y < n) return detail::engle_granger_not_finite("y", bad_y);
  }
  if (std::isnan(result.hedge.beta)) {
    return Status::error("Engle-Granger: x is constant, the hedge regression is undefined");
  }
  return detail::engle_granger_residuals(std::move(result), residuals);
}

}  // namespace alphastream
