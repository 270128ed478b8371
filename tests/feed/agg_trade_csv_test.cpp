#include "feed/agg_trade_csv.h"

#include <unistd.h>
#include <zip.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace alphastream {
namespace {

constexpr std::string_view kHeader =
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n";

// A row whose price, quantity and trade ids follow from its agg id, so a
// test can write rows by id alone and check what comes back.
std::string row(std::int64_t id, std::string_view maker = "false") {
  return std::to_string(id) + ",100.5," + std::to_string(id % 7) + ".25," +
         std::to_string(id * 10) + "," + std::to_string(id * 10 + 2) + "," +
         std::to_string(1704067200000 + id) + "," + std::string(maker) + "\n";
}

std::string rows(std::initializer_list<std::int64_t> ids) {
  std::string text;
  for (std::int64_t id : ids) text += row(id);
  return text;
}

class CsvImport : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("agg_trade_csv_test-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, std::string_view content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Builds a zip holding the given (name, content) files with libzip.
  std::string write_zip(const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& files) {
    const std::string path = (dir_ / name).string();
    int code = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    EXPECT_NE(archive, nullptr) << code;
    for (const auto& [inner, content] : files) {
      zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
      EXPECT_GE(zip_file_add(archive, inner.c_str(), source, ZIP_FL_OVERWRITE), 0);
    }
    EXPECT_EQ(zip_close(archive), 0);  // compresses here, while files are alive
    return path;
  }

  static CsvImportOptions options(std::size_t reorder_window = 65536, bool skip_bad_rows = false) {
    CsvImportOptions options;
    options.symbol = Symbol("BTCUSDT");
    options.reorder_window = reorder_window;
    options.skip_bad_rows = skip_bad_rows;
    return options;
  }

  // Reads the whole file; the ids handed out, or the error.
  static Result<std::vector<std::int64_t>> read_ids(AggTradeCsvReader& reader) {
    std::vector<std::int64_t> ids;
    AggTrade trade;
    for (;;) {
      Result<bool> more = reader.next(trade);
      if (!more) return more.status();
      if (!*more) return ids;
      ids.push_back(trade.agg_trade_id);
    }
  }

  static std::unique_ptr<AggTradeCsvReader> open_or_die(const std::string& path,
                                                        CsvImportOptions opts) {
    auto reader = AggTradeCsvReader::open(path, std::move(opts));
    EXPECT_TRUE(reader) << reader.error();
    return reader ? std::move(reader.value()) : nullptr;
  }

  std::string read_error(const std::string& content, CsvImportOptions opts = options()) {
    auto reader = open_or_die(write("bad.csv", content), std::move(opts));
    auto ids = read_ids(*reader);
    EXPECT_FALSE(ids);
    return ids ? "" : ids.error();
  }

  std::filesystem::path dir_;
};

using Ids = std::vector<std::int64_t>;

TEST_F(CsvImport, ReadsEveryFieldOfABinanceFileWithHeader) {
  const std::string path = write(
      "BTCUSDT-aggTrades-2024-01-01.csv",
      std::string(kHeader) + "26129,0.01633102,4.70443515,27781,27783,1498793709153,true\n" +
          "26130,42000.1,0,27784,27784,1498793709160,false\n");
  auto reader = open_or_die(path, options());
  AggTrade trade;
  ASSERT_TRUE(*reader->next(trade));
  EXPECT_EQ(trade.symbol.view(), "BTCUSDT");
  EXPECT_EQ(trade.agg_trade_id, 26129);
  EXPECT_EQ(trade.price, 0.01633102);
  EXPECT_EQ(trade.quantity, 4.70443515);
  EXPECT_EQ(trade.first_trade_id, 27781);
  EXPECT_EQ(trade.last_trade_id, 27783);
  EXPECT_EQ(trade.transact_time_ms, 1498793709153);
  EXPECT_EQ(trade.event_time_ms, 0);
  EXPECT_TRUE(trade.is_buyer_maker);
  ASSERT_TRUE(*reader->next(trade));
  EXPECT_EQ(trade.price, 42000.1);
  EXPECT_EQ(trade.quantity, 0.0);  // zero-quantity rows are kept
  EXPECT_FALSE(trade.is_buyer_maker);
  EXPECT_FALSE(*reader->next(trade));
  EXPECT_FALSE(*reader->next(trade));  // the end stays the end
  EXPECT_TRUE(reader->stats().header_present);
  EXPECT_EQ(reader->stats().rows, 2u);
  EXPECT_EQ(reader->stats().accepted, 2u);
}

TEST_F(CsvImport, ReadsAFileWithoutHeaderOrFinalNewline) {
  auto reader = open_or_die(write("a.csv", rows({7, 8}) + "9,1.5,2,90,92,1704067200009,false"),
                            options());
  EXPECT_EQ(*read_ids(*reader), (Ids{7, 8, 9}));
  EXPECT_FALSE(reader->stats().header_present);
  EXPECT_EQ(reader->stats().rows, 3u);
}

TEST_F(CsvImport, IsBuyerMakerAcceptsTrueAndFalseInAnyCase) {
  auto reader = open_or_die(
      write("a.csv", row(1, "TRUE") + row(2, "False") + row(3, "tRuE") + row(4, "FALSE")),
      options());
  std::vector<bool> makers;
  AggTrade trade;
  while (*reader->next(trade)) makers.push_back(trade.is_buyer_maker);
  EXPECT_EQ(makers, (std::vector<bool>{true, false, true, false}));
}

TEST_F(CsvImport, OutOfOrderRowsComeOutSortedAndAreCounted) {
  auto reader = open_or_die(write("a.csv", rows({1, 3, 2, 6, 4, 5, 7})), options());
  EXPECT_EQ(*read_ids(*reader), (Ids{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(reader->stats().reordered_rows, 3u);  // 2, 4 and 5 came after a higher id
  EXPECT_EQ(reader->stats().gaps, 0u);
  EXPECT_EQ(reader->stats().accepted, 7u);
}

TEST_F(CsvImport, DuplicateIdsAreDroppedAndCounted) {
  // With a window of 2, the second 2 is still buffered beside the first
  // while the last 1 arrives after 1 was handed out: both are duplicates.
  auto reader = open_or_die(write("a.csv", rows({1, 2, 2, 3, 4, 1, 5})), options(2));
  EXPECT_EQ(*read_ids(*reader), (Ids{1, 2, 3, 4, 5}));
  const CsvImportStats& stats = reader->stats();
  EXPECT_EQ(stats.rows, 7u);
  EXPECT_EQ(stats.accepted, 5u);
  EXPECT_EQ(stats.duplicates_dropped, 2u);
  EXPECT_EQ(stats.reordered_rows, 0u);
  EXPECT_EQ(stats.gaps, 0u);
}

TEST_F(CsvImport, TheFirstCopyOfADuplicateIsTheOneKept) {
  auto reader = open_or_die(write("a.csv", row(1) + row(2, "true") + row(2, "false")), options());
  AggTrade trade;
  ASSERT_TRUE(*reader->next(trade));
  ASSERT_TRUE(*reader->next(trade));
  EXPECT_EQ(trade.agg_trade_id, 2);
  EXPECT_TRUE(trade.is_buyer_maker);
  EXPECT_FALSE(*reader->next(trade));
}

TEST_F(CsvImport, GapsAndMissingIdsAreCountedExactly) {
  auto reader = open_or_die(write("a.csv", rows({1, 2, 5, 6, 10, 11, 13})), options());
  EXPECT_EQ(*read_ids(*reader), (Ids{1, 2, 5, 6, 10, 11, 13}));
  EXPECT_EQ(reader->stats().gaps, 3u);         // 3-4, 7-9, 12
  EXPECT_EQ(reader->stats().missing_ids, 6u);  // 2 + 3 + 1
}

TEST_F(CsvImport, ABadRowOnLineOneWithoutHeaderStopsWithItsPlace) {
  const std::string error = read_error("1,abc,1,10,10,1704067200000,true\n" + rows({2}));
  EXPECT_EQ(error, (dir_ / "bad.csv").string() +
                       ":1: column 'price': expected a decimal number, got \"abc\"");
}

TEST_F(CsvImport, ABadRowOnLineFiveWithHeaderStopsWithItsPlaceAndStaysStopped) {
  const std::string path =
      write("bad.csv", std::string(kHeader) + rows({1, 2, 3}) + row(4, "yes") + rows({5}));
  auto reader = open_or_die(path, options());
  auto ids = read_ids(*reader);
  ASSERT_FALSE(ids);
  const std::string expected = path + ":5: column 'is_buyer_maker': expected true or false, got \"yes\"";
  EXPECT_EQ(ids.error(), expected);
  AggTrade trade;
  Result<bool> again = reader->next(trade);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), expected);
}

TEST_F(CsvImport, EachKindOfMalformedRowHasItsOwnMessage) {
  const std::string at = (dir_ / "bad.csv").string() + ":1: ";
  const std::string layouts =
      "expected 7 (futures: agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker) "
      "or 8 (spot: agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,"
      "is_best_match)";
  EXPECT_EQ(read_error("1,100.5,1,10,10,1704067200000\n"), at + "got 6 comma-separated fields; " + layouts);
  EXPECT_EQ(read_error("1,100.5,1,10,10,1704067200000,true,true,true\n"),
            at + "got 9 comma-separated fields; " + layouts);
  // The first row (or the header) chose the layout: later rows keep to it.
  EXPECT_EQ(read_error("1,100.5,1,10,10,1704067200000,true\n2,100.5,1,10,10,1704067200000,true,true\n"),
            (dir_ / "bad.csv").string() + ":2: expected 7 comma-separated fields (the futures layout of this "
                                          "file), got 8");
  EXPECT_EQ(read_error("1,100.5,1,10,10,1704067200000,true,maybe\n"),
            at + "column 'is_best_match': expected true or false, got \"maybe\"");
  EXPECT_EQ(read_error("x1,100.5,1,10,10,1704067200000,true\n"),
            at + "column 'agg_trade_id': expected a non-negative integer, got \"x1\"");
  EXPECT_EQ(read_error("1.5,100.5,1,10,10,1704067200000,true\n"),
            at + "column 'agg_trade_id': expected a non-negative integer, got \"1.5\"");
  EXPECT_EQ(read_error("1,-100.5,1,10,10,1704067200000,true\n"),
            at + "column 'price': expected a price above zero, got \"-100.5\"");
  EXPECT_EQ(read_error("1,nan,1,10,10,1704067200000,true\n"),
            at + "column 'price': expected a decimal number, got \"nan\"");
  EXPECT_EQ(read_error("1,100.5,,10,10,1704067200000,true\n"),
            at + "column 'quantity': expected a decimal number, got \"\"");
  EXPECT_EQ(read_error("1,100.5,-2,10,10,1704067200000,true\n"),
            at + "column 'quantity': expected a quantity of zero or more, got \"-2\"");
  EXPECT_EQ(read_error("1,100.5,1,10,9,1704067200000,true\n"),
            at + "column 'last_trade_id': expected at least first_trade_id 10, got \"9\"");
  EXPECT_EQ(read_error("1,100.5,1,10,10,2024-01-01,true\n"),
            at + "column 'transact_time': expected a non-negative integer, got \"2024-01-01\"");
  EXPECT_EQ(read_error("1,100.5 ,1,10,10,1704067200000,true\n"),
            at + "column 'price': expected a decimal number, got \"100.5 \"");
  // Times that would move a pipeline's clock by centuries: 1970, 9999 (in
  // ms, then in us) and the int64 limit.
  for (const char* time : {"1000", "253402300799000", "253402300799000000", "9223372036854775807"}) {
    EXPECT_EQ(read_error("1,100.5,1,10,10," + std::string(time) + ",true\n"),
              at + "column 'transact_time': expected a time in 2017..2100 in Unix ms or us, got \"" + time + "\"");
  }
}

// Spot files without a header (as Binance publishes them): eight fields
// tell the layout; times before 2025 in milliseconds, after in
// microseconds, told apart row by row by their magnitude.
TEST_F(CsvImport, SpotRowsInMillisecondsAndMicrosecondsGiveTheSameMilliseconds) {
  auto reader = open_or_die(write("spot.csv", "1,100.5,1,10,10,1735689599999,true,true\n"
                                              "2,100.5,1,11,11,1735689600000000,false,true\n"
                                              "3,100.5,1,12,12,1735689600000999,false,false\n"),
                            options());
  AggTrade trade;
  std::vector<std::pair<std::int64_t, int>> times;
  for (Result<bool> more = reader->next(trade); more && *more; more = reader->next(trade)) {
    times.emplace_back(trade.transact_time_ms, trade.transact_time_us);
  }
  EXPECT_EQ(times, (std::vector<std::pair<std::int64_t, int>>{
                       {1735689599999, 0}, {1735689600000, 0}, {1735689600000, 999}}));
  EXPECT_EQ(reader->stats().layout, CsvLayout::kSpot);
  EXPECT_EQ(reader->stats().microsecond_rows, 2u);
  EXPECT_FALSE(reader->stats().header_present);
}

TEST_F(CsvImport, AHeaderOfAnotherLayoutIsRefused) {
  EXPECT_EQ(read_error("agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time\n"),
            (dir_ / "bad.csv").string() +
                ":1: unexpected header \"agg_trade_id,price,quantity,first_trade_...\"; expected "
                "the futures layout \"agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,"
                "is_buyer_maker\" or the spot layout \"agg_trade_id,price,quantity,first_trade_id,last_trade_id,"
                "transact_time,is_buyer_maker,is_best_match\"");
}

TEST_F(CsvImport, SkipBadRowsCountsThemAndKeepsTheFirstTwentyMessages) {
  std::string content = row(1);
  for (int i = 0; i < 25; ++i) content += "oops\n";  // lines 2..26
  content += rows({2, 3});
  const std::string path = write("a.csv", content);
  auto reader = open_or_die(path, options(65536, /*skip_bad_rows=*/true));
  EXPECT_EQ(*read_ids(*reader), (Ids{1, 2, 3}));
  const CsvImportStats& stats = reader->stats();
  EXPECT_EQ(stats.rows, 28u);
  EXPECT_EQ(stats.bad_rows_skipped, 25u);
  EXPECT_EQ(stats.accepted, 3u);
  ASSERT_EQ(stats.skipped_row_messages.size(), CsvImportStats::kMaxSkipMessages);
  EXPECT_EQ(stats.skipped_row_messages.front(),
            path + ":2: expected 7 comma-separated fields (the futures layout of this file), got 1");
  EXPECT_EQ(stats.skipped_row_messages.back(),
            path + ":21: expected 7 comma-separated fields (the futures layout of this file), got 1");
}

TEST_F(CsvImport, CrlfLineEndingsAndBlankLinesAreHandled) {
  const std::string content = "agg_trade_id,price,quantity,first_trade_id,last_trade_id,"
                              "transact_time,is_buyer_maker\r\n"
                              "1,100.5,2,10,10,1704067200001,true\r\n"
                              "\r\n"
                              "\n"
                              "2,100.25,3,11,12,1704067200002,false\r\n"
                              "3,100.5,abc,13,13,1704067200003,true\r\n";
  const std::string path = write("a.csv", content);
  // Window 0: each row goes out as it is read, before the bad one is seen.
  auto reader = open_or_die(path, options(0));
  AggTrade trade;
  ASSERT_TRUE(*reader->next(trade));
  EXPECT_TRUE(reader->stats().header_present);
  EXPECT_TRUE(trade.is_buyer_maker);  // "true\r" would not have parsed
  ASSERT_TRUE(*reader->next(trade));
  EXPECT_EQ(trade.price, 100.25);
  Result<bool> third = reader->next(trade);
  ASSERT_FALSE(third);
  // Blank lines still count as lines: the bad row is on line 6.
  EXPECT_EQ(third.error(), path + ":6: column 'quantity': expected a decimal number, got \"abc\"");
}

TEST_F(CsvImport, AUtf8ByteOrderMarkBeforeTheHeaderIsIgnored) {
  auto reader =
      open_or_die(write("a.csv", "\xEF\xBB\xBF" + std::string(kHeader) + rows({1})), options());
  EXPECT_EQ(*read_ids(*reader), (Ids{1}));
  EXPECT_TRUE(reader->stats().header_present);
}

TEST_F(CsvImport, ZipFilesAreReadAsTheyAreDownloaded) {
  std::string content(kHeader);
  for (std::int64_t id = 1; id <= 5000; ++id) content += row(id);
  const std::string path = write_zip("BTCUSDT-aggTrades-2024-01-01.zip",
                                     {{"BTCUSDT-aggTrades-2024-01-01.csv", content}});
  auto reader = open_or_die(path, options());
  AggTrade trade;
  std::int64_t count = 0;
  double quantity_total = 0;
  while (*reader->next(trade)) {
    ++count;
    quantity_total += trade.quantity;
  }
  EXPECT_EQ(count, 5000);
  // Quantities are id % 7 + 0.25: ids 1..4998 are 714 full cycles of
  // 0..6 (21 each), then 4999 % 7 = 1 and 5000 % 7 = 2.
  EXPECT_DOUBLE_EQ(quantity_total, 714 * 21 + 1 + 2 + 5000 * 0.25);
  EXPECT_TRUE(reader->stats().header_present);
  EXPECT_LT(std::filesystem::file_size(path), content.size() / 2);  // it really was compressed
}

TEST_F(CsvImport, AZipWithMoreThanOneFileIsRefused) {
  const std::string path = write_zip("two.zip", {{"a.csv", rows({1})}, {"b.csv", rows({2})}});
  auto reader = AggTradeCsvReader::open(path, options());
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error(), path + ": expected exactly one file in the zip archive, found 2");
}

TEST_F(CsvImport, ABadRowInsideAZipNamesTheZipAndTheLine) {
  const std::string path = write_zip("a.zip", {{"a.csv", rows({1, 2}) + "3,1,1,1,1,1700000000000,maybe\n"}});
  auto reader = open_or_die(path, options());
  auto ids = read_ids(*reader);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error(), path + ":3: column 'is_buyer_maker': expected true or false, got \"maybe\"");
}

