// Symbols numbered 0, 1, 2, ... in the order added, found by a hash of
// their bytes: open addressing, at most half full.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/agg_trade.h"

namespace alphastream {

class SymbolTable {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // The symbol's number, or kNone. A hit costs a hash and one compare, with
  // no branch that depends on which symbol it is: a hot path's trades
  // alternate between symbols at random.
  std::uint32_t find(const Symbol& symbol) const {
    if (slots_.empty()) return kNone;
    for (std::size_t slot = hash(symbol) & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t index = slots_[slot];
      if (index == kNone || symbols_[index] == symbol) return index;
    }
  }
  // The symbol's number, added after the others if new.
  std::uint32_t add(const Symbol& symbol) {
    if (const std::uint32_t found = find(symbol); found != kNone) return found;
    symbols_.push_back(symbol);
    // Doubling as it fills keeps adding 10,000 symbols linear.
    if (2 * symbols_.size() > slots_.size()) {
      rehash();
    } else {
      place(static_cast<std::uint32_t>(symbols_.size() - 1));
    }
    return static_cast<std::uint32_t>(symbols_.size() - 1);
  }
  void clear() {
    symbols_.clear();
    slots_.clear();
  }
  std::size_t size() const { return symbols_.size(); }
  const Symbol& operator[](std::uint32_t index) const { return symbols_[index]; }

 private:
  // The 24 bytes mixed, a word at a time (one 24-byte copy went through the
  // stack, and reading its second word back stalled on the wider store):
  // names of one prefix ("BTCUSDT_250328", "BTCUSDT_250627") differ only
  // past the first word.
  static std::size_t hash(const Symbol& symbol) {
    const std::uint64_t h = (symbol.word(0) * 0x9E3779B97F4A7C15ull) ^ (symbol.word(1) * 0xC2B2AE3D27D4EB4Full) ^
                            (symbol.word(2) * 0x165667B19E3779F9ull);
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
  void place(std::uint32_t index) {
    std::size_t slot = hash(symbols_[index]) & mask_;
    while (slots_[slot] != kNone) slot = (slot + 1) & mask_;
    slots_[slot] = index;
  }
  void rehash() {
    const std::size_t slots = std::bit_ceil(std::max<std::size_t>(8, 2 * symbols_.size()));
    slots_.assign(slots, kNone);
    mask_ = slots - 1;
    for (std::uint32_t i = 0; i < symbols_.size(); ++i) place(i);
  }

  std::vector<Symbol> symbols_;
  std::vector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
};

}  // namespace alphastream
