#include "source/journal_trade_stream.h"

namespace alphastream {

Result<std::unique_ptr<JournalTradeStream>> JournalTradeStream::open(const std::string& path, std::int64_t from_ms,
                                                                     std::int64_t to_ms) {
  auto journal = TradeJournal::open(path);
  if (!journal) return Status::invalid_input(journal.error());
  auto cursor = journal.value()->cursor(from_ms, to_ms);
  if (!cursor) return Status::invalid_input(cursor.error());
  return std::unique_ptr<JournalTradeStream>(
      new JournalTradeStream(std::move(journal.value()), std::move(cursor.value())));
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
