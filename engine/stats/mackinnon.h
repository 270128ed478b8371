// MacKinnon's approximate p-values and critical values for unit-root and
// cointegration t-statistics, for the regression with a constant only ('c'),
// and for one series without deterministic terms ('n').
#pragma once

#include <array>

namespace alphastream {

// The approximate p-value of a Dickey-Fuller t-statistic from MacKinnon
// (1994) "Approximate asymptotic distribution functions for unit-root and
// cointegration tests", JBES 12(2), with the coefficients statsmodels uses:
// p = Phi(c0 + c1 t + c2 t^2 [+ c3 t^3]); 1 above tau_max, 0 below tau_min.
// n_vars is the number of I(1) series: 1 for the ADF test, 2 for the
// Engle-Granger test of a pair.
// Returns NaN if n_vars is outside 1..6 (the tables stop at 6).
double mackinnon_pvalue(double stat, int n_vars);

// The 1%, 5% and 10% critical values from MacKinnon (2010) "Critical values
// for cointegration tests", Queen's University WP 1227, corrected for a
// sample of nobs observations: c0 + c1/nobs + c2/nobs^2 + c3/nobs^3.
// nobs = +infinity gives the asymptotic values.
// Returns NaNs if n_vars is outside 1..12 or nobs is not positive.
std::array<double, 3> mackinnon_critical_values(int n_vars, double nobs);

// mackinnon_pvalue(stat, 1) for the ADF regression without a constant ('n'):
// statsmodels' mackinnonp(stat, regression='n', N=1). Never 1 above a cut-off
// (the 'n' table has tau_max = +infinity).
double mackinnon_pvalue_no_constant(double stat);

// mackinnon_critical_values(1, nobs) for the regression without a constant:
// statsmodels' mackinnoncrit(N=1, regression='n', nobs).
std::array<double, 3> mackinnon_critical_values_no_constant(double nobs);

}  // namespace alphastream
