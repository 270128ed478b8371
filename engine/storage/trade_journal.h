// Reads the trade journal written by TradeRecorder, for `alphastream
// replay` and for the live feed's restart. Read-only: it works while a
// recorder in another process keeps writing. Each cursor (and each
// for_each or summary call) reads one consistent snapshot: the journal as
// of its first read, whole batches only.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "core/agg_trade.h"
#include "core/status.h"
#include "storage/trade_record.h"

struct MDB_txn;
struct MDB_cursor;

namespace alphastream {

namespace storage_internal {
class JournalEnv;
}

// The trades of one time range in key order: transact time, then the order
// the recorder received them. Holds an LMDB read snapshot until the end of
// the range or its destruction; while it is held a live recorder cannot
// reuse freed pages, so do not keep one open for days. Use from one thread
// at a time. REQUIRES: destroyed before the TradeJournal that made it.
class TradeJournalCursor {
 public:
  ~TradeJournalCursor();
  TradeJournalCursor(const TradeJournalCursor&) = delete;
  TradeJournalCursor& operator=(const TradeJournalCursor&) = delete;

  // Stores the next trade of the range and returns true, or returns false
  // after the last. Returns an error naming the journal and key if a record
  // cannot be decoded (wrong size or version) or disagrees with its key;
  // after an error every call returns it. Allocates nothing unless it fails.
  Result<bool> next(AggTrade& out);
  // The recorder's sequence number of the trade next() last stored.
  std::uint64_t sequence() const { return sequence_; }

 private:
  friend class TradeJournal;
  friend class TradeRecorder;
  TradeJournalCursor(const storage_internal::JournalEnv* env, std::int64_t from_ms, std::int64_t to_ms)
      : env_(env), from_ms_(from_ms), to_ms_(to_ms) {}
  // A cursor over env's trades with from_ms <= time < to_ms.
  static Result<std::unique_ptr<TradeJournalCursor>> open(const storage_internal::JournalEnv* env,
                                                          std::int64_t from_ms, std::int64_t to_ms);
  Result<bool> fail(Status status);
  void release();  // ends the snapshot

  const storage_internal::JournalEnv* env_;
  const std::int64_t from_ms_;
  const std::int64_t to_ms_;
  MDB_txn* txn_ = nullptr;
  MDB_cursor* cursor_ = nullptr;
  bool started_ = false;
  bool done_ = false;
  Status failure_;
  std::uint64_t sequence_ = 0;
};

class TradeJournal {
 public:
  // As to_ms: no upper bound (a trade at exactly this time is included).
  static constexpr std::int64_t kEndOfTime = std::numeric_limits<std::int64_t>::max();

  // Opens the journal directory read-only. Fails with a message naming the
  // path if nothing was recorded there, it is not a trade journal, its format
  // version differs, or this process already has it open (a recorder's own
  // process reads TradeRecorder::summary_at_open() instead).
  static Result<std::unique_ptr<TradeJournal>> open(const std::string& path);
  ~TradeJournal();
  TradeJournal(const TradeJournal&) = delete;
  TradeJournal& operator=(const TradeJournal&) = delete;

  // The trades with from_ms <= transact_time_ms < to_ms (to_ms == kEndOfTime:
  // no upper bound). An empty range when to_ms <= from_ms.
  Result<std::unique_ptr<TradeJournalCursor>> cursor(std::int64_t from_ms, std::int64_t to_ms) const;

  // Calls visit with each trade of [from_ms, to_ms) in key order until it
  // returns false. Returns how many trades visit was given, or the first
  // read error (after visiting the trades before it).
  Result<std::uint64_t> for_each(std::int64_t from_ms, std::int64_t to_ms,
                                 const std::function<bool(const AggTrade&)>& visit) const;

  // Trade count, first and last transact time, next sequence, and per symbol
  // count, times and last agg id, all from one snapshot; cheap (no scan).
  Result<JournalSummary> summary() const;

  const std::string& path() const;

 private:
  explicit TradeJournal(std::unique_ptr<storage_internal::JournalEnv> env);
  std::unique_ptr<storage_internal::JournalEnv> env_;
};

}  // namespace alphastream
