#include "stats/mackinnon.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace alphastream {
namespace {

// The 'c' (constant, no trend) rows of statsmodels 0.13.5
// statsmodels/tsa/adfvalues.py, copied digit for digit; index n_vars - 1.
// Cut-offs of MacKinnon (1994): above tau_max p = 1, below tau_min p = 0, and
// tau_star separates the left-tail (small p) from the right-tail polynomial.
constexpr double kTauMaxC[6] = {2.74, 0.92, 0.55, 0.61, 0.79, 1};
constexpr double kTauMinC[6] = {-18.83, -18.86, -23.48, -28.07, -25.96, -23.27};
constexpr double kTauStarC[6] = {-1.61, -2.62, -3.13, -3.47, -3.78, -3.93};

// tau_c_smallp and tau_c_largep as printed; statsmodels multiplies the
// columns by these scalings, and so do we, with the same double products.
constexpr double kSmallScaling[3] = {1, 1, 1e-2};
constexpr double kTauCSmallP[6][3] = {
    {2.1659, 1.4412, 3.8269}, {2.92, 1.5012, 3.9796},   {3.4699, 1.4856, 3.164},
    {3.9673, 1.4777, 2.6315}, {4.5509, 1.5338, 2.9545}, {5.1399, 1.6036, 3.4445}};
constexpr double kLargeScaling[4] = {1, 1e-1, 1e-1, 1e-2};
constexpr double kTauCLargeP[6][4] = {
    {1.7339, 9.3202, -1.2745, -1.0368}, {2.1945, 6.4695, -2.9198, -4.2377},
    {2.5893, 4.5168, -3.6529, -5.0074}, {3.0387, 4.5452, -3.3666, -4.1921},
    {3.5049, 5.2098, -2.9158, -3.3468}, {3.9489, 5.8933, -2.5359, -2.721}};

// tau_c_2010 of MacKinnon (2010): [n_vars - 1][1%, 5%, 10%][c0..c3].
constexpr double kTauC2010[12][3][4] = {
    {{-3.43035, -6.5393, -16.786, -79.433},
     {-2.86154, -2.8903, -4.234, -40.040},
     {-2.56677, -1.5384, -2.809, 0}},
    {{-3.89644, -10.9519, -33.527, 0}, {-3.33613, -6.1101, -6.823, 0}, {-3.04445, -4.2412, -2.720, 0}},
    {{-4.29374, -14.4354, -33.195, 47.433},
     {-3.74066, -8.5632, -10.852, 27.982},
     {-3.45218, -6.2143, -3.718, 0}},
    {{-4.64332, -18.1031, -37.972, 0}, {-4.09600, -11.2349, -11.175, 0}, {-3.81020, -8.3931, -4.137, 0}},
    {{-4.95756, -21.8883, -45.142, 0}, {-4.41519, -14.0405, -12.575, 0}, {-4.13157, -10.7417, -3.784, 0}},
    {{-5.24568, -25.6688, -57.737, 88.639},
     {-4.70693, -16.9178, -17.492, 60.007},
     {-4.42501, -13.1875, -5.104, 27.877}},
    {{-5.51233, -29.5760, -69.398, 164.295},
     {-4.97684, -19.9021, -22.045, 110.761},
     {-4.69648, -15.7315, -5.104, 27.877}},
    {{-5.76202, -33.5258, -82.189, 256.289},
     {-5.22924, -23.0023, -24.646, 144.479},
     {-4.95007, -18.3959, -7.344, 94.872}},
    {{-5.99742, -37.6572, -87.365, 248.316},
     {-5.46697, -26.2057, -26.627, 176.382},
     {-5.18897, -21.1377, -9.484, 172.704}},
    {{-6.22103, -41.7154, -102.680, 389.33},
     {-5.69244, -29.4521, -30.994, 251.016},
     {-5.41533, -24.0006, -7.514, 163.049}},
    {{-6.43377, -46.0084, -106.809, 352.752},
     {-5.90714, -32.8336, -30.275, 249.994},
     {-5.63086, -26.9693, -4.083, 151.427}},
    {{-6.63790, -50.2095, -124.156, 579.622},
     {-6.11279, -36.2681, -32.505, 314.802},
     {-5.83724, -29.9864, -2.686, 184.116}}};

// The 'n' (no constant) rows for N = 1: tau_*_nc[0], tau_nc_smallp[0],
// tau_nc_largep[0] and tau_nc_2010[0]. tau_max_nc[0] is +infinity.
constexpr double kTauMinN1 = -19.04;
constexpr double kTauStarN1 = -1.04;
constexpr double kTauNSmallP1[3] = {0.6344, 1.2378, 3.2496};
constexpr double kTauNLargeP1[4] = {0.4797, 9.3557, -0.6999, 3.3066};
constexpr double kTauN2010[3][4] = {
    {-2.56574, -2.2358, -3.627, 0}, {-1.94100, -0.2686, -3.365, 31.223}, {-1.61682, 0.2656, -2.714, 25.364}};

std::array<double, 3> critical_values(const double (&table)[3][4], double nobs) {
  const double inv_n = 1 / nobs;
  std::array<double, 3> crit{};
  for (int level = 0; level < 3; ++level) {
    const double* c = table[level];
    crit[level] = ((c[3] * inv_n + c[2]) * inv_n + c[1]) * inv_n + c[0];
  }
  return crit;
}

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

}  // namespace

double mackinnon_pvalue(double stat, int n_vars) {
  if (n_vars < 1 || n_vars > 6 || std::isnan(stat)) return std::numeric_limits<double>::quiet_NaN();
  const int i = n_vars - 1;
  if (stat > kTauMaxC[i]) return 1.0;
  if (stat < kTauMinC[i]) return 0.0;
  // Horner from the highest power, as numpy.polyval does.
  double poly = 0;
  if (stat <= kTauStarC[i]) {
    for (int j = 2; j >= 0; --j) poly = poly * stat + kTauCSmallP[i][j] * kSmallScaling[j];
  } else {
    for (int j = 3; j >= 0; --j) poly = poly * stat + kTauCLargeP[i][j] * kLargeScaling[j];
  }
  return standard_normal_cdf(poly);
}

std::array<double, 3> mackinnon_critical_values(int n_vars, double nobs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (n_vars < 1 || n_vars > 12 || !(nobs > 0)) return {nan, nan, nan};
  return critical_values(kTauC2010[n_vars - 1], nobs);
}

double mackinnon_pvalue_no_constant(double stat) {
  if (std::isnan(stat)) return stat;
  if (stat < kTauMinN1) return 0.0;
  double poly = 0;
  if (stat <= kTauStarN1) {
    for (int j = 2; j >= 0; --j) poly = poly * stat + kTauNSmallP1[j] * kSmallScaling[j];
  } else {
    for (int j = 3; j >= 0; --j) poly = poly * stat + kTauNLargeP1[j] * kLargeScaling[j];
  }
  return standard_normal_cdf(poly);
}

std::array<double, 3> mackinnon_critical_values_no_constant(double nobs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(nobs > 0)) return {nan, nan, nan};
  return critical_values(kTauN2010, nobs);
}

}  // namespace alphastream
