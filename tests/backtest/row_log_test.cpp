// RowLog: rows come back as written, the last one replaceable, through
// several cursors at once; the file goes with the log; errors name it.
#include "backtest/row_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <thread>
#include <vector>

namespace alphastream {
namespace {

std::string scratch(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()))).string();
}

TEST(RowLog, RowsComeBackInOrderWithTheLastReplacedAndTheFileGoesWithTheLog) {
  const std::string path = scratch("row_log_test");
  {
    auto log = RowLog::create(path, 3);
    ASSERT_TRUE(log) << log.error();
    for (int i = 0; i < 10'000; ++i) {
      const double values[] = {1.0 * i, -2.5 * i, i % 7 == 0 ? std::nan("") : 0.25};
      log.value()->append(1'700'000'000'000 + 1000 * i, values);
    }
    const double last[] = {42, 43, 44};
    log.value()->replace_last(last);
    ASSERT_TRUE(log.value()->finish());
    EXPECT_EQ(log.value()->size(), 10'000u);
    // Two readers at once, each from the start.
    std::vector<std::vector<double>> seen(2);
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
      readers.emplace_back([&, r] {
        EXPECT_TRUE(log.value()->for_each([&](std::uint64_t i, std::int64_t ts, std::span<const double> v) {
          EXPECT_EQ(ts, 1'700'000'000'000 + 1000 * static_cast<std::int64_t>(i));
          seen[r].insert(seen[r].end(), v.begin(), v.end());
        }));
      });
    }
    for (auto& reader : readers) reader.join();
    for (const auto& values : seen) {
      ASSERT_EQ(values.size(), 30'000u);
      EXPECT_EQ(values[3 * 9998], 9998.0);
      EXPECT_EQ(values[3 * 9998 + 1], -2.5 * 9998);
      EXPECT_TRUE(std::isnan(values[3 * 9996 + 2]));  // 9996 = 7 * 1428
      EXPECT_EQ(values[3 * 9999], 42.0);
      EXPECT_EQ(values[3 * 9999 + 2], 44.0);
    }
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(RowLog, TheLastRowIsReplacedWhetherItIsStillBufferedOrAlreadyWritten) {
  // Rows are written a block of 4,096 at a time: 8,192 rows end on a written
  // block, 4,097 and 1 on a buffered row.
  for (const int rows : {8192, 4097, 1}) {
    const std::string path = scratch("row_log_replace");
    auto log = RowLog::create(path, 2);
    ASSERT_TRUE(log) << log.error();
    for (int i = 0; i < rows; ++i) {
      const double values[] = {1.0 * i, 2.0 * i};
      log.value()->append(i, values);
    }
    const double last[] = {-1, -2};
    log.value()->replace_last(last);
    ASSERT_TRUE(log.value()->finish());
    std::vector<double> seen;
    ASSERT_TRUE(log.value()->for_each(
        [&](std::uint64_t, std::int64_t, std::span<const double> v) { seen.insert(seen.end(), v.begin(), v.end()); }));
    ASSERT_EQ(seen.size(), 2u * rows) << rows;
    EXPECT_EQ(seen[2 * rows - 2], -1.0) << rows;
    EXPECT_EQ(seen[2 * rows - 1], -2.0) << rows;
    if (rows > 1) {
      EXPECT_EQ(seen[2 * rows - 4], rows - 2.0) << rows;
    }
  }
}

TEST(RowLog, AFolderThatDoesNotExistIsAnErrorNamingThePath) {
  auto log = RowLog::create("/nonexistent-folder/x.rows", 2);
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().find("/nonexistent-folder/x.rows: cannot create"), std::string::npos) << log.error();
}

TEST(RowLog, ACursorBeforeFinishReadsTheRowsWrittenAndGoesOnFromThere) {
  const std::string path = scratch("row_log_cursor_before_finish");
  auto log = RowLog::create(path, 1);
  ASSERT_TRUE(log) << log.error();
  RowLog::Cursor cursor(*log.value(), 100);
  std::int64_t ts = 0;
  std::span<const double> values;
  std::int64_t expected = 0;
  const auto read_all = [&] {
    while (cursor.next(ts, values)) {
      ASSERT_EQ(ts, expected);
      ASSERT_EQ(values[0], 0.5 * static_cast<double>(expected));
      ++expected;
    }
    ASSERT_TRUE(cursor.status().is_ok()) << cursor.status().message();
  };
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) {
      const double value[] = {0.5 * static_cast<double>(log.value()->size())};
      log.value()->append(static_cast<std::int64_t>(log.value()->size()), value);
    }
    read_all();
    // Rows are written a block at a time: the cursor saw those, no more.
    EXPECT_EQ(static_cast<std::uint64_t>(expected), log.value()->written());
    EXPECT_LE(log.value()->written(), log.value()->size());
  }
  ASSERT_TRUE(log.value()->finish());
  read_all();
  EXPECT_EQ(expected, 15'000);
}

}  // namespace
}  // namespace alphastream
