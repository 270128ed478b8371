#include "reactor/shard_group.h"

#include <pthread.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "reactor/thread_placement.h"
#include "reactor_test_support.h"

namespace alphastream {
namespace {

using ::alphastream::testing::make_recording_group;
using ::alphastream::testing::numbered_event;
using ::alphastream::testing::RecordingHandler;
using ::alphastream::testing::ShardPause;
using ::alphastream::testing::wait_until;

ShardGroupOptions small_options(std::uint32_t shards, std::size_t capacity) {
  ShardGroupOptions options;
  options.shard_count = shards;
  options.queue_capacity = capacity;
  // Tests run more threads than the machine has cores: spin little.
  options.idle_spin_us = 5;
  options.idle_sleep_ms = 5;
  return options;
}

class ShardGroupDelivery : public ::testing::TestWithParam<std::uint32_t> {};

// Event i goes to shard i % shards; each shard must see exactly its ids, in
// order. The producer retries refused pushes, so each refusal is a drop.
TEST_P(ShardGroupDelivery, EveryEventArrivesOnceInPushOrderPerShard) {
  const std::uint32_t shards = GetParam();
  constexpr std::int64_t kEvents = 1'000'000;
  auto [group, handlers] = make_recording_group(small_options(shards, 4096), kEvents / shards + 1);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());

  std::vector<std::uint64_t> refusals(shards, 0);
  const auto began = std::chrono::steady_clock::now();
  std::thread producer([&, &group = group] {
    for (std::int64_t i = 0; i < kEvents; ++i) {
      const ShardId shard(static_cast<std::uint32_t>(i % shards));
      while (!group->try_push(shard, numbered_event(i))) {
        ++refusals[shard.index()];
        std::this_thread::yield();
      }
    }
  });
  producer.join();
  group->stop();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("[ reactor  ] %u shard(s): %.2f M events/s pushed and handled\n", shards, kEvents / seconds / 1e6);

  for (std::uint32_t s = 0; s < shards; ++s) {
    const std::vector<std::int64_t>& ids = handlers[s]->ids;
    const std::size_t expected = static_cast<std::size_t>((kEvents - s + shards - 1) / shards);
    ASSERT_EQ(ids.size(), expected) << "shard " << s;
    std::size_t out_of_place = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) out_of_place += ids[k] != static_cast<std::int64_t>(s + k * shards);
    EXPECT_EQ(out_of_place, 0u) << "shard " << s;

    const ShardStats stats = group->stats(ShardId(s));
    EXPECT_EQ(stats.pushed_total, expected);
    EXPECT_EQ(stats.events_total, expected);
    EXPECT_EQ(stats.dropped_total, refusals[s]);
    EXPECT_EQ(stats.queue_depth, 0u);
    EXPECT_LE(stats.max_batch, 256u);
    EXPECT_GE(stats.batches_total, expected / 256);
  }
}

INSTANTIATE_TEST_SUITE_P(OneTwoAndFourShards, ShardGroupDelivery, ::testing::Values(1u, 2u, 4u));

// Capacities below, at and above the queue's 32-event blocks; every round
// starts at a different offset inside a block.
TEST(ShardGroupEvents, ClockEventsArriveAmongTradesAndTheHandlerIsReachableAfterStop) {
  struct KindHandler : ShardHandler {
    void on_event(const ShardEvent& event) override {
      seen.push_back(event.kind == ShardEvent::Kind::kClock ? -event.now_ms : event.trade.agg_trade_id);
    }
    std::vector<std::int64_t> seen;
  };
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  handlers.push_back(std::make_unique<KindHandler>());
  auto created = ShardGroup::create(small_options(1, 8), std::move(handlers));
  ASSERT_TRUE(created);
  ShardGroup& group = **created;
  ASSERT_TRUE(group.start());
  ASSERT_TRUE(group.try_push(ShardId(0), numbered_event(5)));
  ASSERT_TRUE(group.try_push(ShardId(0), ShardEvent::of_clock(1'717'200'000'000)));
  ASSERT_TRUE(group.try_push(ShardId(0), numbered_event(6)));
  group.stop();
  const auto& seen = static_cast<KindHandler&>(group.handler(ShardId(0))).seen;
  EXPECT_EQ(seen, (std::vector<std::int64_t>{5, -1'717'200'000'000, 6}));
}

