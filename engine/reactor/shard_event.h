// What the I/O reactor sends a shard reactor: a fixed-size, trivially
// copyable record, so queues copy it into preallocated slots.
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/agg_trade.h"

namespace alphastream {

struct ShardEvent {
  enum class Kind : std::uint8_t {
    kTrade,  // `trade` is a trade of a symbol this shard owns
    kClock,  // only `now_ms` is meaningful: time advances without a trade
  };

  Kind kind = Kind::kTrade;
  std::int64_t now_ms = 0;  // the sender's clock when it routed the event
  AggTrade trade;

  static ShardEvent of_trade(const AggTrade& trade, std::int64_t now_ms) { return {Kind::kTrade, now_ms, trade}; }
  static ShardEvent of_clock(std::int64_t now_ms) { return {Kind::kClock, now_ms, AggTrade{}}; }
};

static_assert(std::is_trivially_copyable_v<ShardEvent>);

}  // namespace alphastream
