#include "feed/agg_trade_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace alphastream {
namespace {

namespace ondemand = simdjson::ondemand;

// The payload fields, then the combined-frame fields; an index is also the
// field's bit in a seen-mask.
enum FieldId : int {
  kEventType,
  kEventTime,
  kSymbolName,
  kAggTradeId,
  kPrice,
  kQuantity,
  kFirstTradeId,
  kLastTradeId,
  kTransactTime,
  kBuyerMaker,
  kPayloadFieldCount,
  kStream = kPayloadFieldCount,
  kData,
  kFieldCount,
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "e", "E", "s", "a", "p", "q", "f", "l", "T", "m", "stream", "data"};
constexpr std::uint32_t bit(int field) { return std::uint32_t{1} << field; }

// Binance aggTrade frames are about 200 bytes; this covers them with room for
// added fields, so a parser normally never allocates after construction.
constexpr std::size_t kInitialCapacity = 4096;

ParseStatus fail(ParseError error, int field) { return {error, kFieldNames[field]}; }
ParseStatus fail(ParseError error) { return {error, {}}; }

// Returns the field a key names, or -1. Keys are matched as written: Binance
// never escapes them, and an escaped key is treated as unknown.
int field_of(ondemand::raw_json_string key) {
  const char* k = key.raw();
  if (k[1] == '"') {
    switch (k[0]) {
      case 'e': return kEventType;
      case 'E': return kEventTime;
      case 's': return kSymbolName;
      case 'a': return kAggTradeId;
      case 'p': return kPrice;
      case 'q': return kQuantity;
      case 'f': return kFirstTradeId;
      case 'l': return kLastTradeId;
      case 'T': return kTransactTime;
      case 'm': return kBuyerMaker;
      default: return -1;
    }
  }
  if (key.unsafe_is_equal("data")) return kData;
  if (key.unsafe_is_equal("stream")) return kStream;
  return -1;
}

// Peeking at the type first separates a wrong JSON type from a bad value of
// the right type, which simdjson's getters both report as INCORRECT_TYPE.
ParseStatus expect_type(ondemand::value& value, ondemand::json_type expected, int field) {
  ondemand::json_type type;
  if (value.type().get(type)) return fail(ParseError::kMalformedJson, field);
  if (type != expected) return fail(ParseError::kWrongType, field);
  return {};
}

ParseStatus read_integer(ondemand::value& value, int field, std::int64_t& out) {
  if (ParseStatus s = expect_type(value, ondemand::json_type::number, field); !s) return s;
  if (value.get_int64().get(out)) return fail(ParseError::kBadInteger, field);
  return {};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a JSON number written inside a string, from its first character to
// the closing quote. The grammar is checked here and the conversion left to
// std::from_chars: correctly rounded, locale-independent. simdjson 3.0.1's
// get_double_in_string() is not used: it misreads "0." followed by more than
// 19 digits.
bool parse_quoted_decimal(const char* text, double& out) {
  const char* p = text;
  if (*p == '-') ++p;
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    while (is_digit(*p)) ++p;
  } else {
    return false;
  }
  if (*p == '.') {
    if (!is_digit(*++p)) return false;
    while (is_digit(*p)) ++p;
  }
  if (*p == 'e' || *p == 'E') {
    ++p;
    if (*p == '+' || *p == '-') ++p;
    if (!is_digit(*p)) return false;
    while (is_digit(*p)) ++p;
  }
  // Any other character, an escape included, ends the number early; the
  // string's closing quote bounds the scan.
  if (*p != '"') return false;
  const auto [end, ec] = std::from_chars(text, p, out);
  return ec == std::errc() && end == p;
}

ParseStatus read_decimal(ondemand::value& value, int field, double& out) {
  if (ParseStatus s = expect_type(value, ondemand::json_type::string, field); !s) return s;
  ondemand::raw_json_string raw;
  if (value.get_raw_json_string().get(raw)) return fail(ParseError::kMalformedJson, field);
  if (!parse_quoted_decimal(raw.raw(), out)) return fail(ParseError::kBadDecimal, field);
  return {};
}

ParseStatus read_string(ondemand::value& value, int field, std::string_view& out) {
  if (ParseStatus s = expect_type(value, ondemand::json_type::string, field); !s) return s;
  if (value.get_string().get(out)) return fail(ParseError::kMalformedJson, field);
  return {};
}

ParseStatus read_payload_field(int field, ondemand::value& value, AggTrade& trade) {
  switch (field) {
    case kEventType: {
      std::string_view type;
      if (ParseStatus s = read_string(value, field, type); !s) return s;
      if (type != "aggTrade") return fail(ParseError::kNotAggTrade, field);
      return {};
    }
    case kSymbolName: {
      std::string_view symbol;
      if (ParseStatus s = read_string(value, field, symbol); !s) return s;
      if (symbol.empty() || symbol.size() > Symbol::kMaxSize) {
        return fail(ParseError::kBadSymbol, field);
      }
      trade.symbol = Symbol(symbol);
      return {};
    }
    case kPrice:
      if (ParseStatus s = read_decimal(value, field, trade.price); !s) return s;
      if (!(trade.price > 0)) return fail(ParseError::kOutOfRange, field);
      return {};
    case kQuantity:
      if (ParseStatus s = read_decimal(value, field, trade.quantity); !s) return s;
      if (std::signbit(trade.quantity)) return fail(ParseError::kOutOfRange, field);
      return {};
    case kBuyerMaker:
      if (ParseStatus s = expect_type(value, ondemand::json_type::boolean, field); !s) return s;
      if (value.get_bool().get(trade.is_buyer_maker)) return fail(ParseError::kMalformedJson, field);
      return {};
    case kEventTime: return read_integer(value, field, trade.event_time_ms);
    case kAggTradeId: return read_integer(value, field, trade.agg_trade_id);
    case kFirstTradeId: return read_integer(value, field, trade.first_trade_id);
    case kLastTradeId: return read_integer(value, field, trade.last_trade_id);
    case kTransactTime: return read_integer(value, field, trade.transact_time_ms);
    default: return fail(ParseError::kMalformedJson, field);  // not reached
  }
}

ParseStatus check_complete(std::uint32_t seen) {
  for (int field = 0; field < kPayloadFieldCount; ++field) {
    if (!(seen & bit(field))) return fail(ParseError::kMissingField, field);
  }
  return {};
}

ParseStatus read_data(ondemand::value& value, AggTrade& trade);

// Reads the fields of one object in a single pass, whatever their order.
// Unknown fields are never touched, so on-demand skips them unparsed. At top
// level the frame fields are recognised too; payload fields beside "data"
// still go to trade, which the caller then ignores.
ParseStatus read_object(ondemand::object& object, bool top_level, AggTrade& trade,
                        AggTrade& data_trade, std::uint32_t& seen) {
  for (auto field : object) {
    ondemand::raw_json_string key;
    if (field.key().get(key)) return fail(ParseError::kMalformedJson);
    const int id = field_of(key);
    if (id < 0 || (!top_level && id >= kPayloadFieldCount)) continue;
    if (seen & bit(id)) return fail(ParseError::kDuplicateField, id);
    seen |= bit(id);
    if (id == kStream) continue;  // its value is not needed; it marks a frame
    ondemand::value value;
    if (field.value().get(value)) return fail(ParseError::kMalformedJson, id);
    ParseStatus s = id == kData ? read_data(value, data_trade) : read_payload_field(id, value, trade);
    if (!s) return s;
  }
  return {};
}

ParseStatus read_data(ondemand::value& value, AggTrade& trade) {
  if (ParseStatus s = expect_type(value, ondemand::json_type::object, kData); !s) return s;
  ondemand::object object;
  if (value.get_object().get(object)) return fail(ParseError::kMalformedJson, kData);
  std::uint32_t seen = 0;
  if (ParseStatus s = read_object(object, false, trade, trade, seen); !s) return s;
  return check_complete(seen);
}

ParseStatus read_message(ondemand::parser& parser, simdjson::padded_string_view message,
                         AggTrade& trade) {
  ondemand::document doc;
  if (parser.iterate(message).get(doc)) return fail(ParseError::kMalformedJson);
  ondemand::json_type type;
  if (doc.type().get(type)) return fail(ParseError::kMalformedJson);
  if (type != ondemand::json_type::object) return fail(ParseError::kNotAnObject);
  // Fails on some trailing content ("{} x"); the rest is caught below.
  ondemand::object object;
  if (doc.get_object().get(object)) return fail(ParseError::kMalformedJson);

  AggTrade top_trade;
  std::uint32_t seen = 0;
  if (ParseStatus s = read_object(object, true, top_trade, trade, seen); !s) return s;
  // The object is closed; a location still in bounds is trailing content.
  if (doc.current_location().error() == simdjson::SUCCESS) {
    return fail(ParseError::kMalformedJson);
  }
  if (seen & bit(kData)) return {};  // read_data checked the payload
  if (seen & bit(kStream)) return fail(ParseError::kMissingData, kData);
  if (ParseStatus s = check_complete(seen); !s) return s;
  trade = top_trade;
  return {};
}

}  // namespace

