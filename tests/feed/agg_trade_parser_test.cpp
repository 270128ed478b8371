#include "feed/agg_trade_parser.h"
#include "same_trade.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace alphastream {
namespace {

// The example payload from Binance's USD-M futures websocket documentation.
constexpr std::string_view kRawPayload =
    R"({"e":"aggTrade","E":1700000000123,"s":"BTCUSDT","a":5933014,"p":"0.001","q":"100",)"
    R"("f":100,"l":105,"T":1700000000119,"m":true})";

// The payload's fields as (key, JSON value) pairs, in Binance's order.
using Fields = std::vector<std::pair<std::string, std::string>>;
Fields payload_fields() {
  return {{"e", R"("aggTrade")"}, {"E", "1700000000123"}, {"s", R"("BTCUSDT")"},
          {"a", "5933014"},       {"p", R"("0.001")"}, {"q", R"("100")"},
          {"f", "100"},           {"l", "105"},        {"T", "1700000000119"},
          {"m", "true"}};
}

std::string to_json(const Fields& fields) {
  std::string json = "{";
  for (const auto& [key, value] : fields) {
    if (json.size() > 1) json += ',';
    json += '"' + key + "\":" + value;
  }
  return json + "}";
}

std::string with_field(std::string key, std::string value) {
  Fields fields = payload_fields();
  for (auto& field : fields) {
    if (field.first == key) field.second = value;
  }
  return to_json(fields);
}

std::string without_field(const std::string& key) {
  Fields fields = payload_fields();
  std::erase_if(fields, [&](const auto& field) { return field.first == key; });
  return to_json(fields);
}

std::string combined(std::string_view payload) {
  return R"({"stream":"btcusdt@aggTrade","data":)" + std::string(payload) + "}";
}

void expect_example_trade(const AggTrade& trade) {
  EXPECT_EQ(trade.symbol.view(), "BTCUSDT");
  EXPECT_EQ(trade.agg_trade_id, 5933014);
  EXPECT_EQ(trade.price, 0.001);
  EXPECT_EQ(trade.quantity, 100.0);
  EXPECT_EQ(trade.first_trade_id, 100);
  EXPECT_EQ(trade.last_trade_id, 105);
  EXPECT_EQ(trade.transact_time_ms, 1700000000119);
  EXPECT_EQ(trade.event_time_ms, 1700000000123);
  EXPECT_TRUE(trade.is_buyer_maker);
}

ParseStatus parse(std::string_view message, AggTrade* out = nullptr) {
  AggTradeParser parser;
  AggTrade trade;
  ParseStatus status = parser.parse(message, out ? *out : trade);
  return status;
}

TEST(AggTradeParser, RawPayloadFillsEveryFieldButTheReceiveTime) {
  AggTradeParser parser;
  AggTrade trade;
  trade.receive_time_ns = 42;
  ParseStatus status = parser.parse(kRawPayload, trade);
  ASSERT_TRUE(status) << status.message();
  expect_example_trade(trade);
  EXPECT_EQ(trade.receive_time_ns, 42);
  EXPECT_EQ(parser.parsed_count(), 1u);
}

// The spot stream (wss://stream.binance.com:9443/stream) sends the same
// payload with "M" (is best match) after "m": read as the futures one.
TEST(AggTradeParser, ASpotFrameWithItsBestMatchFieldReadsAsTheFuturesOne) {
  const std::string spot = std::string(kRawPayload.substr(0, kRawPayload.size() - 1)) + R"(,"M":true})";
  for (const std::string& frame : {spot, combined(spot)}) {
    AggTrade trade;
    ParseStatus status = parse(frame, &trade);
    ASSERT_TRUE(status) << frame << ": " << status.message();
    expect_example_trade(trade);
  }
}

TEST(AggTradeParser, CombinedStreamFrameIsUnwrappedWhereverDataSits) {
  for (const std::string& frame :
       {combined(kRawPayload),
        R"({"data":)" + std::string(kRawPayload) + R"(,"stream":"btcusdt@aggTrade"})"}) {
    AggTrade trade;
    ParseStatus status = parse(frame, &trade);
    ASSERT_TRUE(status) << frame << ": " << status.message();
    expect_example_trade(trade);
  }
}

TEST(AggTradeParser, CombinedFrameTakesThePayloadFromDataNotFromItsSiblings) {
  const std::string frame = R"({"p":"999.5","data":)" + std::string(kRawPayload) + "}";
  AggTrade trade;
  ASSERT_TRUE(parse(frame, &trade));
  EXPECT_EQ(trade.price, 0.001);
}

TEST(AggTradeParser, PaddedInputIsParsedInPlace) {
  AggTradeParser parser;
  simdjson::padded_string padded(kRawPayload);
  AggTrade trade;
  ASSERT_TRUE(parser.parse_padded(padded, trade));
  expect_example_trade(trade);
}

TEST(AggTradeParser, InputWithoutPaddingIsRefusedByTheZeroCopyOverload) {
  AggTradeParser parser;
  std::string unpadded(kRawPayload);
  AggTrade trade;
  ParseStatus status = parser.parse_padded(
      simdjson::padded_string_view(unpadded.data(), unpadded.size(), unpadded.size()), trade);
  EXPECT_EQ(status.error, ParseError::kMalformedJson);
}

TEST(AggTradeParser, FailureLeavesTheOutputUntouched) {
  AggTradeParser parser;
  AggTrade trade;
  ASSERT_TRUE(parser.parse(kRawPayload, trade));
  EXPECT_FALSE(parser.parse(with_field("p", R"("abc")"), trade));
  EXPECT_FALSE(parser.parse(without_field("m"), trade));
  expect_example_trade(trade);
}

class MissingField : public ::testing::TestWithParam<const char*> {};

TEST_P(MissingField, IsReportedByNameInRawAndCombinedFrames) {
  const std::string key = GetParam();
  const std::string payload = without_field(key);
  for (const std::string& message : {payload, combined(payload)}) {
    AggTradeParser parser;
    AggTrade trade;
    ParseStatus status = parser.parse(message, trade);
    EXPECT_EQ(status.error, ParseError::kMissingField) << message;
    EXPECT_EQ(status.field, key);
    EXPECT_EQ(status.message(), "missing field \"" + key + "\"");
    EXPECT_EQ(parser.error_count(ParseError::kMissingField), 1u);
    EXPECT_EQ(parser.parsed_count(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRequiredField, MissingField,
                         ::testing::Values("e", "E", "s", "a", "p", "q", "f", "l", "T", "m"),
                         [](const auto& info) {
                           // gtest names must differ by more than case: "e"/"E".
                           std::string name = info.param;
                           return std::isupper(static_cast<unsigned char>(name[0]))
                                      ? "Upper" + name
                                      : name;
                         });

struct FieldCase {
  const char* key;
  const char* value;  // JSON text
  ParseError error;
};

std::string case_name(const ::testing::TestParamInfo<FieldCase>& info) {
  std::string name = std::string(info.param.key) + "_" + std::to_string(info.index);
  return std::isupper(static_cast<unsigned char>(name[0])) ? "Upper" + name : name;
}

class BadField : public ::testing::TestWithParam<FieldCase> {};

TEST_P(BadField, IsRejectedWithItsReasonAndName) {
  const FieldCase& c = GetParam();
  const std::string payload = with_field(c.key, c.value);
  for (const std::string& message : {payload, combined(payload)}) {
    AggTradeParser parser;
    AggTrade trade;
    ParseStatus status = parser.parse(message, trade);
    EXPECT_EQ(status.error, c.error)
        << message << " gave " << parse_error_name(status.error) << ": " << status.message();
    EXPECT_EQ(status.field, c.key);
    EXPECT_EQ(parser.error_count(c.error), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    MistypedFields, BadField,
    ::testing::Values(FieldCase{"e", "1", ParseError::kWrongType},
                    FieldCase{"E", R"("123456789")", ParseError::kWrongType},
                    FieldCase{"s", "5", ParseError::kWrongType},
                    FieldCase{"a", R"("5933014")", ParseError::kWrongType},
                    FieldCase{"p", "0.001", ParseError::kWrongType},
                    FieldCase{"q", "100", ParseError::kWrongType},
                    FieldCase{"f", "true", ParseError::kWrongType},
                    FieldCase{"l", "null", ParseError::kWrongType},
                    FieldCase{"T", "[1700000000119]", ParseError::kWrongType},
                    FieldCase{"m", R"("true")", ParseError::kWrongType},
                    FieldCase{"m", "1", ParseError::kWrongType},
                    FieldCase{"s", R"({"name":"BTCUSDT"})", ParseError::kWrongType}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    IntegersThatDoNotFitInt64, BadField,
    ::testing::Values(FieldCase{"a", "5933014.5", ParseError::kBadInteger},
                    FieldCase{"E", "1.23456789e8", ParseError::kBadInteger},
                    FieldCase{"T", "99999999999999999999", ParseError::kBadInteger},
                    FieldCase{"f", "-", ParseError::kBadInteger}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    PricesThatAreNotDecimals, BadField,
    ::testing::Values(FieldCase{"p", R"("")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("abc")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1e")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("-")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1.")", ParseError::kBadDecimal},
                    FieldCase{"p", R"(".5")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("+1")", ParseError::kBadDecimal},
                    FieldCase{"p", R"(" 1")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1 ")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1,5")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("0x10")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("01")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("NaN")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("inf")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1e400")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1e-400")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("1\"")", ParseError::kBadDecimal},
                    FieldCase{"p", R"("\u0031")", ParseError::kBadDecimal},
                    FieldCase{"q", R"("")", ParseError::kBadDecimal},
                    FieldCase{"q", R"("1e")", ParseError::kBadDecimal},
                    FieldCase{"q", R"("12abc")", ParseError::kBadDecimal}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    NegativeOrZeroPricesAndNegativeQuantities, BadField,
    ::testing::Values(FieldCase{"p", R"("-67012.3")", ParseError::kOutOfRange},
                    FieldCase{"p", R"("0")", ParseError::kOutOfRange},
                    FieldCase{"p", R"("-0")", ParseError::kOutOfRange},
                    FieldCase{"q", R"("-0.5")", ParseError::kOutOfRange},
                    FieldCase{"q", R"("-0")", ParseError::kOutOfRange}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    SymbolsThatDoNotFit, BadField,
    ::testing::Values(FieldCase{"s", R"("")", ParseError::kBadSymbol},
                    FieldCase{"s", R"("ABCDEFGHIJKLMNOPQRSTUVWX")", ParseError::kBadSymbol}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    OtherEventTypes, BadField,
    ::testing::Values(FieldCase{"e", R"("trade")", ParseError::kNotAggTrade},
                    FieldCase{"e", R"("AGGTRADE")", ParseError::kNotAggTrade},
                    FieldCase{"e", R"("aggTrade ")", ParseError::kNotAggTrade}),
    case_name);

TEST(AggTradeParser, ZeroQuantityIsAccepted) {
  AggTrade trade;
  ASSERT_TRUE(parse(with_field("q", R"("0.000")"), &trade));
  EXPECT_EQ(trade.quantity, 0.0);
}

TEST(AggTradeParser, SymbolOfExactlyMaxSizeAndEscapedSymbolsAreAccepted) {
  AggTrade trade;
  ASSERT_TRUE(parse(with_field("s", R"("ABCDEFGHIJKLMNOPQRSTUVW")"), &trade));
  EXPECT_EQ(trade.symbol.view(), "ABCDEFGHIJKLMNOPQRSTUVW");
  ASSERT_TRUE(parse(with_field("s", R"("BTC\u0055SDT")"), &trade));
  EXPECT_EQ(trade.symbol.view(), "BTCUSDT");
}

TEST(AggTradeParser, ExtremeIntegersAreKeptExactly) {
  AggTrade trade;
  ASSERT_TRUE(parse(with_field("a", "9223372036854775807"), &trade));
  EXPECT_EQ(trade.agg_trade_id, 9223372036854775807);
}

// Issue 13, finding 1 and 4: a time far from now or a negative id would
// freeze a pair or poison its id sequence; each is refused by name.
TEST(AggTradeParser, ImplausibleTimesAndNegativeIdsAreOutOfRange) {
  for (const char* field : {"T", "E"}) {
    for (const char* time : {"1000", "9223372036854775807", "4102444800000", "1483228799999", "-1"}) {
      const ParseStatus status = parse(with_field(field, time), nullptr);
      EXPECT_EQ(status.error, ParseError::kOutOfRange) << field << "=" << time;
      EXPECT_EQ(status.field, field);
      EXPECT_EQ(status.message(), std::string("field \"") + field + "\": time must lie in 2017..2100 (Unix ms)");
    }
    EXPECT_TRUE(parse(with_field(field, "1483228800000"), nullptr)) << field;
    EXPECT_TRUE(parse(with_field(field, "4102444799999"), nullptr)) << field;
  }
  for (const char* field : {"a", "f", "l"}) {
    const ParseStatus status = parse(with_field(field, "-1"), nullptr);
    EXPECT_EQ(status.error, ParseError::kOutOfRange) << field;
    EXPECT_EQ(status.message(), std::string("field \"") + field + "\": id must not be negative");
  }
}

TEST(AggTradeParser, UnknownFieldsAreSkippedWhateverTheirValue) {
  // Nested keys named like payload fields must not be read as the payload's.
  const Fields extras = {{"nq", R"("100")"},
                         {"X", R"("MARKET")"},
                         {"nested", R"({"p":"5","a":[1,{"m":null}],"e":"trade"})"},
                         {"arrays", R"([[1,2],[],"x",{"q":"-1"}])"},
                         {"null", "null"},
                         {"number", "-1.5e300"},
                         {"pp", R"("p")"},
                         {"", R"("")"},
                         {R"(\u0070)", R"("not the price")"}};
  for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{10}}) {
    Fields fields = payload_fields();
    fields.insert(fields.begin() + static_cast<std::ptrdiff_t>(at), extras.begin(), extras.end());
    const std::string payload = to_json(fields);
    for (const std::string& message : {payload, combined(payload)}) {
      AggTrade trade;
      ParseStatus status = parse(message, &trade);
      ASSERT_TRUE(status) << message << ": " << status.message();
      expect_example_trade(trade);
    }
  }
}

TEST(AggTradeParser, FieldOrderDoesNotMatter) {
  std::mt19937 rng(20240601);
  Fields fields = payload_fields();
  for (int i = 0; i < 100; ++i) {
    std::shuffle(fields.begin(), fields.end(), rng);
    const std::string payload = to_json(fields);
    AggTrade trade;
    ParseStatus status = parse(payload, &trade);
    ASSERT_TRUE(status) << payload << ": " << status.message();
    expect_example_trade(trade);
  }
}

TEST(AggTradeParser, DuplicateFieldsAreRejected) {
  const std::string twice_p = std::string(kRawPayload.substr(0, kRawPayload.size() - 1)) +
                              R"(,"p":"0.002"})";
  ParseStatus status = parse(twice_p);
  EXPECT_EQ(status.error, ParseError::kDuplicateField);
  EXPECT_EQ(status.field, "p");

  const std::string twice_data = combined(kRawPayload).insert(1, R"("data":{},)");
  status = parse(twice_data);
  EXPECT_EQ(status.error, ParseError::kMissingField) << "the first, empty data is read first";
  status = parse(R"({"data":)" + std::string(kRawPayload) + R"(,"data":{}})");
  EXPECT_EQ(status.error, ParseError::kDuplicateField);
  EXPECT_EQ(status.field, "data");
}

TEST(AggTradeParser, CombinedFrameWithoutUsableDataIsRejected) {
  ParseStatus status = parse(R"({"stream":"btcusdt@aggTrade"})");
  EXPECT_EQ(status.error, ParseError::kMissingData);
  EXPECT_EQ(status.message(), "combined-stream frame has no \"data\"");

  status = parse(R"({"stream":"btcusdt@aggTrade","data":"x"})");
  EXPECT_EQ(status.error, ParseError::kWrongType);
  EXPECT_EQ(status.field, "data");
  EXPECT_EQ(status.message(), "field \"data\": expected an object");

  status = parse(R"({"stream":"btcusdt@aggTrade","data":{}})");
  EXPECT_EQ(status.error, ParseError::kMissingField);
  EXPECT_EQ(status.field, "e");
}

TEST(AggTradeParser, EveryTruncationOfAFrameIsMalformed) {
  for (const std::string& message : {std::string(kRawPayload), combined(kRawPayload)}) {
    for (std::size_t size = 0; size < message.size(); ++size) {
      const std::string_view prefix = std::string_view(message).substr(0, size);
      ParseStatus status = parse(prefix);
      EXPECT_EQ(status.error, ParseError::kMalformedJson)
          << prefix << " gave " << parse_error_name(status.error);
    }
  }
}

TEST(AggTradeParser, BrokenSyntaxIsMalformed) {
  const std::string payload(kRawPayload);
  const std::string body = payload.substr(1, payload.size() - 2);  // without braces
  for (const std::string& message :
       {"{" + body + ",}", "{" + body + "}}", "{" + body + "} {}", payload + " x",
        "{" + body + ",\"x\":{}}}", "{" + body + ",\"x\":}", "{,\"x\":1," + body + "}",
        "{\"x\" 1," + body + "}", "{" + body + ",\"x\":\"\xff\"}",
        "{" + body + ",\"x\":[1,2}", std::string(""), std::string("   \n")}) {
    ParseStatus status = parse(message);
    EXPECT_EQ(status.error, ParseError::kMalformedJson)
        << message << " gave " << parse_error_name(status.error);
  }
}

TEST(AggTradeParser, TopLevelValuesOtherThanObjectsAreRejected) {
  for (const std::string& message : {"[" + std::string(kRawPayload) + "]",
                                     std::string(R"("aggTrade")"), std::string("42"),
                                     std::string("null"), std::string("true")}) {
    ParseStatus status = parse(message);
    EXPECT_EQ(status.error, ParseError::kNotAnObject) << message;
    EXPECT_TRUE(status.field.empty());
  }
}

TEST(AggTradeParser, AnotherStreamsEventIsNotAnAggTrade) {
  ParseStatus status = parse(
      R"({"e":"depthUpdate","E":1700000000123,"T":1700000000118,"s":"BTCUSDT","U":157,"u":160,)"
      R"("pu":149,"b":[["0.0024","10"]],"a":[["0.0026","100"]]})");
  EXPECT_EQ(status.error, ParseError::kNotAggTrade);
  EXPECT_EQ(status.message(), "field \"e\": event type is not \"aggTrade\"");
}

TEST(AggTradeParser, CountsEachRejectionUnderItsReason) {
  AggTradeParser parser;
  AggTrade trade;
  const std::vector<std::string> messages = {
      std::string(kRawPayload),      combined(kRawPayload),
      without_field("q"),            without_field("T"),
      with_field("p", R"("1e")"),    with_field("m", "0"),
      with_field("e", R"("trade")"), "{",
      "[]",                          R"({"stream":"x"})",
  };
  for (const std::string& message : messages) (void)parser.parse(message, trade);

  std::array<std::uint64_t, kParseErrorCount> expected{};
  expected[static_cast<std::size_t>(ParseError::kMissingField)] = 2;
  expected[static_cast<std::size_t>(ParseError::kBadDecimal)] = 1;
  expected[static_cast<std::size_t>(ParseError::kWrongType)] = 1;
  expected[static_cast<std::size_t>(ParseError::kNotAggTrade)] = 1;
  expected[static_cast<std::size_t>(ParseError::kMalformedJson)] = 1;
  expected[static_cast<std::size_t>(ParseError::kNotAnObject)] = 1;
  expected[static_cast<std::size_t>(ParseError::kMissingData)] = 1;
  EXPECT_EQ(parser.error_counts(), expected);
  EXPECT_EQ(parser.parsed_count(), 2u);
}

TEST(AggTradeParser, DecimalsBecomeTheNearestDouble) {
  const std::pair<const char*, double> cases[] = {
      {"0.1", 0.1},
      {"67012.30", 67012.3},
      {"0.00000001", 1e-8},
      {"0.001", 0.001},
      {"123456789.12345678", 123456789.12345678},
      {"0.30000000000000004", 0.30000000000000004},
      {"9007199254740993", 9007199254740992.0},  // 2^53 + 1 ties to even
      {"1E+2", 100.0},
      {"000000000000000000000000000000000000000", 0.0},  // not JSON: leading zeros
  };
  for (const auto& [text, expected] : cases) {
    AggTrade trade;
    ParseStatus status = parse(with_field("q", '"' + std::string(text) + '"'), &trade);
    if (std::string_view(text).starts_with("00")) {
      EXPECT_EQ(status.error, ParseError::kBadDecimal);
      continue;
    }
    ASSERT_TRUE(status) << text << ": " << status.message();
    EXPECT_EQ(trade.quantity, expected) << text;
  }
}

TEST(AggTradeParser, DecimalsAgreeWithFromCharsOnRandomInputs) {
  // glibc's strtod is correctly rounded in the C locale; the parser must
  // agree bit for bit, past 19 significant digits too, where simdjson 3.0.1's
  // own get_double_in_string() returns garbage for "0.<20 digits>".
  std::mt19937_64 rng(7);
  AggTradeParser parser;
  AggTrade trade;
  for (int i = 0; i < 20000; ++i) {
    const int int_digits = 1 + static_cast<int>(rng() % 9);
    const int frac_digits = static_cast<int>(rng() % 24);
    std::string text(1, static_cast<char>('1' + rng() % 9));
    for (int d = 1; d < int_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    if (rng() % 4 == 0) text = std::string(1, '0');  // not = "0": GCC 12 -Wrestrict false positive (PR 105329)
    if (frac_digits > 0) {
      text += '.';
      for (int d = 0; d < frac_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    }
    const double expected = std::strtod(text.c_str(), nullptr);
    ParseStatus status = parser.parse(with_field("q", '"' + text + '"'), trade);
    ASSERT_TRUE(status) << text << ": " << status.message();
    ASSERT_EQ(trade.quantity, expected) << text;
  }
}

TEST(AggTradeParser, VeryLongMessagesParseAndSmallOnesStillDoAfterwards) {
  Fields fields = payload_fields();
  fields.insert(fields.begin() + 3, {"blob", '"' + std::string(1 << 20, 'x') + '"'});
  std::string numbers = "[";
  for (int i = 0; i < 100000; ++i) numbers += std::to_string(i) + ",";
  numbers.back() = ']';
  fields.emplace_back("numbers", numbers);
  const std::string huge = to_json(fields);
  ASSERT_GT(huge.size(), 1'500'000u);

  AggTradeParser parser;
  for (const std::string& message : {huge, combined(huge), std::string(kRawPayload)}) {
    AggTrade trade;
    ParseStatus status = parser.parse(message, trade);
    ASSERT_TRUE(status) << status.message();
    expect_example_trade(trade);
  }
}

TEST(ParseErrorName, NamesAreDistinctSnakeCaseLabels) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kParseErrorCount; ++i) {
    const std::string_view name = parse_error_name(static_cast<ParseError>(i));
    EXPECT_TRUE(std::all_of(name.begin(), name.end(),
                            [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
        << name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), kParseErrorCount);
  EXPECT_EQ(parse_error_name(ParseError::kNone), "none");
  EXPECT_EQ(parse_error_name(ParseError::kMalformedJson), "malformed_json");
  EXPECT_EQ(parse_error_name(ParseError::kMissingField), "missing_field");
  EXPECT_EQ(parse_error_name(ParseError::kBadDecimal), "bad_decimal");
  EXPECT_EQ(parse_error_name(ParseError::kMissingData), "missing_data");
}

TEST(ParseStatus, MessagesSayWhatAndWhere) {
  EXPECT_EQ(parse(with_field("p", R"("abc")")).message(),
            "field \"p\": expected a decimal number in a string");
  EXPECT_EQ(parse(with_field("m", "1")).message(), "field \"m\": expected a boolean");
  EXPECT_EQ(parse(with_field("a", R"("1")")).message(), "field \"a\": expected an integer");
  EXPECT_EQ(parse(with_field("q", R"("-1")")).message(),
            "field \"q\": quantity must not be negative");
  EXPECT_EQ(parse(with_field("p", R"("0")")).message(), "field \"p\": price must be positive");
  EXPECT_EQ(parse("{").message(), "malformed JSON");
  EXPECT_EQ(parse("[]").message(), "top-level value is not a JSON object");
  EXPECT_EQ(parse(kRawPayload).message(), "ok");
}

// The direct scan of Binance's own layout against simdjson alone: every
// frame below, and every one-byte change, cut and insertion of it, gives the
// same trade or the same error at the same field both ways.
TEST(AggTradeParser, TheBinanceLayoutScanAgreesWithTheGeneralPathOnEveryMutation) {
  const std::vector<std::string> frames = {
      R"({"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1717200000123,"a":2097154331,"s":"BTCUSDT",)"
      R"("p":"67012.30","q":"0.004","nq":"0.004","f":4417239190,"l":4417239192,"T":1717200000119,"m":true}})",
      R"({"e":"aggTrade","E":1717200000201,"a":588213004,"s":"1000SHIBUSDT","p":"0.025914","q":"120394",)"
      R"("f":990112334,"l":990112334,"T":1717200000199,"m":false})",
      R"({"stream":"btcusdt_250328@aggTrade","data":{"e":"aggTrade","E":1717200000123,"a":1,"s":"BTCUSDT_250328",)"
      R"("p":"1","q":"0","nq":"0","f":1,"l":1,"T":1717200000119,"m":false}})",
  };
  AggTradeParser fast;
  AggTradeParser general;
  general.set_fast_path(false);
  const auto agree = [&](const std::string& message) {
    AggTrade a, b;
    const ParseStatus sa = fast.parse(message, a);
    const ParseStatus sb = general.parse(message, b);
    ASSERT_EQ(sa.error, sb.error) << message;
    ASSERT_EQ(sa.field, sb.field) << message;
    if (sa) testing::expect_same_trade(a, b, message);
  };
  const std::string replacements = "0 9\"\\,.:{}[]-+eEaZz_@\x01\x7f\xff";
  std::uint64_t cases = 0;
  for (const std::string& frame : frames) {
    const std::uint64_t scans = fast.direct_scans();
    agree(frame);
    EXPECT_EQ(fast.direct_scans(), scans + 1) << "not read by the direct scan: " << frame;
    for (std::size_t i = 0; i < frame.size(); ++i) {
      for (const char c : replacements) {
        std::string changed = frame;
        changed[i] = c;
        agree(changed);
        std::string inserted = frame;
        inserted.insert(i, 1, c);
        agree(inserted);
        cases += 2;
      }
      agree(frame.substr(0, i));
      agree(frame.substr(0, i) + frame.substr(i + 1));
      cases += 2;
    }
  }
  EXPECT_GT(cases, 10000u);
  EXPECT_GT(fast.direct_scans(), 3u);
  EXPECT_EQ(general.direct_scans(), 0u);
}

TEST(RestAggTrades, APageParsesWithTheRequestsSymbolAndSpotsBestMatchSkipped) {
  constexpr std::string_view page =
      R"([{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true},)"
      R"({"a":26130,"p":"0.5","q":"0","f":27782,"l":27790,"T":1498793709154,"m":false}])";
  std::vector<AggTrade> trades;
  ASSERT_TRUE(parse_rest_agg_trades(page, Symbol("BNBBTC"), trades));
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[0].symbol.view(), "BNBBTC");
  EXPECT_EQ(trades[0].agg_trade_id, 26129);
  EXPECT_DOUBLE_EQ(trades[0].price, 0.01633102);
  EXPECT_DOUBLE_EQ(trades[0].quantity, 4.70443515);
  EXPECT_EQ(trades[0].transact_time_ms, 1498793709153);
  EXPECT_EQ(trades[0].event_time_ms, 0);
  EXPECT_TRUE(trades[0].is_buyer_maker);
  EXPECT_EQ(trades[1].last_trade_id, 27790);
  EXPECT_FALSE(trades[1].is_buyer_maker);
  std::vector<AggTrade> none;
  EXPECT_TRUE(parse_rest_agg_trades("[]", Symbol("BNBBTC"), none));
  EXPECT_TRUE(none.empty());
}

TEST(RestAggTrades, ABadPageAddsNothingAndNamesTheElementAndField) {
  std::vector<AggTrade> trades(1);  // what the caller had stays
  std::size_t element = 99;
  constexpr std::string_view missing_time =
      R"([{"a":1,"p":"1","q":"1","f":1,"l":1,"T":1498793709153,"m":true},{"a":2,"p":"1","q":"1","f":2,"l":2,"m":true}])";
  ParseStatus status = parse_rest_agg_trades(missing_time, Symbol("X"), trades, &element);
  EXPECT_EQ(status.message(), "missing field \"T\"");
  EXPECT_EQ(element, 1u);
  EXPECT_EQ(trades.size(), 1u);
  status = parse_rest_agg_trades(R"([{"a":1,"p":"0","q":"1","f":1,"l":1,"T":1498793709153,"m":true}])", Symbol("X"),
                                 trades, &element);
  EXPECT_EQ(status.message(), "field \"p\": price must be positive");
  EXPECT_EQ(element, 0u);
  // Binance's error object is no page.
  EXPECT_FALSE(parse_rest_agg_trades(R"({"code":-1121,"msg":"Invalid symbol."})", Symbol("X"), trades));
  EXPECT_FALSE(parse_rest_agg_trades("[1]", Symbol("X"), trades));
  EXPECT_FALSE(parse_rest_agg_trades("[{\"a\":1", Symbol("X"), trades));
  EXPECT_FALSE(parse_rest_agg_trades("[] []", Symbol("X"), trades));
  EXPECT_EQ(trades.size(), 1u);
}

}  // namespace
}  // namespace alphastream
