// Proves RollingAdf::push allocates nothing after construction, on tested,
// refused (constant, collinear, exact) and skipped spreads. This binary
// replaces the global operator new to count calls, so it stays on its own.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "counting_new.h"
#include "pipeline/rolling_adf.h"
#include "stats/adf.h"

namespace alphastream {
namespace {

TEST(RollingAdfAllocation, PushAllocatesNothingThroughEveryKindOfOutcome) {
  // Noise, a flat stretch (constant windows), one jump (the window that
  // ends on it is flat but for its last value: collinear), noise, a straight
  // line (exact fits), noise.
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise;
  std::vector<double> spreads;
  double v = 0;
  auto add_noise = [&] {
    for (int i = 0; i < 300; ++i) spreads.push_back(v = 0.7 * v + noise(rng));
  };
  add_noise();
  for (int i = 0; i < 150; ++i) spreads.push_back(1.25);
  spreads.push_back(2.0);
  add_noise();
  for (int i = 0; i < 150; ++i) spreads.push_back(0.01 * i);
  add_noise();

  // What each window's test gives, worked out before counting starts.
  constexpr std::size_t kWindow = 100;
  AdfWorkspace reference(kWindow);
  std::set<AdfError> reasons;
  std::uint64_t expected_failures = 0;
  for (std::size_t end = kWindow; end <= spreads.size(); ++end) {
    if (reference.run(std::span<const double>(spreads).subspan(end - kWindow, kWindow))) continue;
    ++expected_failures;
    reasons.insert(reference.failure().error);
  }
  ASSERT_TRUE(reasons.contains(AdfError::kConstant));
  ASSERT_TRUE(reasons.contains(AdfError::kCollinear));
  ASSERT_TRUE(reasons.contains(AdfError::kExactFit));
  // 51 constant windows and 51 on the line, at least.
  ASSERT_GE(expected_failures, 102u);

  RollingAdf adf(StationarityConfig{static_cast<int>(kWindow), 1});
  const std::uint64_t before = testing::allocation_count();
  for (const double spread : spreads) {
    adf.push(spread);
    adf.push(std::nan(""));  // skipped, not counted
  }
  EXPECT_EQ(testing::allocation_count() - before, 0u);
  EXPECT_EQ(adf.tests(), spreads.size() - kWindow + 1);
  EXPECT_EQ(adf.failed_tests(), expected_failures);
  EXPECT_FALSE(std::isnan(adf.pvalue()));  // the last window is noise
}

}  // namespace
}  // namespace alphastream