TEST_F(CsvImport, AnEmptyFileHasNoTrades) {
  for (const std::string& content : {std::string(), std::string(kHeader), std::string("\n\n")}) {
    auto reader = open_or_die(write("empty.csv", content), options());
    EXPECT_EQ(*read_ids(*reader), Ids{});
    EXPECT_EQ(reader->stats().rows, 0u);
  }
  auto zipped = open_or_die(write_zip("empty.zip", {{"empty.csv", ""}}), options());
  EXPECT_EQ(*read_ids(*zipped), Ids{});
}

TEST_F(CsvImport, AMissingFileIsAnErrorNamingThePath) {
  const std::string path = (dir_ / "BTCUSDT-aggTrades-1999-01-01.zip").string();
  auto reader = AggTradeCsvReader::open(path, options());
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error(), path + ": cannot open: No such file or directory");
}

TEST_F(CsvImport, ARowTooLateToReorderStopsTheImport) {
  // Window 2: by the time 3 arrives (line 6), 4 has gone out and 3 was
  // counted missing; dropping it silently would lose a trade.
  const std::string path = write("a.csv", rows({1, 2, 4, 5, 6, 3}));
  auto reader = open_or_die(path, options(2));
  auto ids = read_ids(*reader);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error(), path + ":6: agg_trade_id 3 arrives after 4 was already emitted; "
                                "raise the reorder window (now 2 rows)");
}

