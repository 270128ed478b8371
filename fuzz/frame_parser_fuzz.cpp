// The aggTrade frame parser on arbitrary bytes: it must answer every input
// with a trade or a named error, within the engine's bounds for what it
// accepts (times, ids, prices), and never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/agg_trade_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static alphastream::AggTradeParser parser;
  alphastream::AggTrade trade;
  const alphastream::ParseStatus status =
      parser.parse(std::string_view(reinterpret_cast<const char*>(data), size), trade);
  if (status) {
    // What the parser accepts, everything downstream may rely on.
    if (!alphastream::is_plausible_trade_time(trade.transact_time_ms) ||
        !alphastream::is_plausible_trade_time(trade.event_time_ms) || trade.agg_trade_id < 0 ||
        trade.first_trade_id < 0 || trade.last_trade_id < 0 || !(trade.price > 0) || trade.quantity < 0 ||
        trade.symbol.empty()) {
      std::abort();
    }
  } else if (status.message().empty()) {
    std::abort();
  }
  return 0;
}
