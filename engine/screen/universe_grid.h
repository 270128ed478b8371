// Every symbol of a universe forward filled onto one time-mode grid, so that
// any pair's observations are a range of its rows: the same observations a
// PairAligner (time mode) gives for that pair when fed the two legs merged by
// transact time, as the backtest does, and flushed at the end.
//
// Why one grid serves every pair: row r is the interval ending at
// ts_ms = (first_interval + r + 1) * interval_ms, and a symbol's price there
// is its last trade (file order) whose time, raised to the latest time of the
// symbol's earlier trades, is before ts_ms. In a merge by time a trade older
// than one already seen can only follow its own leg's newer trade, so the
// aligner applies it to the interval of that leg's latest time: the same
// rule. The aligner starts at the interval holding the later leg's first
// trade and ends, at flush, at the interval holding the last trade of either
// leg; pair_rows gives exactly that range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "source/trade_stream.h"

namespace alphastream {

// One symbol's trades reduced to the last price of each interval that holds
// a trade, in interval order.
struct IntervalCloses {
  std::string symbol;
  std::vector<std::int64_t> interval;  // k: the interval [k I, (k+1) I)
  std::vector<double> price;
  std::vector<std::string> import_summary;  // TradeStream::summary()
};

// Folds trades, in agg id order, into closes. Allocates only to grow.
class IntervalCloser {
 public:
  // REQUIRES: interval_ms > 0
  IntervalCloser(std::string symbol, std::int64_t interval_ms);
  void add(std::int64_t transact_time_ms, double price);
  IntervalCloses take() && { return std::move(closes_); }

 private:
  std::int64_t interval_ms_;
  std::int64_t latest_ms_ = 0;
  bool any_ = false;
  IntervalCloses closes_;
};

// Reads one symbol's trades (its files, as a SymbolFileStream) into closes.
// Returns the stream's error ("<path>:<line>: ...") or an error naming the
// symbol if it holds no trade.
Result<IntervalCloses> read_interval_closes(const std::string& symbol, TradeStream& trades, std::int64_t interval_ms);

class UniverseGrid {
 public:
  // Rows [begin, end) of the grid where a pair has observations.
  struct Rows {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t size() const { return end - begin; }
  };

  // Lays the symbols on one grid from the earliest first interval to the
  // latest last one. Memory: 16 bytes per symbol per row (prices and log
  // returns).
  // Returns an error if a symbol has no closes, a name repeats, or
  // interval_ms is not positive.
  static Result<UniverseGrid> build(std::vector<IntervalCloses> symbols, std::int64_t interval_ms);

  std::size_t symbol_count() const { return names_.size(); }
  std::size_t row_count() const { return rows_; }
  std::int64_t interval_ms() const { return interval_ms_; }
  const std::string& name(std::size_t symbol) const { return names_[symbol]; }
  // The observation time of a row: the end of its interval.
  std::int64_t row_ts_ms(std::size_t row) const {
    return (first_interval_ + static_cast<std::int64_t>(row) + 1) * interval_ms_;
  }

  // The symbol's price on every row, forward filled after its last close;
  // NaN before its first.
  std::span<const double> prices(std::size_t symbol) const { return column(prices_, symbol); }
  // log(price[r] / price[r-1]); NaN on and before the first priced row.
  std::span<const double> log_returns(std::size_t symbol) const { return column(log_returns_, symbol); }
  std::size_t first_row(std::size_t symbol) const { return first_row_[symbol]; }
  std::size_t last_row(std::size_t symbol) const { return last_row_[symbol]; }

  // From the row where both have a price to the later of their last rows.
  Rows pair_rows(std::size_t a, std::size_t b) const;

 private:
  std::span<const double> column(const std::vector<double>& data, std::size_t symbol) const {
    return std::span<const double>(data).subspan(symbol * rows_, rows_);
  }

  std::vector<std::string> names_;
  std::int64_t interval_ms_ = 0;
  std::int64_t first_interval_ = 0;
  std::size_t rows_ = 0;
  std::vector<std::size_t> first_row_;
  std::vector<std::size_t> last_row_;
  std::vector<double> prices_;       // symbol-major: prices_[symbol * rows_ + row]
  std::vector<double> log_returns_;  // same layout
};

}  // namespace alphastream
