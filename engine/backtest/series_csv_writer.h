// Streams a pair's per-observation series to CSV: one row per observation,
// doubles as format_number writes them, NaN as an empty field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backtest/row_log.h"
#include "core/number_text.h"
#include "core/status.h"

namespace alphastream {

// Writes series.csv. Formatting is a third of a pair pipeline's work, so
// a backtest whose pipelines' threads will wait for trades keeps the rows
// instead (keep_rows: each row's doubles in a RowLog beside the file) and
// formats them later, in order: format_some() while a thread waits, close()
// the rest, once reading is done, beside the run's other outputs. Without
// idle time to fill, keeping them only adds a write and a read of each row:
// then rows are formatted as written.
class SeriesCsvWriter {
 public:
  // Creates path with its header row (an error names it).
  static Result<std::unique_ptr<SeriesCsvWriter>> open(const std::string& path,
                                                        std::span<const std::string> columns, bool keep_rows);
  ~SeriesCsvWriter();
  SeriesCsvWriter(const SeriesCsvWriter&) = delete;
  SeriesCsvWriter& operator=(const SeriesCsvWriter&) = delete;

  // REQUIRES: values.size() == columns.size() - 1 (the first column is ts_ms).
  void write_row(std::int64_t ts_ms, std::span<const double> values);
  // keep_rows: formats up to max_rows of the rows kept so far that the
  // RowLog has written (it writes blocks), on the thread that calls
  // write_row; whether it formatted any. An error is reported by close().
  bool format_some(std::size_t max_rows);
  // Formats every row left into the file and closes it; reports a write
  // error (e.g. disk full) naming the file. [any thread, after the last
  // write_row and format_some]
  Status close();

 private:
  SeriesCsvWriter(std::string path, std::FILE* file, std::unique_ptr<RowLog> rows);
  void flush();

  std::string path_;
  std::FILE* file_;
  std::unique_ptr<RowLog> rows_;  // keep_rows: kept, formatted up to cursor_
  std::unique_ptr<RowLog::Cursor> cursor_;
  // Formats one row into buffer_, flushing it first when full.
  void format_row(std::int64_t ts_ms, std::span<const double> values);
  // Rows are formatted in place and written 64 KB at a time: a
  // stdio call per row costs as much as formatting it.
  std::vector<char> buffer_;
  std::size_t used_ = 0;
  bool failed_ = false;
};

}  // namespace alphastream
