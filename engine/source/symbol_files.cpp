#include "source/symbol_files.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <utility>

namespace alphastream {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAggTrades = "-aggTrades-";

// A decimal field of exactly `digits` digits, or -1.
int read_digits(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return -1;
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return -1;
  return value;
}

std::int64_t utc_ms(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

bool is_data_extension(const fs::path& path) { return path.extension() == ".csv" || path.extension() == ".zip"; }


// The files of a directory named for `symbol`, any date, .csv or .zip.
Result<std::vector<std::string>> files_in_directory(const std::string& symbol, const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (!entry.is_regular_file() || !is_data_extension(entry.path())) continue;
    const auto named = parse_data_file_name(entry.path().string());
    if (named && named->symbol_in_name == symbol) paths.push_back(entry.path().string());
  }
  if (error) return Status::invalid_input(dir + ": cannot list: " + error.message());
  if (paths.empty()) {
    return Status::invalid_input(dir + ": no " + symbol + "-aggTrades-<date>.csv or .zip file in the directory");
  }
  return paths;
}

Status check_readable(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) return Status::invalid_input(path + ": is a directory");
  if (!fs::exists(path, error)) return Status::invalid_input(path + ": no such file");
  if (access(path.c_str(), R_OK) != 0) return Status::invalid_input(path + ": cannot read: permission denied");
  return Status::ok();
}

}  // namespace

bool has_glob_characters(std::string_view spec) { return spec.find_first_of("*?[") != std::string_view::npos; }

Result<std::vector<std::string>> expand_glob(const std::string& pattern) {
  glob_t matches{};
  const int result = glob(pattern.c_str(), 0, nullptr, &matches);
  std::vector<std::string> paths;
  if (result == 0) paths.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
  globfree(&matches);
  if (result == GLOB_NOMATCH || paths.empty()) return Status::invalid_input(pattern + ": no file matches");
  if (result != 0) return Status::invalid_input(pattern + ": cannot expand the pattern");
  return paths;
}

std::optional<DataFile> parse_data_file_name(std::string_view path) {
  std::string_view name = path.substr(path.find_last_of('/') == std::string_view::npos ? 0 : path.find_last_of('/') + 1);
  for (std::string_view extension : {".csv", ".zip"}) {
    if (name.size() > extension.size() && name.substr(name.size() - extension.size()) == extension) {
      name.remove_suffix(extension.size());
      break;
    }
  }
  const std::size_t at = name.find(kAggTrades);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const std::string_view symbol = name.substr(0, at);
  const std::string_view date = name.substr(at + kAggTrades.size());
  // YYYY-MM or YYYY-MM-DD.
  if (date.size() != 7 && date.size() != 10) return std::nullopt;
  const int year = read_digits(date.substr(0, 4), 4);
  const int month = date[4] == '-' ? read_digits(date.substr(5, 2), 2) : -1;
  const int day = date.size() == 10 ? (date[7] == '-' ? read_digits(date.substr(8, 2), 2) : -1) : 0;
  if (year < 1970 || month < 1 || month > 12 || day < 0 || day > 31) return std::nullopt;
  DataFile file;
  file.path = std::string(path);
  file.symbol_in_name = std::string(symbol);
  if (day == 0) {
    file.first_ms = utc_ms(year, month, 1);
    file.end_ms = month == 12 ? utc_ms(year + 1, 1, 1) : utc_ms(year, month + 1, 1);
  } else {
    file.first_ms = utc_ms(year, month, day);
    file.end_ms = file.first_ms + 86'400'000;
    // timegm normalises 2024-02-30 to March: such a name is no date.
    if (utc_ms(year, month, 1) + (day - 1) * std::int64_t{86'400'000} != file.first_ms) return std::nullopt;
  }
  return file;
}