TEST_F(CsvImport, ARowBelowTheFirstIdHandedOutIsTooLateNotADuplicate) {
  const std::string path = write("a.csv", rows({5, 6, 7, 1}));
  auto reader = open_or_die(path, options(1));
  auto ids = read_ids(*reader);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error(), path + ":4: agg_trade_id 1 arrives after 6 was already emitted; "
                                "raise the reorder window (now 1 rows)");
}

TEST_F(CsvImport, AnIdOlderThanEveryRememberedHoleIsReportedLateNotDroppedSilently) {
  // 5000 holes (ids 1, 3, 5, ..., 10001): only the latest 4096 are kept.
  std::string content;
  for (std::int64_t id = 1; id <= 10001; id += 2) content += row(id);
  content += row(9999) + row(1);  // a recent duplicate, then one from before the kept holes
  const std::string path = write("a.csv", content);
  auto reader = open_or_die(path, options(0));
  auto ids = read_ids(*reader);
  ASSERT_FALSE(ids);
  EXPECT_EQ(ids.error(), path + ":5003: agg_trade_id 1 arrives after 10001 was already emitted; "
                                "raise the reorder window (now 0 rows)");
  EXPECT_EQ(reader->stats().duplicates_dropped, 1u);
  EXPECT_EQ(reader->stats().gaps, 5000u);
}