TEST(ShardGroupCapacity, ExactlyQueueCapacityEventsFitWhileTheShardIsBusy) {
  for (const std::size_t capacity : {1u, 31u, 32u, 33u, 100u}) {
    auto [group, handlers] = make_recording_group(small_options(1, capacity));
    ASSERT_TRUE(group);
    ASSERT_TRUE(group->start());
    std::int64_t next_id = 0;
    std::uint64_t refused = 0;
    for (int round = 0; round < 40; ++round) {
      {
        ShardPause pause(*group, ShardId(0));
        for (std::size_t i = 0; i < capacity; ++i) {
          ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(next_id++)))
              << "capacity " << capacity << ", round " << round << ", event " << i;
        }
        EXPECT_FALSE(group->try_push(ShardId(0), numbered_event(-1)));
        ++refused;
        EXPECT_EQ(group->stats(ShardId(0)).queue_depth, capacity);
        EXPECT_EQ(group->stats(ShardId(0)).dropped_total, refused);
      }
      // Shift where the next round starts inside a block; the shard is
      // running again, so a small queue may refuse for a moment.
      for (int i = 0; i < round % 7; ++i) {
        while (!group->try_push(ShardId(0), numbered_event(next_id))) ++refused;
        ++next_id;
      }
      ASSERT_TRUE(wait_until([&, &group = group] {
        return group->stats(ShardId(0)).events_total == static_cast<std::uint64_t>(next_id);
      }));
    }
    group->stop();
    ASSERT_EQ(handlers[0]->ids.size(), static_cast<std::size_t>(next_id)) << "capacity " << capacity;
    for (std::int64_t i = 0; i < next_id; ++i) ASSERT_EQ(handlers[0]->ids[i], i);
  }
}

TEST(ShardGroupCapacity, AQueueFillsBeforeStartAndIsHandledOnceStarted) {
  auto [group, handlers] = make_recording_group(small_options(1, 50));
  ASSERT_TRUE(group);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(i)));
  EXPECT_FALSE(group->try_push(ShardId(0), numbered_event(50)));
  EXPECT_EQ(group->stats(ShardId(0)).dropped_total, 1u);
  ASSERT_TRUE(group->start());
  group->stop();
  EXPECT_EQ(handlers[0]->ids.size(), 50u);
  EXPECT_EQ(handlers[0]->ids.back(), 49);
}

