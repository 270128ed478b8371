// A REST aggTrades page (the gap backfill's input) on arbitrary bytes: every
// input is a page of trades within the engine's bounds or a named error
// that leaves the output as it was; never a crash or an out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "feed/agg_trade_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<alphastream::AggTrade> trades(1);  // what the caller had
  std::size_t element = 0;
  const alphastream::ParseStatus status = alphastream::parse_rest_agg_trades(
      std::string_view(reinterpret_cast<const char*>(data), size), alphastream::Symbol("BTCUSDT"), trades, &element);
  if (!status) {
    if (trades.size() != 1 || status.message().empty()) std::abort();
    return 0;
  }
  for (std::size_t i = 1; i < trades.size(); ++i) {
    const alphastream::AggTrade& t = trades[i];
    if (!alphastream::is_plausible_trade_time(t.transact_time_ms) || t.event_time_ms != 0 || t.agg_trade_id < 0 ||
        t.first_trade_id < 0 || t.last_trade_id < 0 || !(t.price > 0) || t.quantity < 0 ||
        t.symbol.view() != "BTCUSDT") {
      std::abort();
    }
  }
  return 0;
}
