#include "storage/journal_repair.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "storage/journal_env.h"

namespace alphastream {

using storage_internal::as_view;
using storage_internal::CursorGuard;
using storage_internal::JournalEnv;
using storage_internal::SymbolSummaryKey;
using storage_internal::TxnGuard;

namespace {

// Deleting copies pages before it frees any: room beyond what is stored.
constexpr std::size_t kRepairHeadroomBytes = std::size_t{256} << 20;

std::vector<SymbolSummary> by_name(const std::map<std::string, SymbolSummary>& symbols) {
  std::vector<SymbolSummary> out;
  for (const auto& [name, summary] : symbols) out.push_back(summary);
  return out;
}

}  // namespace

Result<JournalRepair> drop_journal_records(const std::string& path, const std::vector<TradeKey>& keys) {
  std::error_code ec;
  const auto stored = std::filesystem::file_size(std::filesystem::path(path) / "data.mdb", ec);
  // Record mode would create a journal where there is none.
  if (ec) return Status::invalid_input("trade journal " + path + ": no data.mdb there (nothing was recorded)");
  auto env = JournalEnv::open(path, JournalEnv::Mode::kRecord, stored + kRepairHeadroomBytes);
  if (!env) return env.status();
  JournalEnv& journal = *env.value();

  MDB_txn* raw = nullptr;
  if (int rc = mdb_txn_begin(journal.env(), nullptr, 0, &raw); rc != 0) {
    return Status::error(journal.error("mdb_txn_begin", rc));
  }
  TxnGuard txn(raw);
  Result<JournalSummary> summary = journal.read_summary(raw);
  if (!summary) return summary.status();
  JournalRepair repair;
  std::map<std::string, SymbolSummary> before;
  for (const SymbolSummary& symbol : summary->symbols) before[std::string(symbol.symbol.view())] = symbol;
  repair.before = by_name(before);

  for (const TradeKey& key : keys) {
    TradeKeyBytes bytes = encode_trade_key(key);
    MDB_val val{bytes.size(), bytes.data()};
    const int rc = mdb_del(raw, journal.trades(), &val, nullptr);
    if (rc == MDB_NOTFOUND) continue;
    if (rc != 0) return Status::error(journal.error("mdb_del", rc));
    ++repair.dropped;
  }

  // Every remaining record, in key order, makes the summaries anew. The
  // cursor is closed here: a write transaction's commit frees its cursors.
  std::map<std::string, SymbolSummary> after;
  {
    CursorGuard cursor;
    if (int rc = mdb_cursor_open(raw, journal.trades(), cursor.out()); rc != 0) {
      return Status::error(journal.error("mdb_cursor_open", rc));
    }
    MDB_val key, value;
    int rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_NEXT)) {
      AggTrade trade;
      if (Status decoded = decode_trade_value(as_view(value), trade); !decoded) {
        return Status::error("trade journal " + path + ": " + decoded.message());
      }
      after[std::string(trade.symbol.view())].add(trade);
    }
    if (rc != MDB_NOTFOUND) return Status::error(journal.error("mdb_cursor_get", rc));
  }

  std::map<std::string, SymbolSummary> every = after;
  every.insert(before.begin(), before.end());
  for (const auto& [name, unused] : every) {
    SymbolSummaryKey meta_key(name);
    MDB_val meta = meta_key.val();
    const auto found = after.find(name);
    if (found == after.end()) {
      if (int del = mdb_del(raw, journal.meta(), &meta, nullptr); del != 0 && del != MDB_NOTFOUND) {
        return Status::error(journal.error("mdb_del symbol summary " + name, del));
      }
      continue;
    }
    SymbolSummaryBytes bytes = encode_symbol_summary(found->second);
    MDB_val summary_value{bytes.size(), bytes.data()};
    if (int put = mdb_put(raw, journal.meta(), &meta, &summary_value, 0); put != 0) {
      return Status::error(journal.error("mdb_put symbol summary " + name, put));
    }
  }
  if (int commit = mdb_txn_commit(txn.release()); commit != 0) {
    return Status::error(journal.error("mdb_txn_commit", commit));
  }
  repair.after = by_name(after);
  return repair;
}

}  // namespace alphastream
