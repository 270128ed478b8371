// The backtest's trades: each symbol's Binance aggTrades files (.csv or
// .zip, a day or a month each; SymbolFileStream), merged across symbols by
// transact time.
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
#include "source/symbol_files.h"

namespace alphastream {

class CsvTradeStream : public TradeStream {
 public:
  struct Source {
    std::string symbol;           // upper-case; stamped on its files' trades
    std::vector<DataFile> files;  // as find_data_files orders them; not empty
  };

  // Opens every source's first file and reads its first trade. Ties in
  // transact time go to the source listed first, so the merge order is
  // total. A file that cannot be opened is Status::invalid_input naming its
  // path. Only trades within `range` are read. With read_ahead each
  // source's files are parsed on a thread of its own (PrefetchTradeStream),
  // the merge staying here: the same trades in the same order; a source
  // whose every file has a catalog entry is read here.
  static Result<std::unique_ptr<CsvTradeStream>> open(std::span<const Source> sources, const CsvImportOptions& options,
                                                      TimeRange range = {}, bool read_ahead = true);

  Result<bool> next(AggTrade& out) override;
  // The merge, a block of each source at a time.
  Result<std::size_t> read(std::span<AggTrade> out) override;
  std::vector<std::string> summary() const override;
  std::vector<std::string> skipped_rows() const override;
  Progress progress() const override;  // the sum over the symbols' files
  unsigned own_threads() const override;

 private:
  CsvTradeStream() = default;
  // Reads source index's next block (none left: an empty one); with more
  // than two sources, pushes its first trade on the heap.
  Status refill(std::size_t index);
  // read() for two sources (a pair's legs): the source of each trade picked
  // without a branch, since which leg trades next is a coin toss that the
  // heap's branches mispredict. An error is left in deferred_error_.
  std::size_t merge_two(std::span<AggTrade> out);

  // Each source's trades read but not yet merged: block[position, end).
  struct Pending {
    std::vector<AggTrade> block;
    std::size_t position = 0;
    std::size_t end = 0;
  };
  std::vector<std::unique_ptr<TradeStream>> readers_;
  std::vector<Pending> pending_;
  // (transact time, source index) of each source's next trade, the
  // smallest first; unused with two sources (merge_two).
  using HeapEntry = std::pair<std::int64_t, std::size_t>;
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
};

}  // namespace alphastream
