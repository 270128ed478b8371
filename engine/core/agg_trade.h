// A Binance aggregate trade as the engine carries it: trivially copyable,
// fixed size, so it moves through queues and into storage without allocation.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace alphastream {

// A symbol name stored inline ("BTCUSDT", "1000SHIBUSDT", "BTCUSDT_250328").
class Symbol {
 public:
  static constexpr std::size_t kMaxSize = 23;

  Symbol() = default;
  // REQUIRES: text.size() <= kMaxSize (longer names are truncated).
  explicit Symbol(std::string_view text) {
    size_ = static_cast<std::uint8_t>(text.size() < kMaxSize ? text.size() : kMaxSize);
    std::memcpy(chars_.data(), text.data(), size_);
  }

  std::string_view view() const { return {chars_.data(), size_}; }
  bool empty() const { return size_ == 0; }
  // The bytes past the name are always zero, so two symbols are equal when
  // their 24 bytes are: three word compares, not a memcmp call a trade.
  friend bool operator==(const Symbol& a, const Symbol& b) {
    return ((a.word(0) ^ b.word(0)) | (a.word(1) ^ b.word(1)) | (a.word(2) ^ b.word(2))) == 0;
  }
  // Bytes [8 i, 8 i + 8), i < 3, as one load (an array copy would go through
  // the stack): for comparing and hashing the name.
  std::uint64_t word(int i) const {
    std::uint64_t w;
    std::memcpy(&w, reinterpret_cast<const char*>(this) + 8 * i, sizeof w);
    return w;
  }

 private:
  std::array<char, kMaxSize> chars_{};
  std::uint8_t size_ = 0;
};
static_assert(sizeof(Symbol) == 24, "Symbol's equality compares its bytes as three words");

// The transact and event times the engine accepts, Unix ms: from 2017 (before
// Binance's first aggregate trade) to 2100. Every source rejects a time
// outside as bad input, so no interval arithmetic downstream ever sees one
// near the int64 limits.
inline constexpr std::int64_t kEarliestTradeTimeMs = 1'483'228'800'000;  // 2017-01-01T00:00:00Z
inline constexpr std::int64_t kLatestTradeTimeMs = 4'102'444'800'000;    // 2100-01-01T00:00:00Z
inline constexpr bool is_plausible_trade_time(std::int64_t time_ms) {
  return time_ms >= kEarliestTradeTimeMs && time_ms < kLatestTradeTimeMs;
}

struct AggTrade {
  Symbol symbol;
  std::int64_t agg_trade_id = 0;
  double price = 0;      // nearest double to the exchange's decimal string
  double quantity = 0;
  std::int64_t first_trade_id = 0;
  std::int64_t last_trade_id = 0;
  std::int64_t transact_time_ms = 0;
  std::int64_t event_time_ms = 0;    // 0 when unknown (historical files)
  std::int64_t receive_time_ns = 0;  // local receive time; 0 when not live
  bool is_buyer_maker = false;       // true: the taker sold
  // Microseconds past transact_time_ms, 0..999: spot files since 2025 time
  // trades in microseconds. Pipelines and the journal work in milliseconds.
  std::uint16_t transact_time_us = 0;
};

}  // namespace alphastream
