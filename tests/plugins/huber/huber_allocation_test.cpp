// The hot path allocates nothing: operator new is counted for this whole
// binary (the dlopened plugin binds to this definition too) while the huber
// model consumes observations, with outliers so IRLS iterates.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "counting_new.h"
#include "huber_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

void expect_updates_allocate_nothing(bool warm_start) {
  const std::uint64_t before_create = allocation_count();
  auto model = make_huber({.window = 50, .warm_start = warm_start});
  ASSERT_NE(model, nullptr);
  ASSERT_GT(allocation_count(), before_create) << "the counter does not see allocations";

  const std::uint64_t before = allocation_count();
  for (int i = 0; i < 500; ++i) {
    const double x = 100 + std::sin(i * 0.1);
    ASSERT_TRUE(model->update(observation(x, 2 * x + std::cos(i * 0.37) + (i % 13 == 0 ? 25 : 0))));
  }
  EXPECT_GT(model->outputs()[kIterations], 2);
  EXPECT_GT(model->outputs()[kDownweightedShare], 0);
  EXPECT_FALSE(model->update(observation(NAN, 1)));  // the error path too
  EXPECT_EQ(allocation_count(), before);
}

TEST(HuberPlugin, UpdatesAllocateNothingFromTheOlsStart) { expect_updates_allocate_nothing(false); }
TEST(HuberPlugin, UpdatesAllocateNothingFromTheWarmStart) { expect_updates_allocate_nothing(true); }

}  // namespace
}  // namespace alphastream
