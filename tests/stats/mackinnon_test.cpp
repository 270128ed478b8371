#include "stats/mackinnon.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace alphastream {
namespace {

TEST(MackinnonPvalue, TheAsymptoticCriticalValuesHaveTheirNominalSizes) {
  // MacKinnon's 2010 asymptotic 1%/5%/10% values for N = 1 and the 5% value
  // for N = 2 fed to the 1994 p-value surface: the two fits agree to 1e-3.
  EXPECT_NEAR(mackinnon_pvalue(-3.43035, 1), 0.01, 1e-3);
  EXPECT_NEAR(mackinnon_pvalue(-2.86154, 1), 0.05, 1e-3);
  EXPECT_NEAR(mackinnon_pvalue(-2.56677, 1), 0.10, 1e-3);
  EXPECT_NEAR(mackinnon_pvalue(-3.33613, 2), 0.05, 1e-3);
}

TEST(MackinnonPvalue, IsOneAboveTauMaxAndZeroBelowTauMin) {
  EXPECT_EQ(mackinnon_pvalue(2.75, 1), 1.0);     // tau_max for N = 1 is 2.74
  EXPECT_EQ(mackinnon_pvalue(-18.84, 1), 0.0);   // tau_min for N = 1 is -18.83
  EXPECT_EQ(mackinnon_pvalue(0.93, 2), 1.0);     // tau_max for N = 2 is 0.92
  EXPECT_LT(mackinnon_pvalue(-18.82, 1), 1e-10);
}

TEST(MackinnonPvalue, FallsAsTheStatisticGetsMoreNegative) {
  for (int n_vars = 1; n_vars <= 6; ++n_vars) {
    double previous = 1.0;
    for (double stat = 0.5; stat > -15; stat -= 0.05) {
      const double p = mackinnon_pvalue(stat, n_vars);
      EXPECT_LE(p, previous + 1e-12) << "n_vars " << n_vars << " stat " << stat;
      previous = p;
    }
  }
}

TEST(MackinnonPvalue, IsNaNOutsideTheSixTables) {
  EXPECT_TRUE(std::isnan(mackinnon_pvalue(-3, 0)));
  EXPECT_TRUE(std::isnan(mackinnon_pvalue(-3, 7)));
  EXPECT_TRUE(std::isnan(mackinnon_pvalue(std::numeric_limits<double>::quiet_NaN(), 1)));
}

TEST(MackinnonCriticalValues, InfiniteSampleGivesTheLeadingCoefficients) {
  const auto c1 = mackinnon_critical_values(1, std::numeric_limits<double>::infinity());
  EXPECT_EQ(c1[0], -3.43035);
  EXPECT_EQ(c1[1], -2.86154);
  EXPECT_EQ(c1[2], -2.56677);
  const auto c2 = mackinnon_critical_values(2, std::numeric_limits<double>::infinity());
  EXPECT_EQ(c2[1], -3.33613);
}

TEST(MackinnonCriticalValues, HundredObservationsAddTheFiniteSampleTerms) {
  // 5%, N = 1: -2.86154 - 2.8903/100 - 4.234/100^2 - 40.040/100^3.
  const auto c = mackinnon_critical_values(1, 100);
  EXPECT_NEAR(c[1], -2.86154 - 0.028903 - 0.0004234 - 0.0000400400, 1e-14);
  EXPECT_TRUE(std::isnan(mackinnon_critical_values(13, 100)[0]));
  EXPECT_TRUE(std::isnan(mackinnon_critical_values(1, 0)[0]));
}

}  // namespace
}  // namespace alphastream
