#include "stats/half_life.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace alphastream {

double half_life_from_slope(double slope) {
  if (std::isnan(slope)) return slope;
  const double phi = 1 + slope;
  if (slope >= 0 || phi <= -1) return std::numeric_limits<double>::infinity();
  if (phi == 0) return 0;
  return -std::numbers::ln2 / std::log(std::abs(phi));
}

HalfLifeFit fit_half_life(std::span<const double> spread) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n = spread.size();
  if (n < 3) return {nan, nan};
  // Centred sums of x = s_{t-1} and y = s_t - s_{t-1}, t = 1..n-1.
  const std::size_t m = n - 1;
  double x_mean = 0, y_mean = 0;
  for (std::size_t t = 1; t < n; ++t) {
    x_mean += spread[t - 1];
    y_mean += spread[t] - spread[t - 1];
  }
  x_mean /= static_cast<double>(m);
  y_mean /= static_cast<double>(m);
  double sxx = 0, sxy = 0;
  for (std::size_t t = 1; t < n; ++t) {
    const double dx = spread[t - 1] - x_mean;
    sxx += dx * dx;
    sxy += dx * ((spread[t] - spread[t - 1]) - y_mean);
  }
  if (sxx == 0) return {nan, nan};
  const double slope = sxy / sxx;
  return {slope, half_life_from_slope(slope)};
}

double half_life_obs(std::span<const double> spread) { return fit_half_life(spread).half_life_obs; }

}  // namespace alphastream
