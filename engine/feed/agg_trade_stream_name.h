// The name Binance gives a symbol's aggTrade stream, "btcusdt@aggTrade": what
// the client subscribes to and what a combined-stream frame's "stream" holds.
#pragma once

#include <string>
#include <string_view>

namespace alphastream {

inline constexpr std::string_view kAggTradeStreamSuffix = "@aggTrade";

// Appends symbol's stream name: the symbol in lower case (symbols are ASCII).
inline void append_agg_trade_stream_name(std::string& out, std::string_view symbol) {
  for (const char c : symbol) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  out += kAggTradeStreamSuffix;
}

}  // namespace alphastream
