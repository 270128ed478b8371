// A whole aggTrades file (plain CSV or a zip, as the signature says) through
// the reader: every input ends in trades and the end, or an error naming
// the file and line; accepted trades keep the engine's bounds and come out
// in id order.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "feed/agg_trade_csv.h"
#include "memfd_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An in-memory file, so the reader opens it exactly as it opens a download.
  const MemfdInput input(data, size);
  if (!input.ok()) return 0;
  alphastream::CsvImportOptions options;
  options.symbol = alphastream::Symbol("FUZZUSDT");
  options.skip_bad_rows = size % 2 == 1;  // both policies
  options.reorder_window = 64;
  auto reader = alphastream::AggTradeCsvReader::open(input.path(), options);
  if (reader) {
    alphastream::AggTrade trade;
    std::int64_t last_id = -1;
    for (int i = 0; i < 100000; ++i) {
      auto more = reader.value()->next(trade);
      if (!more || !more.value()) break;
      if (trade.agg_trade_id <= last_id || !alphastream::is_plausible_trade_time(trade.transact_time_ms) ||
          !(trade.price > 0)) {
        std::abort();
      }
      last_id = trade.agg_trade_id;
    }
  }
  return 0;
}
