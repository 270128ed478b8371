// The hot path allocates nothing: operator new is counted for this whole
// binary (the dlopened plugin binds to this definition too) while the ols
// model consumes observations, through the recomputes every window.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "counting_new.h"
#include "ols_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(OlsPlugin, UpdatesAllocateNothing) {
  const std::uint64_t before_create = allocation_count();
  auto model = make_ols(50);
  ASSERT_NE(model, nullptr);
  ASSERT_GT(allocation_count(), before_create) << "the counter does not see allocations";

  const std::uint64_t before = allocation_count();
  for (int i = 0; i < 1000; ++i) {  // 20 windows, so 20 recomputes
    const double x = 100 + std::sin(i * 0.1);
    ASSERT_TRUE(model->update(observation(x, 2 * x + std::cos(i * 0.37))));
  }
  EXPECT_FALSE(std::isnan(model->outputs()[kBeta]));
  EXPECT_FALSE(model->update(observation(NAN, 1)));  // the error path too
  EXPECT_EQ(allocation_count(), before);
}

}  // namespace
}  // namespace alphastream
