#include "download/binance_archive.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "download/archive_download.h"
#include "feed/file_digest.h"

namespace alphastream {
namespace {

ArchiveDate date(int y, int m, int d) { return {y, m, d}; }

std::vector<std::string> names(const std::vector<ArchiveFile>& files) {
  std::vector<std::string> out;
  for (const ArchiveFile& file : files) out.push_back(file.name);
  return out;
}

TEST(ArchivePlan, WholePastMonthsAreMonthlyFilesAndTheRestDays) {
  const auto files = plan_archive_files(ArchiveMarket::kUsdM, {"BTCUSDT"}, date(2024, 1, 30), date(2024, 3, 2),
                                        date(2024, 11, 1));
  EXPECT_EQ(names(files), (std::vector<std::string>{"BTCUSDT-aggTrades-2024-01-30.zip", "BTCUSDT-aggTrades-2024-01-31.zip",
                                                    "BTCUSDT-aggTrades-2024-02.zip", "BTCUSDT-aggTrades-2024-03-01.zip",
                                                    "BTCUSDT-aggTrades-2024-03-02.zip"}));
  EXPECT_EQ(files[2].path, "data/futures/um/monthly/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-02.zip");
  EXPECT_TRUE(files[2].monthly);
  EXPECT_EQ(files[0].path, "data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-01-30.zip");
}

// Binance publishes a month once it is over: the running month is daily.
TEST(ArchivePlan, TheRunningMonthIsFetchedDayByDay) {
  const auto files = plan_archive_files(ArchiveMarket::kSpot, {"ETHUSDT"}, date(2024, 3, 1), date(2024, 3, 31),
                                        date(2024, 3, 31));
  ASSERT_EQ(files.size(), 31u);
  EXPECT_EQ(files.front().path, "data/spot/daily/aggTrades/ETHUSDT/ETHUSDT-aggTrades-2024-03-01.zip");
  const auto after = plan_archive_files(ArchiveMarket::kCoinM, {"BTCUSD_PERP"}, date(2024, 2, 1), date(2024, 2, 29),
                                        date(2024, 3, 1));
  ASSERT_EQ(after.size(), 1u);  // 2024 is a leap year: the 29th ends February
  EXPECT_EQ(after[0].path, "data/futures/cm/monthly/aggTrades/BTCUSD_PERP/BTCUSD_PERP-aggTrades-2024-02.zip");
}

TEST(ArchivePlan, SymbolsComeOneAfterAnotherEachInDateOrder) {
  const auto files = plan_archive_files(ArchiveMarket::kUsdM, {"A", "B"}, date(2024, 5, 31), date(2024, 6, 1),
                                        date(2025, 1, 1));
  EXPECT_EQ(names(files), (std::vector<std::string>{"A-aggTrades-2024-05-31.zip", "A-aggTrades-2024-06-01.zip",
                                                    "B-aggTrades-2024-05-31.zip", "B-aggTrades-2024-06-01.zip"}));
}

TEST(ArchiveDates, OnlyRealCivilDatesParse) {
  EXPECT_EQ(parse_archive_date("2024-02-29"), date(2024, 2, 29));
  EXPECT_FALSE(parse_archive_date("2023-02-29"));
  EXPECT_FALSE(parse_archive_date("2024-13-01"));
  EXPECT_FALSE(parse_archive_date("2024-1-01"));
  EXPECT_FALSE(parse_archive_date("2024-01-01x"));
  EXPECT_FALSE(parse_archive_date("1999-01-01"));
  EXPECT_EQ(format_archive_date(date(2024, 3, 5)), "2024-03-05");
}

TEST(ArchiveChecksum, TheLineNamesTheHashAndTheFile) {
  const std::string hex(64, 'a');
  EXPECT_EQ(*parse_archive_checksum(hex + "  X-aggTrades-2024-01.zip\n", "X-aggTrades-2024-01.zip"), hex);
  EXPECT_EQ(*parse_archive_checksum(std::string(64, 'B') + " *X.zip", "X.zip"), std::string(64, 'b'));
  EXPECT_EQ(parse_archive_checksum(hex + "  Y.zip", "X.zip").error(), "the .CHECKSUM of X.zip names another file: 'Y.zip'");
  EXPECT_FALSE(parse_archive_checksum("<html>not found</html>", "X.zip"));
  EXPECT_FALSE(parse_archive_checksum(std::string(63, 'a') + "g  X.zip", "X.zip"));
}

// Against a value from sha256sum(1) of the same bytes.
TEST(ArchiveChecksum, FilesHashAsSha256sumDoes) {
  const auto path = std::filesystem::temp_directory_path() / ("sha256-" + std::to_string(::getpid()));
  std::ofstream(path) << "abc";
  EXPECT_EQ(*sha256_of_file(path.string()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::filesystem::remove(path);
  EXPECT_FALSE(sha256_of_file(path.string()));
}

}  // namespace
}  // namespace alphastream
