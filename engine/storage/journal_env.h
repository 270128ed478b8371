// The LMDB environment of one trade journal directory, shared by the
// recorder (the only writer) and the reader. Internal to engine/storage.
//
// The directory holds LMDB's data.mdb and lock.mdb, plus recorder.lock,
// which a recorder holds (flock) while it is open so that two recorders
// never assign the same sequence numbers. Two named databases:
//   "trades"  key and value as in trade_record.h
//   "meta"    "format_version" -> 1 byte; "next_sequence" -> 8 bytes LE;
//             "symbol:<name>" -> a SymbolSummary (trade_record.h)
// The recorder updates "meta" in the same transaction as the trades it
// describes, so a reader always sees the two agree.
#pragma once

#include <lmdb.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"
#include "storage/trade_record.h"

namespace alphastream::storage_internal {

inline constexpr std::string_view kNextSequenceKey = "next_sequence";
inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kSymbolKeyPrefix = "symbol:";

inline MDB_val as_val(std::string_view bytes) {
  return MDB_val{bytes.size(), const_cast<char*>(bytes.data())};
}
inline std::string_view as_view(const MDB_val& val) {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

// Aborts a transaction on every path out of a function unless released.
class TxnGuard {
 public:
  explicit TxnGuard(MDB_txn* txn) : txn_(txn) {}
  ~TxnGuard() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  TxnGuard(const TxnGuard&) = delete;
  TxnGuard& operator=(const TxnGuard&) = delete;
  MDB_txn* release() { return std::exchange(txn_, nullptr); }

 private:
  MDB_txn* txn_;
};

// Closes a cursor on every path out of a function.
class CursorGuard {
 public:
  CursorGuard() = default;
  ~CursorGuard() {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  }
  CursorGuard(const CursorGuard&) = delete;
  CursorGuard& operator=(const CursorGuard&) = delete;
  MDB_cursor** out() { return &cursor_; }
  MDB_cursor* get() const { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
};

// "symbol:<name>": the meta key of a symbol's SymbolSummary, built without
// allocating (the recorder writes it per batch).
class SymbolSummaryKey {
 public:
  // Symbol names are at most Symbol::kMaxSize bytes; longer is cut.
  explicit SymbolSummaryKey(std::string_view symbol)
      : size_(kSymbolKeyPrefix.size() + std::min(symbol.size(), Symbol::kMaxSize)) {
    std::copy(kSymbolKeyPrefix.begin(), kSymbolKeyPrefix.end(), bytes_.begin());
    std::copy_n(symbol.begin(), size_ - kSymbolKeyPrefix.size(), bytes_.begin() + kSymbolKeyPrefix.size());
  }
  MDB_val val() { return MDB_val{size_, bytes_.data()}; }

 private:
  std::array<char, kSymbolKeyPrefix.size() + Symbol::kMaxSize> bytes_{};
  std::size_t size_;
};

// "trade journal <path>: <call>: <LMDB's message>"
std::string lmdb_error(const std::string& path, std::string_view call, int rc);

class JournalEnv {
 public:
  enum class Mode { kRecord, kRead };

  // kRecord creates the directory and the databases if missing, takes
  // recorder.lock and maps map_size_bytes. kRead opens read-only (it works
  // while a recorder in another process writes) and fails if nothing was
  // ever recorded there. Either fails if this process already has the
  // journal open: LMDB forbids opening one environment twice in a process
  // (closing either would drop the other's locks).
  static Result<std::unique_ptr<JournalEnv>> open(const std::string& path, Mode mode,
                                                  std::size_t map_size_bytes);
  ~JournalEnv();
  JournalEnv(const JournalEnv&) = delete;
  JournalEnv& operator=(const JournalEnv&) = delete;

  MDB_env* env() const { return env_; }
  MDB_dbi trades() const { return trades_; }
  MDB_dbi meta() const { return meta_; }
  const std::string& path() const { return path_; }
  std::string error(std::string_view call, int rc) const { return lmdb_error(path_, call, rc); }

  // Begins a read-only transaction, following the map if a recorder grew it.
  Result<MDB_txn*> begin_read() const;
  // Reads the summary as of txn's snapshot.
  Result<JournalSummary> read_summary(MDB_txn* txn) const;

 private:
  JournalEnv(std::string path, std::string registered_path)
      : path_(std::move(path)), registered_path_(std::move(registered_path)) {}
  Status open_env(Mode mode, std::size_t map_size_bytes);
  Status open_databases(Mode mode);
  Status take_recorder_lock();

  const std::string path_;
  const std::string registered_path_;  // canonical, in the per-process registry
  MDB_env* env_ = nullptr;
  MDB_dbi trades_ = 0;
  MDB_dbi meta_ = 0;
  int recorder_lock_fd_ = -1;
};

}  // namespace alphastream::storage_internal
