#include "pipeline/rolling_adf.h"

#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "stats/adf.h"

namespace alphastream {
namespace {

std::vector<double> ar1(std::size_t n, double phi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise;
  std::vector<double> series(n);
  double value = 0;
  for (double& v : series) v = value = phi * value + noise(rng);
  return series;
}

TEST(RollingAdf, TestsEveryNthSpreadOnceTheWindowIsFull) {
  RollingAdf adf(StationarityConfig{50, 10});
  const std::vector<double> series = ar1(100, 0.5, 1);
  std::vector<std::size_t> tested_at;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (adf.push(series[i])) tested_at.push_back(i);
  }
  // The first test as soon as the window is full (the 50th spread, index
  // 49), then every 10th spread.
  EXPECT_EQ(tested_at, (std::vector<std::size_t>{49, 59, 69, 79, 89, 99}));
  EXPECT_EQ(adf.tests(), 6u);
}

TEST(RollingAdf, EqualsTheFullSampleTestOnTheSameWindow) {
  const std::vector<double> series = ar1(400, 0.9, 2);
  RollingAdf adf(StationarityConfig{120, 7});
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (!adf.push(series[i])) continue;
    const std::vector<double> window(series.begin() + static_cast<std::ptrdiff_t>(i + 1 - 120),
                                     series.begin() + static_cast<std::ptrdiff_t>(i + 1));
    const auto expected = adf_test(window);
    ASSERT_TRUE(expected.is_ok());
    // The same function on the same numbers in the same order: bit-identical.
    EXPECT_EQ(adf.stat(), expected->stat) << "at spread " << i;
    EXPECT_EQ(adf.pvalue(), expected->pvalue) << "at spread " << i;
  }
  EXPECT_GT(adf.tests(), 30u);
}

TEST(RollingAdf, NaNSpreadsAreSkippedNotCounted) {
  RollingAdf adf(StationarityConfig{30, 1});
  const std::vector<double> series = ar1(30, 0.3, 3);
  for (std::size_t i = 0; i < series.size(); ++i) {
    EXPECT_FALSE(adf.push(std::nan(""))) << "a NaN never runs a test";
    const bool tested = adf.push(series[i]);
    EXPECT_EQ(tested, i == 29);
  }
  EXPECT_FALSE(std::isnan(adf.pvalue()));
}

TEST(RollingAdf, AConstantWindowFailsTheTestAndGivesNaN) {
  RollingAdf adf(StationarityConfig{25, 1});
  for (int i = 0; i < 25; ++i) adf.push(1.5);
  EXPECT_EQ(adf.tests(), 1u);
  EXPECT_EQ(adf.failed_tests(), 1u);
  EXPECT_TRUE(std::isnan(adf.stat()));
  EXPECT_TRUE(std::isnan(adf.pvalue()));
}

TEST(RollingAdf, DisabledWithoutAWindow) {
  RollingAdf adf(StationarityConfig{});
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(adf.push(i * 0.1));
  EXPECT_EQ(adf.tests(), 0u);
}

}  // namespace
}  // namespace alphastream
