// format_csv_number writes fmt's "{}" of a double itself: the same bytes as
// fmt for every kind of value (checked against fmt over millions), nothing
// for NaN, and no more than kMaxCsvNumber bytes. SeriesCsvWriter writes
// rows in that form, as written or kept and formatted later.
#include "backtest/series_csv_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>
#include <random>
#include <string>

#include <fmt/format.h>

namespace alphastream {
namespace {

std::string ours(double value) {
  char buffer[kCsvNumberRoom];
  char* end = format_csv_number(buffer, value);
  EXPECT_LE(static_cast<std::size_t>(end - buffer), kMaxCsvNumber) << fmt::format("{}", value);
  return std::string(buffer, end);
}

void expect_as_fmt(double value) { ASSERT_EQ(ours(value), fmt::format("{}", value)) << std::bit_cast<std::uint64_t>(value); }

TEST(FormatCsvNumber, WritesWhatFmtWritesForHandPickedValues) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kMin = std::numeric_limits<double>::min();
  constexpr double kDenorm = std::numeric_limits<double>::denorm_min();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const double value :
       {0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 99.98, 169.98, 100.0, 1e15, 9999999999999998.0, 1e16, 1.5e16, 1e17,
        123456789012345678.0, 1e21, 1e22, 1e100, 1e-4, 1.2345e-4, 9.9999e-5, 1e-5, 1.5e-5, 1e-7, 0.001234,
        0.30000000000000004, 1.4925524488053517, -0.00012345678901234567, 2.2250738585072014e-308, kMax, -kMax,
        kMin, kDenorm, -kDenorm, 1e308, 1e-308, 1e-320, 123e200, 4.35, 1234567.0, 12345678901234567890.0,
        kInf, -kInf}) {
    expect_as_fmt(value);
  }
  EXPECT_EQ(ours(std::nan("")), "");
  EXPECT_EQ(ours(1e16), "1e+16");
  EXPECT_EQ(ours(1e-5), "1e-05");
  EXPECT_EQ(ours(0.0001), "0.0001");
  EXPECT_EQ(ours(1e300), "1e+300");
  EXPECT_EQ(ours(-2.5e-310), "-2.5e-310");
}

TEST(FormatCsvNumber, WritesWhatFmtWritesForMillionsOfValues) {
  std::mt19937_64 random(20261205);
  // Any bit pattern (every exponent, denormals, both signs)...
  for (int i = 0; i < 1'000'000; ++i) {
    const double value = std::bit_cast<double>(random());
    if (std::isnan(value)) continue;
    expect_as_fmt(value);
  }
  // ...and the values a series holds: prices of a few decimals, ratios and
  // z-scores near 1, integers, each around every power of ten of the
  // fixed/exponent switch.
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int exponent = -8; exponent <= 20; ++exponent) {
    const double scale = std::pow(10.0, exponent);
    for (int i = 0; i < 20'000; ++i) {
      const double value = unit(random) * scale;
      expect_as_fmt(value);
      expect_as_fmt(std::round(value * 100) / 100);
      expect_as_fmt(std::nextafter(scale, 0.0));
      expect_as_fmt(std::nextafter(scale, kMaxCsvNumber * 1e300));
    }
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SeriesCsvWriter, RowsAreWrittenAsFormatCsvNumberWritesThemAndKeptRowsGoAtClose) {
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
