#include "feed/agg_trade_csv.h"


#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace alphastream {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::string_view kFuturesHeader =
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker";
constexpr std::string_view kSpotHeader =
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match";
constexpr std::string_view kHeaderStart = "agg_trade_id,";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kFuturesFieldCount = 7;
constexpr std::size_t kSpotFieldCount = 8;
constexpr std::string_view kColumns[kSpotFieldCount] = {
    "agg_trade_id", "price",         "quantity",       "first_trade_id",
    "last_trade_id", "transact_time", "is_buyer_maker", "is_best_match"};
// A transact_time this large is in microseconds: times in milliseconds
// stay below 4.2e12 until 2100, microseconds are above 1.4e15 since 2017.
constexpr std::int64_t kMicrosecondTimesFrom = 100'000'000'000'000;

std::size_t field_count(CsvLayout layout) {
  return layout == CsvLayout::kSpot ? kSpotFieldCount : kFuturesFieldCount;
}
constexpr std::int64_t kProgressIntervalNs = 200'000'000;  // ~5 updates a second
constexpr std::uint64_t kRowsBetweenClockReads = 4096;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A field as it appears in a message: quoted, long ones cut short.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  std::string out = "\"";
  out.append(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) out.append("...");
  out.push_back('"');
  return out;
}

std::string column_problem(std::size_t column, std::string_view expected, std::string_view got) {
  std::string out = "column '";
  out.append(kColumns[column]);
  out.append("': expected ");
  out.append(expected);
  out.append(", got ");
  out.append(quoted(got));
  return out;
}

bool parse_integer(std::string_view text, std::int64_t* value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool parse_decimal(std::string_view text, double* value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty() && std::isfinite(*value);
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != lower[i]) return false;
  }
  return true;
}

// Orders the late-row heap so its front is the lowest (agg id, line).
template <class Row>
struct Later {
  bool operator()(const Row& a, const Row& b) const {
    if (a.trade.agg_trade_id != b.trade.agg_trade_id) {
      return a.trade.agg_trade_id > b.trade.agg_trade_id;
    }
    return a.line > b.line;
  }
};

}  // namespace


Result<std::unique_ptr<AggTradeCsvReader>> AggTradeCsvReader::open(const std::string& path,
                                                                   CsvImportOptions options) {
  auto source = open_data_file(path);
  if (!source) return source.status();
  return std::unique_ptr<AggTradeCsvReader>(
      new AggTradeCsvReader(path, std::move(options), std::move(source.value())));
}

AggTradeCsvReader::AggTradeCsvReader(std::string path, CsvImportOptions options,
                                     std::unique_ptr<DataFileSource> source)
    : path_(std::move(path)),
      options_(std::move(options)),
      source_(std::move(source)),
      buffer_(kChunkBytes),
      started_ns_(now_ns()),
      last_progress_ns_(started_ns_) {}

AggTradeCsvReader::~AggTradeCsvReader() = default;

Result<bool> AggTradeCsvReader::next(AggTrade& out) {
  if (!failure_.is_ok()) return failure_;
  for (;;) {
    if (buffered() > options_.reorder_window || (lines_done_ && buffered() > 0)) {
      if (emit_lowest(out)) return true;
      continue;
    }
    if (lines_done_) {
      report_progress(true);
      return false;
    }
    std::string_view line;
    Result<bool> got = next_line(&line);
    if (!got) return fail(got.status());
    if (!*got) {
      lines_done_ = true;
      continue;
    }
    if (first_line_) {
      first_line_ = false;
      Result<bool> header = take_header(&line);
      if (!header) return fail(header.status());
      if (*header) continue;
    }
    ++stats_.rows;
    if (stats_.rows % kRowsBetweenClockReads == 0) report_progress(false);
    Pending row;
    if (Status parsed = parse_row(line, &row); !parsed) {
      if (Status skipped = bad_row(parsed.message()); !skipped) return fail(std::move(skipped));
      continue;
    }
    if (row.microseconds) ++stats_.microsecond_rows;
    if (Status arrived = accept_arrival(row); !arrived) return fail(std::move(arrived));
  }
}

double AggTradeCsvReader::fraction_read() const {
  if (source_->total_bytes == 0) return 0;
  return std::min(1.0, static_cast<double>(source_->bytes_read) / static_cast<double>(source_->total_bytes));
}

