// The hot path allocates nothing: operator new is counted for this whole
// binary (the dlopened plugin binds to this definition too) while the ols
// model consumes observations, through the recomputes every window.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "ols_test_support.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(OlsPlugin, UpdatesAllocateNothing) {
  const long before_create = g_allocations.load();
  auto model = make_ols(50);
  ASSERT_NE(model, nullptr);
  ASSERT_GT(g_allocations.load(), before_create) << "the counter does not see allocations";

  const long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {  // 20 windows, so 20 recomputes
    const double x = 100 + std::sin(i * 0.1);
    ASSERT_TRUE(model->update(observation(x, 2 * x + std::cos(i * 0.37))));
  }
  EXPECT_FALSE(std::isnan(model->outputs()[kBeta]));
  EXPECT_FALSE(model->update(observation(NAN, 1)));  // the error path too
  EXPECT_EQ(g_allocations.load(), before);
}

}  // namespace
}  // namespace alphastream
