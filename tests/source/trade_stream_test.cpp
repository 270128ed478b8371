// The progress a trade stream reports while it is read: files by their
// bytes on disk (a file skipped by the range counts as done), a journal by
// its trades; always monotonic, never past the total, the total at the end.
#include "source/csv_trade_stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "source/journal_trade_stream.h"
#include "storage/trade_recorder.h"

namespace alphastream {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kJan1 = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

class TradeStreamProgress : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("trade_stream_test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A day file of `rows` trades of symbol, one a second from that day's start.
  DataFile day_file(const std::string& symbol, int day, int rows, std::int64_t first_id) {
    char date[16];
    std::snprintf(date, sizeof date, "2024-01-%02d", day + 1);
    const std::string path = (dir_ / (symbol + "-aggTrades-" + date + ".csv")).string();
    std::ofstream out(path);
    for (int i = 0; i < rows; ++i) {
      const std::int64_t id = first_id + i;
      out << id << ",100.5,1.25," << 10 * id << "," << 10 * id << "," << kJan1 + day * kDay + 1000 * i << ",false\n";
    }
    return *parse_data_file_name(path);
  }

  std::filesystem::path dir_;
};

// Reads stream to the end, checking each progress against the last.
std::uint64_t read_checking_progress(TradeStream& stream, std::uint64_t total) {
  EXPECT_EQ(stream.progress().total, total);
  std::uint64_t last = stream.progress().done, trades = 0, partial = 0;
  AggTrade trade;
  for (Result<bool> more = stream.next(trade); more && *more; more = stream.next(trade)) {
    ++trades;
    const TradeStream::Progress now = stream.progress();
    EXPECT_GE(now.done, last);
    EXPECT_LE(now.done, now.total);
    if (now.done > 0 && now.done < now.total) ++partial;
    last = now.done;
  }
  EXPECT_EQ(stream.progress().done, total);
  EXPECT_GT(partial, 0u) << "no progress between the start and the end";
  return trades;
}

TEST_F(TradeStreamProgress, FilesCountTheirBytesOnDiskAndASkippedDayCountsAsRead) {
  // Big enough that the reader's 1 MiB buffer is refilled mid-file.
  const std::vector<DataFile> btc = {day_file("BTCUSDT", 0, 30000, 1), day_file("BTCUSDT", 1, 30000, 30001),
                                     day_file("BTCUSDT", 2, 30000, 60001)};
  const std::vector<DataFile> eth = {day_file("ETHUSDT", 0, 20000, 1)};
  std::uint64_t total = 0;
  for (const auto* files : {&btc, &eth}) {
    for (const DataFile& file : *files) total += std::filesystem::file_size(file.path);
  }
  const std::vector<CsvTradeStream::Source> sources = {{"BTCUSDT", btc}, {"ETHUSDT", eth}};
  auto stream = CsvTradeStream::open(sources, CsvImportOptions{});
  ASSERT_TRUE(stream) << stream.error();
  EXPECT_EQ(stream.value()->progress().unit, ProgressMeter::Unit::kBytes);
  EXPECT_EQ(read_checking_progress(*stream.value(), total), 110000u);

  // From day 2 on: day 1's file and ETH's are never opened, yet done.
  auto cut = CsvTradeStream::open(sources, CsvImportOptions{}, TimeRange{kJan1 + kDay, kJan1 + 3 * kDay});
  ASSERT_TRUE(cut) << cut.error();
  EXPECT_EQ(read_checking_progress(*cut.value(), total), 60000u);
}

TEST_F(TradeStreamProgress, AJournalCountsTradesOfAKnownTotal) {
  const std::string journal = (dir_ / "journal").string();
  {
    TradeRecorderOptions options;
    options.path = journal;
    options.map_size_mb = 64;
    auto recorder = TradeRecorder::open(options);
    ASSERT_TRUE(recorder) << recorder.error();
    for (int i = 0; i < 5000; ++i) {
      AggTrade trade;
      trade.symbol = Symbol("BTCUSDT");
      trade.agg_trade_id = i + 1;
      trade.price = 100;
      trade.transact_time_ms = kJan1 + i;
      ASSERT_TRUE(recorder.value()->record(trade));
    }
    ASSERT_TRUE(recorder.value()->flush());
  }
  {
    auto stream = JournalTradeStream::open(journal, INT64_MIN, INT64_MAX);
    ASSERT_TRUE(stream) << stream.error();
    EXPECT_EQ(stream.value()->progress().unit, ProgressMeter::Unit::kTrades);
    EXPECT_EQ(read_checking_progress(*stream.value(), 5000), 5000u);
  }
  // A range that leaves trades out: no total to show a share of.
  auto part = JournalTradeStream::open(journal, kJan1 + 100, INT64_MAX);
  ASSERT_TRUE(part) << part.error();
  EXPECT_EQ(part.value()->progress().total, 0u);
}

// Every trade of a stream, read a block of `block` trades at a time (0: one
// next() at a time).
std::vector<AggTrade> read_all(TradeStream& stream, std::size_t block) {
  std::vector<AggTrade> trades;
  if (block == 0) {
    AggTrade trade;
    Result<bool> more = stream.next(trade);
    for (; more && *more; more = stream.next(trade)) trades.push_back(trade);
    EXPECT_TRUE(more) << more.error();
    return trades;
  }
  std::vector<AggTrade> buffer(block);
  Result<std::size_t> got = stream.read(buffer);
  for (; got && *got > 0; got = stream.read(buffer)) trades.insert(trades.end(), buffer.begin(), buffer.begin() + *got);
  EXPECT_TRUE(got) << got.error();
  return trades;
}

TEST_F(TradeStreamProgress, TheMergeReadInBlocksIsTheOrderOfOneAtATimeWithTiesToTheSourceListedFirst) {
  // Three symbols whose trades share times: ETH every 1 s from 0, BTC every
  // 1 s from 0 too (ties with ETH), SOL every 3 s from 2 s; one from the
  // catalog (its second read), the others parsed.
  const std::string catalog = (dir_ / "catalog").string();
  const std::vector<CsvTradeStream::Source> sources = {{"ETHUSDT", {day_file("ETHUSDT", 0, 3000, 1)}},
                                                       {"BTCUSDT", {day_file("BTCUSDT", 0, 3000, 1)}},
                                                       {"SOLUSDT", {day_file("SOLUSDT", 0, 1000, 1)}}};
  CsvImportOptions options;
  options.catalog_dir = catalog;
  // Three sources merge through a heap, two (a pair's legs) without one.
  for (const std::size_t count : {3u, 2u})
  for (const bool read_ahead : {true, false}) {
    const std::span<const CsvTradeStream::Source> some(sources.data(), count);
    auto reference = CsvTradeStream::open(some, options, TimeRange{}, read_ahead);
    ASSERT_TRUE(reference) << reference.error();
    // A thread of its own for each source read ahead (parsed, not catalogued).
    EXPECT_LE(reference.value()->own_threads(), read_ahead ? count : 0u);
    const std::vector<AggTrade> one_by_one = read_all(*reference.value(), 0);
    ASSERT_EQ(one_by_one.size(), count == 3 ? 7000u : 6000u);
    for (std::size_t i = 1; i < one_by_one.size(); ++i) {
      const AggTrade& a = one_by_one[i - 1];
      const AggTrade& b = one_by_one[i];
      ASSERT_LE(a.transact_time_ms, b.transact_time_ms) << i;
      // Same time: ETH before BTC before SOL, the order listed.
      if (a.transact_time_ms == b.transact_time_ms) {
        ASSERT_TRUE((a.symbol.view() == "ETHUSDT" && b.symbol.view() != "ETHUSDT") ||
                    (a.symbol.view() == "BTCUSDT" && b.symbol.view() == "SOLUSDT"))
            << i << ": " << a.symbol.view() << " then " << b.symbol.view();
      }
    }
    for (const std::size_t block : {1u, 2u, 7u, 511u, 512u, 513u, 4096u, 10000u}) {
      auto stream = CsvTradeStream::open(some, options, TimeRange{}, read_ahead);
      ASSERT_TRUE(stream) << stream.error();
      const std::vector<AggTrade> blocks = read_all(*stream.value(), block);
      ASSERT_EQ(blocks.size(), one_by_one.size()) << "block " << block;
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        ASSERT_TRUE(blocks[i].symbol == one_by_one[i].symbol && blocks[i].agg_trade_id == one_by_one[i].agg_trade_id &&
                    blocks[i].transact_time_ms == one_by_one[i].transact_time_ms)
            << "block " << block << ", trade " << i;
      }
    }
  }
}

}  // namespace
}  // namespace alphastream