std::string_view csv_layout_name(CsvLayout layout) { return layout == CsvLayout::kSpot ? "spot" : "futures"; }

std::string_view csv_layout_header(CsvLayout layout) {
  return layout == CsvLayout::kSpot ? kSpotHeader : kFuturesHeader;
}

Result<bool> AggTradeCsvReader::take_header(std::string_view* line) {
  if (line->starts_with(kUtf8Bom)) line->remove_prefix(kUtf8Bom.size());
  if (!line->starts_with(kHeaderStart)) {
    // No header: the first row's fields say which layout this is.
    const auto commas = static_cast<std::size_t>(std::count(line->begin(), line->end(), ','));
    layout_ = commas + 1 == kSpotFieldCount ? CsvLayout::kSpot : CsvLayout::kFutures;
    stats_.layout = layout_;
    return false;
  }
  if (*line == kFuturesHeader || *line == kSpotHeader) {
    layout_ = *line == kSpotHeader ? CsvLayout::kSpot : CsvLayout::kFutures;
    stats_.layout = layout_;
    stats_.header_present = true;
    return true;
  }
  return Status::error(where() + ": unexpected header " + quoted(*line) + "; expected the futures layout \"" +
                       std::string(kFuturesHeader) + "\" or the spot layout \"" + std::string(kSpotHeader) + "\"");
}

Result<bool> AggTradeCsvReader::next_line(std::string_view* line) {
  for (;;) {
    const char* data = buffer_.data();
    const void* newline =
        begin_ < end_ ? std::memchr(data + begin_, '\n', end_ - begin_) : nullptr;
    if (newline != nullptr || (input_done_ && begin_ < end_)) {
      const std::size_t stop =
          newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - data)
                             : end_;
      std::string_view text(data + begin_, stop - begin_);
      begin_ = std::min(stop + 1, end_);
      ++line_number_;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.empty()) continue;  // a blank line
      *line = text;
      return true;
    }
    if (input_done_) return false;
    // Keep the partial line at the front and read more after it.
    const std::size_t kept = end_ - begin_;
    if (kept == buffer_.size()) {
      return Status::error(path_ + ":" + std::to_string(line_number_ + 1) +
                           ": line longer than " + std::to_string(kChunkBytes) + " bytes");
    }
    std::memmove(buffer_.data(), data + begin_, kept);
    begin_ = 0;
    end_ = kept;
    Result<std::size_t> n = source_->read(buffer_.data() + end_, buffer_.size() - end_);
    if (!n) return n.status();
    if (*n == 0) input_done_ = true;
    end_ += *n;
  }
}

Status AggTradeCsvReader::parse_row(std::string_view line, Pending* row) const {
  const std::size_t expected = field_count(layout_);
  std::string_view fields[kSpotFieldCount];
  std::size_t count = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    const std::string_view field = line.substr(start, comma - start);
    if (count < kSpotFieldCount) fields[count] = field;
    ++count;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (count != expected) {
    // The first row of a file without a header chose no layout: name both.
    if (stats_.rows == 1 && !stats_.header_present) {
      return Status::error("got " + std::to_string(count) + " comma-separated fields; expected " +
                           std::to_string(kFuturesFieldCount) + " (futures: " + std::string(kFuturesHeader) +
                           ") or " + std::to_string(kSpotFieldCount) + " (spot: " + std::string(kSpotHeader) + ")");
    }
    return Status::error("expected " + std::to_string(expected) + " comma-separated fields (the " +
                         std::string(csv_layout_name(layout_)) + " layout of this file), got " + std::to_string(count));
  }
  AggTrade& trade = row->trade;
  trade.symbol = options_.symbol;
  std::int64_t* const integers[6] = {&trade.agg_trade_id, nullptr, nullptr,
                                     &trade.first_trade_id, &trade.last_trade_id, &trade.transact_time_ms};
  for (std::size_t column : {0, 3, 4, 5}) {
    if (!parse_integer(fields[column], integers[column]) || *integers[column] < 0) {
      return Status::error(column_problem(column, "a non-negative integer", fields[column]));
    }
  }
  trade.transact_time_us = 0;
  row->microseconds = trade.transact_time_ms >= kMicrosecondTimesFrom;
  if (row->microseconds) {
    trade.transact_time_us = static_cast<std::uint16_t>(trade.transact_time_ms % 1000);
    trade.transact_time_ms /= 1000;
  }
  if (!is_plausible_trade_time(trade.transact_time_ms)) {
    return Status::error(column_problem(5, "a time in 2017..2100 in Unix ms or us", fields[5]));
  }
  if (!parse_decimal(fields[1], &trade.price)) {
    return Status::error(column_problem(1, "a decimal number", fields[1]));
  }
  if (trade.price <= 0) return Status::error(column_problem(1, "a price above zero", fields[1]));
  if (!parse_decimal(fields[2], &trade.quantity)) {
    return Status::error(column_problem(2, "a decimal number", fields[2]));
  }
  if (trade.quantity < 0) {
    return Status::error(column_problem(2, "a quantity of zero or more", fields[2]));
  }
  if (trade.last_trade_id < trade.first_trade_id) {
    return Status::error(column_problem(
        4, "at least first_trade_id " + std::to_string(trade.first_trade_id), fields[4]));
  }
  if (equals_ignoring_case(fields[6], "true")) {
    trade.is_buyer_maker = true;
  } else if (equals_ignoring_case(fields[6], "false")) {
    trade.is_buyer_maker = false;
  } else {
    return Status::error(column_problem(6, "true or false", fields[6]));
  }
  // Binance marks nearly every spot trade a best match; the engine does not
  // use it, but a row that does not say true or false is not a spot row.
  if (layout_ == CsvLayout::kSpot && !equals_ignoring_case(fields[7], "true") &&
      !equals_ignoring_case(fields[7], "false")) {
    return Status::error(column_problem(7, "true or false", fields[7]));
  }
  return Status::ok();
}

