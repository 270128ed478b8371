// Proves recording and snapshotting allocate nothing. This binary replaces
// the global operator new to count calls, so it stays on its own.
#include <cstdint>

#include <gtest/gtest.h>

#include "counting_new.h"
#include "metrics/latency_histogram.h"

namespace alphastream {
namespace {

TEST(LatencyHistogramAllocation, RecordAndSnapshotAllocateNothing) {
  LatencyHistogram histogram;
  const std::uint64_t before = ::alphastream::testing::allocation_count();
  // Every bucket, the overflow and a negative value.
  for (std::int64_t ns = -1'000; ns < 3'000'000'000; ns = ns * 3 / 2 + 1'001) histogram.record_ns(ns);
  const LatencyHistogram::Snapshot snapshot = histogram.snapshot();
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
  EXPECT_GT(snapshot.count, 30u);
  EXPECT_GT(snapshot.count, snapshot.cumulative_counts.back()) << "some records went to +Inf";
}

}  // namespace
}  // namespace alphastream
