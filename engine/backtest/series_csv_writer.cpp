#include "backtest/series_csv_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace alphastream {

namespace {
constexpr std::size_t kBufferBytes = 64 << 10;
}  // namespace

SeriesCsvWriter::SeriesCsvWriter(std::string path, std::FILE* file, std::unique_ptr<RowLog> rows)
    : path_(std::move(path)), file_(file), rows_(std::move(rows)) {}

Result<std::unique_ptr<SeriesCsvWriter>> SeriesCsvWriter::open(const std::string& path,
                                                               std::span<const std::string> columns, bool keep_rows) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Status::error(path + ": cannot create: " + std::strerror(errno));
  std::unique_ptr<RowLog> kept;
  if (keep_rows) {
    auto rows = RowLog::create(path + ".unformatted", columns.size() - 1);
    if (!rows) {
      std::fclose(file);
      return rows.status();
    }
    kept = std::move(rows.value());
  }
  std::unique_ptr<SeriesCsvWriter> writer(new SeriesCsvWriter(path, file, std::move(kept)));
  std::string header;
  for (const std::string& column : columns) {
    if (!header.empty()) header += ',';
    header += column;
  }
  header += '\n';
  std::fwrite(header.data(), 1, header.size(), file);
  return writer;
}

SeriesCsvWriter::~SeriesCsvWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void SeriesCsvWriter::flush() {
  if (used_ > 0 && std::fwrite(buffer_.data(), 1, used_, file_) != used_) failed_ = true;
  used_ = 0;
}

void SeriesCsvWriter::write_row(std::int64_t ts_ms, std::span<const double> values) {
  if (rows_) {
    rows_->append(ts_ms, values);
  } else {
    format_row(ts_ms, values);
  }
}

void SeriesCsvWriter::format_row(std::int64_t ts_ms, std::span<const double> values) {
  // Each field and its comma, the newline, and the last field's room.
  const std::size_t longest = (values.size() + 1) * (kMaxNumberText + 1) + 1 + kNumberTextRoom;
  if (buffer_.size() - used_ < longest) {
    flush();
    if (buffer_.size() < longest) buffer_.resize(std::max(longest, kBufferBytes));
  }
  char* out = buffer_.data() + used_;
  out = fmt::format_to(out, FMT_COMPILE("{}"), ts_ms);
  for (double value : values) {
    *out++ = ',';
    out = format_number(out, value);
  }
  *out++ = '\n';
  used_ = static_cast<std::size_t>(out - buffer_.data());
}

bool SeriesCsvWriter::format_some(std::size_t max_rows) {
  if (rows_ == nullptr || rows_->written() == 0) return false;
  // Small blocks: the caller asks for a few rows between other work.
  if (cursor_ == nullptr) cursor_ = std::make_unique<RowLog::Cursor>(*rows_, 256);
  std::int64_t ts_ms = 0;
  std::span<const double> values;
  std::size_t formatted = 0;
  while (formatted < max_rows && cursor_->next(ts_ms, values)) {
    format_row(ts_ms, values);
    ++formatted;
  }
  return formatted > 0;
}

Status SeriesCsvWriter::close() {
  if (rows_) {
    if (Status kept = rows_->finish(); !kept) return kept;
    if (cursor_ == nullptr) cursor_ = std::make_unique<RowLog::Cursor>(*rows_);
    std::int64_t ts_ms = 0;
    std::span<const double> values;
    while (cursor_->next(ts_ms, values)) format_row(ts_ms, values);
    const Status read = cursor_->status();
    cursor_.reset();
    rows_.reset();  // removes the kept rows' file
    if (!read) return read;
  }
  flush();
  std::FILE* file = file_;
  file_ = nullptr;
  const bool failed = failed_ || std::ferror(file) != 0;
  if (std::fclose(file) != 0 || failed) return Status::error(path_ + ": write failed: " + std::strerror(errno));
  return Status::ok();
}

}  // namespace alphastream
