// The recorder in another process (journal_helper): killed with SIGKILL
// mid-write, read while it writes, and stalled behind another writer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <random>
#include <string>
#include <thread>

#include "storage/trade_journal.h"
#include "storage/trade_recorder.h"
#include "storage_test_support.h"

namespace alphastream {
namespace {

using testing::HelperProcess;
using testing::numbered_trade;
using testing::same_trade;
using testing::TempDir;

constexpr auto kMinTime = std::numeric_limits<std::int64_t>::min();

// Checks the journal holds exactly numbered_trade(0 .. n-1), with sequences
// 0 .. n-1, and returns n.
std::uint64_t check_numbered_prefix(const TradeJournal& journal) {
  std::uint64_t n = 0;
  Result<std::unique_ptr<TradeJournalCursor>> cursor = journal.cursor(kMinTime, TradeJournal::kEndOfTime);
  EXPECT_TRUE(cursor) << cursor.error();
  if (!cursor) return 0;
  AggTrade trade;
  while (true) {
    Result<bool> more = (*cursor)->next(trade);
    EXPECT_TRUE(more) << more.error();
    if (!more || !*more) break;
    if (!same_trade(trade, numbered_trade(n)) || (*cursor)->sequence() != n) {
      ADD_FAILURE() << "trade " << n << " is agg id " << trade.agg_trade_id << " with sequence "
                    << (*cursor)->sequence();
      break;
    }
    ++n;
  }
  return n;
}

TEST(TradeRecorderProcess, KillNineDuringRecordingLosesNoCommittedTradeAndTheSequenceGoesOn) {
  TempDir dir;
  std::mt19937 random(20240601);
  std::uint64_t reported = 0;
  // Three lives: each recorder continues the numbering where the last one's
  // committed trades end, and is killed at a random moment.
  for (int life = 0; life < 3; ++life) {
    const std::uint64_t reported_before = reported;
    {
      HelperProcess child({"record", dir.journal(), "300", "0"});
      while (reported < reported_before + 3000) {
        const std::optional<std::string> line = child.read_line();
        ASSERT_TRUE(line.has_value()) << "the recorder stopped early";
        reported = std::stoull(*line);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3000));
      child.kill_now();
      const int status = child.wait();
      ASSERT_TRUE(WIFSIGNALED(status));
      EXPECT_EQ(WTERMSIG(status), SIGKILL);
    }
    std::unique_ptr<TradeJournal> journal = testing::opened(TradeJournal::open(dir.journal()));
    ASSERT_NE(journal, nullptr);
    const std::uint64_t stored = check_numbered_prefix(*journal);
    EXPECT_GE(stored, reported) << "life " << life << ": a trade reported committed is missing";
    const Result<JournalSummary> summary = journal->summary();
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->trade_count, stored);
    EXPECT_EQ(summary->next_sequence, stored);
    ASSERT_EQ(summary->symbols.size(), 1u);
    EXPECT_EQ(summary->symbols[0].last_agg_trade_id, static_cast<std::int64_t>(stored));
    EXPECT_EQ(summary->symbols[0].trade_count, stored);
    reported = stored;
  }
}