Result<std::vector<DataFile>> find_data_files(const std::string& symbol, const std::vector<std::string>& specs,
                                              bool allow_other_symbol) {
  std::vector<DataFile> dated, undated;
  std::vector<std::string> seen;
  for (const std::string& spec : specs) {
    std::vector<std::string> paths;
    std::error_code error;
    const bool directory = !has_glob_characters(spec) && fs::is_directory(spec, error);
    if (has_glob_characters(spec)) {
      auto matched = expand_glob(spec);
      if (!matched) return matched.status();
      paths = std::move(matched.value());
    } else if (directory) {
      auto listed = files_in_directory(symbol, spec);
      if (!listed) return listed.status();
      paths = std::move(listed.value());
    } else {
      paths.push_back(spec);
    }
    for (const std::string& path : paths) {
      if (std::find(seen.begin(), seen.end(), path) != seen.end()) continue;  // named twice: read once
      seen.push_back(path);
      if (Status readable = check_readable(path); !readable) return readable;
      std::optional<DataFile> named = parse_data_file_name(path);
      if (named && named->symbol_in_name != symbol && !allow_other_symbol) {
        return Status::invalid_input(path + ": the file name is for " + named->symbol_in_name + ", but --data gives it as " +
                                     symbol + " (--allow-symbol-mismatch uses it anyway)");
      }
      if (named) {
        dated.push_back(std::move(*named));
      } else {
        undated.push_back(DataFile{path, "", 0, 0});
      }
    }
  }
  // A month (the longer span) before the days it holds; the id order drops
  // what they share.
  std::stable_sort(dated.begin(), dated.end(), [](const DataFile& a, const DataFile& b) {
    if (a.first_ms != b.first_ms) return a.first_ms < b.first_ms;
    return a.end_ms > b.end_ms;
  });
  dated.insert(dated.end(), std::make_move_iterator(undated.begin()), std::make_move_iterator(undated.end()));
  return dated;
}

