#include "feed/agg_trade_parser.h"

#include <algorithm>
#include <bit>
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

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The value of the eight ASCII digits at p, or -1 if they are not all
// digits: simdjson's and fast_float's SWAR conversion (little-endian).
std::int64_t eight_digits(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if (((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
      0x3333333333333333) {
    return -1;
  }
  v -= 0x3030303030303030;
  v = v * 10 + (v >> 8);
  v = (((v & 0x000000FF000000FF) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32)))) >>
      32;
  return static_cast<std::int64_t>(v);
}

// Reads 1 to 18 digits with no leading zero at p, reading nothing at or past
// end, and moves p past them: a non-negative integer that fits int64, such
// as Binance's ids and times. False for anything else (no digit, a leading
// zero, 19 digits or more).
bool read_digits(const char*& p, const char* end, std::int64_t& out) {
  const char* const start = p;
  if (p == end || *p < '1' || *p > '9') return false;
  std::int64_t value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // The first eight digits at once shortens the chain of multiply-adds
    // that 13-digit times and 10-digit ids would otherwise take digit by
    // digit; a second chunk would almost always fail (ids and times are
    // shorter than 16 digits) and costs more than it saves.
    if (end - p >= 8) {
      const std::int64_t eight = eight_digits(p);
      if (eight >= 0) {
        value = eight;
        p += 8;
      }
    }
  }
  while (p != end && is_digit(*p) && p - start < 18) value = 10 * value + (*p++ - '0');
  if (p != end && is_digit(*p)) return false;  // 19 digits or more
  out = value;
  return true;
}

// Reads an integer token such as Binance's ids and times: read_digits, then
// a delimiter, so it is valid JSON. Returns false for anything else (a sign,
// a fraction, 19 digits or more), which simdjson then reads or rejects as
// before. Reads at most 19 bytes from p, which the buffer's padding covers
// whatever the token.
bool read_plain_integer(const char* p, std::int64_t& out) {
  std::int64_t value = 0;
  if (!read_digits(p, p + 19, value)) return false;
  switch (*p) {
    case ',': case '}': case ']': case ' ': case '\t': case '\n': case '\r':
      out = value;
      return true;
    default:
      return false;
  }
}

// The fast path reads the token without consuming it, which is safe: the
// object iterator skips an unconsumed value. Only a failure pays for the
// type peek that tells a wrong type from a bad number.
ParseStatus read_integer(ondemand::value& value, int field, std::int64_t& out) {
  if (read_plain_integer(value.raw_json_token().data(), out)) return {};
  if (ParseStatus s = expect_type(value, ondemand::json_type::number, field); !s) return s;
  if (value.get_int64().get(out)) return fail(ParseError::kBadInteger, field);
  return {};
}

// The powers of ten a double holds exactly.
constexpr std::array<double, 23> kExactPowersOfTen = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Reads a JSON number written inside a string, from its first character to
// the closing quote. The grammar is checked here. The conversion is
// correctly rounded: when the digits form an integer m <= 2^53 and the
// decimal exponent e is within [-22, 22], m and 10^|e| are exact doubles and
// one IEEE multiplication or division rounds once (Clinger's fast path,
// which covers every price and quantity Binance prints); anything else goes
// to std::from_chars, locale-independent and correctly rounded too.
// simdjson 3.0.1's get_double_in_string() is not used: it misreads "0."
// followed by more than 19 digits.
bool parse_quoted_decimal(const char* text, double& out) {
  const char* p = text;
  const bool negative = *p == '-';
  if (negative) ++p;
  const char* const digits_begin = p;
  // Wraps past 19 digits, but then the fast path is not taken.
  std::uint64_t mantissa = 0;
  if (*p == '0') {
    ++p;
  } else if (is_digit(*p)) {
    while (is_digit(*p)) mantissa = 10 * mantissa + static_cast<unsigned>(*p++ - '0');
  } else {
    return false;
  }
  std::ptrdiff_t fraction_digits = 0;
  if (*p == '.') {
    if (!is_digit(*++p)) return false;
    const char* const fraction_begin = p;
    while (is_digit(*p)) mantissa = 10 * mantissa + static_cast<unsigned>(*p++ - '0');
    fraction_digits = p - fraction_begin;
  }
  const std::ptrdiff_t digits = p - digits_begin - (fraction_digits > 0 ? 1 : 0);
  std::int64_t exponent = 0;
  if (*p == 'e' || *p == 'E') {
    ++p;
    const bool negative_exponent = *p == '-';
    if (*p == '+' || *p == '-') ++p;
    if (!is_digit(*p)) return false;
    // Saturates far beyond any exponent the fast path takes.
    while (is_digit(*p)) exponent = std::min<std::int64_t>(10 * exponent + (*p++ - '0'), 1'000'000);
    if (negative_exponent) exponent = -exponent;
  }
  // Any other character, an escape included, ends the number early; the
  // string's closing quote bounds the scan.
  if (*p != '"') return false;
  const std::int64_t decimal_exponent = exponent - fraction_digits;
  if (digits <= 19 && mantissa <= (std::uint64_t{1} << 53) && decimal_exponent >= -22 &&
      decimal_exponent <= 22) {
    const double m = static_cast<double>(mantissa);
    const double value = decimal_exponent < 0 ? m / kExactPowersOfTen[-decimal_exponent]
                                              : m * kExactPowersOfTen[decimal_exponent];
    out = negative ? -value : value;
    return true;
  }
  const auto [end, ec] = std::from_chars(text, p, out);
  return ec == std::errc() && end == p;
}

