// A binary catalog of imported trades: what AggTradeCsvReader handed out for
// one data file (re-sorted, deduplicated), with its import statistics, as
// fixed 32-byte records (each trade as steps from the one before) in one
// file per data file. The first read of a file
// writes its entry; later reads read the entry instead of parsing text, so
// a second backtest, a sweep or a screen over the same days skips the CSV.
//
// An entry is used only while it matches its data file (size and
// modification time) and the import options that shape its content
// (reorder window, strict rows); a mismatch or a foreign file is ignored,
// and the data file is parsed (and the entry rewritten) as if there were
// none. A damaged entry is found as it is read (CatalogEntry::broken), and
// the data file is parsed from there on. Entries are written to a temporary name and renamed, so
// a crash never leaves a partial entry in place. Files with skipped rows are
// not catalogued (their messages are not kept).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "feed/agg_trade_csv.h"

namespace alphastream {

// The default catalog directory: $XDG_CACHE_HOME/alphastream/catalog, else
// $HOME/.cache/alphastream/catalog; empty when neither is set.
std::string default_catalog_dir();

// The SHA-256 of data_path (sha256_of_file), kept in dir beside the file's
// entry while the file's size and modification time are unchanged, so a
// run's provenance costs one read of each file, not one a run. dir empty, or
// not writable: computed every time.
Result<std::string> cached_file_sha256(const std::string& dir, const std::string& data_path);

// What a catalog record's steps start from: the previous trade's id, time
// and last trade id; before the first record, one id and one trade before
// the entry's firsts (`before`).
struct CatalogStepBase {
  std::int64_t agg_trade_id = 0;
  std::int64_t transact_time_ms = 0;
  std::int64_t last_trade_id = 0;

  static CatalogStepBase before(std::int64_t first_agg_trade_id, std::int64_t first_transact_time_ms,
                                std::int64_t first_trade_id) {
    return {first_agg_trade_id - 1, first_transact_time_ms, first_trade_id - 1};
  }
  static CatalogStepBase after(const AggTrade& trade) {
    return {trade.agg_trade_id, trade.transact_time_ms, trade.last_trade_id};
  }
};

// A catalogued file, read a block of records at a time (pread: no mapping to
// fault in and release, and memory flat whatever the entry's length).
class CatalogEntry {
 public:
  // The entry for data_path in dir, or nullptr when there is none whose
  // header matches (see above). Never an error: a bad entry is no entry.
  // Cheap: the records are checked as they are read.
  static std::unique_ptr<CatalogEntry> open(const std::string& dir, const std::string& data_path,
                                            const CsvImportOptions& options);
  ~CatalogEntry();
  CatalogEntry(const CatalogEntry&) = delete;
  CatalogEntry& operator=(const CatalogEntry&) = delete;

  // The next trade, stamped with the options' symbol; false at the end.
  bool next(AggTrade& out);
  // The next trades into the front of out, as next() gives them: how many;
  // 0 at the end.
  std::size_t read(std::span<AggTrade> out);
  // The entry is outside input too: each record is checked as it is handed
  // out (ids rising, times, prices and sizes plausible), and the first that
  // fails, or a block that cannot be read in full (the file was cut short or
  // became unreadable), ends the entry early. Then the data file itself must
  // be read past last_id(): checking as it goes spares a whole pass over the
  // entry before its first trade.
  bool broken() const { return broken_; }
  // The id of the last trade handed out; -1 before the first.
  std::int64_t last_id() const { return last_id_; }
  const CsvImportStats& stats() const { return stats_; }
  double fraction_read() const;
  const std::string& path() const { return path_; }

 private:
  CatalogEntry() = default;

  // Reads records [first, first + count) into block_; false if the file
  // holds fewer.
  bool read_records(std::uint64_t first, std::size_t count);

  std::string path_;
  Symbol symbol_;
  int fd_ = -1;
  std::vector<unsigned char> block_;  // records read, not yet handed out
  std::size_t block_position_ = 0;    // next record in block_
  std::size_t block_count_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t position_ = 0;        // records handed out
  std::int64_t last_id_ = -1;
  CatalogStepBase base_;  // what the next record steps from
  bool broken_ = false;
  CsvImportStats stats_;
};

// Writes the entry of one data file as its trades are read.
class CatalogWriter {
 public:
  // A writer to a temporary file in dir (created if missing), or nullptr
  // when it cannot be created (a read-only cache is no error: the run goes
  // on without one).
  static std::unique_ptr<CatalogWriter> create(const std::string& dir, const std::string& data_path,
                                               const CsvImportOptions& options);
  // Removes the temporary file unless commit() succeeded.
  ~CatalogWriter();
  CatalogWriter(const CatalogWriter&) = delete;
  CatalogWriter& operator=(const CatalogWriter&) = delete;

  void add(const AggTrade& trade);
  // Writes the header and renames the entry into place; false (and nothing
  // in place) on a write error or a trade the format cannot hold.
  bool commit(const CsvImportStats& stats);

 private:
  CatalogWriter() = default;

  std::string data_path_;
  std::string final_path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  std::uint64_t count_ = 0;
  CatalogStepBase start_;     // what the first record steps from: the header's firsts
  CatalogStepBase previous_;  // what the next record steps from
  std::uint64_t source_size_ = 0;
  std::int64_t source_mtime_ns_ = 0;
  CsvImportOptions options_;
  bool ok_ = true;
  bool committed_ = false;
};

}  // namespace alphastream
