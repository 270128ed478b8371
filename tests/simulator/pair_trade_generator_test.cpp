#include "simulator/pair_trade_generator.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "feed/agg_trade_csv.h"

namespace alphastream {
namespace {

std::vector<AggTrade> generate(const PairGeneratorConfig& config, std::size_t limit = SIZE_MAX) {
  PairTradeGenerator generator(config);
  std::vector<AggTrade> trades;
  AggTrade trade;
  while (trades.size() < limit && generator.next(trade)) trades.push_back(trade);
  return trades;
}

bool same_trade(const AggTrade& a, const AggTrade& b) {
  return a.symbol == b.symbol && a.agg_trade_id == b.agg_trade_id && a.price == b.price &&
         a.quantity == b.quantity && a.first_trade_id == b.first_trade_id &&
         a.last_trade_id == b.last_trade_id && a.transact_time_ms == b.transact_time_ms &&
         a.is_buyer_maker == b.is_buyer_maker;
}

std::string fixed(double value) {
  char text[64];
  return {text, std::to_chars(text, text + sizeof text, value, std::chars_format::fixed).ptr};
}

TEST(PairTradeGenerator, TheSameSeedGivesTheSameTradesAndAnotherSeedDoesNot) {
  PairGeneratorConfig config;
  const std::vector<AggTrade> first = generate(config, 5000);
  const std::vector<AggTrade> again = generate(config, 5000);
  config.seed = 2;
  const std::vector<AggTrade> other = generate(config, 5000);
  ASSERT_EQ(first.size(), 5000u);
  ASSERT_EQ(again.size(), 5000u);
  ASSERT_EQ(other.size(), 5000u);
  int identical = 0;
  int identical_to_other = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    identical += same_trade(first[i], again[i]);
    identical_to_other += same_trade(first[i], other[i]);
  }
  EXPECT_EQ(identical, 5000);
  EXPECT_LT(identical_to_other, 50);
}

// Pins seed 1 on this platform: a change in the model or the sampling shows
// up here first.
TEST(PairTradeGenerator, SeedOneGivesThesePinnedTrades) {
  const std::vector<AggTrade> trades = generate(PairGeneratorConfig{}, 10000);
  ASSERT_EQ(trades.size(), 10000u);
  std::string text;
  for (std::size_t i : {0, 1, 9998, 9999}) {
    const AggTrade& t = trades[i];
    text += std::string(t.symbol.view()) + " " + std::to_string(t.agg_trade_id) + " " +
            fixed(t.price) + " " + fixed(t.quantity) + " " + std::to_string(t.first_trade_id) +
            "-" + std::to_string(t.last_trade_id) + " " + std::to_string(t.transact_time_ms) +
            (t.is_buyer_maker ? " maker\n" : " taker\n");
  }
  EXPECT_EQ(text,
            "SIMXUSDT 1000000 100 0.432 5000000-5000003 1704067200028 taker\n"
            "SIMYUSDT 1000000 170 0.094 5000000-5000001 1704067200029 maker\n"
            "SIMYUSDT 1004969 169.33 4.115 5010198-5010198 1704068193109 maker\n"
            "SIMXUSDT 1005029 99.87 2.194 5010266-5010266 1704068193256 taker\n");
}

TEST(PairTradeGenerator, IdsAreConsecutivePerSymbolAndTimesNeverGoBack) {
  PairGeneratorConfig config;
  config.duration_s = 600;
  const std::vector<AggTrade> trades = generate(config);
  const Symbol x(config.x_symbol);
  std::int64_t next_agg[2] = {PairTradeGenerator::kFirstAggTradeId,
                              PairTradeGenerator::kFirstAggTradeId};
  std::int64_t next_trade[2] = {PairTradeGenerator::kFirstTradeId, PairTradeGenerator::kFirstTradeId};
  std::int64_t last_time_ms = config.start_ms;
  int failures = 0;
  for (const AggTrade& t : trades) {
    const int leg = t.symbol == x ? 0 : 1;
    failures += t.agg_trade_id != next_agg[leg]++;
    failures += t.first_trade_id != next_trade[leg];
    failures += t.last_trade_id < t.first_trade_id;
    next_trade[leg] = t.last_trade_id + 1;
    failures += t.transact_time_ms < last_time_ms;
    last_time_ms = t.transact_time_ms;
    failures += !(t.quantity >= 0.001);
    // On the 0.01 tick and 0.001 lot: the shortest text has few decimals.
    const std::string price = fixed(t.price);
    const std::string quantity = fixed(t.quantity);
    failures += price.find('.') != std::string::npos && price.size() - price.find('.') > 3;
    failures += quantity.find('.') != std::string::npos && quantity.size() - quantity.find('.') > 4;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(next_agg[0] - PairTradeGenerator::kFirstAggTradeId, 2500);  // ~3000 trades a leg
  EXPECT_GT(next_agg[1] - PairTradeGenerator::kFirstAggTradeId, 2500);
  EXPECT_LE(last_time_ms, config.start_ms + 600'000);
}

class PairCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pair_trade_generator_test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

// A run across midnight: one file per leg and UTC day, as data.binance.vision
// publishes them, ids running on from one day's file to the next.
TEST_F(PairCsv, WrittenDailyFilesReadBackToTheSameTradesWithIdsRunningOn) {
  PairGeneratorConfig config;
  config.duration_s = 900;
  config.start_ms = 1709251199000;  // 2024-02-29T23:59:59Z
  for (const bool with_header : {true, false}) {
    auto written = write_pair_csv(config, dir_.string(), with_header);
    ASSERT_TRUE(written) << written.error();
    EXPECT_EQ(written->x_paths, (std::vector<std::string>{(dir_ / "SIMXUSDT-aggTrades-2024-02-29.csv").string(),
                                                          (dir_ / "SIMXUSDT-aggTrades-2024-03-01.csv").string()}));
    EXPECT_EQ(written->y_paths, (std::vector<std::string>{(dir_ / "SIMYUSDT-aggTrades-2024-02-29.csv").string(),
                                                          (dir_ / "SIMYUSDT-aggTrades-2024-03-01.csv").string()}));

    const std::vector<AggTrade> expected = generate(config);
    std::size_t matched = 0;
    for (const auto* paths : {&written->x_paths, &written->y_paths}) {
      CsvImportOptions options;
      options.symbol = Symbol(paths == &written->x_paths ? config.x_symbol : config.y_symbol);
      std::size_t i = 0;
      std::int64_t last_id = 0;
      for (const std::string& path : *paths) {
        auto reader = AggTradeCsvReader::open(path, options);
        ASSERT_TRUE(reader) << reader.error();
        AggTrade trade;
        bool first = true;
        while (*(*reader)->next(trade)) {
          while (i < expected.size() && !(expected[i].symbol == options.symbol)) ++i;
          ASSERT_LT(i, expected.size());
          ASSERT_TRUE(same_trade(trade, expected[i])) << path << " row " << matched;
          // The day a trade is written under is its own.
          EXPECT_EQ(trade.transact_time_ms / 86'400'000, (path.find("02-29") != std::string::npos ? 19782 : 19783));
          if (first && last_id != 0) {
            EXPECT_EQ(trade.agg_trade_id, last_id + 1) << path;
          }
          first = false;
          last_id = trade.agg_trade_id;
          ++i;
          ++matched;
        }
        EXPECT_EQ((*reader)->stats().header_present, with_header);
        EXPECT_EQ((*reader)->stats().gaps, 0u);
        EXPECT_EQ((*reader)->stats().reordered_rows, 0u);
      }
    }
    EXPECT_EQ(matched, expected.size());
    std::filesystem::remove_all(dir_);
  }
}

TEST_F(PairCsv, AnInvalidConfigWritesNothing) {
  PairGeneratorConfig config;
  config.price_tick = 0;
  const auto written = write_pair_csv(config, dir_.string(), true);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), "pair generator: price_tick: expected a number above zero");
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST(PairGeneratorConfig, ValidateNamesTheFieldOutOfRange) {
  PairGeneratorConfig config;
  EXPECT_TRUE(validate(config));
  config.y_trades_per_s = -1;
  EXPECT_EQ(validate(config).message(), "pair generator: y_trades_per_s: expected a number of zero or more");
  config = {};
  config.y_symbol = "SIMXUSDT";
  EXPECT_EQ(validate(config).message(), "pair generator: y_symbol: must differ from x_symbol");
  config = {};
  config.x_symbol = "";
  EXPECT_EQ(validate(config).message(), "pair generator: x_symbol: expected 1 to 23 characters, got \"\"");
}

// y - beta x is the OU spread (plus alpha), stationary; x wanders. Regress
// each y trade on the last x trade before it: the x move in between is
// independent of that x, so OLS stays unbiased. The spread is autocorrelated
// over ~1/theta = 200 s, so a 6 h run holds about T theta / 2 = 54
// independent stretches and beta's standard error is near
// sd(residual) / (sd(x) sqrt(54)). We require |beta_hat - beta| < 5 of those.
TEST(PairTradeGenerator, RegressingYOnXRecoversBeta) {
  PairGeneratorConfig config;
  config.x_volatility_per_sqrt_s = 1e-3;  // x wanders ~15% in 6 h: beta is well identified
  config.duration_s = 6 * 3600;
  config.x_trades_per_s = 1;
  config.y_trades_per_s = 1;
  config.seed = 7;
  PairTradeGenerator generator(config);
  const Symbol x_symbol(config.x_symbol);
  std::vector<double> xs, ys;
  double last_x = 0;
  AggTrade trade;
  while (generator.next(trade)) {
    if (trade.symbol == x_symbol) {
      last_x = trade.price;
    } else if (last_x > 0) {
      xs.push_back(last_x);
      ys.push_back(trade.price);
    }
  }
  ASSERT_GT(xs.size(), 20000u);
  const double n = static_cast<double>(xs.size());
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    mean_x += xs[i] / n;
    mean_y += ys[i] / n;
  }
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    sxx += (xs[i] - mean_x) * (xs[i] - mean_x);
    sxy += (xs[i] - mean_x) * (ys[i] - mean_y);
  }
  const double beta_hat = sxy / sxx;
  double ssr = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double e = ys[i] - mean_y - beta_hat * (xs[i] - mean_x);
    ssr += e * e;
  }
  const double independent_stretches = config.duration_s * config.spread_theta_per_s / 2;
  const double beta_se = std::sqrt(ssr / n) / (std::sqrt(sxx / n) * std::sqrt(independent_stretches));
  EXPECT_NEAR(beta_hat, config.beta, 5 * beta_se) << "se " << beta_se;
  EXPECT_LT(beta_se, 0.05);  // the test has power: a wrong beta of 1.25 or 1.75 would fail
  // The intercept follows from the means: y_bar - beta x_bar = alpha + mean spread.
  EXPECT_NEAR(mean_y - config.beta * mean_x, config.alpha, 0.5);
}

