// Parses Binance aggTrade websocket messages into AggTrade with simdjson's
// on-demand API: one pass over the fields in any order, no exceptions, no
// allocation per message once the buffers have grown to the largest message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/agg_trade.h"

namespace alphastream {

// Why a message was rejected. The set is closed so that each reason can be a
// metric label; add a reason only together with its name in
// parse_error_name().
enum class ParseError : std::uint8_t {
  kNone = 0,
  kMalformedJson,   // not valid JSON: truncated, bad syntax, trailing content
  kNotAnObject,     // the top-level value is not a JSON object
  kNotAggTrade,     // "e" is a string other than "aggTrade"
  kMissingField,    // a required field is absent
  kDuplicateField,  // a field appears twice in the same object
  kWrongType,       // a field holds the wrong JSON type (e.g. "p": 1.5)
  kBadDecimal,      // "p" or "q" is not a JSON number in a string, or overflows
  kBadInteger,      // an integer field is a number outside int64 or not whole
  kOutOfRange,      // price <= 0, quantity < 0 (negative zero included), an id < 0, a time outside 2017..2100
  kBadSymbol,       // "s" is empty or longer than Symbol::kMaxSize
  kMissingData,     // a combined-stream frame ("stream") without "data"
};
inline constexpr std::size_t kParseErrorCount = 12;

// A stable snake_case label for the reason ("none", "missing_field", ...).
std::string_view parse_error_name(ParseError error);

// The outcome of one parse. field names the offending JSON field ("p",
// "data", ...) or is empty when the reason concerns the whole message; it
// points to static storage, never into the message.
struct ParseStatus {
  ParseError error = ParseError::kNone;
  std::string_view field;

  bool is_ok() const { return error == ParseError::kNone; }
  explicit operator bool() const { return is_ok(); }
  // A human-readable description, e.g. `missing field "p"`. Allocates: for
  // logs and tests, not for the hot path.
  std::string message() const;
};

// Accepts both the raw stream payload
//   {"e":"aggTrade","E":..,"s":"BTCUSDT","a":..,"p":"0.001","q":"100",
//    "f":..,"l":..,"T":..,"m":true}
// and the combined-stream frame {"stream":"btcusdt@aggTrade","data":{...}}.
// All ten payload fields are required; unknown fields (e.g. "nq", "X") are
// skipped whatever their value, and skipped unvalidated: a bad escape inside
// one goes unnoticed (on-demand parsing checks only what it reads). When a message has several faults, the first
// met in document order is reported, and missing fields are reported in the
// order e, E, s, a, p, q, f, l, T, m.
//
// Not thread-safe: one parser per reactor thread.
class AggTradeParser {
 public:
  AggTradeParser();
  AggTradeParser(const AggTradeParser&) = delete;
  AggTradeParser& operator=(const AggTradeParser&) = delete;

  // Parses message, copying it into an internal padded buffer first. On
  // success sets every field of out except receive_time_ns, which the caller
  // stamps; on failure out is left unchanged. Either way the outcome is
  // counted. Allocates only when message is larger than any before it.
  ParseStatus parse(std::string_view message, AggTrade& out);

  // As parse(), without the copy.
  // REQUIRES: message has at least simdjson::SIMDJSON_PADDING readable bytes past its
  // end (padded_string_view checks this and the parse fails as malformed if
  // not).
  ParseStatus parse_padded(simdjson::padded_string_view message, AggTrade& out);

  // Rejected messages per reason, indexed by ParseError; the kNone entry
  // stays 0 (successes are parsed_count()).
  const std::array<std::uint64_t, kParseErrorCount>& error_counts() const {
    return error_counts_;
  }
  std::uint64_t error_count(ParseError error) const {
    return error_counts_[static_cast<std::size_t>(error)];
  }
  std::uint64_t parsed_count() const { return parsed_count_; }

  // Frames laid out exactly as Binance's USD-M stream sends them are read by
  // a direct scan first (a third of the time); anything else goes through
  // simdjson. Off: every frame goes through simdjson (tests compare both).
  void set_fast_path(bool on) { fast_path_ = on; }
  // Messages the direct scan read (counted in parsed_count() too).
  std::uint64_t direct_scans() const { return direct_scans_; }

 private:
  ParseStatus count(ParseStatus status);
  // The direct scan of Binance's own layout; false: not that layout exactly.
  bool read_binance_layout(std::string_view message, AggTrade& out);

  simdjson::ondemand::parser json_parser_;
  std::unique_ptr<char[]> buffer_;  // message copy plus SIMDJSON_PADDING
  std::size_t buffer_capacity_ = 0;
  // Where a parse writes, copied to the caller's AggTrade only on success.
  // Members rather than locals so that nothing is zeroed per message: a
  // successful parse writes every field but receive_time_ns.
  AggTrade trade_;
  AggTrade discarded_;  // payload fields beside "data": checked, then dropped
  std::array<std::uint64_t, kParseErrorCount> error_counts_{};
  std::uint64_t parsed_count_ = 0;
  bool fast_path_ = true;
  std::uint64_t direct_scans_ = 0;
};

// Parses a page of Binance's REST aggTrades answer (/fapi/v1/aggTrades,
// /dapi/v1/aggTrades, /api/v3/aggTrades): a JSON array of objects with
// "a", "p", "q", "f", "l", "T" and "m" (spot adds "M", skipped), checked as
// the stream's payload fields are. Every trade gets `symbol` (the request's)
// and no event time. Appends to out only when the whole page parses; on
// failure *failed_element (when given) is the 0-based element at fault.
// Allocates (a REST answer is no hot path).
ParseStatus parse_rest_agg_trades(std::string_view page, const Symbol& symbol, std::vector<AggTrade>& out,
                                  std::size_t* failed_element = nullptr);

}  // namespace alphastream