TEST_F(CsvImport, AWindowOfZeroPassesRowsThroughAndDropsLateOnesAsDuplicates) {
  auto reader = open_or_die(write("a.csv", rows({1, 2, 3, 2, 4})), options(0));
  EXPECT_EQ(*read_ids(*reader), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(reader->stats().duplicates_dropped, 1u);
  EXPECT_EQ(reader->stats().max_buffered_rows, 1u);
}

TEST_F(CsvImport, SummaryIsOneLineWithEveryCount) {
  const std::string path = write("a.csv", rows({1, 3, 2, 2, 7}) + "bad\n");
  auto reader = open_or_die(path, options(65536, true));
  ASSERT_TRUE(read_ids(*reader));
  EXPECT_EQ(reader->summary(), path + ": 6 rows, 4 accepted, 1 duplicates dropped, 1 gaps (3 missing "
                                      "ids), 1 reordered, 1 bad rows skipped, no header");
}

TEST_F(CsvImport, ProgressEndsWithANewlineOnStderr) {
  CsvImportOptions opts = options();
  opts.show_progress = true;
  auto reader = open_or_die(write("a.csv", rows({1, 2, 3})), opts);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(read_ids(*reader));
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed.rfind("\rBTCUSDT: 3 rows, 100.0% of bytes read, ", 0), 0u) << printed;
  EXPECT_EQ(printed.back(), '\n');
  EXPECT_EQ(printed.find('\n'), printed.size() - 1);  // printed once, at the end
}

