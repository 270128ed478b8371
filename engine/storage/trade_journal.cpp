#include "storage/trade_journal.h"

#include <lmdb.h>

#include "storage/journal_env.h"

namespace alphastream {

using storage_internal::as_view;
using storage_internal::JournalEnv;
using storage_internal::TxnGuard;

TradeJournalCursor::~TradeJournalCursor() { release(); }

void TradeJournalCursor::release() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
  if (txn_ != nullptr) mdb_txn_abort(txn_);
  cursor_ = nullptr;
  txn_ = nullptr;
}

Result<bool> TradeJournalCursor::fail(Status status) {
  release();
  failure_ = std::move(status);
  return failure_;
}

Result<bool> TradeJournalCursor::next(AggTrade& out) {
  if (!failure_.is_ok()) return failure_;
  if (done_) return false;
  MDB_val key;
  MDB_val value;
  int rc;
  if (!started_) {
    started_ = true;
    TradeKeyBytes start = encode_trade_key({from_ms_, 0});
    key = MDB_val{start.size(), start.data()};
    rc = mdb_cursor_get(cursor_, &key, &value, MDB_SET_RANGE);
  } else {
    rc = mdb_cursor_get(cursor_, &key, &value, MDB_NEXT);
  }
  if (rc == MDB_NOTFOUND) {
    done_ = true;
    release();
    return false;
  }
  if (rc != 0) return fail(Status::error(env_->error("mdb_cursor_get", rc)));

  const Result<TradeKey> decoded = decode_trade_key(as_view(key));
  if (!decoded) return fail(Status::error("trade journal " + env_->path() + ": " + decoded.error()));
  if (to_ms_ != TradeJournal::kEndOfTime && decoded->transact_time_ms >= to_ms_) {
    done_ = true;
    release();
    return false;
  }
  const auto where = [&] {
    return "trade journal " + env_->path() + ": " + describe_trade_key(as_view(key));
  };
  if (Status status = decode_trade_value(as_view(value), out); !status) {
    return fail(Status::error(where() + ": " + status.message()));
  }
  if (out.transact_time_ms != decoded->transact_time_ms) {
    return fail(Status::error(where() +
                              ": the record says transact_time_ms=" + std::to_string(out.transact_time_ms)));
  }
  sequence_ = decoded->sequence;
  return true;
}

Result<std::unique_ptr<TradeJournal>> TradeJournal::open(const std::string& path) {
  Result<std::unique_ptr<JournalEnv>> env = JournalEnv::open(path, JournalEnv::Mode::kRead, 0);
  if (!env) return env.status();
  return std::unique_ptr<TradeJournal>(new TradeJournal(std::move(*env)));
}

TradeJournal::TradeJournal(std::unique_ptr<JournalEnv> env) : env_(std::move(env)) {}

TradeJournal::~TradeJournal() = default;

const std::string& TradeJournal::path() const { return env_->path(); }

Result<std::unique_ptr<TradeJournalCursor>> TradeJournal::cursor(std::int64_t from_ms,
                                                                 std::int64_t to_ms) const {
  return TradeJournalCursor::open(env_.get(), from_ms, to_ms);
}

Result<std::unique_ptr<TradeJournalCursor>> TradeJournalCursor::open(const JournalEnv* env, std::int64_t from_ms,
                                                                     std::int64_t to_ms) {
  std::unique_ptr<TradeJournalCursor> cursor(new TradeJournalCursor(env, from_ms, to_ms));
  if (to_ms != TradeJournal::kEndOfTime && to_ms <= from_ms) {
    cursor->done_ = true;
    return cursor;
  }
  Result<MDB_txn*> txn = env->begin_read();
  if (!txn) return txn.status();
  cursor->txn_ = *txn;
  if (int rc = mdb_cursor_open(cursor->txn_, env->trades(), &cursor->cursor_); rc != 0) {
    cursor->cursor_ = nullptr;
    return Status::error(env->error("mdb_cursor_open", rc));
  }
  return cursor;
}

Result<std::uint64_t> TradeJournal::for_each(std::int64_t from_ms, std::int64_t to_ms,
                                             const std::function<bool(const AggTrade&)>& visit) const {
  Result<std::unique_ptr<TradeJournalCursor>> cursor = this->cursor(from_ms, to_ms);
  if (!cursor) return cursor.status();
  std::uint64_t visited = 0;
  AggTrade trade;
  while (true) {
    Result<bool> more = (*cursor)->next(trade);
    if (!more) return more.status();
    if (!*more) return visited;
    ++visited;
    if (!visit(trade)) return visited;
  }
}

Result<JournalSummary> TradeJournal::summary() const {
  Result<MDB_txn*> txn = env_->begin_read();
  if (!txn) return txn.status();
  TxnGuard guard(*txn);
  return env_->read_summary(*txn);
}

}  // namespace alphastream
