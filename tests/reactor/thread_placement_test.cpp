#include "reactor/thread_placement.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reactor/shard_group.h"
#include "reactor_test_support.h"

namespace alphastream {
namespace {

using ::alphastream::testing::make_recording_group;

// The CPUs this process may run on (a container may allow fewer than exist).
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

struct Placement {
  int cpu = -1;          // sched_getcpu() on the shard
  int allowed_count = 0;  // CPUs in the shard thread's affinity mask
};

Placement placement_of(ShardGroup& group, ShardId shard) {
  return group
      .submit_to(shard,
                 [] {
                   cpu_set_t set;
                   CPU_ZERO(&set);
                   pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
                   return Placement{sched_getcpu(), CPU_COUNT(&set)};
                 })
      .get();
}

ShardGroupOptions pinned_options(std::vector<int> cpus) {
  ShardGroupOptions options;
  options.shard_count = static_cast<std::uint32_t>(cpus.size());
  options.queue_capacity = 8;
  options.idle_spin_us = 1;
  options.cpus = std::move(cpus);
  return options;
}

TEST(ShardPinning, APinnedShardRunsOnlyOnItsCpu) {
  const int first = allowed_cpus().front();  // CPU 0 on most machines
  auto [group, handlers] = make_recording_group(pinned_options({first}));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  const Placement placed = placement_of(*group, ShardId(0));
  EXPECT_EQ(placed.cpu, first);
  EXPECT_EQ(placed.allowed_count, 1);
}

TEST(ShardPinning, EachShardGetsItsOwnCpuInTheOrderListed) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "needs two CPUs";
  auto [group, handlers] = make_recording_group(pinned_options({allowed[1], allowed[0]}));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  EXPECT_EQ(placement_of(*group, ShardId(0)).cpu, allowed[1]);
  EXPECT_EQ(placement_of(*group, ShardId(1)).cpu, allowed[0]);
}

TEST(ShardPinning, AnUnpinnedShardKeepsTheProcessCpus) {
  ShardGroupOptions options = pinned_options({});
  options.shard_count = 1;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  EXPECT_EQ(placement_of(*group, ShardId(0)).allowed_count, static_cast<int>(allowed_cpus().size()));
}

TEST(ShardPinning, ANonexistentCpuIsAnErrorNamingShardAndCpu) {
  const long configured = sysconf(_SC_NPROCESSORS_CONF);
  ASSERT_GT(configured, 0);
  ASSERT_LT(configured, CPU_SETSIZE);
  const int missing = static_cast<int>(configured);
  const int good = allowed_cpus().front();
  auto [group, handlers] = make_recording_group(pinned_options({good, missing}));
  ASSERT_TRUE(group);
  const Status started = group->start();
  ASSERT_FALSE(started);
  EXPECT_TRUE(started.is_invalid_input());
  EXPECT_EQ(started.message(), "shard 1: cannot pin to CPU " + std::to_string(missing) + ": Invalid argument");
  // The group is stopped, not half running.
  EXPECT_FALSE(group->try_push(ShardId(0), ::alphastream::testing::numbered_event(1)));
  EXPECT_FALSE(group->run_on(ShardId(0), [] {}).is_ok());
}

TEST(ShardPinning, ACpuOutsideTheCpuSetIsRefusedBeforeAnySystemCall) {
  auto [group, handlers] = make_recording_group(pinned_options({-1}));
  ASSERT_TRUE(group);
  const Status started = group->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.message(), "shard 0: CPU -1 is outside 0.." + std::to_string(CPU_SETSIZE - 1));
}

TEST(ThreadName, IsCutToTheFifteenBytesLinuxKeeps) {
  std::string seen;
  std::thread([&] {
    name_current_thread("as-shard-1234567890");
    seen = current_thread_name();
  }).join();
  EXPECT_EQ(seen, "as-shard-123456");
}

}  // namespace
}  // namespace alphastream
