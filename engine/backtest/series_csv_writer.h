// Streams a pair's per-observation series to CSV: one row per observation,
// doubles in shortest round-trip form, NaN as an empty field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace alphastream {

class SeriesCsvWriter {
 public:
  static Result<std::unique_ptr<SeriesCsvWriter>> open(const std::string& path,
                                                        std::span<const std::string> columns);
  ~SeriesCsvWriter();
  SeriesCsvWriter(const SeriesCsvWriter&) = delete;
  SeriesCsvWriter& operator=(const SeriesCsvWriter&) = delete;

  // REQUIRES: values.size() == columns.size() - 1 (the first column is ts_ms).
  void write_row(std::int64_t ts_ms, std::span<const double> values);
  // Flushes and closes; reports a write error (e.g. disk full) naming the file.
  Status close();

 private:
  SeriesCsvWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_;
  std::vector<char> line_;
};

// Appends `value` in shortest round-trip form; nothing for NaN.
void append_csv_number(std::vector<char>& out, double value);

}  // namespace alphastream
