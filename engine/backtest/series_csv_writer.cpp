#include "backtest/series_csv_writer.h"

#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace alphastream {

void append_csv_number(std::vector<char>& out, double value) {
  if (std::isnan(value)) return;
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.insert(out.end(), buffer, end);
}

Result<std::unique_ptr<SeriesCsvWriter>> SeriesCsvWriter::open(const std::string& path,
                                                               std::span<const std::string> columns) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return Status::error(path + ": cannot create: " + std::strerror(errno));
  std::unique_ptr<SeriesCsvWriter> writer(new SeriesCsvWriter(path, file));
  std::string header;
  for (const std::string& column : columns) {
    if (!header.empty()) header += ',';
    header += column;
  }
  header += '\n';
  std::fwrite(header.data(), 1, header.size(), file);
  writer->line_.reserve(32 * columns.size());
  return writer;
}

SeriesCsvWriter::~SeriesCsvWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void SeriesCsvWriter::write_row(std::int64_t ts_ms, std::span<const double> values) {
  line_.clear();
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), ts_ms);
  line_.insert(line_.end(), buffer, end);
  for (double value : values) {
    line_.push_back(',');
    append_csv_number(line_, value);
  }
  line_.push_back('\n');
  std::fwrite(line_.data(), 1, line_.size(), file_);
}

Status SeriesCsvWriter::close() {
  std::FILE* file = file_;
  file_ = nullptr;
  const bool failed = std::ferror(file) != 0;
  if (std::fclose(file) != 0 || failed) return Status::error(path_ + ": write failed: " + std::strerror(errno));
  return Status::ok();
}

}  // namespace alphastream
