#include "reactor/shard_map.h"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace alphastream {
namespace {

// The published FNV-1a 64 test vectors (Fowler, Noll, Vo: "FNV test suite").
TEST(Fnv1a64, MatchesThePublishedTestVectors) {
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

// Values from an independent Python FNV-1a; a change here moves live
// symbols to other shards, and their state with them.
TEST(Fnv1a64, PinsTheHashOfVenueSymbols) {
  EXPECT_EQ(fnv1a_64("BTCUSDT"), 0x3e640dbff523962cULL);
  EXPECT_EQ(fnv1a_64("ETHUSDT"), 0x7f5c456d3d0c94f0ULL);
  EXPECT_EQ(fnv1a_64("1000SHIBUSDT"), 0xdd10576d6e13e444ULL);
}

TEST(ShardForKey, PinsTheOwnerOfKnownKeysForSeveralShardCounts) {
  struct Case {
    const char* key;
    std::array<std::uint32_t, 4> shard;  // for 2, 3, 4 and 8 shards
  };
  const Case cases[] = {
      {"BTCUSDT", {1, 0, 3, 3}},
      {"ETHUSDT", {1, 0, 1, 5}},
      {"SOLUSDT", {1, 0, 3, 3}},
      {"1000SHIBUSDT", {1, 1, 1, 1}},
      {"btc-eth", {0, 2, 2, 6}},
  };
  const std::uint32_t counts[] = {2, 3, 4, 8};
  for (const Case& c : cases) {
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(shard_for_key(c.key, counts[i]), ShardId(c.shard[i])) << c.key << " over " << counts[i];
    }
  }
}

TEST(ShardForKey, OneShardOwnsEverything) {
  EXPECT_EQ(shard_for_key("BTCUSDT", 1), ShardId(0));
  EXPECT_EQ(shard_for_key("", 1), ShardId(0));
}

TEST(ShardForKey, IsAConstantExpression) {
  static_assert(shard_for_key("BTCUSDT", 4) == ShardId(3));
  static_assert(ShardId(1) < ShardId(2));
}

// 60 real USD-M perpetuals and 190 of their pairs: similar names (all end in
// USDT) must spread like a random assignment. With 4 shards a fair split is
// 15 +- 3.4 symbols and 47.5 +- 6 pairs; the bounds are 3 standard
// deviations. A plain fnv1a_64 % 4 puts 70 pairs on one shard.
TEST(ShardForKey, SpreadsRealSymbolsAndPairsEvenly) {
  const std::vector<std::string> bases = {
      "BTC",  "ETH",  "BNB", "SOL",  "XRP",  "DOGE", "ADA",  "AVAX", "LINK",     "DOT",  "TRX",  "MATIC",
      "LTC",  "BCH",  "UNI", "ATOM", "ETC",  "XLM",  "FIL",  "APT",  "ARB",      "OP",   "NEAR", "ICP",
      "INJ",  "SUI",  "SEI", "TIA",  "AAVE", "MKR",  "SNX",  "CRV",  "LDO",      "RUNE", "FTM",  "SAND",
      "MANA", "AXS",  "GALA", "APE", "DYDX", "GMX",  "BLUR", "1000PEPE", "WIF", "ORDI", "STX",  "IMX",
      "RNDR", "FET",  "AGIX", "OCEAN", "GRT", "ALGO", "EOS", "XTZ",  "THETA",    "KAVA", "ZEC",  "DASH"};
  std::array<int, 4> symbols{};
  for (const std::string& base : bases) ++symbols[shard_for_key(base + "USDT", 4).index()];
  for (int count : symbols) {
    EXPECT_GE(count, 5);
    EXPECT_LE(count, 25);
  }
  std::array<int, 4> pairs{};
  for (std::size_t a = 0; a < 20; ++a) {
    for (std::size_t b = a + 1; b < 20; ++b) ++pairs[shard_for_key(bases[a] + "-" + bases[b], 4).index()];
  }
  for (int count : pairs) {
    EXPECT_GE(count, 29);
    EXPECT_LE(count, 66);
  }
}

}  // namespace
}  // namespace alphastream