TEST(ShardGroupStop, EverythingAcceptedBeforeStopIsHandledBeforeOnStop) {
  auto [group, handlers] = make_recording_group(small_options(2, 10'000), 10'000);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  std::size_t seen_by_command = 0;
  {
    ShardPause pause(*group, ShardId(1));
    for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(group->try_push(ShardId(1), numbered_event(i)));
    group->submit_to(ShardId(1), [&, h = handlers[1]] { seen_by_command = h->ids.size(); });
    pause.release();
    group->stop();
  }
  EXPECT_EQ(handlers[1]->ids.size(), 10'000u);
  EXPECT_EQ(handlers[1]->events_at_stop, 10'000u);
  EXPECT_EQ(seen_by_command, 10'000u);
  EXPECT_NE(handlers[0]->stop_thread, std::thread::id()) << "an idle shard runs on_stop too";
  EXPECT_EQ(handlers[1]->stop_thread, handlers[1]->event_thread);
}

TEST(ShardGroupStop, AfterStopPushesAreDroppedAndCommandsRefused) {
  auto [group, handlers] = make_recording_group(small_options(1, 8));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  group->stop();
  group->stop();  // idempotent

  EXPECT_FALSE(group->try_push(ShardId(0), numbered_event(1)));
  EXPECT_EQ(group->stats(ShardId(0)).dropped_total, 1u);
  std::future<int> refused = group->submit_to(ShardId(0), [] { return 1; });
  try {
    refused.get();
    ADD_FAILURE() << "a stopped shard ran a command";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "shard 0: stopped");
  }
  const Status status = group->run_on(ShardId(0), [] {});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.message(), "shard 0: stopped");
}

// With a 60 s idle sleep, only the wake-up can make stop() quick.
TEST(ShardGroupStop, StopWakesASleepingShardAtOnce) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 0;
  options.idle_sleep_ms = 60'000;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto began = std::chrono::steady_clock::now();
  group->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
}

TEST(ShardGroupCommands, RunOnTheShardThreadNamedAfterTheShard) {
  auto [group, handlers] = make_recording_group(small_options(2, 8));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  ASSERT_TRUE(group->try_push(ShardId(1), numbered_event(7)));
  std::thread::id command_thread;
  std::string command_thread_name;
  ASSERT_TRUE(group->run_on(ShardId(1), [&] {
    command_thread = std::this_thread::get_id();
    command_thread_name = current_thread_name();
  }));
  group->stop();
  EXPECT_EQ(command_thread_name, "as-shard-1");
  EXPECT_EQ(command_thread, handlers[1]->event_thread);
  EXPECT_NE(command_thread, std::this_thread::get_id());
}

// The shard is held while 25 events and two commands queue up, so they are
// taken in one batch; the commands must still cut it where they were sent.
TEST(ShardGroupCommands, InterleaveWithTheProducersEventsExactlyAsSubmitted) {
  auto [group, handlers] = make_recording_group(small_options(1, 100));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  RecordingHandler* handler = handlers[0];
  std::future<std::size_t> first, second;
  {
    ShardPause pause(*group, ShardId(0));
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(i)));
    first = group->submit_to(ShardId(0), [handler] { return handler->ids.size(); });
    for (int i = 10; i < 20; ++i) ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(i)));
    second = group->submit_to(ShardId(0), [handler] { return handler->ids.size(); });
    for (int i = 20; i < 25; ++i) ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(i)));
  }
  EXPECT_EQ(first.get(), 10u);
  EXPECT_EQ(second.get(), 20u);
  group->stop();
  EXPECT_EQ(group->stats(ShardId(0)).max_batch, 25u);
  EXPECT_EQ(handler->ids.size(), 25u);
}

