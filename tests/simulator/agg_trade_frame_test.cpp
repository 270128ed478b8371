// The frame writer against a hand-written frame and against the engine's own
// parser. This binary links the counting operator new, so it stays on its
// own.
#include "simulator/agg_trade_frame.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "counting_new.h"
#include "feed/agg_trade_parser.h"
#include "same_trade.h"

namespace alphastream {
namespace {

AggTrade example_trade() {
  AggTrade trade;
  trade.symbol = Symbol("BTCUSDT");
  trade.agg_trade_id = 5933014;
  trade.price = 97123.45;
  trade.quantity = 0.1;
  trade.first_trade_id = 100;
  trade.last_trade_id = 105;
  trade.transact_time_ms = 123456785;
  trade.event_time_ms = 123456789;
  trade.is_buyer_maker = true;
  return trade;
}

using testing::expect_same_trade;

// Prices and quantities of every shape: Binance's ticks, the extremes of the
// double range, and random doubles whose shortest text has 17 digits.
std::vector<AggTrade> generated_trades() {
  const std::vector<double> prices = {0.1, 1e-8, 97123.45, 67012.3, 0.025914, 3781.42, 1, 100000000,
                                      123456789.12345678, 0.30000000000000004, 9007199254740993.0,
                                      std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                                      1e22, 1e23, 4.35e-7, 12345678901234567890.0};
  const std::vector<double> quantities = {0, 0.001, 100, 1e15, 123456789012.5, 5e-3, 1.7976931348623157e308};
  const std::vector<std::int64_t> ids = {0, 1, 5933014, 2097154331, (std::int64_t{1} << 53) - 1,
                                         std::int64_t{1} << 53, std::numeric_limits<std::int64_t>::max()};
  const std::vector<const char*> symbols = {"BTCUSDT", "1000SHIBUSDT", "BTCUSDT_250328", "X", "ABCDEFGHIJKLMNOPQRSTUVW"};
  std::mt19937_64 rng(11);
  std::vector<AggTrade> trades;
  for (int i = 0; i < 20000; ++i) {
    AggTrade trade;
    trade.symbol = Symbol(symbols[rng() % symbols.size()]);
    trade.agg_trade_id = ids[rng() % ids.size()];
    if (i % 2 == 0) {
      trade.price = prices[rng() % prices.size()];
      trade.quantity = quantities[rng() % quantities.size()];
    } else {
      // Positive, finite and normal: random exponent bits within [1, 2046].
      const auto random_double = [&] {
        return std::bit_cast<double>((rng() & 0x000F'FFFF'FFFF'FFFFull) | ((1 + rng() % 2046) << 52));
      };
      trade.price = random_double();
      trade.quantity = random_double();
    }
    trade.first_trade_id = ids[rng() % ids.size()];
    trade.last_trade_id = static_cast<std::int64_t>(rng() >> 11);  // up to 2^53
    trade.transact_time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(rng() % 1'000'000'000);
    trade.event_time_ms = trade.transact_time_ms + static_cast<std::int64_t>(rng() % 10);
    trade.is_buyer_maker = rng() % 2 == 0;
    trades.push_back(trade);
  }
  return trades;
}

TEST(AggTradeFrame, OneTradeIsWrittenAsBinanceSendsIt) {
  std::string frame = "prefix ";
  append_agg_trade_frame(frame, example_trade());
  EXPECT_EQ(frame,
            R"(prefix {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":123456789,"a":5933014,"s":"BTCUSDT",)"
            R"("p":"97123.45","q":"0.1","nq":"0.1","f":100,"l":105,"T":123456785,"m":true}})");

  std::string payload;
  AggTrade seller = example_trade();
  seller.is_buyer_maker = false;
  seller.symbol = Symbol("1000SHIBUSDT");
  seller.price = 1e-8;
  seller.quantity = 0;
  append_agg_trade_payload(payload, seller);
  EXPECT_EQ(payload,
            R"({"e":"aggTrade","E":123456789,"a":5933014,"s":"1000SHIBUSDT","p":"1e-08","q":"0","nq":"0",)"
            R"("f":100,"l":105,"T":123456785,"m":false})");
}

TEST(AggTradeFrame, StreamNameIsTheSymbolInLowerCase) {
  AggTrade trade = example_trade();
  trade.symbol = Symbol("1000SHIBUSDT_250328");
  std::string frame;
  append_agg_trade_frame(frame, trade);
  EXPECT_TRUE(frame.starts_with(R"({"stream":"1000shibusdt_250328@aggTrade","data":{)")) << frame;
  EXPECT_NE(frame.find(R"("s":"1000SHIBUSDT_250328")"), std::string::npos) << frame;
}

TEST(AggTradeFrame, FixedDecimalsPrintLikeAVenueWithTickAndStepSizes) {
  AggTrade trade = example_trade();
  trade.price = 97123.4;
  trade.quantity = 2;
  std::string frame;
  append_agg_trade_frame(frame, trade, {.price = 2, .quantity = 3});
  EXPECT_NE(frame.find(R"("p":"97123.40","q":"2.000","nq":"2.000")"), std::string::npos) << frame;

  frame.clear();
  trade.price = 0.125;  // exact in binary: a tie, rounded to even
  trade.quantity = 1e20;
  append_agg_trade_frame(frame, trade, {.price = 2, .quantity = 1});
  EXPECT_NE(frame.find(R"("p":"0.12","q":"100000000000000000000.0")"), std::string::npos) << frame;

  frame.clear();
  append_agg_trade_frame(frame, trade, {.price = 40, .quantity = 0});
  EXPECT_NE(frame.find(R"("p":"0.12500000000000000","q":"100000000000000000000")"), std::string::npos)
      << "17 decimals at most: " << frame;
}

TEST(AggTradeFrame, TheParserReadsBackEveryGeneratedTradeExactly) {
  AggTradeParser parser;
  std::string text;
  for (const AggTrade& trade : generated_trades()) {
    for (const bool whole_frame : {true, false}) {
      text.clear();
      if (whole_frame) {
        append_agg_trade_frame(text, trade);
      } else {
        append_agg_trade_payload(text, trade);
      }
      AggTrade parsed;
      const ParseStatus status = parser.parse(text, parsed);
      ASSERT_TRUE(status) << text << ": " << status.message();
      expect_same_trade(parsed, trade, text);
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_EQ(parser.parsed_count(), 40000u);
}

TEST(AggTradeFrame, TheLongestFrameTakesExactlyTheDocumentedBound) {
  AggTrade trade;
  trade.symbol = Symbol("ABCDEFGHIJKLMNOPQRSTUVW");
  trade.agg_trade_id = std::numeric_limits<std::int64_t>::min();
  trade.first_trade_id = std::numeric_limits<std::int64_t>::min();
  trade.last_trade_id = std::numeric_limits<std::int64_t>::min();
  trade.transact_time_ms = std::numeric_limits<std::int64_t>::min();
  trade.event_time_ms = std::numeric_limits<std::int64_t>::min();
  trade.price = -std::numeric_limits<double>::min();  // "-2.2250738585072014e-308"
  trade.quantity = -std::numeric_limits<double>::min();
  trade.is_buyer_maker = false;
  std::string frame;
  append_agg_trade_frame(frame, trade);
  EXPECT_EQ(frame.size(), kMaxAggTradeFrameSize) << frame;
}

TEST(AggTradeFrame, WritingIntoAStringWithCapacityAllocatesNothing) {
  const std::vector<AggTrade> trades = generated_trades();
  std::string frame;
  std::uint64_t before = ::alphastream::testing::allocation_count();
  append_agg_trade_frame(frame, trades[0]);
  EXPECT_GT(::alphastream::testing::allocation_count(), before) << "the counter must see the first growth";

  frame.clear();
  frame.reserve(kMaxAggTradeFrameSize);
  before = ::alphastream::testing::allocation_count();
  std::size_t longest = 0;
  for (const AggTrade& trade : trades) {
    frame.clear();
    append_agg_trade_frame(frame, trade);
    longest = std::max(longest, frame.size());
  }
  // Fixed decimals of everyday prices fit too (huge values need more room).
  frame.clear();
  append_agg_trade_frame(frame, example_trade(), {.price = 12, .quantity = 3});
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
  EXPECT_GT(longest, 250u) << "the generated trades must include long frames";
}

}  // namespace
}  // namespace alphastream
