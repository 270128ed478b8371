// The aggTrade frame parser on arbitrary bytes: it must answer every input
// with a trade or a named error, within the engine's bounds for what it
// accepts (times, ids, prices), and never crash or read out of bounds; and
// the direct scan of Binance's layout must give exactly what simdjson alone
// gives (the same trade, or the same error at the same field).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/agg_trade_parser.h"

namespace {

bool same_trade(const alphastream::AggTrade& a, const alphastream::AggTrade& b) {
  return a.symbol == b.symbol && a.agg_trade_id == b.agg_trade_id && a.price == b.price && a.quantity == b.quantity &&
         a.first_trade_id == b.first_trade_id && a.last_trade_id == b.last_trade_id &&
         a.transact_time_ms == b.transact_time_ms && a.event_time_ms == b.event_time_ms &&
         a.is_buyer_maker == b.is_buyer_maker && a.transact_time_us == b.transact_time_us;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static alphastream::AggTradeParser parser;
  // simdjson alone: the direct scan of Binance's layout must agree with it.
  static alphastream::AggTradeParser general;
  general.set_fast_path(false);
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  alphastream::AggTrade trade, reference;
  const alphastream::ParseStatus status = parser.parse(message, trade);
  const alphastream::ParseStatus expected = general.parse(message, reference);
  if (status.error != expected.error || status.field != expected.field) std::abort();
  if (status && !same_trade(trade, reference)) std::abort();
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