std::string_view parse_error_name(ParseError error) {
  switch (error) {
    case ParseError::kNone: return "none";
    case ParseError::kMalformedJson: return "malformed_json";
    case ParseError::kNotAnObject: return "not_an_object";
    case ParseError::kNotAggTrade: return "not_agg_trade";
    case ParseError::kMissingField: return "missing_field";
    case ParseError::kDuplicateField: return "duplicate_field";
    case ParseError::kWrongType: return "wrong_type";
    case ParseError::kBadDecimal: return "bad_decimal";
    case ParseError::kBadInteger: return "bad_integer";
    case ParseError::kOutOfRange: return "out_of_range";
    case ParseError::kBadSymbol: return "bad_symbol";
    case ParseError::kMissingData: return "missing_data";
  }
  return "unknown";
}
static_assert(static_cast<std::size_t>(ParseError::kMissingData) + 1 == kParseErrorCount,
              "kParseErrorCount must count every ParseError");

std::string ParseStatus::message() const {
  const std::string name(field);
  const std::string where = field.empty() ? "" : "field \"" + name + "\": ";
  switch (error) {
    case ParseError::kNone: return "ok";
    case ParseError::kMalformedJson: return where + "malformed JSON";
    case ParseError::kNotAnObject: return "top-level value is not a JSON object";
    case ParseError::kNotAggTrade: return where + "event type is not \"aggTrade\"";
    case ParseError::kMissingField: return "missing field \"" + name + "\"";
    case ParseError::kDuplicateField: return "duplicate field \"" + name + "\"";
    case ParseError::kWrongType: {
      const char* expected = "an integer";
      if (name == "e" || name == "s" || name == "p" || name == "q") expected = "a string";
      if (name == "m") expected = "a boolean";
      if (name == "data") expected = "an object";
      return where + "expected " + expected;
    }
    case ParseError::kBadDecimal: return where + "expected a decimal number in a string";
    case ParseError::kBadInteger: return where + "expected a whole number within int64";
    case ParseError::kOutOfRange:
      return where + (name == "p" ? "price must be positive" : "quantity must not be negative");
    case ParseError::kBadSymbol: return where + "symbol must have 1 to 23 characters";
    case ParseError::kMissingData: return "combined-stream frame has no \"data\"";
  }
  return where + "unknown error";
}

