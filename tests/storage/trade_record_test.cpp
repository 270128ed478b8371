// The byte layouts of trade_record.h, checked byte by byte where a reader can.
#include "storage/trade_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "storage_test_support.h"

namespace alphastream {
namespace {

template <std::size_t N>
std::string_view view_of(const std::array<std::uint8_t, N>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), N};
}

AggTrade extreme_trade() {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  AggTrade trade;
  trade.symbol = Symbol("ABCDEFGHIJKLMNOPQRSTUVW");  // all 23 bytes
  trade.agg_trade_id = kMax;
  trade.price = std::numeric_limits<double>::denorm_min();
  trade.quantity = std::numeric_limits<double>::max();
  trade.first_trade_id = kMin;
  trade.last_trade_id = -1;
  trade.transact_time_ms = kMin;
  trade.event_time_ms = kMax;
  trade.receive_time_ns = kMin + 1;
  trade.is_buyer_maker = true;
  return trade;
}

TEST(TradeKey, IsBigEndianTimeWithTheSignBitFlippedThenBigEndianSequence) {
  const TradeKeyBytes bytes = encode_trade_key({0x0102030405060708, 0x1112131415161718});
  const TradeKeyBytes expected = {0x81, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                  0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
  EXPECT_EQ(bytes, expected);
}

TEST(TradeKey, ByteOrderIsTimeOrderThenSequenceOrderForNegativeAndPositiveTimes) {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  const TradeKey ascending[] = {{kMin, 5}, {-1, 0}, {0, 0}, {0, 1}, {1, 0}, {1'717'200'000'000, 0},
                                {kMax, 0}};
  for (std::size_t i = 1; i < std::size(ascending); ++i) {
    EXPECT_LT(encode_trade_key(ascending[i - 1]), encode_trade_key(ascending[i])) << "at " << i;
  }
}

TEST(TradeKey, DecodesWhatItEncodesAndRejectsOtherSizes) {
  const TradeKeyBytes bytes = encode_trade_key({-42, 7});
  const Result<TradeKey> key = decode_trade_key(view_of(bytes));
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(key->transact_time_ms, -42);
  EXPECT_EQ(key->sequence, 7u);

  const Result<TradeKey> short_key = decode_trade_key(view_of(bytes).substr(0, 15));
  ASSERT_FALSE(short_key);
  EXPECT_EQ(short_key.error(), "trade key has 15 bytes, expected 16");
}

TEST(TradeValue, KeepsEveryFieldAtItsExtremes) {
  const AggTrade trade = extreme_trade();
  const TradeValueBytes bytes = encode_trade_value(trade);
  AggTrade back;
  ASSERT_TRUE(decode_trade_value(view_of(bytes), back));
  EXPECT_TRUE(testing::same_trade(back, trade));
  EXPECT_EQ(back.symbol.view(), "ABCDEFGHIJKLMNOPQRSTUVW");
  EXPECT_EQ(back.price, std::numeric_limits<double>::denorm_min());
}

TEST(TradeValue, KeepsTheSignOfZeroAndTheBitsOfANaN) {
  AggTrade trade = testing::numbered_trade(3);
  trade.price = -0.0;
  trade.quantity = std::numeric_limits<double>::quiet_NaN();
  trade.symbol = Symbol("");
  AggTrade back;
  ASSERT_TRUE(decode_trade_value(view_of(encode_trade_value(trade)), back));
  EXPECT_TRUE(std::signbit(back.price));
  EXPECT_TRUE(std::isnan(back.quantity));
  EXPECT_TRUE(back.symbol.empty());
}

TEST(TradeValue, IsLittleEndianAtTheDocumentedOffsets) {
  AggTrade trade;
  trade.symbol = Symbol("ETHUSDT");
  trade.agg_trade_id = 0x0102;
  trade.receive_time_ns = 0x0A0B;
  trade.is_buyer_maker = true;
  const TradeValueBytes bytes = encode_trade_value(trade);
  EXPECT_EQ(bytes[0], 1);  // version
  EXPECT_EQ(bytes[1], 1);  // flags: buyer is maker
  EXPECT_EQ(bytes[2], 7);  // symbol length
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(bytes.data() + 3), 7), "ETHUSDT");
  EXPECT_EQ(bytes[10], 0);  // padding after the symbol
  EXPECT_EQ(bytes[26], 0x02);
  EXPECT_EQ(bytes[27], 0x01);
  EXPECT_EQ(bytes[82], 0x0B);
  EXPECT_EQ(bytes[83], 0x0A);
}

TEST(TradeValue, RejectsAnotherSizeAnotherVersionBadFlagsAndAnOverlongSymbol) {
  const TradeValueBytes good = encode_trade_value(testing::numbered_trade(1));
  AggTrade out;

  Status status = decode_trade_value(view_of(good).substr(0, 89), out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "trade record has 89 bytes, expected 90 (format version 1)");

  TradeValueBytes bad = good;
  bad[0] = 2;
  status = decode_trade_value(view_of(bad), out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "trade record has format version 2, this build reads version 1");

  bad = good;
  bad[1] = 0x03;
  status = decode_trade_value(view_of(bad), out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "trade record has unknown flag bits 3");

  bad = good;
  bad[2] = 24;
  status = decode_trade_value(view_of(bad), out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "trade record has a symbol of 24 bytes, at most 23 fit");
}

TEST(SymbolSummary, TracksCountExtremeTimesAndHighestAggIdWhateverTheArrivalOrder) {
  SymbolSummary summary;
  AggTrade trade = testing::numbered_trade(0);
  for (auto [time, id] : {std::pair{2000, 11}, std::pair{1000, 12}, std::pair{3000, 10}}) {
    trade.transact_time_ms = time;
    trade.agg_trade_id = id;
    summary.add(trade);
  }
  EXPECT_EQ(summary.symbol.view(), "BTCUSDT");
  EXPECT_EQ(summary.trade_count, 3u);
  EXPECT_EQ(summary.first_transact_time_ms, 1000);
  EXPECT_EQ(summary.last_transact_time_ms, 3000);
  EXPECT_EQ(summary.last_agg_trade_id, 12);

  const Result<SymbolSummary> back =
      decode_symbol_summary(summary.symbol, view_of(encode_symbol_summary(summary)));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->trade_count, 3u);
  EXPECT_EQ(back->first_transact_time_ms, 1000);
  EXPECT_EQ(back->last_transact_time_ms, 3000);
  EXPECT_EQ(back->last_agg_trade_id, 12);

  const Result<SymbolSummary> truncated =
      decode_symbol_summary(summary.symbol, view_of(encode_symbol_summary(summary)).substr(1));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error(), "summary of symbol 'BTCUSDT' has 32 bytes, expected 33");
}

}  // namespace
}  // namespace alphastream
