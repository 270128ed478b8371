#include "feed/funding_rates.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace alphastream {
namespace {

namespace fs = std::filesystem;

std::string write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "alphastream-funding-test";
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(FundingRates, ReadsBinanceRowsWithOrWithoutTheHeaderInTimeOrderEachOnce) {
  const std::string march = write("BTCUSDT-fundingRate-2024-03.csv",
                                  "calc_time,funding_interval_hours,last_funding_rate\n"
                                  "1709280000000,8,0.00010000\n"
                                  "1709308800000,8,-0.00002500\r\n");
  // No header; overlaps March's last settlement.
  const std::string april = write("BTCUSDT-fundingRate-2024-04.csv", "1709308800000,8,0.5\n1711929600000,8,0.0003\n");
  auto rates = read_funding_rates({april, march});
  // April's duplicate of March's time comes first in the argument order: a
  // bad value there would have been refused, and 0.5 is (beyond 5 %).
  ASSERT_FALSE(rates);
  EXPECT_NE(rates.error().find("BTCUSDT-fundingRate-2024-04.csv:1: last_funding_rate '0.5' is not within ±5 %"),
            std::string::npos)
      << rates.error();
  const std::string good_april = write("BTCUSDT-fundingRate-2024-04b.csv", "1709308800000,8,0.0002\n1711929600000,8,0.0003\n");
  rates = read_funding_rates({march, good_april});
  ASSERT_TRUE(rates) << rates.error();
  ASSERT_EQ(rates->size(), 3u);
  EXPECT_EQ((*rates)[0].time_ms, 1709280000000);
  EXPECT_DOUBLE_EQ((*rates)[0].rate, 0.0001);
  EXPECT_DOUBLE_EQ((*rates)[1].rate, -0.000025);  // March's, kept over April's repeat
  EXPECT_EQ((*rates)[2].time_ms, 1711929600000);
}

TEST(FundingRates, BadRowsNameTheFileLineAndField) {
  const std::pair<const char*, const char*> cases[] = {
      {"1709280000000,8\n", "bad.csv:1: expected calc_time,funding_interval_hours,last_funding_rate"},
      {"1709280000000,8,0.1,9\n", "bad.csv:1: expected calc_time"},
      {"calc_time,funding_interval_hours,last_funding_rate\nyesterday,8,0.0001\n",
       "bad.csv:2: calc_time 'yesterday' is no plausible Unix ms time"},
      {"1709280000000,0,0.0001\n", "bad.csv:1: funding_interval_hours '0' is not 1 to 24"},
      {"1709280000000,8,nan\n", "bad.csv:1: last_funding_rate 'nan' is not within"},
      {"", "bad.csv: no settlement in the file"},
  };
  for (const auto& [text, expected] : cases) {
    const auto rates = read_funding_rates({write("bad.csv", text)});
    ASSERT_FALSE(rates) << text;
    EXPECT_NE(rates.error().find(expected), std::string::npos) << rates.error();
  }
  EXPECT_FALSE(read_funding_rates({"/nonexistent/x.csv"}));
}

}  // namespace
}  // namespace alphastream
