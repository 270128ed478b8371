#include "source/trade_catalog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include "core/pread_exactly.h"
#include "feed/file_digest.h"

namespace alphastream {
namespace {

// Records are written in the host's byte order; a catalog is a local cache,
// never shipped between machines.
static_assert(std::endian::native == std::endian::little, "the catalog format is little-endian");

constexpr char kMagic[8] = {'A', 'S', 'C', 'A', 'T', 'L', 'G', '\0'};
// 2: 32-byte records holding steps from the previous record (48-byte
// absolute records before): a third less to read for every trade.
constexpr std::uint32_t kVersion = 2;

struct CatalogHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t record_size;
  std::uint64_t source_size;
  std::int64_t source_mtime_ns;
  std::uint64_t reorder_window;
  std::uint8_t skip_bad_rows;
  std::uint8_t header_present;
  std::uint8_t layout;
  std::uint8_t reserved[5];
  char symbol[24];
  std::uint64_t count;
  std::uint64_t rows;
  std::uint64_t duplicates_dropped;
  std::uint64_t gaps;
  std::uint64_t missing_ids;
  std::uint64_t reordered_rows;
  std::uint64_t max_buffered_rows;
  std::uint64_t microsecond_rows;
  // What the first record's steps start from.
  std::int64_t first_agg_trade_id;
  std::int64_t first_transact_time_ms;
  std::int64_t first_trade_id;
};
static_assert(sizeof(CatalogHeader) == 160);

// A trade as steps from the previous one (the header's firsts for the first
// record): ids rise by small steps and times move by milliseconds, so they
// fit in 32 bits. A trade that does not fit leaves its file uncatalogued.
struct CatalogRecord {
  double price;
  double quantity;
  std::uint32_t id_step;          // agg_trade_id - the previous one, >= 1
  std::int32_t time_step;         // transact_time_ms - the previous one
  std::int32_t first_trade_skip;  // first_trade_id - (the previous last_trade_id + 1)
  std::uint16_t trades_after_first;  // last_trade_id - first_trade_id
  std::uint16_t time_us_and_maker;   // transact_time_us, and is_buyer_maker as bit 15
};
static_assert(sizeof(CatalogRecord) == 32);

constexpr std::uint16_t kBuyerMakerBit = 1u << 15;
// Ids an entry may hold: far above any exchange's, far enough below the
// int64 limit that a record's step from one can never overflow.
constexpr std::int64_t kIdLimit = std::int64_t{1} << 62;

// FNV-1a: stable across builds and runs, unlike std::hash.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// "<dir>/<file name>.<hash of the absolute path>.trades": two files of one
// name in two folders get two entries.
std::string entry_path(const std::string& dir, const std::string& data_path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::weakly_canonical(data_path, ec);
  if (ec) absolute = std::filesystem::absolute(data_path, ec);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(absolute.string())));
  return (std::filesystem::path(dir) / (std::filesystem::path(data_path).filename().string() + "." + hash + ".trades"))
      .string();
}

// Size and modification time of the data file, or false.
bool source_identity(const std::string& data_path, std::uint64_t& size, std::int64_t& mtime_ns) {
  struct stat info {};
  if (::stat(data_path.c_str(), &info) != 0) return false;
  size = static_cast<std::uint64_t>(info.st_size);
  mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  return true;
}

// Records read at a time: 32 KB, in cache while they are converted.
constexpr std::size_t kBlockRecords = 1024;