// The same promise while the shard runs freely: each command sees exactly the
// events pushed before it, whatever the batches were.
TEST(ShardGroupCommands, SeeExactlyTheEventsPushedBeforeThemWhileTheShardRuns) {
  auto [group, handlers] = make_recording_group(small_options(1, 64), 20'000);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  RecordingHandler* handler = handlers[0];
  std::vector<std::pair<std::size_t, std::future<std::size_t>>> checks;
  std::int64_t pushed = 0;
  for (int round = 0; round < 2000; ++round) {
    for (int i = 0; i < round % 13; ++i) {
      while (!group->try_push(ShardId(0), numbered_event(pushed))) std::this_thread::yield();
      ++pushed;
    }
    checks.emplace_back(pushed, group->submit_to(ShardId(0), [handler] { return handler->ids.size(); }));
  }
  group->stop();
  for (auto& [expected, seen] : checks) ASSERT_EQ(seen.get(), expected);
  EXPECT_EQ(group->stats(ShardId(0)).commands_total, 2000u);
}

TEST(ShardGroupCommands, ResultsAndExceptionsReachTheCaller) {
  auto [group, handlers] = make_recording_group(small_options(1, 8));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  EXPECT_EQ(group->submit_to(ShardId(0), [] { return 42; }).get(), 42);
  const Status failed = group->run_on(ShardId(0), [] { throw std::runtime_error("snapshot: disk full"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.message(), "shard 0: snapshot: disk full");
  // The shard goes on after a failed command.
  ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(1)));
  EXPECT_TRUE(group->run_on(ShardId(0), [] {}));
  EXPECT_EQ(group->stats(ShardId(0)).events_total, 1u);
  EXPECT_FALSE(group->run_on(ShardId(3), [] {}).is_ok());
}

TEST(ShardGroupCommands, RunOnFromTheShardItselfIsAnErrorNotADeadlock) {
  auto [group, handlers] = make_recording_group(small_options(2, 8));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  ShardGroup* raw = group.get();
  const std::string message = group->submit_to(ShardId(1), [raw] {
    const Status status = raw->run_on(ShardId(1), [] {});
    return status ? std::string("ok") : status.message();
  }).get();
  EXPECT_EQ(message, "shard 1: run_on from its own thread would wait for itself");
}

// CPU time of the shard's thread, read from the test thread.
std::chrono::nanoseconds thread_cpu_time(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

// The CPU-time clock of shard 0's thread, for thread_cpu_time.
bool shard_cpu_clock(ShardGroup& group, clockid_t& clock) {
  int result = -1;
  return group.run_on(ShardId(0), [&] { result = pthread_getcpuclockid(pthread_self(), &clock); }) && result == 0;
}

// Pushes event `id` to shard 0 and waits until it has handled `events_total`
// events in all.
bool push_and_wait(ShardGroup& group, std::int64_t id, std::uint64_t events_total) {
  return group.try_push(ShardId(0), numbered_event(id)) &&
         wait_until([&] { return group.stats(ShardId(0)).events_total == events_total; });
}

// The idle sleep is 60 s, so a prompt delivery after the lull proves the
// push woke the shard, and the CPU time proves it was not spinning.
TEST(ShardGroupIdle, AnIdleShardSleepsOffTheCpuAndAPushWakesItPromptly) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 50;
  options.idle_sleep_ms = 60'000;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  clockid_t clock{};
  ASSERT_TRUE(shard_cpu_clock(*group, clock));

  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto cpu_before = thread_cpu_time(clock);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LT(thread_cpu_time(clock) - cpu_before, std::chrono::milliseconds(30));

  const auto pushed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(push_and_wait(*group, 1, 1));
  EXPECT_LT(std::chrono::steady_clock::now() - pushed_at, std::chrono::seconds(1));
  EXPECT_GE(group->stats(ShardId(0)).sleeps_total, 1u);
  group->stop();
}

// Ping-pong with a shard that sleeps at once and never times out: each
// push or command lands just as the shard goes to sleep, and a single lost
// wake-up would stall the test for 60 s.
TEST(ShardGroupIdle, NoWakeUpIsLostWhenEveryPushMeetsAShardFallingAsleep) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 0;
  options.idle_sleep_ms = 60'000;
  auto [group, handlers] = make_recording_group(options, 3000);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  for (std::uint64_t i = 0; i < 3000; ++i) {
    ASSERT_TRUE(group->try_push(ShardId(0), numbered_event(static_cast<std::int64_t>(i))));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (group->stats(ShardId(0)).events_total != i + 1) {
      ASSERT_TRUE(std::chrono::steady_clock::now() < deadline) << "event " << i << " was not handled in 5 s";
      std::this_thread::yield();
    }
    if (i % 10 == 0) {
      EXPECT_EQ(group->submit_to(ShardId(0), [] { return 1; }).get(), 1);
    }
  }
  group->stop();
  EXPECT_GT(group->stats(ShardId(0)).sleeps_total, 0u);
}

