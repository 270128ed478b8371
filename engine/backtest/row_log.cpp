#include "backtest/row_log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "core/pread_exactly.h"

namespace alphastream {
namespace {

constexpr std::size_t kBlockRows = 4096;

}  // namespace

Result<std::unique_ptr<RowLog>> RowLog::create(std::string path, std::size_t width) {
  std::FILE* file = std::fopen(path.c_str(), "w+b");
  if (file == nullptr) return Status::error(path + ": cannot create: " + std::strerror(errno));
  std::setvbuf(file, nullptr, _IONBF, 0);  // rows are written a block at a time
  return std::unique_ptr<RowLog>(new RowLog(std::move(path), width, file));
}

RowLog::RowLog(std::string path, std::size_t width, std::FILE* file)
    : path_(std::move(path)), width_(width), file_(file) {
  pending_.reserve(kBlockRows * (width_ + 1));
}

RowLog::~RowLog() {
  std::fclose(file_);
  std::remove(path_.c_str());
}

void RowLog::write_pending() {
  if (error_.is_ok() && !pending_.empty() &&
      std::fwrite(pending_.data(), sizeof(double), pending_.size(), file_) != pending_.size()) {
    error_ = Status::error(path_ + ": write failed: " + std::strerror(errno));
  }
  if (!pending_.empty()) last_.assign(pending_.end() - static_cast<std::ptrdiff_t>(width_ + 1), pending_.end());
  pending_.clear();
  if (error_.is_ok()) written_ = rows_;
}

void RowLog::append(std::int64_t ts_ms, std::span<const double> values) {
  double ts;
  std::memcpy(&ts, &ts_ms, sizeof ts);
  pending_.push_back(ts);
  pending_.insert(pending_.end(), values.begin(), values.end());
  ++rows_;
  if (pending_.size() >= kBlockRows * (width_ + 1)) write_pending();
}

void RowLog::replace_last(std::span<const double> values) {
  if (!pending_.empty()) {
    std::copy(values.begin(), values.end(), pending_.end() - static_cast<std::ptrdiff_t>(width_));
    return;
  }
  std::copy(values.begin(), values.end(), last_.begin() + 1);
  const long back = -static_cast<long>(last_.size() * sizeof(double));
  if (error_.is_ok() && (std::fseek(file_, back, SEEK_END) != 0 ||
                         std::fwrite(last_.data(), sizeof(double), last_.size(), file_) != last_.size())) {
    error_ = Status::error(path_ + ": write failed: " + std::strerror(errno));
  }
}

Status RowLog::finish() {
  write_pending();
  if (error_.is_ok() && std::fflush(file_) != 0) {
    error_ = Status::error(path_ + ": write failed: " + std::strerror(errno));
  }
  return error_;
}

RowLog::Cursor::Cursor(const RowLog& log, std::size_t block_rows)
    : log_(log), block_rows_(std::max<std::size_t>(1, block_rows)), block_(block_rows_ * (log.width_ + 1)) {
  if (!log.error_.is_ok()) status_ = log.error_;
}

bool RowLog::Cursor::next(std::int64_t& ts_ms, std::span<const double>& values) {
  if (!status_.is_ok()) return false;
  const std::size_t stride = log_.width_ + 1;
  if (position_ == in_block_) {
    if (read_ == log_.written_) return false;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(block_rows_, log_.written_ - read_));
    const std::size_t bytes = want * stride * sizeof(double);
    const auto offset = static_cast<off_t>(read_ * stride * sizeof(double));
    if (!pread_exactly(::fileno(log_.file_), block_.data(), bytes, offset)) {
      status_ = Status::error(log_.path_ + ": read failed after " + std::to_string(read_) + " of " +
                              std::to_string(log_.rows_) + " rows");
      return false;
    }
    read_ += want;
    in_block_ = want;
    position_ = 0;
  }
  const double* row = block_.data() + position_++ * stride;
  std::memcpy(&ts_ms, row, sizeof ts_ms);
  values = std::span<const double>(row + 1, log_.width_);
  return true;
}

Status RowLog::for_each(const std::function<void(std::uint64_t, std::int64_t, std::span<const double>)>& visit) const {
  Cursor cursor(*this);
  std::int64_t ts_ms = 0;
  std::span<const double> values;
  for (std::uint64_t index = 0; cursor.next(ts_ms, values); ++index) visit(index, ts_ms, values);
  return cursor.status();
}

}  // namespace alphastream
