// The half-life of mean reversion of a spread, in observations.
#pragma once

#include <span>

namespace alphastream {

struct HalfLifeFit {
  // b in diff(s)_t = a + b s_{t-1} + e: the pull back per observation.
  double slope = 0;
  // -ln 2 / ln(1 + b): exact for an AR(1) with phi = 1 + b. +infinity when
  // b >= 0 (no mean reversion) or b <= -2 (|phi| >= 1, explosive); 0 when
  // b = -1; for -2 < b < -1 (phi < 0, an oscillating decay) it uses |phi|.
  double half_life_obs = 0;
};

// The half-life for a fitted slope b, as defined in HalfLifeFit.
double half_life_from_slope(double slope);

// Regresses diff(s)_t on s_{t-1} with an intercept over the full spread.
// Allocates nothing.
// REQUIRES: spread.size() >= 3 and spread[0..n-2] not constant; otherwise
// both fields are NaN.
HalfLifeFit fit_half_life(std::span<const double> spread);

// fit_half_life(spread).half_life_obs.
double half_life_obs(std::span<const double> spread);

}  // namespace alphastream