// idle_spin_us = 0: no spin at all, so the shard is off the CPU for the
// whole lull, and only the push can end a 60 s sleep this early.
TEST(ShardGroupIdle, WithNoSpinAnIdleShardSleepsAtOnceAndAPushWakesIt) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 0;
  options.idle_sleep_ms = 60'000;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  clockid_t clock{};
  ASSERT_TRUE(shard_cpu_clock(*group, clock));
  // The command ended the sleep the shard fell into at start (counted then).
  const std::uint64_t sleeps_before = group->stats(ShardId(0)).sleeps_total;
  const auto cpu_before = thread_cpu_time(clock);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LT(thread_cpu_time(clock) - cpu_before, std::chrono::milliseconds(10));
  EXPECT_EQ(group->stats(ShardId(0)).sleeps_total, sleeps_before) << "a sleep is counted when it ends";

  const auto pushed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(push_and_wait(*group, 1, 1));
  EXPECT_LT(std::chrono::steady_clock::now() - pushed_at, std::chrono::seconds(1));
  EXPECT_EQ(group->stats(ShardId(0)).sleeps_total, sleeps_before + 1);
  group->stop();
  EXPECT_EQ(handlers[0]->ids, (std::vector<std::int64_t>{1}));
}

// The spin is a time, not a count: 20 ms of polling after the queue runs
// dry (the shard is on the CPU), then a sleep (it is not, for the rest of
// the 300 ms lull).
TEST(ShardGroupIdle, AnIdleShardSpinsForIdleSpinUsThenSleeps) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 20'000;
  options.idle_sleep_ms = 60'000;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  clockid_t clock{};
  std::chrono::nanoseconds cpu_before{};
  // The lull starts as this command ends.
  ASSERT_TRUE(group->run_on(ShardId(0), [&] {
    ASSERT_EQ(pthread_getcpuclockid(pthread_self(), &clock), 0);
    cpu_before = thread_cpu_time(clock);
  }));
  const std::uint64_t sleeps_before = group->stats(ShardId(0)).sleeps_total;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto spun = thread_cpu_time(clock) - cpu_before;
  // A loaded machine may give the spinning thread less than its 20 ms.
  EXPECT_GT(spun, std::chrono::milliseconds(2));
  EXPECT_LT(spun, std::chrono::milliseconds(100));
  ASSERT_TRUE(push_and_wait(*group, 1, 1));
  EXPECT_EQ(group->stats(ShardId(0)).sleeps_total, sleeps_before + 1);
  group->stop();
}

// busy_poll: the shard never sleeps, yet events still flow after a lull and
// on_idle keeps its idle_sleep_ms cadence.
TEST(ShardGroupIdle, WithBusyPollingAShardNeverSleepsAndStillHandlesEvents) {
  ShardGroupOptions options = small_options(1, 8);
  options.busy_poll = true;
  options.idle_spin_us = 0;  // unused when busy polling
  options.idle_sleep_ms = 10;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  clockid_t clock{};
  ASSERT_TRUE(shard_cpu_clock(*group, clock));
  for (std::int64_t round = 0; round < 3; ++round) {
    const auto cpu_before = thread_cpu_time(clock);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // Spinning, it is on the CPU for much of the lull (loaded machines share it).
    EXPECT_GT(thread_cpu_time(clock) - cpu_before, std::chrono::milliseconds(5)) << "round " << round;
    ASSERT_TRUE(push_and_wait(*group, round, static_cast<std::uint64_t>(round + 1)));
  }
  EXPECT_EQ(group->stats(ShardId(0)).sleeps_total, 0u);
  group->stop();
  EXPECT_EQ(group->stats(ShardId(0)).sleeps_total, 0u);
  EXPECT_EQ(handlers[0]->ids, (std::vector<std::int64_t>{0, 1, 2}));
  // 150 ms of lulls at one call per 10 ms; one call per poll would be millions.
  EXPECT_GE(handlers[0]->idles.load(), 6);
  EXPECT_LE(handlers[0]->idles.load(), 40);
}

