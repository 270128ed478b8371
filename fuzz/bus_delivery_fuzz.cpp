// What a worker takes from the bus besides the trade record (fuzzed by
// frame_parser's sibling targets): the pending count in a delivery's reply
// subject, and the id order of the trades, which a hostile or broken
// stream can scramble. The input's first half is a reply subject; the rest,
// 8 bytes at a time, trade ids pushed through the reorder buffer.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "bus/trade_bus.h"
#include "feed/id_reorder_buffer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t half = size / 2;
  std::uint64_t pending = 12345;
  const std::string_view reply(reinterpret_cast<const char*>(data), half);
  if (!alphastream::jetstream_pending_from_reply(reply, pending) && pending != 12345) std::abort();

  alphastream::IdReorderBuffer buffer({.max_hold = std::chrono::milliseconds(1000), .max_held = 64});
  const auto start = std::chrono::steady_clock::now();
  std::size_t pushed = 0, released = 0;
  std::int64_t last_in_order = INT64_MIN;
  auto release = [&](const alphastream::AggTrade& trade) {
    ++released;
    if (trade.agg_trade_id > last_in_order) last_in_order = trade.agg_trade_id;
  };
  for (std::size_t at = half; at + 8 <= size; at += 8) {
    alphastream::AggTrade trade;
    trade.symbol = alphastream::Symbol(data[at] & 1 ? "X" : "Y");
    std::int64_t id;
    std::memcpy(&id, data + at, sizeof id);
    trade.agg_trade_id = id >> 1;
    buffer.push(trade, start + std::chrono::milliseconds(pushed * 10), release);
    ++pushed;
    if (buffer.held() > 2 * 65) std::abort();  // bounded per symbol
  }
  buffer.expire(start + std::chrono::hours(1), release);
  // Nothing kept, nothing made up.
  if (buffer.held() != 0 || released > pushed) std::abort();
  return 0;
}