AggTradeParser::AggTradeParser()
    : buffer_(std::make_unique_for_overwrite<char[]>(kInitialCapacity + simdjson::SIMDJSON_PADDING)),
      buffer_capacity_(kInitialCapacity + simdjson::SIMDJSON_PADDING) {
  // A failure here (out of memory) is retried by iterate() on first use.
  [[maybe_unused]] simdjson::error_code error = json_parser_.allocate(kInitialCapacity);
}

ParseStatus AggTradeParser::parse(std::string_view message, AggTrade& out) {
  const std::size_t needed = message.size() + simdjson::SIMDJSON_PADDING;
  if (needed > buffer_capacity_) {
    buffer_capacity_ = std::max(needed, 2 * buffer_capacity_);
    buffer_ = std::make_unique_for_overwrite<char[]>(buffer_capacity_);
  }
  if (!message.empty()) std::memcpy(buffer_.get(), message.data(), message.size());
  // simdjson reads the padding; zero it so nothing depends on stale bytes.
  std::memset(buffer_.get() + message.size(), 0, simdjson::SIMDJSON_PADDING);
  return parse_padded(
      simdjson::padded_string_view(buffer_.get(), message.size(), buffer_capacity_), out);
}

ParseStatus AggTradeParser::parse_padded(simdjson::padded_string_view message, AggTrade& out) {
  AggTrade trade;
  ParseStatus status = read_message(json_parser_, message, trade);
  if (status) {
    trade.receive_time_ns = out.receive_time_ns;
    out = trade;
  }
  return count(status);
}

ParseStatus AggTradeParser::count(ParseStatus status) {
  if (status) {
    ++parsed_count_;
  } else {
    ++error_counts_[static_cast<std::size_t>(status.error)];
  }
  return status;
}

}  // namespace alphastream
