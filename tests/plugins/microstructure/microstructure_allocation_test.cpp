// The hot path allocates nothing: operator new is counted for this whole
// binary (the dlopened plugin binds to this definition too) while the
// microstructure model consumes trades through every path: window
// evictions, exact recomputes, a full ring, a price span beyond max_buckets
// and refused trades.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "counting_new.h"
#include "microstructure_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(MicrostructurePlugin, UpdatesAllocateNothing) {
  // 100 trades in a 1 s window at most, 64 buckets of 0.5 USD.
  const MicroParams params{.window_s = 1, .bucket = 0.5, .max_trades = 100, .max_buckets = 64};
  std::vector<as_trade> trades;
  for (int i = 0; i < 20000; ++i) {
    // 5 ms apart (a ring of 200 trades' window, so it fills), a swing of
    // +-10 USD, and a jump of 100 USD every 5000 trades that overflows the span.
    const double price = 100 + 10 * std::sin(i * 0.01) + (i / 5000 % 2) * 100;
    trades.push_back(trade(5 * i + (i / 7000) * 3000, price, 0.5 + (i % 13) * 0.25, i % 3 ? kBuy : kSell));
  }
  const std::uint64_t before_create = allocation_count();
  auto model = make_micro(params);
  ASSERT_NE(model, nullptr);
  ASSERT_GT(allocation_count(), before_create) << "the counter does not see allocations";

  const std::uint64_t before = allocation_count();
  for (const as_trade& t : trades) ASSERT_TRUE(model->update(t));
  EXPECT_FALSE(std::isnan(model->outputs()[kPoc]));
  EXPECT_GT(model->outputs()[kCapacityEvictions], 0);
  EXPECT_FALSE(model->update(trade(0, NAN, 1, kBuy)));  // the error path too
  EXPECT_EQ(allocation_count(), before);
}

}  // namespace
}  // namespace alphastream
