#include "stats/engle_granger.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace alphastream {
namespace {

TEST(EngleGranger, CointegratedPairRecoversTheHedgeAndRejectsAUnitRoot) {
  // x is a random walk near 100; y = 5 + 2 x + AR(1) noise with phi = 0.5.
  std::mt19937 rng(9);
  std::normal_distribution<double> noise;
  std::vector<double> x{100}, y;
  double e = 0;
  for (int i = 1; i < 1000; ++i) x.push_back(x.back() + noise(rng));
  for (double xi : x) {
    e = 0.5 * e + noise(rng);
    y.push_back(5 + 2 * xi + e);
  }
  auto eg = engle_granger(x, y);
  ASSERT_TRUE(eg) << eg.error();
  EXPECT_NEAR(eg->hedge.beta, 2.0, 0.01);
  EXPECT_LT(eg->adf.pvalue, 0.01);
  // The residual is close to the AR(1) noise: half-life near -ln2/ln(0.5) = 1.
  EXPECT_NEAR(eg->residual_half_life.half_life_obs, 1.0, 0.25);
}

TEST(EngleGranger, ResidualsOfAnExactHedgeAreRefused) {
  std::vector<double> x, y;
  for (int i = 0; i < 100; ++i) {
    x.push_back(100 + std::sin(i));
    y.push_back(2 * x.back());
  }
  auto eg = engle_granger(x, y);
  ASSERT_FALSE(eg);
  EXPECT_EQ(eg.error().rfind("Engle-Granger: residuals: ADF test on 100 observations", 0), 0u) << eg.error();
}

TEST(EngleGranger, MismatchedConstantShortOrNonFiniteLegsAreRefused) {
  const std::vector<double> five{1, 2, 3, 4, 5}, four{1, 2, 3, 4}, flat(5, 7.0);
  EXPECT_EQ(engle_granger(five, four).error(), "Engle-Granger: x has 5 observations, y has 4");
  EXPECT_EQ(engle_granger(flat, five).error(), "Engle-Granger: x is constant, the hedge regression is undefined");
  EXPECT_EQ(engle_granger(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}).error(),
            "Engle-Granger: 3 observations, need at least 4");
  std::vector<double> bad = five;
  bad[2] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(engle_granger(five, bad).error(), "Engle-Granger: y[2] is not finite");
}

TEST(EngleGranger, VisitingInPassesWithOrWithoutTheSumsGivesTheSpanVersionsFiguresExactly) {
  std::mt19937 rng(4);
  std::normal_distribution<double> noise;
  std::vector<double> x{50'000}, y;
  double e = 0;
  for (int i = 1; i < 5000; ++i) x.push_back(x.back() + 10 * noise(rng));
  for (double xi : x) {
    e = 0.7 * e + noise(rng);
    y.push_back(0.05 * xi + e);
  }
  const auto visit = [&](auto&& f) {
    for (std::size_t i = 0; i < x.size(); ++i) f(x[i], y[i]);
  };
  LegSums sums;
  for (std::size_t i = 0; i < x.size(); ++i) sums.add(x[i], y[i]);
  int passes = 0;
  const auto counted = [&](auto&& f) {
    ++passes;
    visit(f);
  };
  const auto from_spans = engle_granger(x, y);
  const auto visited = engle_granger_visiting(x.size(), counted);
  const int passes_without_sums = passes;
  passes = 0;
  const auto given_sums = engle_granger_visiting(x.size(), counted, sums);
  ASSERT_TRUE(from_spans && visited && given_sums);
  EXPECT_EQ(passes_without_sums, 3);
  EXPECT_EQ(passes, 2);
  for (const auto* other : {&visited.value(), &given_sums.value()}) {
    EXPECT_EQ(other->hedge.alpha, from_spans->hedge.alpha);
    EXPECT_EQ(other->hedge.beta, from_spans->hedge.beta);
    EXPECT_EQ(other->hedge.residual_std, from_spans->hedge.residual_std);
    EXPECT_EQ(other->adf.stat, from_spans->adf.stat);
    EXPECT_EQ(other->adf.pvalue, from_spans->adf.pvalue);
  }
}

}  // namespace
}  // namespace alphastream