// The trade record encodes after base, checked as it is decoded (outside
// input: ids rising, time, price and size plausible); false if not.
bool decode(const CatalogRecord& r, const CatalogStepBase& base, AggTrade& out) {
  const std::int64_t id = base.agg_trade_id + r.id_step;
  const std::int64_t time_ms = base.transact_time_ms + r.time_step;
  const std::int64_t first_trade_id = base.last_trade_id + 1 + r.first_trade_skip;
  const std::uint16_t time_us = r.time_us_and_maker & ~kBuyerMakerBit;
  if (r.id_step < 1 || id >= kIdLimit || !is_plausible_trade_time(time_ms) || !std::isfinite(r.price) ||
      !(r.price > 0) || !std::isfinite(r.quantity) || !(r.quantity >= 0) || first_trade_id < 0 ||
      first_trade_id + r.trades_after_first >= kIdLimit || time_us >= 1000) {
    return false;
  }
  out.agg_trade_id = id;
  out.price = r.price;
  out.quantity = r.quantity;
  out.first_trade_id = first_trade_id;
  out.last_trade_id = first_trade_id + r.trades_after_first;
  out.transact_time_ms = time_ms;
  out.is_buyer_maker = (r.time_us_and_maker & kBuyerMakerBit) != 0;
  out.transact_time_us = time_us;
  return true;
}

}  // namespace

Result<std::string> cached_file_sha256(const std::string& dir, const std::string& data_path) {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  if (!source_identity(data_path, size, mtime_ns)) return Status::error(data_path + ": cannot stat to hash");
  std::string digest_path;
  if (!dir.empty()) {
    digest_path = entry_path(dir, data_path) + ".sha256";
    // "<size> <mtime ns> <64 hex digits>"
    if (std::FILE* file = std::fopen(digest_path.c_str(), "rb"); file != nullptr) {
      unsigned long long kept_size = 0;
      long long kept_mtime = 0;
      char hex[65] = {};
      const bool read = std::fscanf(file, "%llu %lld %64[0-9a-f]", &kept_size, &kept_mtime, hex) == 3;
      std::fclose(file);
      if (read && kept_size == size && kept_mtime == mtime_ns && std::strlen(hex) == 64) return std::string(hex);
    }
  }
  auto digest = sha256_of_file(data_path);
  if (!digest || digest_path.empty()) return digest;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string temp = digest_path + ".tmp" + std::to_string(::getpid());
  if (std::FILE* file = std::fopen(temp.c_str(), "wb"); file != nullptr) {
    const bool written = std::fprintf(file, "%llu %lld %s\n", static_cast<unsigned long long>(size),
                                      static_cast<long long>(mtime_ns), digest->c_str()) > 0;
    if (std::fclose(file) == 0 && written) std::filesystem::rename(temp, digest_path, ec);
    std::filesystem::remove(temp, ec);
  }
  return digest;
}

std::string default_catalog_dir() {
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache == '/') {
    return std::string(cache) + "/alphastream/catalog";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::string(home) + "/.cache/alphastream/catalog";
  }
  return {};
}