TEST(TradeRecorderProcess, AReaderInAnotherProcessSeesWholeBatchesWhileTheRecorderWrites) {
  TempDir dir;
  HelperProcess child({"record", dir.journal(), "1000", "20"});
  std::optional<std::string> line = child.read_line();
  ASSERT_TRUE(line.has_value());
  std::unique_ptr<TradeJournal> journal = testing::opened(TradeJournal::open(dir.journal()));
  ASSERT_NE(journal, nullptr);
  std::uint64_t last_seen = 0;
  std::uint64_t reported = std::stoull(*line);
  while (line.has_value() && *line != "done") {
    reported = std::stoull(*line);
    const std::uint64_t seen = check_numbered_prefix(*journal);
    EXPECT_GE(seen, reported);
    EXPECT_GE(seen, last_seen) << "a later snapshot lost trades";
    last_seen = seen;
    line = child.read_line();
  }
  ASSERT_EQ(line, std::optional<std::string>("done"));
  EXPECT_EQ(reported, 20'000u);
  // The recorder is still open (waiting for our EOF) and we read it all.
  EXPECT_EQ(check_numbered_prefix(*journal), 20'000u);
  child.close_stdin();
  const int status = child.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(check_numbered_prefix(*journal), 20'000u);
}

// A recorder (queue 1024, batches of 64) whose writer stalls after at most
// one batch: another process holds the journal's LMDB write lock until
// release().
struct StalledRecorder {
  explicit StalledRecorder(const TempDir& dir)
      : recorder(testing::opened(TradeRecorder::open(options(dir)))),
        lock_holder({"hold-write-lock", dir.journal()}),
        locked(lock_holder.read_line() == std::optional<std::string>("locked")) {}

  static TradeRecorderOptions options(const TempDir& dir) {
    TradeRecorderOptions options;
    options.path = dir.journal();
    options.map_size_mb = 16;
    options.queue_capacity = 1024;
    options.max_batch = 64;
    return options;
  }
  // Lets the writer go on; true when the lock holder exited cleanly.
  bool release() {
    lock_holder.close_stdin();
    return lock_holder.wait() == 0;
  }

  std::unique_ptr<TradeRecorder> recorder;
  HelperProcess lock_holder;
  bool locked;
};

TEST(TradeRecorderProcess, AStalledWriterFillsTheQueueThenRecordDropsAndCounts) {
  TempDir dir;
  StalledRecorder stalled(dir);
  ASSERT_NE(stalled.recorder, nullptr);
  ASSERT_TRUE(stalled.locked);
  std::unique_ptr<TradeRecorder>& recorder = stalled.recorder;

  // The writer takes at most one batch, then waits for the LMDB write lock.
  constexpr std::uint64_t kOffered = 4 * 1024;
  std::vector<std::uint64_t> accepted;
  for (std::uint64_t i = 0; i < kOffered; ++i) {
    if (recorder->record(numbered_trade(i))) accepted.push_back(i);
  }
  TradeRecorderStats stats = recorder->stats();
  EXPECT_GE(accepted.size(), 1024u);
  EXPECT_LT(accepted.size(), kOffered);
  EXPECT_EQ(stats.dropped_total, kOffered - accepted.size());
  EXPECT_EQ(stats.records_total, 0u);
  EXPECT_EQ(stats.errors_total, 0u);

  ASSERT_TRUE(stalled.release());
  ASSERT_TRUE(recorder->flush());
  EXPECT_EQ(recorder->stats().records_total, accepted.size());
  recorder.reset();

  std::unique_ptr<TradeJournal> journal = testing::opened(TradeJournal::open(dir.journal()));
  ASSERT_NE(journal, nullptr);
  std::size_t next = 0;
  const Result<std::uint64_t> visited =
      journal->for_each(kMinTime, TradeJournal::kEndOfTime, [&](const AggTrade& trade) {
        EXPECT_TRUE(same_trade(trade, numbered_trade(accepted[next]))) << "stored trade " << next;
        ++next;
        return next < accepted.size();
      });
  ASSERT_TRUE(visited) << visited.error();
  EXPECT_EQ(*visited, accepted.size());
}

TEST(TradeRecorderProcess, AStalledWriterMakesRecordWaitingWaitAndThenEveryTradeIsCommitted) {
  TempDir dir;
  StalledRecorder stalled(dir);
  ASSERT_NE(stalled.recorder, nullptr);
  ASSERT_TRUE(stalled.locked);
  std::unique_ptr<TradeRecorder>& recorder = stalled.recorder;

  // Four times what the queue holds: the producer must wait for the writer.
  constexpr std::uint64_t kOffered = 4 * 1024;
  std::atomic<std::uint64_t> offered{0};
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kOffered; ++i) {
      EXPECT_TRUE(recorder->record_waiting(numbered_trade(i))) << "trade " << i;
      offered.store(i + 1);
    }
  });
  // At least queue_capacity trades fit; then the producer waits as long as
  // the writer is stalled, dropping nothing.
  for (int waited_ms = 0; waited_ms < 10'000 && offered.load() < 1024; ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GE(offered.load(), 1024u);
  EXPECT_LT(offered.load(), kOffered) << "the writer is stalled: the producer cannot be done";
  EXPECT_EQ(recorder->stats().records_total, 0u);
  EXPECT_EQ(recorder->stats().dropped_total, 0u);

  ASSERT_TRUE(stalled.release());
  producer.join();
  ASSERT_TRUE(recorder->flush());
  const TradeRecorderStats stats = recorder->stats();
  EXPECT_EQ(stats.records_total, kOffered);
  EXPECT_EQ(stats.dropped_total, 0u);
  EXPECT_EQ(stats.errors_total, 0u);
  recorder.reset();

  std::unique_ptr<TradeJournal> journal = testing::opened(TradeJournal::open(dir.journal()));
  ASSERT_NE(journal, nullptr);
  EXPECT_EQ(check_numbered_prefix(*journal), kOffered);
}

}  // namespace
}  // namespace alphastream
