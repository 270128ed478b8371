// The parser's fast paths for numbers against the general conversions they
// stand in for: decimals against std::from_chars (correctly rounded), ids
// and times against std::from_chars on int64, on large random sets and at
// the fast paths' edges (2^53, 10^22, 19 digits).
#include <bit>
#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "feed/agg_trade_parser.h"

namespace alphastream {
namespace {

// Messages are built by appending: GCC 12's -Wrestrict misreads
// "literal" + std::string&& at -O2.
std::string with_quantity(const std::string& text) {
  std::string message = R"({"e":"aggTrade","E":1700000000000,"s":"BTCUSDT","a":1,"p":"1","q":")";
  message += text;
  message += R"(","f":1,"l":1,"T":1700000000000,"m":true})";
  return message;
}

// Parses text as "q" and checks it against from_chars bit for bit, or that
// it is rejected where from_chars rejects it (out of range).
void expect_quantity_as_from_chars(AggTradeParser& parser, const std::string& text) {
  double expected = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
  AggTrade trade;
  const ParseStatus status = parser.parse(with_quantity(text), trade);
  if (ec != std::errc() || end != text.data() + text.size()) {
    EXPECT_EQ(status.error, ParseError::kBadDecimal) << text;
    return;
  }
  ASSERT_TRUE(status) << text << ": " << status.message();
  EXPECT_EQ(std::bit_cast<std::uint64_t>(trade.quantity), std::bit_cast<std::uint64_t>(expected)) << text;
}

void append_random_digits(std::mt19937_64& rng, int count, std::string& out) {
  for (int i = 0; i < count; ++i) out += static_cast<char>('0' + rng() % 10);
}

TEST(AggTradeParserNumbers, DecimalsEqualFromCharsOnHalfAMillionRandomTexts) {
  std::mt19937_64 rng(2024);
  AggTradeParser parser;
  for (int i = 0; i < 500'000; ++i) {
    // 1 to 21 integer digits (no leading zero) or "0", 0 to 25 decimals,
    // an exponent on one text in four: across both sides of 19 digits,
    // 2^53 and |exponent| 22.
    std::string text;
    if (rng() % 5 == 0) {
      text += '0';
    } else {
      text += static_cast<char>('1' + rng() % 9);
      append_random_digits(rng, static_cast<int>(rng() % 21), text);
    }
    if (const int decimals = static_cast<int>(rng() % 26); decimals > 0) {
      text += '.';
      append_random_digits(rng, decimals, text);
    }
    if (rng() % 4 == 0) {
      text += "eE"[rng() % 2];
      if (const auto sign = rng() % 3; sign > 0) text += sign == 1 ? '+' : '-';
      text += std::to_string(rng() % 4 == 0 ? rng() % 400 : rng() % 30);
    }
    expect_quantity_as_from_chars(parser, text);
    if (testing::Test::HasFailure()) return;
  }
}

TEST(AggTradeParserNumbers, DecimalsAtTheEdgesOfTheFastPathEqualFromChars) {
  AggTradeParser parser;
  const std::uint64_t two_to_53 = std::uint64_t{1} << 53;
  for (std::uint64_t m = two_to_53 - 40; m <= two_to_53 + 40; ++m) {
    const std::string digits = std::to_string(m);
    for (int exponent = -26; exponent <= 26; ++exponent) {
      std::string text = digits;
      text += 'e';
      text += std::to_string(exponent);
      expect_quantity_as_from_chars(parser, text);
      // The same digits with the point moved in: the exponent comes from the
      // decimals instead.
      for (std::size_t point = 1; point < digits.size(); point += 5) {
        text = digits;
        text.insert(point, 1, '.');
        text += 'e';
        text += std::to_string(exponent);
        expect_quantity_as_from_chars(parser, text);
      }
    }
  }
  for (const char* text : {"1e22", "1e23", "1e-22", "1e-23", "9999999999999999999", "99999999999999999999",
                           "0.0000000000000000000001", "0.00000000000000000000001", "1844674407370955161.5",
                           "18446744073709551616", "0e999999999999999999", "1e-999999999999", "0.1e1", "0"}) {
    expect_quantity_as_from_chars(parser, text);
  }
  AggTrade trade;
  ASSERT_TRUE(parser.parse(with_quantity("0e999999999999999999"), trade));
  EXPECT_EQ(trade.quantity, 0.0);
}