namespace {

std::uint64_t size_on_disk(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace

SymbolFileStream::SymbolFileStream(std::vector<DataFile> files, CsvImportOptions options, TimeRange range)
    : files_(std::move(files)), options_(std::move(options)), range_(range) {
  for (const DataFile& file : files_) total_bytes_ += size_on_disk(file.path);
}

TradeStream::Progress SymbolFileStream::progress() const {
  const double fraction = reader_ ? reader_->fraction_read() : cached_ ? cached_->fraction_read() : 0.0;
  const double open = fraction * static_cast<double>(open_file_bytes_);
  return {finished_bytes_ + static_cast<std::uint64_t>(open), total_bytes_, ProgressMeter::Unit::kBytes};
}

Result<std::unique_ptr<SymbolFileStream>> SymbolFileStream::open(std::vector<DataFile> files, CsvImportOptions options,
                                                                 TimeRange range) {
  std::unique_ptr<SymbolFileStream> stream(new SymbolFileStream(std::move(files), std::move(options), range));
  auto opened = stream->open_next_file();
  if (!opened) return Status::invalid_input(opened.error());
  return stream;
}

Result<bool> SymbolFileStream::open_next_file() {
  if (reader_ || cached_) {
    file_summaries_.push_back(open_file_summary());
    if (reader_) {
      const auto& skipped = reader_->stats().skipped_row_messages;
      skipped_.insert(skipped_.end(), skipped.begin(), skipped.end());
    }
    reader_.reset();
    cached_.reset();
    finished_bytes_ += open_file_bytes_;
    open_file_bytes_ = 0;
  }
  for (; next_file_ < files_.size(); ++next_file_) {
    const DataFile& file = files_[next_file_];
    if (!file.dated() || range_.overlaps(file.first_ms, file.end_ms)) break;
    finished_bytes_ += size_on_disk(file.path);
  }
  if (next_file_ == files_.size()) return false;
  const std::string& path = files_[next_file_++].path;
  open_file_bytes_ = size_on_disk(path);
  ++files_read_;
  file_start_ = true;
  skip_through_id_ = -1;
  if (!options_.catalog_dir.empty()) {
    cached_ = CatalogEntry::open(options_.catalog_dir, path, options_);
    if (cached_) return true;
  }
  return open_parsed(path);
}

Result<bool> SymbolFileStream::open_parsed(const std::string& path) {
  auto reader = AggTradeCsvReader::open(path, options_);
  if (!reader) return reader.status();
  reader_ = std::move(reader.value());
  if (!options_.catalog_dir.empty()) writer_ = CatalogWriter::create(options_.catalog_dir, path, options_);
  return true;
}

std::string SymbolFileStream::open_file_summary() const {
  if (reader_) return reader_->summary();
  return import_summary(cached_->path(), cached_->stats()) + ", from the catalog";
}

Result<bool> SymbolFileStream::read_open_file(AggTrade& out) {
  if (cached_) {
    if (cached_->next(out)) return true;
    if (!cached_->broken()) {
      ++catalog_reads_;
      return false;
    }
    // Damaged past what it handed out: the file itself from there on (its
    // entry written anew), the same trades in the same order.
    skip_through_id_ = cached_->last_id();
    cached_.reset();
    auto opened = open_parsed(files_[next_file_ - 1].path);
    if (!opened) return opened.status();
  }
  while (true) {
    auto more = reader_->next(out);
    if (!more) {
      writer_.reset();
      return more.status();
    }
    if (writer_) {
      if (more.value()) {
        writer_->add(out);
      } else {
        if (writer_->commit(reader_->stats())) ++catalog_writes_;
        writer_.reset();
      }
    }
    if (!more.value() || out.agg_trade_id > skip_through_id_) return more;
  }
}

Result<bool> SymbolFileStream::next(AggTrade& out) {
  while (reader_ || cached_) {
    auto more = read_open_file(out);
    if (!more) return more.status();
    if (!more.value()) {
      if (reader_ && reader_->stats().rows == 0) {
        // An empty download (a 0-byte file or zip, a header alone) is an
        // input error, never a run that silently saw nothing.
        return Status::invalid_input(files_[next_file_ - 1].path +
                                     ": holds no trade (an empty file, an empty zip or a header alone)");
      }
      auto opened = open_next_file();
      if (!opened) return opened.status();
      continue;
    }
    if (admit(out)) return true;
  }
  return false;
}

Result<std::size_t> SymbolFileStream::read(std::span<AggTrade> out) {
  // A catalog entry's records straight into out, then next()'s checks,
  // keeping the trades they admit...
  std::size_t count = 0;
  while (count < out.size() && cached_ && deferred_error_.is_ok()) {
    const std::span<AggTrade> block = out.subspan(count);
    const std::size_t got = cached_->read(block);
    if (got == 0) break;
    for (std::size_t i = 0; i < got; ++i) {
      if (!admit(block[i])) continue;
      if (&out[count] != &block[i]) out[count] = block[i];  // nothing dropped yet: in place
      ++count;
    }
  }
  if (count == out.size()) return count;
  // ...and the rest through next(): the end of an entry, the next file, a
  // file being parsed.
  auto rest = TradeStream::read(out.subspan(count));
  if (rest) return count + rest.value();
  if (count == 0) return rest.status();
  deferred_error_ = rest.status();
  return count;
}

std::vector<std::string> SymbolFileStream::summary() const {
  std::vector<std::string> lines = file_summaries_;
  if (reader_ || cached_) lines.push_back(open_file_summary());
  if (files_.size() <= 1 && overlaps_dropped_ == 0 && outside_range_ == 0) return lines;
  lines.push_back(std::string(options_.symbol.view()) + ": " + std::to_string(files_read_) + " of " +
                  std::to_string(files_.size()) + " files read, " + std::to_string(trades_) + " trades, " +
                  std::to_string(overlaps_dropped_) + " dropped as overlaps between files, " +
                  std::to_string(gaps_between_files_) + " gaps between files (" +
                  std::to_string(missing_between_files_) + " missing ids), " + std::to_string(outside_range_) +
                  " outside --from/--to");
  return lines;
}

std::vector<std::string> SymbolFileStream::skipped_rows() const {
  std::vector<std::string> rows = skipped_;
  if (reader_) {
    const auto& skipped = reader_->stats().skipped_row_messages;
    rows.insert(rows.end(), skipped.begin(), skipped.end());
  }
  return rows;
}

}  // namespace alphastream
