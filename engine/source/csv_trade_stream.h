// The backtest's trades: one Binance aggTrades file (.csv or .zip) per
// symbol, merged by transact time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "source/trade_stream.h"
#include "feed/agg_trade_csv.h"

namespace alphastream {

class CsvTradeStream : public TradeStream {
 public:
  struct Source {
    std::string symbol;  // upper-case; stamped on its file's trades
    std::string path;
  };

  // Opens every source's file and reads its first trade. Ties in transact
  // time go to the source listed first, so the merge order is total.
  // A file that cannot be opened is Status::invalid_input naming its path.
  static Result<std::unique_ptr<CsvTradeStream>> open(std::span<const Source> sources, const CsvImportOptions& options);

  Result<bool> next(AggTrade& out) override;
  std::vector<std::string> summary() const override;
  std::vector<std::string> skipped_rows() const override;

 private:
  CsvTradeStream() = default;
  Status refill(std::size_t index);

  std::vector<std::unique_ptr<AggTradeCsvReader>> readers_;
  std::vector<AggTrade> heads_;
  // (transact time, source index): the smallest first.
  using HeapEntry = std::pair<std::int64_t, std::size_t>;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
};

}  // namespace alphastream
