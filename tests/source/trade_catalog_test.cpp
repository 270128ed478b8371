// The binary catalog through SymbolFileStream: the first read writes an
// entry, the next reads it back trade for trade; a changed data file, other
// import options, a damaged or truncated entry and an unwritable folder all
// fall back to parsing the file.
#include "source/trade_catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "feed/file_digest.h"
#include "source/symbol_files.h"
#include "same_trade.h"

namespace alphastream {
namespace {

namespace fs = std::filesystem;

class TradeCatalog : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("trade_catalog_test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    catalog_ = (dir_ / "catalog").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A spot-layout day of BTCUSDT: microsecond times, ids out of order once,
  // a repeated id, several fills per aggregate, both sides.
  DataFile spot_day() {
    const std::string path = (dir_ / "data" / "BTCUSDT-aggTrades-2025-02-01.csv").string();
    std::ofstream out(path);
    out << "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n";
    const std::int64_t start_us = 1'738'368'000'000'000;  // 2025-02-01T00:00:00Z
    for (int i = 0; i < 5000; ++i) {
      const int id = i == 10 ? 11 : i == 11 ? 10 : i;  // 10 and 11 swapped
      out << 1000 + id << "," << 97000.5 + 0.1 * (i % 7) << "," << 0.001 * (1 + i % 13) << "," << 5000 + 3 * id
          << "," << 5000 + 3 * id + (i % 3) << "," << start_us + 1234 * i << "," << (i % 2 ? "True" : "False")
          << ",True\n";
      if (i == 20) out << 1020 << ",97000.5,0.001,5060,5060," << start_us + 1234 * i << ",False,True\n";  // repeat
    }
    return *parse_data_file_name(path);
  }

  CsvImportOptions options() const {
    CsvImportOptions o;
    o.symbol = Symbol("BTCUSDT");
    o.catalog_dir = catalog_;
    return o;
  }

  struct Read {
    std::vector<AggTrade> trades;
    std::vector<std::string> summary;
    std::uint64_t catalog_reads = 0;
    std::uint64_t catalog_writes = 0;
  };
  Read read(const DataFile& file, const CsvImportOptions& o) {
    Read r;
    auto stream = SymbolFileStream::open({file}, o, TimeRange{});
    EXPECT_TRUE(stream) << stream.error();
    if (!stream) return r;
    AggTrade trade;
    for (Result<bool> more = stream.value()->next(trade); more && *more; more = stream.value()->next(trade)) {
      r.trades.push_back(trade);
    }
    r.summary = stream.value()->summary();
    r.catalog_reads = stream.value()->catalog_reads();
    r.catalog_writes = stream.value()->catalog_writes();
    return r;
  }

  static void expect_same_trades(const std::vector<AggTrade>& a, const std::vector<AggTrade>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) testing::expect_same_trade(a[i], b[i], "trade " + std::to_string(i));
  }

  std::string entry() const {
    for (const auto& file : fs::directory_iterator(catalog_)) return file.path().string();
    return {};
  }

