#include "stats/half_life.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace alphastream {
namespace {

std::vector<double> noiseless_ar1(double phi, double start, int n) {
  std::vector<double> s{start};
  while (static_cast<int>(s.size()) < n) s.push_back(phi * s.back());
  return s;
}

TEST(HalfLife, NoiselessAr1WithPhiOneHalfHalvesEveryObservation) {
  // s_t = s_{t-1} / 2: the difference is exactly -s_{t-1} / 2, so b = -1/2
  // and the half-life is -ln 2 / ln(1/2) = 1 observation.
  const auto fit = fit_half_life(noiseless_ar1(0.5, 1024, 11));
  EXPECT_NEAR(fit.slope, -0.5, 1e-15);
  EXPECT_NEAR(fit.half_life_obs, 1.0, 1e-14);
}

TEST(HalfLife, NoiselessAr1WithPhiThreeQuartersTakesLn2OverLn4Thirds) {
  EXPECT_NEAR(half_life_obs(noiseless_ar1(0.75, 100, 40)), std::log(2.0) / std::log(4.0 / 3.0), 1e-12);
}

TEST(HalfLife, IsInfiniteWithoutMeanReversion) {
  // Growing by 10% per step: b = +0.1.
  const auto fit = fit_half_life(noiseless_ar1(1.1, 1, 20));
  EXPECT_NEAR(fit.slope, 0.1, 1e-12);
  EXPECT_EQ(fit.half_life_obs, std::numeric_limits<double>::infinity());
  EXPECT_EQ(half_life_from_slope(0.0), std::numeric_limits<double>::infinity());
}

TEST(HalfLife, OvershootingSlopesUseTheMagnitudeOfPhi) {
  EXPECT_EQ(half_life_from_slope(-1.0), 0.0);                                  // phi = 0
  EXPECT_NEAR(half_life_from_slope(-1.5), 1.0, 1e-15);                         // |phi| = 1/2
  EXPECT_EQ(half_life_from_slope(-2.5), std::numeric_limits<double>::infinity());  // |phi| > 1
}

TEST(HalfLife, ConstantOrTooShortSpreadGivesNaN) {
  EXPECT_TRUE(std::isnan(half_life_obs(std::vector<double>{3, 3, 3, 3})));
  EXPECT_TRUE(std::isnan(fit_half_life(std::vector<double>{1, 2}).slope));
}

}  // namespace
}  // namespace alphastream
