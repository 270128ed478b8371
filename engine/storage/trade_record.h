// The on-disk form of a recorded trade: the key that orders the journal and
// the fixed-size value that holds every AggTrade field. Both are explicit
// byte layouts (never a memcpy of a struct), so the files read the same on
// any compiler or machine.
//
// Key, 16 bytes, compared by LMDB as plain bytes:
//   [0, 8)   transact_time_ms, big-endian, sign bit flipped (so negative
//            times sort before positive ones and the byte order is the
//            numeric order for every int64)
//   [8, 16)  sequence, big-endian: assigned by the recorder in arrival
//            order, unique in the journal, so same-millisecond trades are
//            all kept and stay in arrival order
//
// Value, kTradeValueSize (90) bytes, every integer little-endian:
//   0        format version (kTradeRecordVersion)
//   1        flags: bit 0 is_buyer_maker, other bits zero
//   2        symbol length (<= Symbol::kMaxSize)
//   [3, 26)  symbol bytes, zero padded
//   26       agg_trade_id        34  price (IEEE-754 bits)
//   42       quantity (bits)     50  first_trade_id
//   58       last_trade_id       66  transact_time_ms
//   74       event_time_ms       82  receive_time_ns       (8 bytes each)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"

namespace alphastream {

inline constexpr std::uint8_t kTradeRecordVersion = 1;
inline constexpr std::size_t kTradeKeySize = 16;
inline constexpr std::size_t kTradeValueSize = 90;

using TradeKeyBytes = std::array<std::uint8_t, kTradeKeySize>;
using TradeValueBytes = std::array<std::uint8_t, kTradeValueSize>;

struct TradeKey {
  std::int64_t transact_time_ms = 0;
  std::uint64_t sequence = 0;
};

TradeKeyBytes encode_trade_key(const TradeKey& key);
// Returns an error if bytes is not kTradeKeySize long.
Result<TradeKey> decode_trade_key(std::string_view bytes);

TradeValueBytes encode_trade_value(const AggTrade& trade);
// Returns an error saying what is wrong if bytes has another size, another
// version, a symbol length over Symbol::kMaxSize or unknown flag bits.
Status decode_trade_value(std::string_view bytes, AggTrade& out);

// What the journal knows about one symbol, kept up to date by the recorder
// in the same transaction as the trades, so reading it costs one lookup.
struct SymbolSummary {
  Symbol symbol;
  std::uint64_t trade_count = 0;
  std::int64_t first_transact_time_ms = 0;  // the smallest recorded
  std::int64_t last_transact_time_ms = 0;   // the largest recorded
  // The highest agg id recorded: the live feed's AggIdSequencer continues
  // after it following a restart.
  std::int64_t last_agg_trade_id = 0;

  // Counts trade into the summary (which may be empty: trade_count == 0).
  void add(const AggTrade& trade);
};

// What the whole journal holds, read in one snapshot.
struct JournalSummary {
  std::uint64_t trade_count = 0;
  // Meaningful only when trade_count > 0.
  std::int64_t first_transact_time_ms = 0;
  std::int64_t last_transact_time_ms = 0;
  // The sequence the next recorded trade gets (one past the highest stored).
  std::uint64_t next_sequence = 0;
  std::vector<SymbolSummary> symbols;  // ordered by name
};

// A summary's value in the meta database: version byte then four
// little-endian 8-byte fields (count, first, last, agg id).
inline constexpr std::size_t kSymbolSummaryValueSize = 33;
using SymbolSummaryBytes = std::array<std::uint8_t, kSymbolSummaryValueSize>;

SymbolSummaryBytes encode_symbol_summary(const SymbolSummary& summary);
// REQUIRES: symbol is the name the value was stored under.
Result<SymbolSummary> decode_symbol_summary(Symbol symbol, std::string_view bytes);

// "key (transact_time_ms=..., sequence=...)" for error messages.
std::string describe_trade_key(std::string_view key_bytes);

}  // namespace alphastream