std::unique_ptr<CatalogEntry> CatalogEntry::open(const std::string& dir, const std::string& data_path,
                                                 const CsvImportOptions& options) {
  std::uint64_t source_size = 0;
  std::int64_t source_mtime_ns = 0;
  if (!source_identity(data_path, source_size, source_mtime_ns)) return nullptr;
  const std::string path = entry_path(dir, data_path);
  std::unique_ptr<CatalogEntry> entry(new CatalogEntry());
  entry->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (entry->fd_ < 0) return nullptr;
  struct stat info {};
  CatalogHeader header;
  if (::fstat(entry->fd_, &info) != 0 || static_cast<std::size_t>(info.st_size) < sizeof header ||
      !pread_exactly(entry->fd_, &header, sizeof header, 0)) {
    return nullptr;
  }
  const auto size = static_cast<std::size_t>(info.st_size);
  entry->path_ = data_path;
  entry->symbol_ = options.symbol;
  const std::string_view symbol(header.symbol, strnlen(header.symbol, sizeof header.symbol));
  const bool matches =
      std::memcmp(header.magic, kMagic, sizeof kMagic) == 0 && header.version == kVersion &&
      header.record_size == sizeof(CatalogRecord) && header.source_size == source_size &&
      header.source_mtime_ns == source_mtime_ns && header.reorder_window == options.reorder_window &&
      header.skip_bad_rows == (options.skip_bad_rows ? 1 : 0) && symbol == options.symbol.view() &&
      header.count <= (size - sizeof header) / sizeof(CatalogRecord) &&
      size == sizeof header + header.count * sizeof(CatalogRecord) && header.layout <= 1 && header.count > 0 &&
      header.first_agg_trade_id >= 0 && header.first_agg_trade_id < kIdLimit && header.first_trade_id >= 0 &&
      header.first_trade_id < kIdLimit && is_plausible_trade_time(header.first_transact_time_ms);
  if (!matches) return nullptr;
  ::posix_fadvise(entry->fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  entry->count_ = header.count;
  entry->base_ =
      CatalogStepBase::before(header.first_agg_trade_id, header.first_transact_time_ms, header.first_trade_id);
  CsvImportStats& stats = entry->stats_;
  stats.rows = header.rows;
  stats.accepted = header.count;
  stats.duplicates_dropped = header.duplicates_dropped;
  stats.gaps = header.gaps;
  stats.missing_ids = header.missing_ids;
  stats.reordered_rows = header.reordered_rows;
  stats.max_buffered_rows = header.max_buffered_rows;
  stats.header_present = header.header_present != 0;
  stats.layout = header.layout == 1 ? CsvLayout::kSpot : CsvLayout::kFutures;
  stats.microsecond_rows = header.microsecond_rows;
  return entry;
}

bool CatalogEntry::read_records(std::uint64_t first, std::size_t count) {
  block_.resize(kBlockRecords * sizeof(CatalogRecord));
  const std::size_t bytes = count * sizeof(CatalogRecord);
  const auto offset = static_cast<off_t>(sizeof(CatalogHeader) + first * sizeof(CatalogRecord));
  if (!pread_exactly(fd_, block_.data(), bytes, offset)) return false;
  block_position_ = 0;
  block_count_ = count;
  return true;
}

CatalogEntry::~CatalogEntry() {
  if (fd_ >= 0) ::close(fd_);
}

bool CatalogEntry::next(AggTrade& out) { return read(std::span<AggTrade>(&out, 1)) == 1; }

std::size_t CatalogEntry::read(std::span<AggTrade> out) {
  if (broken_) return 0;
  std::size_t count = 0;
  while (count < out.size() && position_ < count_) {
    if (block_position_ == block_count_) {
      const auto records = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockRecords, count_ - position_));
      if (!read_records(position_, records)) {
        broken_ = true;
        break;
      }
    }
    const std::size_t take = std::min(out.size() - count, block_count_ - block_position_);
    std::size_t taken = 0;
    for (; taken < take; ++taken) {
      CatalogRecord record;
      std::memcpy(&record, block_.data() + (block_position_ + taken) * sizeof(CatalogRecord), sizeof record);
      AggTrade& trade = out[count + taken];
      // Checked as decoded, in the one pass that converts it; every field
      // stored once (an AggTrade{} first would store the 96 bytes twice).
      if (!decode(record, base_, trade)) {
        broken_ = true;
        break;
      }
      trade.symbol = symbol_;
      trade.event_time_ms = 0;
      trade.receive_time_ns = 0;
      base_ = CatalogStepBase::after(trade);
    }
    block_position_ += taken;
    position_ += taken;
    count += taken;
    if (taken > 0) last_id_ = base_.agg_trade_id;
    if (broken_) break;
  }
  return count;
}

double CatalogEntry::fraction_read() const {
  return count_ == 0 ? 1.0 : static_cast<double>(position_) / static_cast<double>(count_);
}

std::unique_ptr<CatalogWriter> CatalogWriter::create(const std::string& dir, const std::string& data_path,
                                                     const CsvImportOptions& options) {
  std::unique_ptr<CatalogWriter> writer(new CatalogWriter());
  if (!source_identity(data_path, writer->source_size_, writer->source_mtime_ns_)) return nullptr;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return nullptr;
  writer->final_path_ = entry_path(dir, data_path);
  writer->temp_path_ = writer->final_path_ + ".tmp." + std::to_string(::getpid());
  writer->file_ = std::fopen(writer->temp_path_.c_str(), "wb");
  if (writer->file_ == nullptr) return nullptr;
  writer->options_ = options;
  writer->data_path_ = data_path;
  const CatalogHeader placeholder{};
  writer->ok_ = std::fwrite(&placeholder, sizeof placeholder, 1, writer->file_) == 1;
  return writer;
}

