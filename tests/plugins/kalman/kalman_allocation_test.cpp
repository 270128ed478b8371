// The hot path allocates nothing: operator new is counted for this whole
// binary (the dlopened plugin binds to this definition too) while the kalman
// model consumes observations, refuses bad ones, and overflows.
#include <gtest/gtest.h>

#include <cmath>

#include "counting_new.h"
#include "kalman_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(KalmanPlugin, UpdatesAllocateNothing) {
  const std::uint64_t before_create = allocation_count();
  auto model = make_kalman();
  ASSERT_NE(model, nullptr);
  ASSERT_GT(allocation_count(), before_create) << "the counter does not see allocations";

  const std::uint64_t before = allocation_count();
  for (int i = 0; i < 10000; ++i) {
    const double x = 1e5 + 100 * std::sin(i * 0.1);
    ASSERT_TRUE(model->update(observation(x, 0.8 * x + 2e4 + std::cos(i * 0.37))));
  }
  EXPECT_FALSE(model->update(observation(NAN, 1)));        // refused input
  ASSERT_TRUE(model->update(observation(1e200, -1e308)));  // beta near -1e108, so next e ~2e308:
  EXPECT_FALSE(model->update(observation(1e200, 1e308)));  // refused result
  EXPECT_EQ(allocation_count(), before);
}

}  // namespace
}  // namespace alphastream
