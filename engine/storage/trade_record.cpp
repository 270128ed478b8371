#include "storage/trade_record.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace alphastream {
namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

constexpr std::size_t kVersionOffset = 0;
constexpr std::size_t kFlagsOffset = 1;
constexpr std::size_t kSymbolSizeOffset = 2;
constexpr std::size_t kSymbolOffset = 3;
constexpr std::size_t kFieldsOffset = kSymbolOffset + Symbol::kMaxSize;  // 26
constexpr std::size_t kFieldCount = 8;
static_assert(kFieldsOffset + 8 * kFieldCount == kTradeValueSize);
constexpr std::uint8_t kBuyerMakerFlag = 0x01;

void put_be64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

std::uint64_t get_be64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | in[i];
  return value;
}

void put_le64(std::uint8_t* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

std::uint64_t get_le64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | in[i];
  return value;
}

const std::uint8_t* bytes_of(std::string_view text) {
  return reinterpret_cast<const std::uint8_t*>(text.data());
}

}  // namespace

TradeKeyBytes encode_trade_key(const TradeKey& key) {
  TradeKeyBytes out;
  put_be64(out.data(), static_cast<std::uint64_t>(key.transact_time_ms) ^ kSignBit);
  put_be64(out.data() + 8, key.sequence);
  return out;
}

Result<TradeKey> decode_trade_key(std::string_view bytes) {
  if (bytes.size() != kTradeKeySize) {
    return Status::error("trade key has " + std::to_string(bytes.size()) + " bytes, expected " +
                         std::to_string(kTradeKeySize));
  }
  const std::uint8_t* in = bytes_of(bytes);
  return TradeKey{static_cast<std::int64_t>(get_be64(in) ^ kSignBit), get_be64(in + 8)};
}

TradeValueBytes encode_trade_value(const AggTrade& trade) {
  TradeValueBytes out{};
  out[kVersionOffset] = kTradeRecordVersion;
  out[kFlagsOffset] = trade.is_buyer_maker ? kBuyerMakerFlag : 0;
  const std::string_view symbol = trade.symbol.view();
  out[kSymbolSizeOffset] = static_cast<std::uint8_t>(symbol.size());
  std::memcpy(out.data() + kSymbolOffset, symbol.data(), symbol.size());
  const std::uint64_t fields[kFieldCount] = {
      static_cast<std::uint64_t>(trade.agg_trade_id),  std::bit_cast<std::uint64_t>(trade.price),
      std::bit_cast<std::uint64_t>(trade.quantity),    static_cast<std::uint64_t>(trade.first_trade_id),
      static_cast<std::uint64_t>(trade.last_trade_id), static_cast<std::uint64_t>(trade.transact_time_ms),
      static_cast<std::uint64_t>(trade.event_time_ms), static_cast<std::uint64_t>(trade.receive_time_ns)};
  for (std::size_t i = 0; i < kFieldCount; ++i) put_le64(out.data() + kFieldsOffset + 8 * i, fields[i]);
  return out;
}

