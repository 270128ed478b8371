// Historical aggregate trades from data.binance.vision files
// (`<SYMBOL>-aggTrades-<YYYY-MM-DD>.csv` or the `.zip` holding it), read as a
// stream in agg id order. Memory stays flat whatever the file size: 1 MiB of
// input buffer plus a reorder buffer of at most reorder_window + 1 rows.
//
// Layouts, with or without the header line, told apart per file by the
// header or the first row's field count:
//   futures (USD-M `futures/um`, COIN-M `futures/cm`, quantities in contracts):
//     agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker
//     26129,0.01633102,4.70443515,27781,27781,1498793709153,true
//   spot (`spot/`): the same and is_best_match; transact_time in
//   microseconds since 2025, milliseconds before (told apart by magnitude,
//   row by row; the microseconds are kept in AggTrade::transact_time_us)
//     1,0.5,2.0,1,1,1735689600123456,true,true
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "feed/data_file_source.h"
#include "feed/agg_id_sequencer.h"

namespace alphastream {

enum class CsvLayout : std::uint8_t { kFutures, kSpot };
std::string_view csv_layout_name(CsvLayout layout);  // "futures", "spot"
// The header line of a layout, as AggTradeCsvWriter writes it.
std::string_view csv_layout_header(CsvLayout layout);

struct CsvImportOptions {
  Symbol symbol;  // stamped on every trade (the file does not carry it)
  // Skip and count malformed rows instead of stopping at the first one.
  bool skip_bad_rows = false;
  // Rows held back to put out-of-order ids in order; 0 passes rows through.
  std::size_t reorder_window = 65536;
  // Where the binary catalog of imported files lives (TradeCatalog); empty:
  // none. Read by SymbolFileStream, not by the reader.
  std::string catalog_dir;
  // A `\r`-updated progress line on stderr, at most ~5 updates a second.
  bool show_progress = false;
};

struct CsvImportStats {
  static constexpr std::size_t kMaxSkipMessages = 20;

  // Data rows read so far; header and blank lines are not rows. At the end
  // rows == accepted + duplicates_dropped + bad_rows_skipped + rows still
  // buffered (none once next() returned false).
  std::uint64_t rows = 0;
  std::uint64_t accepted = 0;            // trades handed out by next()
  std::uint64_t duplicates_dropped = 0;  // ids already handed out or buffered
  std::uint64_t gaps = 0;                // holes in the handed-out id sequence
  std::uint64_t missing_ids = 0;         // ids in those holes
  std::uint64_t bad_rows_skipped = 0;    // only with skip_bad_rows
  // Rows that arrived after a higher id and were put back in order.
  std::uint64_t reordered_rows = 0;
  // Most rows the reorder buffer held at once (<= reorder_window + 1).
  std::uint64_t max_buffered_rows = 0;
  bool header_present = false;
  CsvLayout layout = CsvLayout::kFutures;  // as found in the header or the first row
  std::uint64_t microsecond_rows = 0;      // rows timed in microseconds
  // "<path>:<line>: <problem>" for the first kMaxSkipMessages skipped rows.
  std::vector<std::string> skipped_row_messages;
};

// "<path>: N rows, M accepted, ..." for one imported file.
std::string import_summary(const std::string& path, const CsvImportStats& stats);

class AggTradeCsvReader {
 public:
  // Opens a .csv file, or a .zip (recognised by its signature, not its name)
  // holding exactly one file, which is decompressed as it is read.
  // Returns an error naming the path if it cannot be opened.
  static Result<std::unique_ptr<AggTradeCsvReader>> open(const std::string& path,
                                                         CsvImportOptions options);
  ~AggTradeCsvReader();
  AggTradeCsvReader(const AggTradeCsvReader&) = delete;
  AggTradeCsvReader& operator=(const AggTradeCsvReader&) = delete;

  // Stores the next trade in agg id order and returns true, or returns false
  // at the end of the file. Returns an error ("<path>:<line>: ...") for a
  // malformed row (unless skip_bad_rows), a row that arrives too late to be
  // put in order, or a read failure; after an error every call returns it.
  // A bad row is reported when it is read, so rows buffered before it are
  // not handed out. Allocates nothing except to build an error or skip
  // message (the reorder buffer grows, by doubling, to its bound and stays).
  Result<bool> next(AggTrade& out);