ParseStatus read_decimal(ondemand::value& value, int field, double& out) {
  // A string's raw token starts at its quote; get_raw_json_string() would
  // return the same text after it.
  const char* token = value.raw_json_token().data();
  if (*token == '"') {
    if (!parse_quoted_decimal(token + 1, out)) return fail(ParseError::kBadDecimal, field);
    return {};
  }
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

// True when the raw token is exactly "aggTrade" without escapes: what
// Binance sends, recognised without unescaping a copy.
bool is_plain_agg_trade(const char* token) {
  constexpr std::string_view kQuoted = "\"aggTrade\"";
  // The buffer's padding makes the bytes past a short last token readable.
  return std::memcmp(token, kQuoted.data(), kQuoted.size()) == 0;
}

// Reads a symbol of 1 to Symbol::kMaxSize characters without escapes in
// place. Returns false for anything else (escapes, empty, too long, not a
// string), which the unescaping path then decides.
bool read_plain_symbol(const char* token, Symbol& out) {
  if (*token != '"') return false;
  const char* const text = token + 1;
  // At most kMaxSize + 1 bytes past the quote: within the padding.
  for (std::size_t size = 0; size <= Symbol::kMaxSize; ++size) {
    if (text[size] == '\\') return false;
    if (text[size] == '"') {
      if (size == 0) return false;
      out = Symbol(std::string_view(text, size));
      return true;
    }
  }
  return false;
}

// Each case tries the form Binance sends first and, only when that fails,
// the general path that classifies the fault, so every error is the same as
// with the general path alone.
// Ids count up from 0; a negative one is no id.
ParseStatus read_id(ondemand::value& value, int field, std::int64_t& out) {
  if (ParseStatus s = read_integer(value, field, out); !s) return s;
  if (out < 0) return fail(ParseError::kOutOfRange, field);
  return {};
}

// Times outside 2017..2100 would move pipeline clocks by centuries.
ParseStatus read_time(ondemand::value& value, int field, std::int64_t& out) {
  if (ParseStatus s = read_integer(value, field, out); !s) return s;
  if (!is_plausible_trade_time(out)) return fail(ParseError::kOutOfRange, field);
  return {};
}

ParseStatus read_payload_field(int field, ondemand::value& value, AggTrade& trade) {
  switch (field) {
    case kEventType: {
      if (is_plain_agg_trade(value.raw_json_token().data())) return {};
      std::string_view type;
      if (ParseStatus s = read_string(value, field, type); !s) return s;
      if (type != "aggTrade") return fail(ParseError::kNotAggTrade, field);
      return {};
    }
    case kSymbolName: {
      if (read_plain_symbol(value.raw_json_token().data(), trade.symbol)) return {};
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
      // A failed get_bool() does not advance, so the type can still be read.
      if (!value.get_bool().get(trade.is_buyer_maker)) return {};
      if (ParseStatus s = expect_type(value, ondemand::json_type::boolean, field); !s) return s;
      return fail(ParseError::kMalformedJson, field);
    case kEventTime: return read_time(value, field, trade.event_time_ms);
    case kAggTradeId: return read_id(value, field, trade.agg_trade_id);
    case kFirstTradeId: return read_id(value, field, trade.first_trade_id);
    case kLastTradeId: return read_id(value, field, trade.last_trade_id);
    case kTransactTime: return read_time(value, field, trade.transact_time_ms);
    default: return fail(ParseError::kMalformedJson, field);  // not reached
  }
}

constexpr std::uint32_t kEveryPayloadField = bit(kPayloadFieldCount) - 1;
// A REST aggTrades element names neither the event nor the symbol.
constexpr std::uint32_t kRestFields = kEveryPayloadField & ~(bit(kEventType) | bit(kEventTime) | bit(kSymbolName));

ParseStatus check_complete(std::uint32_t seen, std::uint32_t required = kEveryPayloadField) {
  for (int field = 0; field < kPayloadFieldCount; ++field) {
    if ((required & bit(field)) && !(seen & bit(field))) return fail(ParseError::kMissingField, field);
  }
  return {};
}

ParseStatus read_data(ondemand::value& value, AggTrade& trade);

// Reads the fields of one object in a single pass, whatever their order.
// Unknown fields are never touched, so on-demand skips them unparsed. At top
// level the frame fields are recognised too. Payload fields go to trade, and
// so does "data"; payload fields beside "data" are still checked but, once
// "data" has been read, go to after_data, which the caller ignores. Before
// it they may go to trade: a complete "data" overwrites every field they set.
ParseStatus read_object(ondemand::object& object, bool top_level, AggTrade& trade,
                        AggTrade& after_data, std::uint32_t& seen) {
  for (auto result : object) {
    if (result.error()) return fail(ParseError::kMalformedJson);
    // By reference: copying simdjson's field and value objects costs more
    // than reading most values.
    ondemand::field& field = result.value_unsafe();
    const int id = field_of(field.key());
    if (id < 0 || (!top_level && id >= kPayloadFieldCount)) continue;
    if (seen & bit(id)) return fail(ParseError::kDuplicateField, id);
    seen |= bit(id);
    if (id == kStream) continue;  // its value is not needed; it marks a frame
    ondemand::value& value = field.value();
    ParseStatus s = id == kData ? read_data(value, trade)
                                : read_payload_field(id, value, seen & bit(kData) ? after_data : trade);
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
                         AggTrade& trade, AggTrade& after_data) {
  ondemand::document doc;
  if (parser.iterate(message).get(doc)) return fail(ParseError::kMalformedJson);
  ondemand::json_type type;
  if (doc.type().get(type)) return fail(ParseError::kMalformedJson);
  if (type != ondemand::json_type::object) return fail(ParseError::kNotAnObject);
  // Fails on some trailing content ("{} x"); the rest is caught below.
  ondemand::object object;
  if (doc.get_object().get(object)) return fail(ParseError::kMalformedJson);

  std::uint32_t seen = 0;
  if (ParseStatus s = read_object(object, true, trade, after_data, seen); !s) return s;
  // The object is closed; a location still in bounds is trailing content.
  if (doc.current_location().error() == simdjson::SUCCESS) {
    return fail(ParseError::kMalformedJson);
  }
  if (seen & bit(kData)) return {};  // read_data checked the payload
  if (seen & bit(kStream)) return fail(ParseError::kMissingData, kData);
  return check_complete(seen);
}

// A REST page: [{"a":..,"p":..,"q":..,"f":..,"l":..,"T":..,"m":..}, ...].
ParseStatus read_rest_page(ondemand::parser& parser, simdjson::padded_string_view page, const Symbol& symbol,
                           std::vector<AggTrade>& out, std::size_t& element) {
  ondemand::document doc;
  if (parser.iterate(page).get(doc)) return fail(ParseError::kMalformedJson);
  ondemand::array array;
  if (doc.get_array().get(array)) return fail(ParseError::kNotAnObject);
  for (auto result : array) {
    ondemand::object object;
    if (result.get_object().get(object)) return fail(ParseError::kNotAnObject);
    AggTrade trade;
    std::uint32_t seen = 0;
    if (ParseStatus s = read_object(object, false, trade, trade, seen); !s) return s;
    if (ParseStatus s = check_complete(seen, kRestFields); !s) return s;
    // The request named the symbol; a page never carries another's trades.
    trade.symbol = symbol;
    trade.event_time_ms = 0;
    out.push_back(trade);
    ++element;
  }
  if (doc.current_location().error() == simdjson::SUCCESS) return fail(ParseError::kMalformedJson);
  return {};
}

// The frame exactly as Binance's USD-M stream writes it, read without
// simdjson: the combined wrapper {"stream":"<name>@aggTrade","data":...}
// (or the bare payload), the payload's fields in Binance's order, no
// whitespace, ASCII symbols and stream names, plain integers and decimals,
// times and prices in range. Anything else, however slight, returns false
// and the general path decides, so what this accepts the general path
// accepts with the same result (the fuzz target checks both on every input).
class BinanceLayout {
 public:
  BinanceLayout(const char* begin, const char* end) : p_(begin), end_(end) {}

  bool read(AggTrade& t) {
    const bool combined = literal(R"({"stream":")");
    if (combined && !(stream_name() && literal(R"(","data":)"))) return false;
    if (!literal(R"({"e":"aggTrade","E":)") || !integer(t.event_time_ms) || !literal(R"(,"a":)") ||
        !integer(t.agg_trade_id) || !literal(R"(,"s":")") || !symbol(t.symbol) || !literal(R"(","p":")") ||
        !decimal(t.price) || !literal(R"(","q":")") || !decimal(t.quantity)) {
      return false;
    }
    double ignored = 0;
    if (literal(R"(","nq":")") && !decimal(ignored)) return false;  // USD-M adds "nq"
    if (!literal(R"(","f":)") || !integer(t.first_trade_id) || !literal(R"(,"l":)") || !integer(t.last_trade_id) ||
        !literal(R"(,"T":)") || !integer(t.transact_time_ms) || !literal(R"(,"m":)")) {
      return false;
    }
    if (literal("true")) {
      t.is_buyer_maker = true;
    } else if (literal("false")) {
      t.is_buyer_maker = false;
    } else {
      return false;
    }
    if (!literal("}") || (combined && !literal("}")) || p_ != end_) return false;
    // The general path's range checks; a value outside goes there for its error.
    return is_plausible_trade_time(t.event_time_ms) && is_plausible_trade_time(t.transact_time_ms) &&
           t.price > 0 && !std::signbit(t.quantity);
  }

 private:
  template <std::size_t N>
  bool literal(const char (&text)[N]) {
    constexpr std::size_t size = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < size || std::memcmp(p_, text, size) != 0) return false;
    p_ += size;
    return true;
  }

  // The delimiter after the digits is the next literal's.
  bool integer(std::int64_t& out) { return read_digits(p_, end_, out); }

  // A decimal in a string, digits and one optional point, read by the
  // general path's own conversion; p_ is past the opening quote.
  bool decimal(double& out) {
    const char* const text = p_;
    bool point = false;
    for (; p_ != end_ && *p_ != '"'; ++p_) {
      if (*p_ == '.' && !point) {
        point = true;
      } else if (!is_digit(*p_)) {
        return false;
      }
    }
    if (p_ == end_ || p_ == text) return false;
    return parse_quoted_decimal(text, out);  // the closing quote is the next literal's
  }

  bool symbol(Symbol& out) {
    const char* const text = p_;
    while (p_ != end_ && ((*p_ >= 'A' && *p_ <= 'Z') || is_digit(*p_) || *p_ == '_')) ++p_;
    const auto size = static_cast<std::size_t>(p_ - text);
    if (size == 0 || size > Symbol::kMaxSize || p_ == end_ || *p_ != '"') return false;
    out = Symbol(std::string_view(text, size));
    return true;  // the closing quote is the next literal's
  }

  bool stream_name() {
    const char* const text = p_;
    while (p_ != end_ && ((*p_ >= 'a' && *p_ <= 'z') || is_digit(*p_) || *p_ == '_')) ++p_;
    return p_ != text && literal("@aggTrade");
  }

  const char* p_;
  const char* const end_;
};

}  // namespace

ParseStatus parse_rest_agg_trades(std::string_view page, const Symbol& symbol, std::vector<AggTrade>& out,
                                  std::size_t* failed_element) {
  const simdjson::padded_string padded(page);
  ondemand::parser parser;
  const std::size_t first = out.size();
  std::size_t element = 0;
  ParseStatus status = read_rest_page(parser, padded, symbol, out, element);
  if (!status) {
    out.resize(first);
    if (failed_element != nullptr) *failed_element = element;
  }
  return status;
}

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
      if (name == "p") return where + "price must be positive";
      if (name == "q") return where + "quantity must not be negative";
      if (name == "T" || name == "E") return where + "time must lie in 2017..2100 (Unix ms)";
      return where + "id must not be negative";
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

bool AggTradeParser::read_binance_layout(std::string_view message, AggTrade& out) {
  if (!fast_path_ || !BinanceLayout(message.data(), message.data() + message.size()).read(trade_)) return false;
  ++direct_scans_;
  trade_.receive_time_ns = out.receive_time_ns;
  trade_.transact_time_us = 0;
  out = trade_;
  count({});
  return true;
}

ParseStatus AggTradeParser::parse(std::string_view message, AggTrade& out) {
  // The direct scan reads nothing past the message: no padded copy needed.
  if (read_binance_layout(message, out)) return {};
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
  if (read_binance_layout({message.data(), message.size()}, out)) return {};
  ParseStatus status = read_message(json_parser_, message, trade_, discarded_);
  if (status) {
    trade_.receive_time_ns = out.receive_time_ns;
    out = trade_;
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
