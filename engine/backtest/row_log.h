// Rows of a run (a time and a fixed number of doubles each) spilled to a
// scratch file as they come, and read back in order as often as needed, so
// what the full-sample statistics and the report need of a month of
// observations lies on disk, not in memory. The file is removed with the
// log.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace alphastream {

class RowLog {
 public:
  // Creates (truncates) path for rows of `width` doubles.
  static Result<std::unique_ptr<RowLog>> create(std::string path, std::size_t width);
  ~RowLog();
  RowLog(const RowLog&) = delete;
  RowLog& operator=(const RowLog&) = delete;

  // REQUIRES: values.size() == width(). A write error is kept for finish().
  void append(std::int64_t ts_ms, std::span<const double> values);
  // Replaces the last row's values (the ledger's closing of a position at
  // the end of data). REQUIRES: size() > 0.
  void replace_last(std::span<const double> values);
  // Ends writing; the first write error, naming the file, if any.
  Status finish();

  // Reads the rows in order, a block of block_rows at a time, at its own
  // offset: several cursors (on several threads) may read one log at once,
  // once finish() returned ok. Before that, a cursor on the appending thread
  // reads the rows written so far (written()), and later calls go on from
  // there; a row replaced (replace_last) must not have been read yet.
  class Cursor {
   public:
    explicit Cursor(const RowLog& log, std::size_t block_rows = 4096);
    // The next row, or false at the end of the rows written or on a read
    // error (see status()).
    bool next(std::int64_t& ts_ms, std::span<const double>& values);
    const Status& status() const { return status_; }

   private:
    const RowLog& log_;
    std::size_t block_rows_;
    std::vector<double> block_;
    std::size_t in_block_ = 0;
    std::size_t position_ = 0;
    std::uint64_t read_ = 0;  // rows read from the file
    Status status_;
  };

  // Calls visit(index, ts_ms, values) for every row, in order. Errors name
  // the file.
  Status for_each(const std::function<void(std::uint64_t, std::int64_t, std::span<const double>)>& visit) const;

  std::uint64_t size() const { return rows_; }
  // Rows in the file: appended rows are written a block at a time, and
  // every one by finish().
  std::uint64_t written() const { return written_; }
  std::size_t width() const { return width_; }

 private:
  RowLog(std::string path, std::size_t width, std::FILE* file);

  std::string path_;
  std::size_t width_;
  std::FILE* file_;
  // Writes the rows appended since the last write, in one call: a stdio
  // call per row cost as much as the rest of the row's outputs.
  void write_pending();

  std::vector<double> pending_;  // rows not yet written: ts (as bits), then the values
  std::vector<double> last_;     // the last row written, for replace_last
  std::uint64_t rows_ = 0;
  std::uint64_t written_ = 0;
  Status error_;
};

}  // namespace alphastream
