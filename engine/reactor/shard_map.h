// Which shard reactor owns a symbol or a pair. The mapping is a pure function
// of the key's bytes and the shard count, so every process, run and platform
// agrees on it (std::hash gives no such promise).
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

namespace alphastream {

// The index of a shard reactor, 0 .. shard_count - 1. A strong type so a
// shard index is never confused with a CPU number or a count.
class ShardId {
 public:
  constexpr explicit ShardId(std::uint32_t index) : index_(index) {}

  constexpr std::uint32_t index() const { return index_; }
  friend constexpr bool operator==(ShardId, ShardId) = default;
  friend constexpr auto operator<=>(ShardId, ShardId) = default;

 private:
  std::uint32_t index_;
};

// FNV-1a, 64 bits, over the bytes of `key` (offset basis 0xcbf29ce484222325,
// prime 0x100000001b3). Changing it moves symbols between shards: the tests
// pin its values.
constexpr std::uint64_t fnv1a_64(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : key) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// The shard that owns `key`, a symbol ("BTCUSDT") or a pair name, spelled the
// same way everywhere it is looked up: (h ^ (h >> 32)) % shard_count with
// h = fnv1a_64(key). The low k bits of FNV-1a depend only on the low k bits
// of each byte (the prime is odd), so similar names would crowd some shards
// of a power-of-two count; folding the high half in mixes every bit.
// REQUIRES: shard_count > 0
constexpr ShardId shard_for_key(std::string_view key, std::uint32_t shard_count) {
  const std::uint64_t hash = fnv1a_64(key);
  return ShardId(static_cast<std::uint32_t>((hash ^ (hash >> 32)) % shard_count));
}

}  // namespace alphastream
