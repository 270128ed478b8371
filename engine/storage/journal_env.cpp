#include "storage/journal_env.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <utility>

namespace alphastream::storage_internal {
namespace {

constexpr const char* kTradesDbName = "trades";
constexpr const char* kMetaDbName = "meta";
constexpr const char* kRecorderLockName = "recorder.lock";

// Canonical paths of the journals this process has open.
std::mutex g_open_mutex;
std::set<std::string>& open_paths() {
  static std::set<std::string> paths;
  return paths;
}

bool register_open(const std::string& canonical) {
  std::lock_guard<std::mutex> lock(g_open_mutex);
  return open_paths().insert(canonical).second;
}

void unregister_open(const std::string& canonical) {
  std::lock_guard<std::mutex> lock(g_open_mutex);
  open_paths().erase(canonical);
}

std::string journal_prefix(const std::string& path) { return "trade journal " + path + ": "; }

std::uint64_t get_le64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

}  // namespace

std::string lmdb_error(const std::string& path, std::string_view call, int rc) {
  std::string out = journal_prefix(path);
  out.append(call);
  out.append(": ");
  out.append(mdb_strerror(rc));
  return out;
}

Result<std::unique_ptr<JournalEnv>> JournalEnv::open(const std::string& path, Mode mode,
                                                     std::size_t map_size_bytes) {
  namespace fs = std::filesystem;
  if (path.empty()) return Status::invalid_input("trade journal: the path is empty");
  std::error_code ec;
  if (mode == Mode::kRecord) {
    fs::create_directories(path, ec);
    if (ec) return Status::error(journal_prefix(path) + "cannot create the directory: " + ec.message());
  } else if (!fs::is_directory(path, ec)) {
    return Status::error(journal_prefix(path) + "no such directory (nothing was recorded there)");
  } else if (!fs::exists(fs::path(path) / "data.mdb", ec)) {
    return Status::error(journal_prefix(path) + "no data.mdb in the directory (nothing was recorded there)");
  }
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) return Status::error(journal_prefix(path) + "cannot resolve the path: " + ec.message());
  if (!register_open(canonical.string())) {
    return Status::error(journal_prefix(path) +
                         "already open in this process (LMDB allows one open per process: read it "
                         "through the recorder or close that first)");
  }
  std::unique_ptr<JournalEnv> journal(new JournalEnv(path, canonical.string()));
  if (mode == Mode::kRecord) {
    if (Status status = journal->take_recorder_lock(); !status) return status;
  }
  if (Status status = journal->open_env(mode, map_size_bytes); !status) return status;
  if (Status status = journal->open_databases(mode); !status) return status;
  return journal;
}

JournalEnv::~JournalEnv() {
  if (env_ != nullptr) mdb_env_close(env_);
  if (recorder_lock_fd_ >= 0) ::close(recorder_lock_fd_);
  unregister_open(registered_path_);
}

Status JournalEnv::take_recorder_lock() {
  const std::string lock_path = (std::filesystem::path(path_) / kRecorderLockName).string();
  recorder_lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (recorder_lock_fd_ < 0) {
    return Status::error(journal_prefix(path_) + "cannot open " + kRecorderLockName + ": " +
                         std::strerror(errno));
  }
  if (::flock(recorder_lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EWOULDBLOCK) {
      return Status::error(journal_prefix(path_) + "another process is recording into it");
    }
    return Status::error(journal_prefix(path_) + "cannot lock " + kRecorderLockName + ": " +
                         std::strerror(error));
  }
  return Status::ok();
}

Status JournalEnv::open_env(Mode mode, std::size_t map_size_bytes) {
  if (int rc = mdb_env_create(&env_); rc != 0) {
    env_ = nullptr;
    return Status::error(error("mdb_env_create", rc));
  }
  if (int rc = mdb_env_set_maxdbs(env_, 2); rc != 0) return Status::error(error("mdb_env_set_maxdbs", rc));
  if (mode == Mode::kRecord) {
    if (int rc = mdb_env_set_mapsize(env_, map_size_bytes); rc != 0) {
      return Status::error(error("mdb_env_set_mapsize", rc));
    }
  }
  // Default sync flags: a commit is on disk when it returns. NOTLS lets a
  // reader keep several cursors (each its own snapshot) on one thread.
  const unsigned int flags = mode == Mode::kRecord ? 0u : MDB_RDONLY | MDB_NOTLS;
  if (int rc = mdb_env_open(env_, path_.c_str(), flags, 0644); rc != 0) {
    return Status::error(error("mdb_env_open", rc));
  }
  return Status::ok();
}