  fs::path dir_;
  std::string catalog_;
};

TEST_F(TradeCatalog, TheFirstReadWritesAnEntryAndTheNextReadsTheSameTradesAndStatistics) {
  const DataFile file = spot_day();
  CsvImportOptions parse_only = options();
  parse_only.catalog_dir.clear();
  const Read parsed = read(file, parse_only);
  ASSERT_EQ(parsed.trades.size(), 5000u);
  EXPECT_FALSE(fs::exists(catalog_));

  const Read first = read(file, options());
  EXPECT_EQ(first.catalog_writes, 1u);
  EXPECT_EQ(first.catalog_reads, 0u);
  expect_same_trades(first.trades, parsed.trades);
  EXPECT_EQ(fs::file_size(entry()), 160u + 32u * 5000u);

  const Read second = read(file, options());
  EXPECT_EQ(second.catalog_reads, 1u);
  EXPECT_EQ(second.catalog_writes, 0u);
  expect_same_trades(second.trades, parsed.trades);
  ASSERT_EQ(second.summary.size(), 1u);
  EXPECT_EQ(second.summary[0], parsed.summary[0] + ", from the catalog");
  EXPECT_NE(parsed.summary[0].find("5001 rows, 5000 accepted, 1 duplicates dropped"), std::string::npos)
      << parsed.summary[0];
  EXPECT_NE(parsed.summary[0].find("spot layout, 5001 rows timed in microseconds"), std::string::npos)
      << parsed.summary[0];
}

TEST_F(TradeCatalog, AChangedFileOrOtherImportOptionsAreParsedAgain) {
  const DataFile file = spot_day();
  ASSERT_EQ(read(file, options()).catalog_writes, 1u);
  CsvImportOptions other = options();
  other.reorder_window = 16;  // changes what the reader hands out on other data
  EXPECT_EQ(read(file, other).catalog_reads, 0u);
  // Same size, new modification time: an edited file.
  const auto mtime = fs::last_write_time(file.path);
  fs::last_write_time(file.path, mtime + std::chrono::seconds(1));
  const Read after_touch = read(file, options());
  EXPECT_EQ(after_touch.catalog_reads, 0u);
  EXPECT_EQ(after_touch.catalog_writes, 1u);
  EXPECT_EQ(read(file, options()).catalog_reads, 1u);
}

TEST_F(TradeCatalog, ADamagedOrTruncatedEntryIsIgnoredAndRewritten) {
  const DataFile file = spot_day();
  const Read parsed = read(file, options());
  const std::string path = entry();
  {
    // Record 100's price becomes -1: plausible bytes, implausible trade.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(160 + 100 * 32);
    const double bad = -1;
    f.write(reinterpret_cast<const char*>(&bad), sizeof bad);
  }
  Read again = read(file, options());
  EXPECT_EQ(again.catalog_reads, 0u);
  EXPECT_EQ(again.catalog_writes, 1u);
  expect_same_trades(again.trades, parsed.trades);
  fs::resize_file(path, fs::file_size(path) - 32);
  again = read(file, options());
  EXPECT_EQ(again.catalog_reads, 0u);
  expect_same_trades(again.trades, parsed.trades);
  EXPECT_EQ(read(file, options()).catalog_reads, 1u);
}

TEST_F(TradeCatalog, ReadInBlocksGivesWhatNextGives) {
  const DataFile file = spot_day();
  const Read parsed = read(file, options());
  ASSERT_EQ(parsed.trades.size(), 5000u);
  for (const std::size_t block : {1u, 3u, 1023u, 1024u, 1025u, 8192u}) {
    auto stream = SymbolFileStream::open({file}, options(), TimeRange{});
    ASSERT_TRUE(stream) << stream.error();
    std::vector<AggTrade> trades, buffer(block);
    Result<std::size_t> got = stream.value()->read(buffer);
    for (; got && *got > 0; got = stream.value()->read(buffer)) {
      trades.insert(trades.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*got));
    }
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(stream.value()->catalog_reads(), 1u);
    expect_same_trades(trades, parsed.trades);
  }
}

