// The Engle-Granger two-step check of a pair: the static hedge regression
// y = alpha + beta x, then a unit-root test of its residuals.
#pragma once

#include <span>

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

}  // namespace alphastream
