// SeriesCsvWriter writes rows as format_number writes their doubles, as
// written or kept and formatted later.
#include "backtest/series_csv_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <random>
#include <string>

#include <fmt/format.h>

namespace alphastream {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SeriesCsvWriter, RowsAreWrittenAsFormatNumberWritesThemAndKeptRowsGoAtClose) {
  for (const bool keep_rows : {false, true}) {
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("series_csv_writer_test-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/series.csv";
    const std::string columns[] = {"ts_ms", "x", "z"};
    auto writer = SeriesCsvWriter::open(path, columns, keep_rows);
    ASSERT_TRUE(writer) << writer.error();
    // More rows than a block of kept rows and than the write buffer holds.
    std::string expected = "ts_ms,x,z\n";
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> unit(-3.0, 3.0);
    for (int i = 0; i < 20'000; ++i) {
      const double values[] = {100.0 + 0.01 * (i % 500), i % 11 == 0 ? std::nan("") : unit(random)};
      writer.value()->write_row(1'700'000'000'000 + 1000 * i, values);
      expected += fmt::format("{},{},{}\n", 1'700'000'000'000 + 1000 * i, values[0],
                              std::isnan(values[1]) ? std::string() : fmt::format("{}", values[1]));
    }
    // Kept rows are in no file until close() (the header may still be
    // buffered); rows formatted as written are, but the last buffer's.
    const std::size_t before_close = read_file(path).size();
    if (keep_rows) {
      EXPECT_LE(before_close, std::string("ts_ms,x,z\n").size());
    } else {
      EXPECT_GT(before_close, expected.size() / 2);
    }
    ASSERT_TRUE(writer.value()->close());
    EXPECT_EQ(read_file(path), expected) << keep_rows;
    std::vector<std::string> left;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) left.push_back(entry.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{"series.csv"}) << "the kept rows' file is removed at close";
    std::filesystem::remove_all(dir);
  }
}

TEST(SeriesCsvWriter, KeptRowsFormattedBitByBitWhileWritingGiveTheFileOfRowsFormattedAsWritten) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("series_csv_writer_some-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string columns[] = {"ts_ms", "a", "b"};
  auto as_written = SeriesCsvWriter::open(dir + "/as_written.csv", columns, false);
  auto bit_by_bit = SeriesCsvWriter::open(dir + "/bit_by_bit.csv", columns, true);
  ASSERT_TRUE(as_written && bit_by_bit);
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> unit(-1e3, 1e3);
  std::size_t formatted_while_writing = 0;
  for (int i = 0; i < 30'000; ++i) {
    const double values[] = {unit(random), unit(random)};
    as_written.value()->write_row(i, values);
    bit_by_bit.value()->write_row(i, values);
    // Only whole written blocks can be formatted: nothing before the first.
    if (i % 1000 == 999 && bit_by_bit.value()->format_some(700)) formatted_while_writing += 700;
  }
  EXPECT_GT(formatted_while_writing, 0u);
  EXPECT_FALSE(as_written.value()->format_some(700)) << "nothing is kept to format";
  ASSERT_TRUE(as_written.value()->close());
  ASSERT_TRUE(bit_by_bit.value()->close());
  const std::string expected = read_file(dir + "/as_written.csv");
  EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 30'001);
  EXPECT_EQ(read_file(dir + "/bit_by_bit.csv"), expected);
  std::filesystem::remove_all(dir);
}

TEST(SeriesCsvWriter, AFileThatCannotBeCreatedIsAnErrorNamingIt) {
  const std::string columns[] = {"ts_ms", "x"};
  for (const bool keep_rows : {false, true}) {
    auto writer = SeriesCsvWriter::open("/nonexistent-folder/series.csv", columns, keep_rows);
    ASSERT_FALSE(writer);
    EXPECT_NE(writer.error().find("/nonexistent-folder/series.csv: cannot create"), std::string::npos)
        << writer.error();
  }
}

}  // namespace
}  // namespace alphastream