TEST_F(TradeCatalog, AnEntryDamagedPastWhatItHandedOutIsFollowedByTheFileItself) {
  const DataFile file = spot_day();
  const Read parsed = read(file, options());
  ASSERT_EQ(parsed.trades.size(), 5000u);
  // Cut short while being read, or with an implausible record in its third
  // block of 1024: the first blocks come from the entry, the rest from the
  // data file, and the trades are the parse's, once each.
  for (const bool cut : {true, false}) {
    auto stream = SymbolFileStream::open({file}, options(), TimeRange{});
    ASSERT_TRUE(stream) << stream.error();
    std::vector<AggTrade> trades, buffer(100);
    Result<std::size_t> got = stream.value()->read(buffer);
    ASSERT_TRUE(got) << got.error();
    trades.insert(trades.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*got));
    if (cut) {
      fs::resize_file(entry(), 160u + 32u * 2000u);
    } else {
      std::fstream f(entry(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(160 + 2100 * 32);
      const double bad = -1;
      f.write(reinterpret_cast<const char*>(&bad), sizeof bad);
    }
    for (got = stream.value()->read(buffer); got && *got > 0; got = stream.value()->read(buffer)) {
      trades.insert(trades.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*got));
    }
    ASSERT_TRUE(got) << got.error();
    expect_same_trades(trades, parsed.trades);
    EXPECT_EQ(stream.value()->catalog_reads(), 0u) << cut;
    EXPECT_EQ(stream.value()->catalog_writes(), 1u) << cut;  // written anew
    EXPECT_EQ(stream.value()->overlaps_dropped(), 0u) << cut;
    const std::vector<std::string> summary = stream.value()->summary();
    ASSERT_EQ(summary.size(), 1u);
    EXPECT_EQ(summary[0], parsed.summary[0]);  // the parse's, not the entry's
  }
  EXPECT_EQ(read(file, options()).catalog_reads, 1u);
}

TEST_F(TradeCatalog, AFilesDigestIsKeptBesideItsEntryAndADamagedOneIsRecomputed) {
  const DataFile file = spot_day();
  const auto truth = sha256_of_file(file.path);
  ASSERT_TRUE(truth) << truth.error();
  auto first = cached_file_sha256(catalog_, file.path);
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first.value(), truth.value());
  std::string kept;
  for (const auto& f : fs::directory_iterator(catalog_)) {
    if (f.path().string().ends_with(".sha256")) kept = f.path().string();
  }
  ASSERT_FALSE(kept.empty()) << "the digest is kept for the next run";
  // Stale or hostile contents: another size or time, too few hex digits,
  // letters past f, numbers past their type, nothing at all. Each is ignored,
  // the digest computed again and the file rewritten. A well-formed digest
  // for this size and time is taken as it is, as a catalog entry is: the
  // cache is the user's own.
  std::string size, mtime;
  std::ifstream(kept) >> size >> mtime;  // as written: "<size> <mtime ns> <digest>"
  ASSERT_EQ(size, std::to_string(fs::file_size(file.path)));
  const std::string same = size + " " + mtime + " ";
  for (const std::string& text :
       {same + std::string(64, 'a'), std::to_string(fs::file_size(file.path) + 1) + " " + mtime + " " + std::string(64, 'a'),
        size + " 1 " + std::string(64, 'a'), same + "abc", same + std::string(64, 'z'),
        std::string("99999999999999999999999 1 ") + std::string(64, 'a'), std::string()}) {
    std::ofstream(kept, std::ios::trunc) << text;
    auto again = cached_file_sha256(catalog_, file.path);
    ASSERT_TRUE(again) << again.error();
    if (text == same + std::string(64, 'a')) {
      EXPECT_EQ(again.value(), std::string(64, 'a')) << "a well-formed digest for this size and time is taken";
      continue;
    }
    EXPECT_EQ(again.value(), truth.value()) << text;
  }
  // Without a catalog folder it is computed each time.
  auto uncached = cached_file_sha256("", file.path);
  ASSERT_TRUE(uncached);
  EXPECT_EQ(uncached.value(), truth.value());
  EXPECT_FALSE(cached_file_sha256(catalog_, (dir_ / "data" / "missing.csv").string()));
}

TEST_F(TradeCatalog, AFolderThatCannotBeCreatedIsNoError) {
  const DataFile file = spot_day();
  // Below a regular file: no folder can be made there, root or not.
  std::ofstream(dir_ / "plain-file") << "x";
  CsvImportOptions o = options();
  o.catalog_dir = (dir_ / "plain-file" / "catalog").string();
  const Read r = read(file, o);
  EXPECT_EQ(r.trades.size(), 5000u);
  EXPECT_EQ(r.catalog_writes, 0u);
}

