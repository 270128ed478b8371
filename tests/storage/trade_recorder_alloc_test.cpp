// Proves record() allocates nothing: while the writer commits, while the
// queue is full, and once recording is disabled. The counter sees every
// thread, so the writer thread's batches are checked too. This binary
// replaces the global operator new, so it stays on its own.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "counting_new.h"
#include "storage/trade_recorder.h"
#include "storage_test_support.h"

namespace alphastream {
namespace {

using ::alphastream::testing::allocation_count;
using ::alphastream::testing::allocation_count_this_thread;
using ::alphastream::testing::HelperProcess;
using ::alphastream::testing::numbered_trade;
using ::alphastream::testing::TempDir;

TradeRecorderOptions options_for(const std::string& path) {
  TradeRecorderOptions options;
  options.path = path;
  options.map_size_mb = 64;
  options.queue_capacity = 4096;
  options.max_batch = 256;
  options.flush_interval = std::chrono::milliseconds(5);
  return options;
}

// record() runs on the I/O thread: it allocates nothing. The writer thread's
// own code allocates nothing either; LMDB itself may malloc dirty pages inside
// a write transaction (a handful per commit, never per trade), which the
// counter sees as the other thread's allocations.
TEST(TradeRecorderAllocation, RecordAllocatesNothingAndTheWriterOnlyPerCommit) {
  TempDir dir;
  std::unique_ptr<TradeRecorder> recorder = testing::opened(TradeRecorder::open(options_for(dir.journal())));
  ASSERT_NE(recorder, nullptr);
  AggTrade other = numbered_trade(0);
  other.symbol = Symbol("ETHUSDT");

  const std::uint64_t before = allocation_count();
  const std::uint64_t before_here = allocation_count_this_thread();
  std::uint64_t accepted = 0;
  for (std::uint64_t i = 0; i < 50'000; ++i) {
    accepted += recorder->record(i % 5 == 0 ? other : numbered_trade(i)) ? 1 : 0;
  }
  const std::uint64_t producer_allocations = allocation_count_this_thread() - before_here;
  const Status flushed = recorder->flush();
  const std::uint64_t allocations = allocation_count() - before;

  ASSERT_TRUE(flushed) << flushed.message();
  EXPECT_EQ(producer_allocations, 0u);
  const TradeRecorderStats stats = recorder->stats();
  EXPECT_EQ(stats.records_total, accepted);
  EXPECT_EQ(stats.records_total + stats.dropped_total, 50'000u);
  EXPECT_GT(stats.commits_total, 1u) << "the writer must have committed while we counted";
  // flush() itself may allocate on this thread (a condition variable wait does not; be generous).
  EXPECT_LE(allocations, 16 * stats.commits_total + 16) << allocations << " allocations in " << stats.commits_total
                                                        << " commits";
}

TEST(TradeRecorderAllocation, RecordAllocatesNothingWhenTheQueueIsFull) {
  TempDir dir;
  std::unique_ptr<TradeRecorder> recorder = testing::opened(TradeRecorder::open(options_for(dir.journal())));
  ASSERT_NE(recorder, nullptr);
  HelperProcess lock_holder({"hold-write-lock", dir.journal()});
  ASSERT_EQ(lock_holder.read_line(), std::optional<std::string>("locked"));

  const std::uint64_t before = allocation_count();
  std::uint64_t accepted = 0;
  for (std::uint64_t i = 0; i < 20'000; ++i) accepted += recorder->record(numbered_trade(i)) ? 1 : 0;
  const std::uint64_t allocations = allocation_count() - before;

  EXPECT_EQ(allocations, 0u);
  // Every slot promised is usable without allocating; the writer holds one batch more.
  EXPECT_GE(accepted, 4096u);
  EXPECT_LE(accepted, 2 * 4096u + 256u);
  EXPECT_EQ(recorder->stats().dropped_total, 20'000u - accepted);
  lock_holder.close_stdin();
  ASSERT_EQ(lock_holder.wait(), 0);
  ASSERT_TRUE(recorder->flush());
}

TEST(TradeRecorderAllocation, RecordAllocatesNothingOnceAWriteErrorDisabledRecording) {
  TempDir dir;
  TradeRecorderOptions options = options_for(dir.journal());
  options.map_size_mb = 1;
  options.on_error = [](std::string_view) {};
  std::unique_ptr<TradeRecorder> recorder = testing::opened(TradeRecorder::open(options));
  ASSERT_NE(recorder, nullptr);
  std::uint64_t next = 0;
  while (!recorder->stats().disabled && next < 100'000) {
    for (int i = 0; i < 1000; ++i) (void)recorder->record(numbered_trade(next++));
    (void)recorder->flush();
  }
  ASSERT_TRUE(recorder->stats().disabled);
  const std::uint64_t errors_before = recorder->stats().errors_total;

  const std::uint64_t before = allocation_count();
  std::uint64_t accepted = 0;
  for (int i = 0; i < 1000; ++i) accepted += recorder->record(numbered_trade(next++)) ? 1 : 0;
  const std::uint64_t allocations = allocation_count() - before;

  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(accepted, 0u);
  EXPECT_EQ(recorder->stats().errors_total, errors_before + 1000);
}

}  // namespace
}  // namespace alphastream