Status AggTradeCsvReader::bad_row(std::string message) {
  std::string located = where() + ": " + message;
  if (!options_.skip_bad_rows) return Status::error(std::move(located));
  ++stats_.bad_rows_skipped;
  if (stats_.skipped_row_messages.size() < CsvImportStats::kMaxSkipMessages) {
    stats_.skipped_row_messages.push_back(std::move(located));
  }
  return Status::ok();
}

Status AggTradeCsvReader::accept_arrival(Pending row) {
  const std::int64_t id = row.trade.agg_trade_id;
  if (sequencer_.started() && id <= sequencer_.last_accepted()) {
    if (!was_handed_out(id)) {
      return Status::error(where() + ": agg_trade_id " + std::to_string(id) + " arrives after " +
                           std::to_string(sequencer_.last_accepted()) +
                           " was already emitted; raise the reorder window (now " +
                           std::to_string(options_.reorder_window) + " rows)");
    }
    sequencer_.observe(id);
    stats_.duplicates_dropped = sequencer_.duplicates();
    return Status::ok();
  }
  row.line = line_number_;
  row.arrived_late = any_row_read_ && id < highest_id_read_;
  if (!any_row_read_ || id > highest_id_read_) highest_id_read_ = id;
  any_row_read_ = true;
  // An id equal to the highest read still keeps the FIFO sorted on (id, line).
  if (row.arrived_late) {
    late_heap_.push_back(row);
    std::push_heap(late_heap_.begin(), late_heap_.end(), Later<Pending>());
  } else {
    push_in_order(row);
  }
  stats_.max_buffered_rows = std::max<std::uint64_t>(stats_.max_buffered_rows, buffered());
  return Status::ok();
}

void AggTradeCsvReader::push_in_order(const Pending& row) {
  if (in_order_size_ == in_order_.size()) {
    // Growth stops once the ring holds the whole window: no allocation after.
    std::vector<Pending> grown(std::max<std::size_t>(16, 2 * in_order_.size()));
    for (std::size_t i = 0; i < in_order_size_; ++i) {
      grown[i] = in_order_[(in_order_head_ + i) % in_order_.size()];
    }
    in_order_.swap(grown);
    in_order_head_ = 0;
  }
  in_order_[(in_order_head_ + in_order_size_) % in_order_.size()] = row;
  ++in_order_size_;
}

AggTradeCsvReader::Pending AggTradeCsvReader::pop_lowest() {
  const bool take_late = !late_heap_.empty() &&
                         (in_order_size_ == 0 ||
                          Later<Pending>()(in_order_[in_order_head_], late_heap_.front()));
  if (take_late) {
    std::pop_heap(late_heap_.begin(), late_heap_.end(), Later<Pending>());
    const Pending row = late_heap_.back();
    late_heap_.pop_back();
    return row;
  }
  const Pending row = in_order_[in_order_head_];
  in_order_head_ = (in_order_head_ + 1) % in_order_.size();
  --in_order_size_;
  return row;
}