TEST_F(TradeCatalog, AFileWithSkippedRowsIsNotCatalogued) {
  const DataFile file = spot_day();
  std::ofstream(file.path, std::ios::app) << "not,a,row\n";
  CsvImportOptions lenient = options();
  lenient.skip_bad_rows = true;
  EXPECT_EQ(read(file, lenient).catalog_writes, 0u);
  EXPECT_FALSE(fs::exists(catalog_) && !entry().empty());
}

TEST_F(TradeCatalog, EntriesAreKeyedByTheFilesFullPath) {
  const DataFile file = spot_day();
  fs::create_directories(dir_ / "copy");
  const std::string copy = (dir_ / "copy" / fs::path(file.path).filename()).string();
  fs::copy_file(file.path, copy);
  EXPECT_EQ(read(file, options()).catalog_writes, 1u);
  EXPECT_EQ(read(*parse_data_file_name(copy), options()).catalog_writes, 1u);
  EXPECT_EQ(std::distance(fs::directory_iterator(catalog_), fs::directory_iterator()), 2);
}

TEST_F(TradeCatalog, ATradeTheRecordsCannotHoldLeavesItsFileUncataloguedAndReadAsParsed) {
  // Records hold steps from the previous trade in 32 bits and the fills of
  // one aggregate in 16: an aggregate of 70,000 fills, or a time 30 days
  // after the previous trade's, does not fit.
  for (const bool fills : {true, false}) {
    const std::string name = std::string("BTCUSDT-aggTrades-2024-03-0") + (fills ? "1" : "2") + ".csv";
    const std::string path = (dir_ / "data" / name).string();
    {
      std::ofstream out(path);
      const std::int64_t start_ms = fills ? 1'709'251'200'000 : 1'709'337'600'000;
      out << "1,100.5,0.25,10,10," << start_ms << ",false\n";
      if (fills) {
        out << "2,100.6,0.5,11,70011," << start_ms + 5 << ",true\n";
      } else {
        out << "2,100.6,0.5,11,11," << start_ms + 30LL * 86'400'000 << ",true\n";
      }
      out << "3,100.7,0.5,70012,70012," << start_ms + 30LL * 86'400'000 + 9 << ",false\n";
    }
    const DataFile file = *parse_data_file_name(path);
    CsvImportOptions plain = options();
    plain.catalog_dir.clear();
    const Read parsed = read(file, plain);
    ASSERT_EQ(parsed.trades.size(), 3u);
    const Read first = read(file, options());
    EXPECT_EQ(first.catalog_writes, 0u) << fills;
    expect_same_trades(first.trades, parsed.trades);
    const Read again = read(file, options());
    EXPECT_EQ(again.catalog_reads, 0u) << fills;
    expect_same_trades(again.trades, parsed.trades);
  }
}

TEST_F(TradeCatalog, HostileStepsAndBasesEndOrVoidTheEntryAndTheParseTakesOver) {
  // Format 2's own fields, each set to a value no writer makes: an id step
  // of 0 (ids not rising), a first id at the limit where steps could
  // overflow, a first time before 2017. (One time step, 32 bits of ms, cannot
  // leave the plausible years; like a plausible absolute value before, it is
  // not detectable.)
  const DataFile file = spot_day();
  const Read parsed = read(file, options());
  ASSERT_EQ(parsed.trades.size(), 5000u);
  struct Damage {
    std::streamoff offset;
    std::int64_t value;
    int bytes;
  };
  const Damage damages[] = {{160 + 300 * 32 + 16, 0, 4},
                            {136, std::int64_t{1} << 62, 8},
                            {144, 1'000'000'000'000, 8}};
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.offset);
    ASSERT_EQ(read(file, options()).catalog_reads, 1u);  // a sound entry first
    {
      std::fstream f(entry(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(damage.offset);
      f.write(reinterpret_cast<const char*>(&damage.value), damage.bytes);
    }
    const Read again = read(file, options());
    EXPECT_EQ(again.catalog_reads, 0u);
    EXPECT_EQ(again.catalog_writes, 1u);  // written anew
    expect_same_trades(again.trades, parsed.trades);
  }
}

}  // namespace
}  // namespace alphastream
