// A range of an LMDB trade journal as a TradeStream: what `alphastream
// replay` and `feed.source: replay` read. The journal's key order (transact
// time, then arrival) is the stream's order, so every replay of a recording
// gives the same sequence.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "source/trade_stream.h"
#include "storage/trade_journal.h"

namespace alphastream {

class JournalTradeStream : public TradeStream {
 public:
  // Trades with from_ms <= transact_time_ms < to_ms. Fails (invalid_input)
  // naming the path when it is not a readable journal.
  static Result<std::unique_ptr<JournalTradeStream>> open(const std::string& path, std::int64_t from_ms,
                                                          std::int64_t to_ms);

  Result<bool> next(AggTrade& out) override;
  std::vector<std::string> summary() const override;
  // Trades read; the total is the journal's count when the range holds
  // all of it, else unknown (counting a range would cost a scan).
  Progress progress() const override { return {trades_, total_, ProgressMeter::Unit::kTrades}; }

 private:
  JournalTradeStream(std::unique_ptr<TradeJournal> journal, std::unique_ptr<TradeJournalCursor> cursor,
                     std::uint64_t total)
      : journal_(std::move(journal)), cursor_(std::move(cursor)), total_(total) {}

  std::unique_ptr<TradeJournal> journal_;
  std::unique_ptr<TradeJournalCursor> cursor_;
  std::uint64_t trades_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace alphastream
