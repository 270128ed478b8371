#include "feed/agg_trade_csv_writer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feed/agg_trade_csv.h"

namespace alphastream {
namespace {

AggTrade trade(std::int64_t id, double price, double quantity, bool maker = false) {
  AggTrade t;
  t.symbol = Symbol("BTCUSDT");
  t.agg_trade_id = id;
  t.price = price;
  t.quantity = quantity;
  t.first_trade_id = 10 * id;
  t.last_trade_id = 10 * id + 2;
  t.transact_time_ms = 1704067200000 + id;
  t.is_buyer_maker = maker;
  return t;
}

class AggTradeCsvWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("agg_trade_csv_writer_test-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string read_text(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
};

TEST_F(AggTradeCsvWriterTest, RowsUseTheShortestFixedFormThatReadsBackExactly) {
  AggTradeCsvWriter writer(path("rows.csv"));
  ASSERT_TRUE(writer.open());
  ASSERT_TRUE(writer.append_header());
  ASSERT_TRUE(writer.append(trade(1, 37000.1, 0.002, true)));
  ASSERT_TRUE(writer.append(trade(2, 0.1 + 0.2, 1e-8)));  // 0.30000000000000004
  ASSERT_TRUE(writer.append(trade(3, 100.0, 25.0)));
  EXPECT_EQ(writer.rows(), 3u);
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(read_text(path("rows.csv")),
            "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n"
            "1,37000.1,0.002,10,12,1704067200001,true\n"
            "2,0.30000000000000004,0.00000001,20,22,1704067200002,false\n"
            "3,100,25,30,32,1704067200003,false\n");
}

// More than the 1 MiB buffer: the file is written in several flushes and the
// CSV reader gets back every trade bit for bit.
TEST_F(AggTradeCsvWriterTest, ALargeFileReadsBackAsTheSameTrades) {
  std::vector<AggTrade> written;
  for (std::int64_t id = 1; id <= 40000; ++id) {
    written.push_back(trade(id, 100.0 + static_cast<double>(id % 997) * 0.01, 0.001 * static_cast<double>(id % 13 + 1),
                            id % 3 == 0));
  }
  AggTradeCsvWriter writer(path("large.csv"));
  ASSERT_TRUE(writer.open());
  for (const AggTrade& t : written) ASSERT_TRUE(writer.append(t));
  ASSERT_TRUE(writer.close());
  ASSERT_GT(std::filesystem::file_size(path("large.csv")), std::uintmax_t{1} << 20);

  CsvImportOptions options;
  options.symbol = Symbol("BTCUSDT");
  auto reader = AggTradeCsvReader::open(path("large.csv"), options);
  ASSERT_TRUE(reader) << reader.error();
  AggTrade got;
  for (const AggTrade& expected : written) {
    auto more = reader.value()->next(got);
    ASSERT_TRUE(more) << more.error();
    ASSERT_TRUE(more.value());
    ASSERT_EQ(got.agg_trade_id, expected.agg_trade_id);
    ASSERT_EQ(got.price, expected.price);
    ASSERT_EQ(got.quantity, expected.quantity);
    ASSERT_EQ(got.first_trade_id, expected.first_trade_id);
    ASSERT_EQ(got.last_trade_id, expected.last_trade_id);
    ASSERT_EQ(got.transact_time_ms, expected.transact_time_ms);
    ASSERT_EQ(got.is_buyer_maker, expected.is_buyer_maker);
  }
  auto more = reader.value()->next(got);
  ASSERT_TRUE(more);
  EXPECT_FALSE(more.value());
}

// The spot layout: is_best_match, times in microseconds, read back with
// the microseconds kept and the milliseconds the same as the futures file's.
TEST_F(AggTradeCsvWriterTest, TheSpotLayoutReadsBackWithItsMicroseconds) {
  std::vector<AggTrade> written;
  for (std::int64_t id = 1; id <= 3; ++id) {
    written.push_back(trade(id, 100.5, 0.25, id == 2));
    written.back().transact_time_us = static_cast<std::uint16_t>(id == 3 ? 999 : 7 * id);
  }
  AggTradeCsvWriter writer(path("spot.csv"), CsvLayout::kSpot);
  ASSERT_TRUE(writer.open());
  ASSERT_TRUE(writer.append_header());
  for (const AggTrade& t : written) ASSERT_TRUE(writer.append(t));
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(read_text(path("spot.csv")),
            "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n"
            "1,100.5,0.25,10,12,1704067200001007,false,true\n"
            "2,100.5,0.25,20,22,1704067200002014,true,true\n"
            "3,100.5,0.25,30,32,1704067200003999,false,true\n");

  CsvImportOptions options;
  options.symbol = Symbol("BTCUSDT");
  auto reader = AggTradeCsvReader::open(path("spot.csv"), options);
  ASSERT_TRUE(reader) << reader.error();
  AggTrade got;
  for (const AggTrade& expected : written) {
    auto more = reader.value()->next(got);
    ASSERT_TRUE(more) << more.error();
    ASSERT_TRUE(more.value());
    EXPECT_EQ(got.transact_time_ms, expected.transact_time_ms);
    EXPECT_EQ(got.transact_time_us, expected.transact_time_us);
    EXPECT_EQ(got.is_buyer_maker, expected.is_buyer_maker);
  }
  EXPECT_EQ(reader.value()->stats().layout, CsvLayout::kSpot);
  EXPECT_EQ(reader.value()->stats().microsecond_rows, 3u);
  EXPECT_NE(reader.value()->summary().find("spot layout, 3 rows timed in microseconds"), std::string::npos)
      << reader.value()->summary();
}

TEST_F(AggTradeCsvWriterTest, OpenTruncatesAnExistingFile) {
  std::ofstream(path("old.csv")) << "old contents that are longer than the new ones\n";
  AggTradeCsvWriter writer(path("old.csv"));
  ASSERT_TRUE(writer.open());
  ASSERT_TRUE(writer.append(trade(7, 1.5, 2.0)));
  ASSERT_TRUE(writer.close());
  EXPECT_EQ(read_text(path("old.csv")), "7,1.5,2,70,72,1704067200007,false\n");
}

TEST_F(AggTradeCsvWriterTest, OpenInAMissingDirectoryFailsNamingThePath) {
  AggTradeCsvWriter writer(path("no-such-dir/x.csv"));
  const Status opened = writer.open();
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.message(), path("no-such-dir/x.csv") + ": cannot create: No such file or directory");
}

}  // namespace
}  // namespace alphastream
