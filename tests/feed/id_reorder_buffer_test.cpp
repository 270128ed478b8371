#include "feed/id_reorder_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace alphastream {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

AggTrade trade(const char* symbol, std::int64_t id) {
  AggTrade t;
  t.symbol = Symbol(symbol);
  t.agg_trade_id = id;
  return t;
}

struct Out {
  std::vector<std::pair<std::string, std::int64_t>> released;
  void operator()(const AggTrade& t) { released.emplace_back(std::string(t.symbol.view()), t.agg_trade_id); }
  std::vector<std::int64_t> ids() const {
    std::vector<std::int64_t> out;
    for (const auto& [s, id] : released) out.push_back(id);
    return out;
  }
};

TEST(IdReorderBuffer, TradesInOrderPassAtOnce) {
  IdReorderBuffer buffer({});
  Out out;
  const auto now = Clock::now();
  for (std::int64_t id = 100; id < 110; ++id) buffer.push(trade("X", id), now, out);
  const std::vector<std::int64_t> ids = out.ids();
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(buffer.held(), 0u);
  EXPECT_EQ(buffer.reordered_total(), 0u);
}

TEST(IdReorderBuffer, AHoleHoldsWhatComesAfterItUntilItFills) {
  IdReorderBuffer buffer({});
  Out out;
  const auto now = Clock::now();
  for (std::int64_t id : {1, 2, 5, 6, 3, 4, 7}) buffer.push(trade("X", id), now, out);
  EXPECT_EQ(out.ids(), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(buffer.reordered_total(), 2u);
  EXPECT_EQ(buffer.held(), 0u);
}

TEST(IdReorderBuffer, AHoleOpenForMaxHoldIsReleasedAsAGapAndALateTradeStillGoesOn) {
  IdReorderBuffer buffer({.max_hold = 5000ms, .max_held = 1000});
  Out out;
  const auto start = Clock::now();
  for (std::int64_t id : {1, 2, 4, 5}) buffer.push(trade("X", id), start, out);
  EXPECT_EQ(out.ids(), (std::vector<std::int64_t>{1, 2}));
  buffer.expire(start + 4999ms, out);
  EXPECT_EQ(buffer.held(), 2u);
  buffer.expire(start + 5000ms, out);
  EXPECT_EQ(out.ids(), (std::vector<std::int64_t>{1, 2, 4, 5}));
  EXPECT_EQ(buffer.held(), 0u);
  // 3 comes after all: passed on for the sequencer to drop as late.
  buffer.push(trade("X", 3), start + 6s, out);
  buffer.push(trade("X", 6), start + 6s, out);
  EXPECT_EQ(out.ids(), (std::vector<std::int64_t>{1, 2, 4, 5, 3, 6}));
}

TEST(IdReorderBuffer, PastMaxHeldEverythingHeldGoesOn) {
  IdReorderBuffer buffer({.max_hold = 5000ms, .max_held = 3});
  Out out;
  const auto now = Clock::now();
  for (std::int64_t id : {1, 3, 4, 5}) buffer.push(trade("X", id), now, out);
  EXPECT_EQ(buffer.held(), 3u);
  buffer.push(trade("X", 6), now, out);
  EXPECT_EQ(out.ids(), (std::vector<std::int64_t>{1, 3, 4, 5, 6}));
  EXPECT_EQ(buffer.held(), 0u);
}

TEST(IdReorderBuffer, SymbolsAreIndependentAndZeroHoldTurnsItOff) {
  IdReorderBuffer buffer({});
  Out out;
  const auto now = Clock::now();
  buffer.push(trade("X", 1), now, out);
  buffer.push(trade("Y", 10), now, out);
  buffer.push(trade("X", 3), now, out);
  buffer.push(trade("Y", 11), now, out);
  buffer.push(trade("X", 2), now, out);
  EXPECT_EQ(out.released, (std::vector<std::pair<std::string, std::int64_t>>{
                              {"X", 1}, {"Y", 10}, {"Y", 11}, {"X", 2}, {"X", 3}}));
  IdReorderBuffer off({.max_hold = 0ms});
  Out direct;
  for (std::int64_t id : {1, 3, 2}) off.push(trade("X", id), now, direct);
  EXPECT_EQ(direct.ids(), (std::vector<std::int64_t>{1, 3, 2}));
}

TEST(IdReorderBuffer, AnyShuffleWithinAWindowComesOutSortedAndComplete) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::int64_t> ids(300);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 1000 + static_cast<std::int64_t>(i);
    // Blocks of up to 16 shuffled, the first id kept first (it starts the sequence).
    const std::size_t block = 2 + rng() % 15;
    for (std::size_t i = 1; i < ids.size(); i += block) {
      std::shuffle(ids.begin() + static_cast<std::ptrdiff_t>(i),
                   ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + block)), rng);
    }
    // Some arrive twice, as two ingests or a retry would deliver them.
    ids.insert(ids.begin() + 50, ids[40]);
    IdReorderBuffer buffer({});
    Out out;
    for (std::int64_t id : ids) buffer.push(trade("X", id), Clock::now(), out);
    std::vector<std::int64_t> got = out.ids();
    // The repeated one passes either held as one (dropped from the map) or at once as old.
    got.erase(std::unique(got.begin(), got.end()), got.end());
    std::vector<std::int64_t> without_late;
    for (std::int64_t id : got) {
      if (without_late.empty() || id > without_late.back()) without_late.push_back(id);
    }
    ASSERT_EQ(without_late.size(), 300u) << "round " << round;
    EXPECT_EQ(without_late.front(), 1000);
    EXPECT_EQ(without_late.back(), 1299);
    EXPECT_EQ(buffer.held(), 0u);
  }
}

}  // namespace
}  // namespace alphastream
