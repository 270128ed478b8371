// Proves try_push and the shard loop allocate nothing once running: pushes,
// batches, idle spins, sleeps and wake-ups. This binary replaces the global
// operator new to count calls, so it stays on its own.
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "counting_new.h"

#include "reactor/shard_group.h"

namespace alphastream {
namespace {

class CountingHandler : public ShardHandler {
 public:
  void on_event(const ShardEvent& event) override { id_sum += event.trade.agg_trade_id; }
  std::int64_t id_sum = 0;
};

ShardEvent event_with_id(std::int64_t id) {
  AggTrade trade;
  trade.symbol = Symbol("ETHUSDT");
  trade.agg_trade_id = id;
  return ShardEvent::of_trade(trade, id);
}

// Pushes ids [first, last) round robin, retrying refusals, and waits until
// the shards handled them all. Allocates nothing itself.
void push_and_drain(ShardGroup& group, std::int64_t first, std::int64_t last) {
  const std::uint32_t shards = group.shard_count();
  for (std::int64_t id = first; id < last; ++id) {
    const ShardId shard(static_cast<std::uint32_t>(id % shards));
    while (!group.try_push(shard, event_with_id(id))) std::this_thread::yield();
  }
  for (std::uint32_t s = 0; s < shards; ++s) {
    while (group.stats(ShardId(s)).queue_depth > 0 ||
           group.stats(ShardId(s)).events_total < group.stats(ShardId(s)).pushed_total) {
      std::this_thread::yield();
    }
  }
}

TEST(ShardGroupAllocation, RunningShardsAllocateNothingPerEventNorWhenIdle) {
  ShardGroupOptions options;
  options.shard_count = 2;
  options.queue_capacity = 1000;
  options.idle_spin_us = 2;
  options.idle_sleep_ms = 1;  // many sleeps and wake-ups during the test
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  std::vector<CountingHandler*> counting;
  for (int i = 0; i < 2; ++i) {
    auto handler = std::make_unique<CountingHandler>();
    counting.push_back(handler.get());
    handlers.push_back(std::move(handler));
  }
  auto created = ShardGroup::create(options, std::move(handlers));
  ASSERT_TRUE(created);
  ShardGroup& group = **created;
  ASSERT_TRUE(group.start());
  push_and_drain(group, 0, 5000);

  const std::uint64_t sleeps_before = group.stats(ShardId(0)).sleeps_total;
  const std::uint64_t before = ::alphastream::testing::allocation_count();
  push_and_drain(group, 5000, 205'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // idle: spin, sleep, time out
  push_and_drain(group, 205'000, 210'000);                      // and wake up
  const std::uint64_t after = ::alphastream::testing::allocation_count();
  const std::uint64_t sleeps_after = group.stats(ShardId(0)).sleeps_total;
  group.stop();

  EXPECT_EQ(after, before);
  EXPECT_GT(sleeps_after, sleeps_before) << "the test must cover sleeping";
  // Ids 0..209999 split by parity: the even ones sum to 2 * (0 + 1 + .. + 104999).
  EXPECT_EQ(counting[0]->id_sum, 104'999LL * 105'000LL);
  EXPECT_EQ(counting[1]->id_sum, 105'000LL * 105'000LL);
}

TEST(ShardGroupAllocation, TheCounterSeesAllocationsOnShardThreads) {
  ShardGroupOptions options;
  options.queue_capacity = 8;
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  handlers.push_back(std::make_unique<CountingHandler>());
  auto created = ShardGroup::create(options, std::move(handlers));
  ASSERT_TRUE(created);
  ASSERT_TRUE((*created)->start());
  std::uint64_t during = 0;
  // The box outlives the command, so an optimiser cannot elide the new.
  std::unique_ptr<int> box;
  ASSERT_TRUE((*created)->run_on(ShardId(0), [&] {
    const std::uint64_t before = ::alphastream::testing::allocation_count();
    box = std::make_unique<int>(1);
    during = ::alphastream::testing::allocation_count() - before;
  }));
  EXPECT_EQ(during, 1u);
  EXPECT_EQ(*box, 1);
}

}  // namespace
}  // namespace alphastream
