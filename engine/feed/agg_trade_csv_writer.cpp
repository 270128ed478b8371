#include "feed/agg_trade_csv_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace alphastream {

AggTradeCsvWriter::AggTradeCsvWriter(std::string path, CsvLayout layout)
    : path_(std::move(path)), layout_(layout), buffer_(kBufferBytes) {}

AggTradeCsvWriter::~AggTradeCsvWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status AggTradeCsvWriter::open() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::error(path_ + ": cannot create: " + std::strerror(errno));
  return Status::ok();
}

Status AggTradeCsvWriter::append_header() {
  const std::string_view header = csv_layout_header(layout_);
  char* p = std::copy(header.begin(), header.end(), buffer_.data() + used_);
  *p++ = '\n';
  return advance_to(p);
}

Status AggTradeCsvWriter::append(const AggTrade& trade) {
  char* p = buffer_.data() + used_;
  // Room is left for "false,true\n" after the last field.
  char* const end = p + kMaxLineBytes - 16;
  bool fits = true;
  const auto put = [&](auto value, auto... format) {
    const std::to_chars_result written = std::to_chars(p, end, value, format...);
    fits = fits && written.ec == std::errc() && written.ptr != end;
    if (!fits) return;
    p = written.ptr;
    *p++ = ',';
  };
  put(trade.agg_trade_id);
  // chars_format::fixed without a precision is the shortest round trip.
  put(trade.price, std::chars_format::fixed);
  put(trade.quantity, std::chars_format::fixed);
  put(trade.first_trade_id);
  put(trade.last_trade_id);
  if (layout_ == CsvLayout::kSpot) {
    put(trade.transact_time_ms * 1000 + trade.transact_time_us);
  } else {
    put(trade.transact_time_ms);
  }
  if (!fits) {
    return Status::error(path_ + ": agg_trade_id " + std::to_string(trade.agg_trade_id) + " does not fit in " +
                         std::to_string(kMaxLineBytes) + " bytes");
  }
  const std::string_view maker = layout_ == CsvLayout::kSpot ? (trade.is_buyer_maker ? "true,true\n" : "false,true\n")
                                                             : (trade.is_buyer_maker ? "true\n" : "false\n");
  ++rows_;
  return advance_to(std::copy(maker.begin(), maker.end(), p));
}

Status AggTradeCsvWriter::close() {
  if (Status flushed = flush(); !flushed) return flushed;
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Status::error(path_ + ": cannot write: " + std::strerror(errno));
  return Status::ok();
}

Status AggTradeCsvWriter::advance_to(char* line_end) {
  used_ = static_cast<std::size_t>(line_end - buffer_.data());
  return used_ + kMaxLineBytes > buffer_.size() ? flush() : Status::ok();
}

Status AggTradeCsvWriter::flush() {
  std::size_t done = 0;
  while (done < used_) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, used_ - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::error(path_ + ": cannot write: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  used_ = 0;
  return Status::ok();
}

}  // namespace alphastream