Status JournalEnv::open_databases(Mode mode) {
  MDB_txn* raw = nullptr;
  if (mode == Mode::kRecord) {
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &raw); rc != 0)
      return Status::error(error("mdb_txn_begin", rc));
  } else {
    Result<MDB_txn*> txn = begin_read();
    if (!txn) return txn.status();
    raw = *txn;
  }
  TxnGuard txn(raw);
  const unsigned int create = mode == Mode::kRecord ? MDB_CREATE : 0u;
  for (auto [name, dbi] : {std::pair{kTradesDbName, &trades_}, std::pair{kMetaDbName, &meta_}}) {
    const int rc = mdb_dbi_open(raw, name, create, dbi);
    if (rc == MDB_NOTFOUND) {
      return Status::error(journal_prefix(path_) + "not a trade journal (no '" + name + "' database)");
    }
    if (rc != 0) return Status::error(error(std::string("mdb_dbi_open ") + name, rc));
  }
  MDB_val key = as_val(kFormatVersionKey);
  MDB_val value;
  int rc = mdb_get(raw, meta_, &key, &value);
  if (rc == MDB_NOTFOUND && mode == Mode::kRecord) {
    const std::uint8_t version = kTradeRecordVersion;
    value = MDB_val{1, const_cast<std::uint8_t*>(&version)};
    rc = mdb_put(raw, meta_, &key, &value, 0);
    if (rc != 0) return Status::error(error("mdb_put format_version", rc));
  } else if (rc == MDB_NOTFOUND) {
    return Status::error(journal_prefix(path_) + "not a trade journal (no format_version)");
  } else if (rc != 0) {
    return Status::error(error("mdb_get format_version", rc));
  } else if (value.mv_size != 1 || *static_cast<const std::uint8_t*>(value.mv_data) != kTradeRecordVersion) {
    const int found = value.mv_size == 1 ? *static_cast<const std::uint8_t*>(value.mv_data) : -1;
    return Status::error(journal_prefix(path_) + "format version " + std::to_string(found) +
                         ", this build reads and writes version " + std::to_string(kTradeRecordVersion));
  }
  // Committing (even read-only) keeps the database handles for later transactions.
  if (rc = mdb_txn_commit(txn.release()); rc != 0) return Status::error(error("mdb_txn_commit", rc));
  return Status::ok();
}

Result<MDB_txn*> JournalEnv::begin_read() const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc == MDB_MAP_RESIZED) {
    // A recorder opened with a bigger map since we opened: adopt its size.
    rc = mdb_env_set_mapsize(env_, 0);
    if (rc != 0) return Status::error(error("mdb_env_set_mapsize", rc));
    rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  }
  if (rc != 0) return Status::error(error("mdb_txn_begin (read-only)", rc));
  return txn;
}

Result<JournalSummary> JournalEnv::read_summary(MDB_txn* txn) const {
  JournalSummary summary;
  MDB_stat stat;
  if (int rc = mdb_stat(txn, trades_, &stat); rc != 0) return Status::error(error("mdb_stat", rc));
  summary.trade_count = stat.ms_entries;

  CursorGuard trades;
  if (int rc = mdb_cursor_open(txn, trades_, trades.out()); rc != 0) {
    return Status::error(error("mdb_cursor_open", rc));
  }
  for (auto [op, time] : {std::pair{MDB_FIRST, &summary.first_transact_time_ms},
                          std::pair{MDB_LAST, &summary.last_transact_time_ms}}) {
    MDB_val key, value;
    const int rc = mdb_cursor_get(trades.get(), &key, &value, op);
    if (rc == MDB_NOTFOUND) break;
    if (rc != 0) return Status::error(error("mdb_cursor_get", rc));
    Result<TradeKey> decoded = decode_trade_key(as_view(key));
    if (!decoded) return Status::error(journal_prefix(path_) + decoded.error());
    *time = decoded->transact_time_ms;
  }

  MDB_val key = as_val(kNextSequenceKey);
  MDB_val value;
  int rc = mdb_get(txn, meta_, &key, &value);
  if (rc == 0 && value.mv_size != 8) {
    return Status::error(journal_prefix(path_) + "next_sequence has " + std::to_string(value.mv_size) +
                         " bytes, expected 8");
  }
  if (rc == 0) summary.next_sequence = get_le64(as_view(value));
  if (rc != 0 && rc != MDB_NOTFOUND) return Status::error(error("mdb_get next_sequence", rc));

  CursorGuard meta;
  if (rc = mdb_cursor_open(txn, meta_, meta.out()); rc != 0)
    return Status::error(error("mdb_cursor_open", rc));
  key = as_val(kSymbolKeyPrefix);
  for (rc = mdb_cursor_get(meta.get(), &key, &value, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(meta.get(), &key, &value, MDB_NEXT)) {
    const std::string_view name = as_view(key);
    if (!name.starts_with(kSymbolKeyPrefix)) break;
    const std::string_view symbol = name.substr(kSymbolKeyPrefix.size());
    if (symbol.size() > Symbol::kMaxSize) {
      return Status::error(journal_prefix(path_) + "symbol '" + std::string(symbol) + "' is longer than " +
                           std::to_string(Symbol::kMaxSize) + " bytes");
    }
    Result<SymbolSummary> decoded = decode_symbol_summary(Symbol(symbol), as_view(value));
    if (!decoded) return Status::error(journal_prefix(path_) + decoded.error());
    summary.symbols.push_back(*decoded);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return Status::error(error("mdb_cursor_get", rc));
  return summary;
}

}  // namespace alphastream::storage_internal
