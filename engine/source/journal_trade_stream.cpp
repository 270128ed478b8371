#include "source/journal_trade_stream.h"

namespace alphastream {

Result<std::unique_ptr<JournalTradeStream>> JournalTradeStream::open(const std::string& path, std::int64_t from_ms,
                                                                     std::int64_t to_ms) {
  auto journal = TradeJournal::open(path);
  if (!journal) return Status::invalid_input(journal.error());
  // The summary is one snapshot and the cursor another: a recorder beside
  // the replay may add trades between the two, so the total is a guide.
  std::uint64_t total = 0;
  if (auto summary = journal.value()->summary(); summary && summary->trade_count > 0 &&
                                                 from_ms <= summary->first_transact_time_ms &&
                                                 to_ms > summary->last_transact_time_ms) {
    total = summary->trade_count;
  }
  auto cursor = journal.value()->cursor(from_ms, to_ms);
  if (!cursor) return Status::invalid_input(cursor.error());
  return std::unique_ptr<JournalTradeStream>(
      new JournalTradeStream(std::move(journal.value()), std::move(cursor.value()), total));
}

Result<bool> JournalTradeStream::next(AggTrade& out) {
  auto more = cursor_->next(out);
  if (more.is_ok() && more.value()) ++trades_;
  return more;
}

std::vector<std::string> JournalTradeStream::summary() const {
  return {journal_->path() + ": " + std::to_string(trades_) + " trades replayed"};
}

}  // namespace alphastream