TEST(ShardGroupIdle, OnIdleRunsWhenTheQueueRunsDryAndAfterEachIdleSleep) {
  ShardGroupOptions options = small_options(1, 8);
  options.idle_spin_us = 1;
  options.idle_sleep_ms = 20;
  auto [group, handlers] = make_recording_group(options);
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  group->stop();
  // About 300 / 20 = 15 sleeps; one call per empty poll would be thousands.
  EXPECT_GE(handlers[0]->idles.load(), 3);
  EXPECT_LE(handlers[0]->idles.load(), 40);
}

TEST(ShardGroupOptionsCheck, RefusesBadOptionsNamingEveryProblem) {
  ShardGroupOptions options;
  options.shard_count = 2;
  options.queue_capacity = 0;
  options.idle_spin_us = -1;
  options.cpus = {0, 1, 2};
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  handlers.push_back(std::make_unique<RecordingHandler>());
  auto created = ShardGroup::create(options, std::move(handlers));
  ASSERT_FALSE(created);
  EXPECT_TRUE(created.status().is_invalid_input());
  EXPECT_EQ(created.error(),
            "reactor: queue_capacity must be in 1..16777216, got 0; idle_spin_us must be at least 0, got -1; "
            "cpus lists 3 CPUs for 2 shards; "
            "1 handlers for 2 shards");
}

TEST(ShardGroupOptionsCheck, StartTwiceIsAnError) {
  auto [group, handlers] = make_recording_group(small_options(1, 8));
  ASSERT_TRUE(group);
  ASSERT_TRUE(group->start());
  const Status again = group->start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.message(), "reactor: start() called twice");
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

// A handler as slow as a bad plugin: 20 ms an event.
class SlowHandler : public ShardHandler {
 public:
  void on_event(const ShardEvent&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    handled.fetch_add(1);
  }
  std::atomic<std::uint64_t> handled{0};
};

// Issue 13, finding 10: a slow plugin left SIGTERM draining for minutes.
// stop() gives the queue drain_timeout, then the shard leaves the rest,
// counted, after the event in hand.
TEST(ShardGroupStop, TheDrainIsBoundedAndWhatIsLeftIsCounted) {
  ShardGroupOptions options;
  options.queue_capacity = 1024;
  options.drain_timeout = std::chrono::milliseconds(200);
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  auto* slow = new SlowHandler();
  handlers.emplace_back(slow);
  auto group = ShardGroup::create(options, std::move(handlers));
  ASSERT_TRUE(group) << group.error();
  ASSERT_TRUE(group.value()->start());
  for (std::int64_t id = 1; id <= 500; ++id) ASSERT_TRUE(group.value()->try_push(ShardId(0), numbered_event(id)));
  const auto started = std::chrono::steady_clock::now();
  group.value()->stop();
  const auto took = std::chrono::steady_clock::now() - started;
  // 500 events would take 10 s; the bound, plus the event in hand, a fraction.
  EXPECT_LT(took, std::chrono::seconds(2));
  const ShardStats stats = group.value()->stats(ShardId(0));
  EXPECT_GT(stats.abandoned_total, 400u);
  EXPECT_EQ(stats.events_total + stats.abandoned_total, 500u);
  EXPECT_EQ(slow->handled.load(), stats.events_total);
}

TEST(ShardGroupStop, AQueueThatDrainsInTimeLeavesNothing) {
  ShardGroupOptions options;
  options.drain_timeout = std::chrono::milliseconds(5000);
  auto made = make_recording_group(options, 1000);
  ASSERT_TRUE(made.group);
  ASSERT_TRUE(made.group->start());
  for (std::int64_t id = 1; id <= 1000; ++id) ASSERT_TRUE(made.group->try_push(ShardId(0), numbered_event(id)));
  made.group->stop();
  EXPECT_EQ(made.group->stats(ShardId(0)).abandoned_total, 0u);
  EXPECT_EQ(made.handlers[0]->ids.size(), 1000u);
}

}  // namespace
}  // namespace alphastream
