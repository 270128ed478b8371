// Binance aggTrade websocket frames of generated pairs, held in memory, for
// the throughput tools: what the I/O reactor would receive, in arrival order,
// so a run times parsing and everything after it and nothing before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "simulator/agg_trade_frame.h"
#include "simulator/pair_trade_generator.h"

namespace alphastream::bench {

// Frames stored end to end in one buffer, each with the index of its symbol
// in symbols(), so a run walks memory once and a producer can find a frame's
// route without parsing it.
class FrameSet {
 public:
  std::size_t size() const { return ends_.size(); }
  std::string_view frame(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }
  std::uint32_t symbol_index(std::size_t i) const { return symbol_of_[i]; }
  const std::vector<std::string>& symbols() const { return symbols_; }
  std::size_t bytes() const { return bytes_.size(); }

  // Appends trade as the combined-stream frame Binance sends for
  // <symbol>@aggTrade, event time E = T. Prices and quantities print in the
  // shortest form that reads back to the same double.
  void append(const AggTrade& trade) {
    const std::uint32_t symbol = intern(trade.symbol.view());
    AggTrade stamped = trade;
    stamped.event_time_ms = trade.transact_time_ms;
    append_agg_trade_frame(bytes_, stamped);
    ends_.push_back(bytes_.size());
    symbol_of_.push_back(symbol);
  }

 private:
  std::uint32_t intern(std::string_view symbol) {
    for (std::uint32_t i = 0; i < symbols_.size(); ++i) {
      if (symbols_[i] == symbol) return i;
    }
    symbols_.emplace_back(symbol);
    return static_cast<std::uint32_t>(symbols_.size() - 1);
  }

  std::string bytes_;
  std::vector<std::size_t> ends_;
  std::vector<std::uint32_t> symbol_of_;
  std::vector<std::string> symbols_;
};

// The first `trades` trades of the given pairs merged in transact-time order
// (the earlier pair first on a tie), as frames. Fewer when every generator
// runs out (duration_s) first.
// REQUIRES: validate(config).is_ok() for each config; symbols distinct.
inline FrameSet generate_frames(const std::vector<PairGeneratorConfig>& pairs, std::uint64_t trades) {
  std::vector<PairTradeGenerator> generators;
  std::vector<AggTrade> next(pairs.size());
  std::vector<bool> has_next(pairs.size());
  generators.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    generators.emplace_back(pairs[i]);
    has_next[i] = generators[i].next(next[i]);
  }
  FrameSet frames;
  while (frames.size() < trades) {
    std::size_t earliest = pairs.size();
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (has_next[i] && (earliest == pairs.size() || next[i].transact_time_ms < next[earliest].transact_time_ms)) {
        earliest = i;
      }
    }
    if (earliest == pairs.size()) break;
    frames.append(next[earliest]);
    has_next[earliest] = generators[earliest].next(next[earliest]);
  }
  return frames;
}

}  // namespace alphastream::bench
