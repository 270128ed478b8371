// The hot-path histogram: bucket edges, hand-counted records, and what a
// scrape shows of them.
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/latency_histogram.h"
#include "metrics/metrics_registry.h"
#include "scrape_client.h"

namespace alphastream {
namespace {

using ::alphastream::testing::lines_starting_with;
using ::testing::ElementsAre;

constexpr std::size_t kInf = LatencyHistogram::kBucketCount;

TEST(LatencyHistogram, BoundsDoubleFromOneMicrosecondToAboutOneSecond) {
  constexpr auto bounds_ns = LatencyHistogram::bucket_upper_bounds_ns();
  EXPECT_EQ(bounds_ns.front(), 1'000);
  EXPECT_EQ(bounds_ns[1], 2'000);
  EXPECT_EQ(bounds_ns[10], 1'024'000);
  EXPECT_EQ(bounds_ns.back(), 1'048'576'000);
  constexpr auto bounds_s = LatencyHistogram::bucket_upper_bounds_s();
  EXPECT_DOUBLE_EQ(bounds_s.front(), 1e-6);
  EXPECT_DOUBLE_EQ(bounds_s.back(), 1.048576);
}

TEST(LatencyHistogram, AValueOnABoundCountsInThatBucket) {
  // `le` is inclusive: 1000 ns belongs to le=1us, 1001 ns to le=2us.
  EXPECT_EQ(LatencyHistogram::bucket_index(0), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_index(1'000), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_index(1'001), 1u);
  EXPECT_EQ(LatencyHistogram::bucket_index(2'000), 1u);
  EXPECT_EQ(LatencyHistogram::bucket_index(2'001), 2u);
  EXPECT_EQ(LatencyHistogram::bucket_index(4'000), 2u);
  EXPECT_EQ(LatencyHistogram::bucket_index(4'001), 3u);
  EXPECT_EQ(LatencyHistogram::bucket_index(1'048'576'000), 20u);
  EXPECT_EQ(LatencyHistogram::bucket_index(1'048'576'001), kInf);
  EXPECT_EQ(LatencyHistogram::bucket_index(std::numeric_limits<std::int64_t>::max()), kInf);
}

// 8 records: 3 at or below 1 us (one negative, clamped to 0), 1 in (1, 2] us,
// 2 in (2, 4] us, 1 in (128, 256] us, 1 above the last bound.
void record_hand_counted(LatencyHistogram& histogram) {
  for (std::int64_t ns : {-5, 500, 1'000, 1'500, 3'000, 3'000, 250'000, 2'000'000'000}) histogram.record_ns(ns);
}

TEST(LatencyHistogram, SnapshotIsCumulativeWithTheOverflowOnlyInCount) {
  LatencyHistogram histogram;
  record_hand_counted(histogram);
  const LatencyHistogram::Snapshot s = histogram.snapshot();
  EXPECT_EQ(s.cumulative_counts[0], 3u);
  EXPECT_EQ(s.cumulative_counts[1], 4u);
  for (std::size_t i = 2; i <= 7; ++i) EXPECT_EQ(s.cumulative_counts[i], 6u) << "bucket " << i;
  for (std::size_t i = 8; i < kInf; ++i) EXPECT_EQ(s.cumulative_counts[i], 7u) << "bucket " << i;
  EXPECT_EQ(s.count, 8u);
  // 0 + 500 + 1000 + 1500 + 3000 + 3000 + 250000 + 2e9 ns
  EXPECT_DOUBLE_EQ(s.sum_s, 2.000259);
}

TEST(LatencyHistogram, ScrapeShowsBucketLinesWithSecondBounds) {
  LatencyHistogram histogram;
  record_hand_counted(histogram);
  class Collector : public MetricsCollector {
   public:
    explicit Collector(const LatencyHistogram& h) : h_(h) {}
    void collect(MetricWriter& out) const override {
      h_.write(out, "alphastream_tick_to_signal_seconds", "Trade receipt to signal.", {{"pair", "BTC-ETH"}});
    }
    const LatencyHistogram& h_;
  };
  MetricsRegistry registry;
  registry.add_collector(std::make_shared<Collector>(histogram));
  const std::string text = registry.scrape_text();
  // prometheus-cpp prints 15 significant digits, so small bounds come out in
  // exponent form; every bound is a whole number of microseconds, so exact.
  const std::string b = "alphastream_tick_to_signal_seconds_bucket{pair=\"BTC-ETH\",le=";
  const std::vector<std::string> buckets = lines_starting_with(text, b);
  ASSERT_EQ(buckets.size(), LatencyHistogram::kBucketCount + 1);
  EXPECT_EQ(buckets[0], b + "\"1e-06\"} 3");
  EXPECT_EQ(buckets[1], b + "\"2e-06\"} 4");
  EXPECT_EQ(buckets[2], b + "\"4e-06\"} 6");
  EXPECT_EQ(buckets[7], b + "\"0.000128\"} 6");
  EXPECT_EQ(buckets[8], b + "\"0.000256\"} 7");
  EXPECT_EQ(buckets[20], b + "\"1.048576\"} 7");
  EXPECT_EQ(buckets[21], b + "\"+Inf\"} 8");
  auto samples = ::alphastream::testing::sample_lines(text);
  EXPECT_EQ(samples["alphastream_tick_to_signal_seconds_count{pair=\"BTC-ETH\"}"], "8");
  EXPECT_EQ(samples["alphastream_tick_to_signal_seconds_sum{pair=\"BTC-ETH\"}"], "2.000259");
}

TEST(LatencyHistogram, AReaderDuringRecordingSeesConsistentGrowingSnapshots) {
  LatencyHistogram histogram;
  constexpr std::int64_t kRecords = 200'000;
  std::thread writer([&] {
    for (std::int64_t i = 0; i < kRecords; ++i) histogram.record_ns((i % 40) * 50'000);
  });
  std::uint64_t last_count = 0;
  for (int read = 0; read < 2'000; ++read) {
    const LatencyHistogram::Snapshot s = histogram.snapshot();
    ASSERT_GE(s.count, last_count);
    ASSERT_GE(s.count, s.cumulative_counts[kInf - 1]);
    for (std::size_t i = 1; i < kInf; ++i) ASSERT_GE(s.cumulative_counts[i], s.cumulative_counts[i - 1]);
    last_count = s.count;
  }
  writer.join();
  EXPECT_EQ(histogram.snapshot().count, static_cast<std::uint64_t>(kRecords));
}

}  // namespace
}  // namespace alphastream