Status decode_trade_value(std::string_view bytes, AggTrade& out) {
  if (bytes.size() != kTradeValueSize) {
    return Status::error("trade record has " + std::to_string(bytes.size()) + " bytes, expected " +
                         std::to_string(kTradeValueSize) + " (format version " +
                         std::to_string(kTradeRecordVersion) + ")");
  }
  const std::uint8_t* in = bytes_of(bytes);
  if (in[kVersionOffset] != kTradeRecordVersion) {
    return Status::error("trade record has format version " + std::to_string(in[kVersionOffset]) +
                         ", this build reads version " + std::to_string(kTradeRecordVersion));
  }
  if ((in[kFlagsOffset] & ~kBuyerMakerFlag) != 0) {
    return Status::error("trade record has unknown flag bits " + std::to_string(in[kFlagsOffset]));
  }
  const std::size_t symbol_size = in[kSymbolSizeOffset];
  if (symbol_size > Symbol::kMaxSize) {
    return Status::error("trade record has a symbol of " + std::to_string(symbol_size) + " bytes, at most " +
                         std::to_string(Symbol::kMaxSize) + " fit");
  }
  std::uint64_t fields[kFieldCount];
  for (std::size_t i = 0; i < kFieldCount; ++i) fields[i] = get_le64(in + kFieldsOffset + 8 * i);
  out.symbol = Symbol(std::string_view(bytes.data() + kSymbolOffset, symbol_size));
  out.agg_trade_id = static_cast<std::int64_t>(fields[0]);
  out.price = std::bit_cast<double>(fields[1]);
  out.quantity = std::bit_cast<double>(fields[2]);
  out.first_trade_id = static_cast<std::int64_t>(fields[3]);
  out.last_trade_id = static_cast<std::int64_t>(fields[4]);
  out.transact_time_ms = static_cast<std::int64_t>(fields[5]);
  out.event_time_ms = static_cast<std::int64_t>(fields[6]);
  out.receive_time_ns = static_cast<std::int64_t>(fields[7]);
  out.is_buyer_maker = (in[kFlagsOffset] & kBuyerMakerFlag) != 0;
  return Status::ok();
}

void SymbolSummary::add(const AggTrade& trade) {
  if (trade_count == 0) {
    symbol = trade.symbol;
    first_transact_time_ms = last_transact_time_ms = trade.transact_time_ms;
    last_agg_trade_id = trade.agg_trade_id;
  } else {
    first_transact_time_ms = std::min(first_transact_time_ms, trade.transact_time_ms);
    last_transact_time_ms = std::max(last_transact_time_ms, trade.transact_time_ms);
    last_agg_trade_id = std::max(last_agg_trade_id, trade.agg_trade_id);
  }
  ++trade_count;
}

SymbolSummaryBytes encode_symbol_summary(const SymbolSummary& summary) {
  SymbolSummaryBytes out{};
  out[0] = kTradeRecordVersion;
  put_le64(out.data() + 1, summary.trade_count);
  put_le64(out.data() + 9, static_cast<std::uint64_t>(summary.first_transact_time_ms));
  put_le64(out.data() + 17, static_cast<std::uint64_t>(summary.last_transact_time_ms));
  put_le64(out.data() + 25, static_cast<std::uint64_t>(summary.last_agg_trade_id));
  return out;
}

Result<SymbolSummary> decode_symbol_summary(Symbol symbol, std::string_view bytes) {
  const std::string where = "summary of symbol '" + std::string(symbol.view()) + "'";
  if (bytes.size() != kSymbolSummaryValueSize) {
    return Status::error(where + " has " + std::to_string(bytes.size()) + " bytes, expected " +
                         std::to_string(kSymbolSummaryValueSize));
  }
  const std::uint8_t* in = bytes_of(bytes);
  if (in[0] != kTradeRecordVersion) {
    return Status::error(where + " has format version " + std::to_string(in[0]) +
                         ", this build reads version " + std::to_string(kTradeRecordVersion));
  }
  SymbolSummary summary;
  summary.symbol = symbol;
  summary.trade_count = get_le64(in + 1);
  summary.first_transact_time_ms = static_cast<std::int64_t>(get_le64(in + 9));
  summary.last_transact_time_ms = static_cast<std::int64_t>(get_le64(in + 17));
  summary.last_agg_trade_id = static_cast<std::int64_t>(get_le64(in + 25));
  return summary;
}

std::string describe_trade_key(std::string_view key_bytes) {
  const Result<TradeKey> key = decode_trade_key(key_bytes);
  if (!key) return "key of " + std::to_string(key_bytes.size()) + " bytes";
  return "key (transact_time_ms=" + std::to_string(key->transact_time_ms) +
         ", sequence=" + std::to_string(key->sequence) + ")";
}

}  // namespace alphastream
