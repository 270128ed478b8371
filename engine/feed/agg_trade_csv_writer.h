// Writes aggTrade rows in a data.binance.vision layout that
// engine/feed/agg_trade_csv.h reads: futures (transact_time in ms)
//   agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker
// or spot as Binance writes it since 2025 (transact_time in microseconds,
// is_best_match true).
// Prices and quantities print in the shortest fixed form that reads back to
// the same double, so a written file imports to exactly the trades given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "feed/agg_trade_csv.h"

namespace alphastream {

class AggTradeCsvWriter {
 public:
  // Nothing is touched until open().
  explicit AggTradeCsvWriter(std::string path, CsvLayout layout = CsvLayout::kFutures);
  // Closes the file without flushing: call close() to keep what was appended.
  ~AggTradeCsvWriter();
  AggTradeCsvWriter(const AggTradeCsvWriter&) = delete;
  AggTradeCsvWriter& operator=(const AggTradeCsvWriter&) = delete;

  // Creates the file, or truncates an existing one. Returns an error naming
  // the path if it cannot.
  Status open();

  // REQUIRES: open() succeeded and close() was not called, for each append.
  Status append_header();
  // Buffers one row (1 MiB at a time reaches the file); allocates nothing.
  // Returns an error naming the path on a write failure or when a field does
  // not fit a line.
  Status append(const AggTrade& trade);

  // Writes what is buffered and closes the file; errors name the path.
  Status close();

  const std::string& path() const { return path_; }
  // Trades appended so far (the header is not one).
  std::size_t rows() const { return rows_; }

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
  static constexpr std::size_t kMaxLineBytes = 256;  // a trade line is ~60

  // Keeps room for one more line of kMaxLineBytes after line_end.
  Status advance_to(char* line_end);
  Status flush();

  const std::string path_;
  const CsvLayout layout_;
  int fd_ = -1;
  std::vector<char> buffer_;
  std::size_t used_ = 0;  // bytes of buffer_ waiting to be written
  std::size_t rows_ = 0;
};

}  // namespace alphastream