  const CsvImportStats& stats() const { return stats_; }
  // The share of the input read, 0 to 1 (of the uncompressed bytes for a
  // zip; 0 while the size is unknown).
  double fraction_read() const;
  // One line for a person: "<path>: 1000 rows, 998 accepted, ...".
  std::string summary() const;


 private:
  // A parsed row waiting in the reorder buffer.
  struct Pending {
    AggTrade trade;
    std::uint64_t line = 0;     // ties between equal ids go to the first read
    bool arrived_late = false;  // a higher id had already been read
    bool microseconds = false;  // its transact_time was in microseconds
  };
  struct GapRange {
    std::int64_t first;
    std::int64_t last;
  };

  AggTradeCsvReader(std::string path, CsvImportOptions options, std::unique_ptr<DataFileSource> source);

  // Sets *line to the next non-blank line (without its end of line), or
  // returns false at the end of input.
  Result<bool> next_line(std::string_view* line);
  // Returns whether the first line is the header (dropping a UTF-8 byte
  // order mark before it), or an error if it is the header of another layout.
  Result<bool> take_header(std::string_view* line);
  // Parses one data line; on a malformed row returns its message.
  Status parse_row(std::string_view line, Pending* row) const;
  // Counts and keeps a skipped row's message, or returns it as the error.
  Status bad_row(std::string message);
  // Makes status the answer to this and every later next().
  Status fail(Status status);
  // Buffers a parsed row, drops it if its id was handed out, or returns the
  // too-late error if its id lies in a hole already handed out.
  Status accept_arrival(Pending row);
  // Takes the lowest buffered row; returns true if it is handed out (not a
  // duplicate).
  bool emit_lowest(AggTrade& out);
  // REQUIRES: id <= the last id handed out. False when id lies in a hole,
  // before the first id, or before every hole still remembered (unknown:
  // treated as late so that no trade is dropped silently).
  bool was_handed_out(std::int64_t id) const;
  void remember_gap(std::int64_t first, std::int64_t last);
  void report_progress(bool final_update);
  std::string where() const;  // "<path>:<line>"

  const std::string path_;
  const CsvImportOptions options_;
  std::unique_ptr<DataFileSource> source_;
  CsvImportStats stats_;
  Status failure_;

  // Input: bytes [begin_, end_) of buffer_ are read but not yet split.
  std::vector<char> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool input_done_ = false;  // the source is exhausted
  bool lines_done_ = false;  // and every line in the buffer was taken
  std::uint64_t line_number_ = 0;
  bool first_line_ = true;
  CsvLayout layout_ = CsvLayout::kFutures;  // set from the header or the first row

  // The reorder buffer, at most reorder_window + 1 rows in all. Rows read
  // in increasing id order queue in a FIFO (O(1), the usual case); rows
  // that arrive after a higher id go to a min-heap on (agg id, line). The
  // lower of the two fronts goes out first.
  std::size_t buffered() const { return in_order_size_ + late_heap_.size(); }
  void push_in_order(const Pending& row);
  Pending pop_lowest();
  std::vector<Pending> in_order_;  // a ring; grows by doubling up to the window
  std::size_t in_order_head_ = 0;
  std::size_t in_order_size_ = 0;
  std::vector<Pending> late_heap_;
  std::int64_t highest_id_read_ = 0;
  bool any_row_read_ = false;

  AggIdSequencer sequencer_;  // sees the ids in the order handed out
  std::int64_t first_emitted_id_ = 0;
  // The most recent holes handed out, oldest first in ring order, so a late
  // row can be told from a duplicate; older ones are forgotten.
  static constexpr std::size_t kMaxGapRanges = 4096;
  std::vector<GapRange> gap_ring_;
  std::size_t gap_ring_start_ = 0;
  bool gaps_forgotten_ = false;

  // Progress.
  std::int64_t started_ns_ = 0;
  std::int64_t last_progress_ns_ = 0;
  bool progress_finished_ = false;
};

}  // namespace alphastream