// A payload whose "a" is text followed by delimiter, first or last.
std::string with_agg_id(const std::string& text, const std::string& delimiter, bool last) {
  const std::string_view rest = R"("e":"aggTrade","E":1700000000000,"s":"BTCUSDT","p":"1","q":"1","f":1,"l":1,"T":1700000000000,"m":true)";
  std::string message = "{";
  if (last) {
    message += rest;
    message += ',';
  }
  message += R"("a":)";
  message += text;
  message += delimiter;
  if (!last) {
    message += ',';
    message += rest;
  }
  message += '}';
  return message;
}

TEST(AggTradeParserNumbers, IntegersEqualFromCharsWhateverTheirLengthAndDelimiter) {
  std::mt19937_64 rng(53);
  AggTradeParser parser;
  const char* const delimiters[] = {"", " ", "\n", "\t", "\r\n  "};
  for (int i = 0; i < 200'000; ++i) {
    // 1 to 20 digits, a sign on one in eight, a leading zero on one in fifty.
    std::string text;
    if (rng() % 8 == 0) text += '-';
    if (rng() % 50 == 0) text += '0';
    text += static_cast<char>('1' + rng() % 9);
    append_random_digits(rng, static_cast<int>(rng() % 20), text);
    const std::string message = with_agg_id(text, delimiters[rng() % 5], rng() % 2 == 0);
    std::int64_t expected = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expected);
    const bool leading_zero = text.starts_with("0") || text.starts_with("-0");  // followed by digits
    AggTrade trade;
    const ParseStatus status = parser.parse(message, trade);
    if (ec != std::errc() || end != text.data() + text.size() || leading_zero) {
      EXPECT_EQ(status.error, ParseError::kBadInteger) << message;
      EXPECT_EQ(status.field, "a") << message;
    } else if (expected < 0) {
      // A whole number, but no id: ids count up from 0.
      EXPECT_EQ(status.error, ParseError::kOutOfRange) << message;
      EXPECT_EQ(status.field, "a") << message;
    } else {
      ASSERT_TRUE(status) << message << ": " << status.message();
      EXPECT_EQ(trade.agg_trade_id, expected) << message;
    }
    if (testing::Test::HasFailure()) return;
  }
}

TEST(AggTradeParserNumbers, ZeroAndTheInt64LimitsAreKept) {
  AggTradeParser parser;
  const std::pair<const char*, std::int64_t> cases[] = {
      {"0", 0},
      {"-0", 0},
      {"999999999999999999", 999'999'999'999'999'999},
      {"1000000000000000000", 1'000'000'000'000'000'000},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()}};
  for (const auto& [text, expected] : cases) {
    for (const bool last : {false, true}) {
      AggTrade trade;
      const std::string message = with_agg_id(text, "", last);
      const ParseStatus status = parser.parse(message, trade);
      ASSERT_TRUE(status) << message << ": " << status.message();
      EXPECT_EQ(trade.agg_trade_id, expected) << message;
    }
  }
  AggTrade trade;
  // The lowest int64 is read exactly, and refused as an id.
  EXPECT_EQ(parser.parse(with_agg_id("-9223372036854775808", "", false), trade).error, ParseError::kOutOfRange);
  EXPECT_EQ(parser.parse(with_agg_id("9223372036854775808", "", false), trade).error, ParseError::kBadInteger);
  EXPECT_EQ(parser.parse(with_agg_id("12x", "", false), trade).error, ParseError::kBadInteger);
}

}  // namespace
}  // namespace alphastream