bool AggTradeCsvReader::emit_lowest(AggTrade& out) {
  const Pending row = pop_lowest();
  const AggIdSequencer::Observation seen = sequencer_.observe(row.trade.agg_trade_id);
  if (seen.verdict == AggIdSequencer::Verdict::kDuplicate) {
    stats_.duplicates_dropped = sequencer_.duplicates();
    return false;
  }
  if (seen.verdict == AggIdSequencer::Verdict::kGap) {
    remember_gap(seen.first_missing, seen.last_missing);
    stats_.gaps = sequencer_.gaps();
    stats_.missing_ids = sequencer_.missing_ids();
  }
  if (stats_.accepted == 0) first_emitted_id_ = row.trade.agg_trade_id;
  if (row.arrived_late) ++stats_.reordered_rows;
  ++stats_.accepted;
  out = row.trade;
  return true;
}

bool AggTradeCsvReader::was_handed_out(std::int64_t id) const {
  if (id < first_emitted_id_) return false;
  const std::size_t size = gap_ring_.size();
  const auto at = [&](std::size_t i) -> const GapRange& {
    return gap_ring_[(gap_ring_start_ + i) % size];
  };
  // The last remembered hole starting at or before id.
  std::size_t low = 0;
  std::size_t high = size;
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    if (at(mid).first <= id) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  if (low == 0) return !gaps_forgotten_;
  return id > at(low - 1).last;
}

void AggTradeCsvReader::remember_gap(std::int64_t first, std::int64_t last) {
  if (gap_ring_.size() < kMaxGapRanges) {
    gap_ring_.push_back({first, last});
    return;
  }
  gap_ring_[gap_ring_start_] = {first, last};
  gap_ring_start_ = (gap_ring_start_ + 1) % kMaxGapRanges;
  gaps_forgotten_ = true;
}

Status AggTradeCsvReader::fail(Status status) {
  failure_ = std::move(status);
  report_progress(true);
  return failure_;
}

void AggTradeCsvReader::report_progress(bool final_update) {
  if (!options_.show_progress || progress_finished_) return;
  const std::int64_t now = now_ns();
  if (!final_update && now - last_progress_ns_ < kProgressIntervalNs) return;
  last_progress_ns_ = now;
  const double elapsed_s = std::max(1e-9, static_cast<double>(now - started_ns_) * 1e-9);
  const double rows_per_s = static_cast<double>(stats_.rows) / elapsed_s;
  const std::string_view name = options_.symbol.empty() ? std::string_view(path_)
                                                        : options_.symbol.view();
  char percent[16] = "?";
  if (source_->total_bytes > 0) {
    std::snprintf(percent, sizeof percent, "%.1f",
                  100.0 * static_cast<double>(source_->bytes_read) /
                      static_cast<double>(source_->total_bytes));
  }
  // Trailing spaces wipe what a longer previous update left on the line.
  std::fprintf(stderr, "\r%.*s: %llu rows, %s%% of bytes read, %.0f rows/s    %s",
               static_cast<int>(name.size()), name.data(),
               static_cast<unsigned long long>(stats_.rows), percent, rows_per_s,
               final_update ? "\n" : "");
  std::fflush(stderr);
  progress_finished_ = final_update;
}

std::string AggTradeCsvReader::where() const {
  return path_ + ":" + std::to_string(line_number_);
}

std::string AggTradeCsvReader::summary() const { return import_summary(path_, stats_); }

std::string import_summary(const std::string& path, const CsvImportStats& s) {
  return path + ": " + std::to_string(s.rows) + " rows, " + std::to_string(s.accepted) +
         " accepted, " + std::to_string(s.duplicates_dropped) + " duplicates dropped, " +
         std::to_string(s.gaps) + " gaps (" + std::to_string(s.missing_ids) + " missing ids), " +
         std::to_string(s.reordered_rows) + " reordered, " + std::to_string(s.bad_rows_skipped) +
         " bad rows skipped" + (s.header_present ? "" : ", no header") +
         (s.layout == CsvLayout::kSpot ? ", spot layout" : "") +
         (s.microsecond_rows > 0 ? ", " + std::to_string(s.microsecond_rows) + " rows timed in microseconds" : "");
}

}  // namespace alphastream