CatalogWriter::~CatalogWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(temp_path_.c_str());
}

void CatalogWriter::add(const AggTrade& trade) {
  if (!ok_) return;
  if (count_ == 0) {
    start_ = CatalogStepBase::before(trade.agg_trade_id, trade.transact_time_ms, trade.first_trade_id);
    previous_ = start_;
  }
  const std::int64_t id_step = trade.agg_trade_id - previous_.agg_trade_id;
  const std::int64_t time_step = trade.transact_time_ms - previous_.transact_time_ms;
  const std::int64_t first_trade_skip = trade.first_trade_id - (previous_.last_trade_id + 1);
  const std::int64_t after_first = trade.last_trade_id - trade.first_trade_id;
  const auto fits = [](std::int64_t v, std::int64_t low, std::int64_t high) { return v >= low && v <= high; };
  if (!fits(id_step, 1, std::numeric_limits<std::uint32_t>::max()) ||
      !fits(time_step, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()) ||
      !fits(first_trade_skip, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()) ||
      !fits(after_first, 0, std::numeric_limits<std::uint16_t>::max()) || trade.transact_time_us >= 1000) {
    ok_ = false;  // a trade the format cannot hold: this file stays uncatalogued
    return;
  }
  CatalogRecord record{};
  record.price = trade.price;
  record.quantity = trade.quantity;
  record.id_step = static_cast<std::uint32_t>(id_step);
  record.time_step = static_cast<std::int32_t>(time_step);
  record.first_trade_skip = static_cast<std::int32_t>(first_trade_skip);
  record.trades_after_first = static_cast<std::uint16_t>(after_first);
  record.time_us_and_maker =
      static_cast<std::uint16_t>(trade.transact_time_us | (trade.is_buyer_maker ? kBuyerMakerBit : 0));
  previous_ = CatalogStepBase::after(trade);
  ok_ = std::fwrite(&record, sizeof record, 1, file_) == 1;
  ++count_;
}

bool CatalogWriter::commit(const CsvImportStats& stats) {
  if (!ok_ || file_ == nullptr || count_ == 0 || stats.bad_rows_skipped > 0 || stats.accepted != count_) return false;
  CatalogHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = kVersion;
  header.record_size = sizeof(CatalogRecord);
  header.source_size = source_size_;
  header.source_mtime_ns = source_mtime_ns_;
  header.reorder_window = options_.reorder_window;
  header.skip_bad_rows = options_.skip_bad_rows ? 1 : 0;
  header.header_present = stats.header_present ? 1 : 0;
  header.layout = stats.layout == CsvLayout::kSpot ? 1 : 0;
  const std::string_view symbol = options_.symbol.view();
  std::memcpy(header.symbol, symbol.data(), std::min(symbol.size(), sizeof header.symbol));
  header.count = count_;
  header.rows = stats.rows;
  header.duplicates_dropped = stats.duplicates_dropped;
  header.gaps = stats.gaps;
  header.missing_ids = stats.missing_ids;
  header.reordered_rows = stats.reordered_rows;
  header.max_buffered_rows = stats.max_buffered_rows;
  header.microsecond_rows = stats.microsecond_rows;
  header.first_agg_trade_id = start_.agg_trade_id + 1;
  header.first_transact_time_ms = start_.transact_time_ms;
  header.first_trade_id = start_.last_trade_id + 1;
  const bool written = std::fseek(file_, 0, SEEK_SET) == 0 && std::fwrite(&header, sizeof header, 1, file_) == 1 &&
                       std::fflush(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!written || !closed) return false;
  // The data file changed while it was read: the entry would describe neither.
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  if (!source_identity(data_path_, size, mtime_ns) || size != source_size_ || mtime_ns != source_mtime_ns_) {
    return false;
  }
  committed_ = std::rename(temp_path_.c_str(), final_path_.c_str()) == 0;
  return committed_;
}

}  // namespace alphastream
