// A latency histogram for the hot path: one writer thread records, any number
// of threads snapshot at scrape time. Recording is a few relaxed loads and
// stores: no lock, no allocation, no read-modify-write instruction.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metrics/metric_writer.h"

namespace alphastream {

class alignas(64) LatencyHistogram {
 public:
  // Upper bounds 1 us * 2^i for i = 0..20, i.e. 1 us to 1.048576 s. Each is
  // a whole number of microseconds, so its `le` label ("1e-06", "0.000128",
  // "1.048576") is exact and stable. Larger values land in +Inf.
  static constexpr std::size_t kBucketCount = 21;
  static constexpr std::int64_t kFirstBoundNs = 1000;

  static constexpr std::array<std::int64_t, kBucketCount> bucket_upper_bounds_ns() {
    std::array<std::int64_t, kBucketCount> bounds{};
    for (std::size_t i = 0; i < kBucketCount; ++i) bounds[i] = kFirstBoundNs << i;
    return bounds;
  }
  static constexpr std::array<double, kBucketCount> bucket_upper_bounds_s() {
    std::array<double, kBucketCount> bounds{};
    for (std::size_t i = 0; i < kBucketCount; ++i) bounds[i] = static_cast<double>(kFirstBoundNs << i) / 1e9;
    return bounds;
  }

  // Prometheus semantics: cumulative_counts[i] counts values <= bound i.
  struct Snapshot {
    std::array<std::uint64_t, kBucketCount> cumulative_counts{};
    std::uint64_t count = 0;  // includes values above the last bound (+Inf)
    double sum_s = 0;
  };

  // Records one latency. A negative value (a clock stepping back) counts as 0.
  // [the one writer thread]
  void record_ns(std::int64_t latency_ns) {
    const std::int64_t value_ns = latency_ns < 0 ? 0 : latency_ns;
    bump(buckets_[bucket_index(value_ns)]);
    sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + static_cast<std::uint64_t>(value_ns),
                  std::memory_order_relaxed);
  }

  // Counts come from the buckets, so the +Inf bucket always equals count; the
  // sum may miss a record_ns running concurrently. [any thread]
  Snapshot snapshot() const {
    Snapshot out;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      out.cumulative_counts[i] = running;
    }
    out.count = running + buckets_[kBucketCount].load(std::memory_order_relaxed);
    out.sum_s = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return out;
  }

  // Writes a snapshot as one histogram sample (name should end in _seconds).
  // [any thread; scrape time]
  void write(MetricWriter& out, std::string_view name, std::string_view help, const MetricLabels& labels) const {
    static constexpr std::array<double, kBucketCount> kBoundsS = bucket_upper_bounds_s();
    const Snapshot s = snapshot();
    out.histogram(name, help, labels, kBoundsS, s.cumulative_counts, s.sum_s, s.count);
  }

  // The first bucket whose bound is >= value_ns; kBucketCount means +Inf.
  // REQUIRES: value_ns >= 0
  static constexpr std::size_t bucket_index(std::int64_t value_ns) {
    // value <= 1000 * 2^i  <=>  ceil(value / 1000) <= 2^i, since 2^i is whole.
    const std::uint64_t whole_us = (static_cast<std::uint64_t>(value_ns) + kFirstBoundNs - 1) / kFirstBoundNs;
    const std::size_t index = whole_us <= 1 ? 0 : static_cast<std::size_t>(std::bit_width(whole_us - 1));
    return index < kBucketCount ? index : kBucketCount;
  }

 private:
  // Single writer: a plain load and store instead of a locked fetch_add.
  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, kBucketCount + 1> buckets_{};  // last: above every bound
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace alphastream