// Counts in T seconds at rate lambda are Poisson: mean and variance lambda T.
TEST(PairTradeGenerator, TradeArrivalsArePoissonAtTheConfiguredRate) {
  PairGeneratorConfig config;
  config.x_trades_per_s = 5;
  config.y_trades_per_s = 2;
  config.duration_s = 3600;
  PairTradeGenerator generator(config);
  const Symbol x_symbol(config.x_symbol);
  std::vector<double> per_second(3600, 0.0);
  double count[2] = {0, 0};
  std::int64_t previous_ms = -1;
  double gaps = 0, long_gaps = 0;
  AggTrade trade;
  while (generator.next(trade)) {
    const bool is_x = trade.symbol == x_symbol;
    ++count[is_x ? 0 : 1];
    if (!is_x) continue;
    per_second[static_cast<std::size_t>((trade.transact_time_ms - config.start_ms) / 1000)] += 1;
    if (previous_ms >= 0) {
      ++gaps;
      long_gaps += trade.transact_time_ms - previous_ms >= 200;  // 1 / lambda
    }
    previous_ms = trade.transact_time_ms;
  }
  // Within 4 standard deviations, sqrt(lambda T): 240 for x, 152 for y.
  EXPECT_NEAR(count[0], 18000, 4 * std::sqrt(18000.0));
  EXPECT_NEAR(count[1], 7200, 4 * std::sqrt(7200.0));
  // Exponential gaps: P(gap >= 1/lambda) = e^-1. Binomial sd over ~18000
  // gaps is 0.0036; flooring to ms moves the cut by < 1 ms (< 0.002).
  EXPECT_NEAR(long_gaps / gaps, std::exp(-1.0), 4 * 0.0036 + 0.002);
  // Poisson counts per second have variance = mean; regular arrivals would
  // give ~0. The index's sd over 3600 bins is sqrt(2 / 3599) = 0.024.
  double mean = 0, variance = 0;
  for (double c : per_second) mean += c / 3600;
  for (double c : per_second) variance += (c - mean) * (c - mean) / 3599;
  EXPECT_NEAR(variance / mean, 1.0, 4 * 0.024);
}

}  // namespace
}  // namespace alphastream
