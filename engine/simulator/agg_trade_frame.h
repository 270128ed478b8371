// Writes an AggTrade as Binance USD-M futures sends it over the websocket:
// the inverse of AggTradeParser, for the simulator, the benchmarks and tests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/agg_trade.h"
#include "feed/agg_trade_stream_name.h"

namespace alphastream {

// How "p" and "q" are printed. kShortest, the default, prints the shortest
// text that reads back as the same double, so parsing the frame gives the
// trade back exactly. A count of decimals prints fixed notation rounded to
// that many, as a venue prints with a symbol's tick and step sizes.
struct AggTradeDecimals {
  static constexpr int kShortest = -1;
  static constexpr int kMaxDecimals = 17;  // more are printed as 17

  int price = kShortest;
  int quantity = kShortest;
};

// The most bytes append_agg_trade_frame() appends with shortest numbers:
// a 23-character symbol, 20-character integers, 24-character doubles.
inline constexpr std::size_t kMaxAggTradeFrameSize = 328;

// Appends the payload
//   {"e":"aggTrade","E":<event_time_ms>,"a":..,"s":"BTCUSDT","p":"..",
//    "q":"..","nq":"..","f":..,"l":..,"T":..,"m":true}
// in Binance's field order. "nq" (the quantity without retail price
// improvement orders, which AggTrade does not carry) repeats "q";
// receive_time_ns is not written. Allocates nothing when out has capacity for
// what is appended (kMaxAggTradeFrameSize suffices with shortest numbers):
// clear and reuse one string to write frame after frame without allocation.
// REQUIRES: the symbol needs no JSON escaping (Binance symbols are upper-case
// letters, digits and '_').
void append_agg_trade_payload(std::string& out, const AggTrade& trade, AggTradeDecimals decimals = {});

// Appends the combined-stream frame
//   {"stream":"btcusdt@aggTrade","data":<payload>}
// whose stream name is the symbol in lower case. With shortest numbers,
// AggTradeParser reads back every field of trade but receive_time_ns when
// price > 0 and quantity >= 0 are finite. Same allocation contract and
// requirement as append_agg_trade_payload().
void append_agg_trade_frame(std::string& out, const AggTrade& trade, AggTradeDecimals decimals = {});

// Appends one element of a REST aggTrades answer (/fapi/v1/aggTrades):
//   {"a":..,"p":"..","q":"..","f":..,"l":..,"T":..,"m":true}
// which parse_rest_agg_trades() reads back. Same requirement as above.
void append_rest_agg_trade(std::string& out, const AggTrade& trade, AggTradeDecimals decimals = {});

}  // namespace alphastream
