// Records every accepted trade into the LMDB trade journal (layout in
// trade_record.h and journal_env.h). One producer thread (the I/O reactor)
// calls record(), which only pushes onto a bounded queue; a writer thread
// drains it and commits a write transaction per batch of up to max_batch
// trades, or per flush_interval when trades arrive slowly. Commits use
// LMDB's default durable sync, so after a crash (even kill -9) every trade
// of a committed batch is in the journal and nothing else is.
//
// Failure policy: the first write error (MDB_MAP_FULL, disk full, ...) is
// reported once through on_error and disables recording until the recorder
// is reopened. Trades of the failed batch, trades still queued, and every
// trade record() is given afterwards are counted in errors_total (not in
// dropped_total, which means only "queue full"). The service keeps running.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/agg_trade.h"
#include "core/clock.h"
#include "core/status.h"
#include "storage/trade_journal.h"
#include "storage/trade_record.h"

namespace alphastream {

namespace storage_internal {
class JournalEnv;
}

struct TradeRecorderOptions {
  std::string path;                      // a directory; created if missing
  std::size_t map_size_mb = 4096;        // LMDB map size: the most the journal can grow to
  std::size_t queue_capacity = 1 << 16;  // trades waiting for the writer (at least this many fit)
  std::size_t max_batch = 4096;          // trades per write transaction, at most
  // How long the writer waits for a batch to fill before committing it.
  std::chrono::milliseconds flush_interval{50};
  // Keeps flush_interval's time; must outlive the recorder.
  const Clock* clock = &system_clock();
  // Receives the message of a write error, once, on the writer thread. Must
  // not block for long. Empty: the message goes to stderr.
  std::function<void(std::string_view)> on_error;
};

// Counters, each read with a relaxed load: they may be a batch apart.
struct TradeRecorderStats {
  std::uint64_t records_total = 0;  // trades committed by this recorder
  std::uint64_t commits_total = 0;  // write transactions committed
  std::uint64_t errors_total = 0;   // trades not recorded because of a write error
  std::uint64_t dropped_total = 0;  // trades not recorded because the queue was full
  bool disabled = false;            // a write error stopped recording
  // The LMDB map: the bytes its pages use up to the last one written, and
  // its size (storage.lmdb.map_size_mb); a full map stops recording.
  std::uint64_t map_used_bytes = 0;
  std::uint64_t map_size_bytes = 0;
};

class TradeRecorder {
 public:
  // Opens (creating if needed) the journal at options.path and starts the
  // writer thread. Fails with a message naming the path if the directory or
  // LMDB cannot be opened, another process records into it, this process
  // already has it open, or the options are unusable (zero sizes).
  static Result<std::unique_ptr<TradeRecorder>> open(const TradeRecorderOptions& options);
  // Calls close().
  ~TradeRecorder();
  TradeRecorder(const TradeRecorder&) = delete;
  TradeRecorder& operator=(const TradeRecorder&) = delete;

  // Queues trade for the writer. Returns false, counting the trade, when the
  // queue is full (dropped_total) or recording is disabled (errors_total).
  // Never blocks, locks or allocates.
  // REQUIRES: called from one thread at a time (the producer); not after close().
  bool record(const AggTrade& trade);
  // As record(), but when the queue is full waits (yielding) for the writer
  // to make room instead of dropping the trade: for sources that can wait,
  // a replay or a file. Returns false, counting the trade in errors_total,
  // only when recording is disabled.
  // REQUIRES: as record().
  bool record_waiting(const AggTrade& trade);

  // Waits until every trade record() accepted before this call was committed
  // (or counted as an error). Returns the write error if recording is
  // disabled. Any thread; blocks for about one commit.
  Status flush();

  // Commits everything queued, stops the writer thread and closes LMDB.
  // Idempotent. REQUIRES: no record() or flush() running; no record() after.
  void close();

  // Any thread.
  TradeRecorderStats stats() const;

  // The journal as it was when opened: the live feed continues each
  // symbol's agg ids after last_agg_trade_id. (The process that records
  // cannot also open a TradeJournal on the same path.)
  const JournalSummary& summary_at_open() const { return summary_at_open_; }
  // What is committed now, read beside the writer (this process cannot
  // open a TradeJournal on the path): the summary, and the trades of a time
  // range. flush() first to include everything recorded so far.
  // [any thread but the writer's; a cursor is destroyed before the recorder]
  Result<JournalSummary> summary() const;
  Result<std::unique_ptr<TradeJournalCursor>> cursor(std::int64_t from_ms, std::int64_t to_ms) const;
  const std::string& path() const { return options_.path; }

 private:
  using Queue = moodycamel::BlockingConcurrentQueue<AggTrade>;

  TradeRecorder(TradeRecorderOptions options, std::unique_ptr<storage_internal::JournalEnv> env,
                JournalSummary summary);
  // Queues trade if there is room; counts nothing else.
  bool try_enqueue(const AggTrade& trade);
  void run_writer();
  // Fills batch_ with up to max_batch trades; returns how many (0 when the
  // queue stayed empty for flush_interval, or at once when stopping).
  std::size_t collect_batch(moodycamel::ConsumerToken& consumer, bool stopping);
  void write_batch(std::size_t count);
  // The batch's trades and summaries in one transaction; an error message
  // if it failed (and was aborted).
  Status commit_batch(std::size_t count);
  void record_map_usage();
  void disable(const std::string& message, std::size_t lost) noexcept;
  void mark_processed(std::size_t count);
  void report_error(std::string_view message) const noexcept;

  const TradeRecorderOptions options_;
  std::unique_ptr<storage_internal::JournalEnv> env_;
  const JournalSummary summary_at_open_;

  Queue queue_;
  moodycamel::ProducerToken producer_;

  // Written by record() only.
  alignas(64) std::atomic<std::uint64_t> enqueued_total_{0};
  std::atomic<std::uint64_t> dropped_total_{0};

  // Written by the writer thread only, except where noted.
  alignas(64) std::atomic<std::uint64_t> records_total_{0};
  std::atomic<std::uint64_t> commits_total_{0};
  std::atomic<std::uint64_t> map_used_bytes_{0};  // the writer's reading after each commit
  std::atomic<std::uint64_t> processed_total_{0};  // committed or counted as errors
  std::atomic<std::uint64_t> errors_total_{0};     // also added to by record() once disabled
  std::atomic<bool> disabled_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> flush_waiters_{0};  // the writer commits a partial batch at once

  // Writer-thread state, sized at open so that a batch allocates nothing
  // (while the journal has at most 256 symbols).
  std::vector<AggTrade> batch_;
  std::uint64_t next_sequence_ = 0;
  std::vector<SymbolSummary> symbols_;          // committed
  std::vector<SymbolSummary> pending_symbols_;  // symbols_ plus the batch being written
  std::vector<bool> touched_;                   // per pending_symbols_ entry

  // flush() waits on processed_total_; the error is set once, before disabled_.
  std::mutex mutex_;
  std::condition_variable processed_cv_;
  std::string error_message_;

  std::thread writer_;
  bool closed_ = false;
};

}  // namespace alphastream
