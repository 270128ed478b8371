// A symbol's historical files, as data.binance.vision publishes them, read
// as one stream: daily `<SYMBOL>-aggTrades-YYYY-MM-DD` and monthly
// `<SYMBOL>-aggTrades-YYYY-MM` files (.csv, or the .zip holding it, each
// with or without its header line) in the order of the dates in their
// names, one file open at a time, so memory stays flat over months.
// Consecutive files may overlap (a month and its days): an id already
// handed out is dropped and counted. Holes between files (a day missing)
// count as gaps like holes within one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "core/time_range.h"
#include "feed/agg_id_sequencer.h"
#include "source/trade_catalog.h"
#include "feed/agg_trade_csv.h"
#include "source/trade_stream.h"

namespace alphastream {

// One file and what its name says.
struct DataFile {
  std::string path;
  std::string symbol_in_name;  // empty: the name does not follow the layout
  // The UTC span the name covers, [first_ms, end_ms): a day or a month.
  // Both 0 when the name carries no date.
  std::int64_t first_ms = 0;
  std::int64_t end_ms = 0;

  bool dated() const { return end_ms > first_ms; }
};

// What a data.binance.vision file name says: "BTCUSDT-aggTrades-2024-03-01.zip"
// is BTCUSDT on that day, "...-2024-03.csv" that month; anything else is
// nullopt (the file is still readable, undated).
std::optional<DataFile> parse_data_file_name(std::string_view path);

// Whether a --data (or --funding) spec is a glob pattern: it has *, ? or [.
bool has_glob_characters(std::string_view spec);
// The paths a glob pattern matches, sorted; an error (Status::invalid_input)
// names the pattern when nothing matches.
Result<std::vector<std::string>> expand_glob(const std::string& pattern);

// The files of `symbol` that `specs` name, each spec a file, a directory (its
// files named for the symbol) or a glob pattern; dated files in date order
// (a month before its days), undated ones after, as given. Errors
// (Status::invalid_input) name the spec: nothing matched, a file that cannot
// be read, or a file whose name says another symbol (unless
// allow_other_symbol: a renamed file the user vouches for).
Result<std::vector<DataFile>> find_data_files(const std::string& symbol, const std::vector<std::string>& specs,
                                              bool allow_other_symbol);

class SymbolFileStream final : public TradeStream {
 public:
  // REQUIRES: files non-empty, as find_data_files orders them. Files whose
  // dated span lies outside `range` are never opened. The first file is
  // opened here: an error naming it is Status::invalid_input.
  static Result<std::unique_ptr<SymbolFileStream>> open(std::vector<DataFile> files, CsvImportOptions options,
                                                        TimeRange range);

  // The symbol's next trade in id order (times within `range` only). A file
  // without a single data row is Status::invalid_input naming it.
  Result<bool> next(AggTrade& out) override;
  // As next(), a catalog entry's trades a block at a time.
  Result<std::size_t> read(std::span<AggTrade> out) override;
  // One line per file read, then one for the symbol when it spans files.
  std::vector<std::string> summary() const override;
  std::vector<std::string> skipped_rows() const override;
  // Bytes of the files on disk: those done, and the open one's share.
  Progress progress() const override;

  const Symbol& symbol() const { return options_.symbol; }
  std::uint64_t overlaps_dropped() const { return overlaps_dropped_; }
  // Files read from the catalog, and files catalogued by this read.
  std::uint64_t catalog_reads() const { return catalog_reads_; }
  std::uint64_t catalog_writes() const { return catalog_writes_; }
  std::uint64_t outside_range() const { return outside_range_; }

 private:
  SymbolFileStream(std::vector<DataFile> files, CsvImportOptions options, TimeRange range);
  // Opens files_[next_file_] (skipping those outside the range): its
  // catalog entry when one matches, else the file itself, catalogued as it
  // is read; false when none is left.
  Result<bool> open_next_file();
  Result<bool> read_open_file(AggTrade& out);
  // Whether a trade read from the open file goes out: within the range, and
  // no id already handed out (files may overlap); counts what it drops.
  bool admit(const AggTrade& trade);
  std::string open_file_summary() const;
  Result<bool> open_parsed(const std::string& path);

  std::vector<DataFile> files_;
  CsvImportOptions options_;
  TimeRange range_;
  std::size_t next_file_ = 0;
  std::uint64_t total_bytes_ = 0;     // of every file
  std::uint64_t finished_bytes_ = 0;  // of the files read or skipped
  std::uint64_t open_file_bytes_ = 0;
  std::unique_ptr<AggTradeCsvReader> reader_;  // the open file: parsed,
  std::unique_ptr<CatalogEntry> cached_;       // or its catalog entry
  std::unique_ptr<CatalogWriter> writer_;      // the parsed file's entry being written
  std::vector<std::string> file_summaries_;
  std::vector<std::string> skipped_;
  AggIdSequencer sequencer_;  // across files: overlaps and the holes between files
  std::uint64_t files_read_ = 0;
  std::uint64_t trades_ = 0;
  std::uint64_t overlaps_dropped_ = 0;
  std::uint64_t gaps_between_files_ = 0;
  std::uint64_t missing_between_files_ = 0;
  std::uint64_t outside_range_ = 0;
  std::uint64_t catalog_reads_ = 0;
  std::uint64_t catalog_writes_ = 0;
  bool file_start_ = true;  // the next trade is the current file's first
  // The open file's trades up to this id came from its catalog entry before
  // it broke: the parse passes them over.
  std::int64_t skip_through_id_ = -1;
};

// Inline: it runs for every trade.
inline bool SymbolFileStream::admit(const AggTrade& trade) {
  if (!range_.contains(trade.transact_time_ms)) {
    ++outside_range_;
    return false;
  }
  const bool first_of_file = file_start_;
  file_start_ = false;
  const AggIdSequencer::Observation seen = sequencer_.observe(trade.agg_trade_id);
  if (seen.verdict == AggIdSequencer::Verdict::kDuplicate) {
    ++overlaps_dropped_;  // the reader already dropped its own duplicates
    return false;
  }
  if (seen.verdict == AggIdSequencer::Verdict::kGap && first_of_file) {
    ++gaps_between_files_;
    missing_between_files_ += static_cast<std::uint64_t>(seen.last_missing - seen.first_missing + 1);
  }
  ++trades_;
  return true;
}

}  // namespace alphastream