// A million rows, ~45 MB: lines straddle the 1 MiB chunk boundaries, and
// the reorder buffer stays bounded while rows are swapped, dropped and
// repeated at known places.
TEST_F(CsvImport, AMillionRowFileStreamsThroughABoundedBuffer) {
  constexpr std::int64_t kRows = 1'000'000;
  const std::string path = (dir_ / "big.csv").string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  std::int64_t expected_reordered = 0, expected_gaps = 0, expected_duplicates = 0;
  char line[96];
  const auto append = [&](std::int64_t id) {
    char* p = line;
    p = std::to_chars(p, line + sizeof line, id).ptr;
    p = std::copy_n(",42000.1,0.003,", 15, p);
    p = std::to_chars(p, line + sizeof line, id).ptr;
    *p++ = ',';
    p = std::to_chars(p, line + sizeof line, id).ptr;
    p = std::copy_n(",1704067200000,true\n", 20, p);
    std::fwrite(line, 1, static_cast<std::size_t>(p - line), file);
  };
  std::int64_t id = 1;
  for (std::int64_t i = 0; i < kRows; ++i, ++id) {
    if (i % 1000 == 500) {  // the pair id, id + 1 arrives swapped
      append(id + 1);
      append(id);
      ++i;
      ++id;
      ++expected_reordered;
    } else if (i % 10000 == 7000) {  // 3 ids never arrive
      id += 3;
      append(id);
      ++expected_gaps;
    } else if (i % 50000 == 20000) {  // the previous row again
      append(id - 1);
      --id;
      ++expected_duplicates;
    } else {
      append(id);
    }
  }
  ASSERT_EQ(std::fclose(file), 0);
  auto reader = open_or_die(path, options(1024));
  AggTrade trade;
  std::int64_t last_id = 0;
  std::int64_t handed_out = 0;
  bool increasing = true;
  while (*reader->next(trade)) {
    increasing = increasing && trade.agg_trade_id > last_id;
    last_id = trade.agg_trade_id;
    ++handed_out;
  }
  EXPECT_TRUE(increasing);
  const CsvImportStats& stats = reader->stats();
  EXPECT_EQ(stats.rows, static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(stats.reordered_rows, static_cast<std::uint64_t>(expected_reordered));
  EXPECT_EQ(stats.gaps, static_cast<std::uint64_t>(expected_gaps));
  EXPECT_EQ(stats.missing_ids, static_cast<std::uint64_t>(3 * expected_gaps));
  EXPECT_EQ(stats.duplicates_dropped, static_cast<std::uint64_t>(expected_duplicates));
  EXPECT_EQ(stats.accepted, static_cast<std::uint64_t>(kRows - expected_duplicates));
  EXPECT_EQ(handed_out, kRows - expected_duplicates);
  EXPECT_EQ(stats.max_buffered_rows, 1025u);
  EXPECT_EQ(expected_reordered, 1000);  // the pattern did what the comments say
  EXPECT_EQ(expected_gaps, 100);
  EXPECT_EQ(expected_duplicates, 20);
}

}  // namespace
}  // namespace alphastream
