// Handlers and helpers shared by the reactor tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "reactor/shard_group.h"

namespace alphastream::testing {

inline ShardEvent numbered_event(std::int64_t id) {
  AggTrade trade;
  trade.symbol = Symbol("BTCUSDT");
  trade.agg_trade_id = id;
  return ShardEvent::of_trade(trade, id);
}

// Keeps the id of every trade it handles, in order. Read `ids` only on the
// shard thread or after stop(); the atomics at any time.
class RecordingHandler : public ShardHandler {
 public:
  explicit RecordingHandler(std::size_t expected_events = 0) { ids.reserve(expected_events); }

  void on_event(const ShardEvent& event) override {
    ids.push_back(event.trade.agg_trade_id);
    event_thread = std::this_thread::get_id();
  }
  void on_batch_end() override { batch_ends.fetch_add(1, std::memory_order_relaxed); }
  void on_idle() override { idles.fetch_add(1, std::memory_order_relaxed); }
  void on_stop() override {
    events_at_stop = ids.size();
    stop_thread = std::this_thread::get_id();
  }

  std::vector<std::int64_t> ids;
  std::thread::id event_thread;
  std::thread::id stop_thread;
  std::size_t events_at_stop = 0;
  std::atomic<int> batch_ends{0};
  std::atomic<int> idles{0};
};

struct RecordingGroup {
  std::unique_ptr<ShardGroup> group;
  std::vector<RecordingHandler*> handlers;  // owned by the group
};

// REQUIRES: options are valid (the caller's test fails otherwise).
inline RecordingGroup make_recording_group(const ShardGroupOptions& options, std::size_t expected_events = 0) {
  RecordingGroup made;
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  for (std::uint32_t i = 0; i < options.shard_count; ++i) {
    auto handler = std::make_unique<RecordingHandler>(expected_events);
    made.handlers.push_back(handler.get());
    handlers.push_back(std::move(handler));
  }
  auto created = ShardGroup::create(options, std::move(handlers));
  if (created) made.group = std::move(created.value());
  return made;
}

// Polls `done` every millisecond for up to `limit`.
template <class Predicate>
bool wait_until(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Holds a shard's thread inside a control command, so nothing takes events
// from its queue until release().
class ShardPause {
 public:
  ShardPause(ShardGroup& group, ShardId shard) {
    std::future<void> entered = entered_.get_future();
    std::shared_future<void> released = release_.get_future().share();
    done_ = group.submit_to(shard, [this, released] {
      entered_.set_value();
      released.wait();
    });
    entered.wait();
  }
  ~ShardPause() { release(); }

  void release() {
    if (released_) return;
    released_ = true;
    release_.set_value();
    done_.get();
  }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::future<void> done_;
  bool released_ = false;
};

}  // namespace alphastream::testing
