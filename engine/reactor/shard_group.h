// Shard reactors, after seastar: N threads, each optionally pinned to a CPU,
// each the only owner of its handler (its symbols' and pairs' pipelines).
// The one I/O thread hands them events through bounded queues; any thread
// hands them rare control commands (config reload, add or remove a pair,
// snapshots). Nothing is shared between shards, so nothing is locked.
//
// Hot path: try_push and the shard loop take no lock and allocate nothing:
// each queue is a moodycamel::ConcurrentQueue whose blocks are all allocated
// (and touched) by create(), written through one ProducerToken. The exact
// capacity comes from the group's own counters, not from the queue's blocks.
//
// Idle: a shard with nothing to do keeps polling for idle_spin_us (by the
// CPU's pause instruction, reading the clock only every 64 polls), then
// sleeps on a semaphore until a push, a command or stop() wakes it, or
// idle_sleep_ms passes. Spinning keeps the latency of a trade after a short
// lull at the cost of a busy core; sleeping keeps an idle service off the CPU
// at the cost of a futex wake-up for the first trade after a longer lull
// (some microseconds on a quiet machine, milliseconds on a loaded one).
// idle_spin_us = 0 sleeps at once; busy_poll never sleeps, for a shard on a
// core of its own. A push costs one full fence so that it never misses a
// sleeping shard.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "core/status.h"
#include "reactor/shard_event.h"
#include "reactor/shard_map.h"

namespace alphastream {

struct ShardGroupOptions {
  std::uint32_t shard_count = 1;       // engine.cores
  std::size_t queue_capacity = 65536;  // engine.queue_capacity: events waiting per shard
  std::vector<int> cpus;               // empty: not pinned; else shard i runs on CPU cpus[i]
  std::size_t max_batch = 256;         // most events taken from a queue at once
  // engine.idle_spin_us: how long an idle shard polls before it sleeps; 0
  // sleeps at once. 250 us is about what the former 10,000 polls took.
  std::int64_t idle_spin_us = 250;
  bool busy_poll = false;            // engine.busy_poll: never sleep (idle_spin_us is unused)
  std::int64_t idle_sleep_ms = 100;  // longest sleep; on_idle runs after each (and as often when busy polling)
  // engine.drain_timeout_s: how long stop() lets the shards work through
  // their queues; past it each shard abandons what is left (counted) after
  // the event in hand, so a slow plugin cannot hold a SIGTERM for minutes.
  std::chrono::milliseconds drain_timeout{10'000};
};

// What a shard does with its events. Every method runs on the shard's thread
// only, so a handler needs no locks. Methods must not throw.
class ShardHandler {
 public:
  virtual ~ShardHandler() = default;

  // Each event in the order try_push accepted it.  [shard thread]
  virtual void on_event(const ShardEvent& event) = 0;
  // After the events taken from the queue at once.  [shard thread]
  virtual void on_batch_end() {}
  // When the queue runs dry, and after each idle_sleep_ms without work, asleep
  // or busy polling.  [shard thread]
  virtual void on_idle() {}
  // Once, after stop() drained every event and command.  [shard thread]
  virtual void on_stop() {}
};

// Counters of one shard, read from any thread without a lock. Each is exact
// when read; they are read one by one, so sums across fields may be a few
// events apart while the shard runs.
struct ShardStats {
  std::uint64_t pushed_total = 0;    // events try_push accepted
  std::uint64_t dropped_total = 0;   // events try_push refused: queue full, or stopped
  std::uint64_t events_total = 0;    // events handled by on_event
  std::uint64_t batches_total = 0;   // non-empty takes from the queue
  std::uint64_t commands_total = 0;  // control commands run
  std::uint64_t sleeps_total = 0;    // times the shard slept for lack of work (never when busy polling)
  std::uint64_t queue_depth = 0;     // accepted events the shard has not yet taken
  std::uint64_t max_batch = 0;       // most events taken at once
  std::uint64_t abandoned_total = 0; // events left unhandled when stop()'s drain ran out of time
};

class ShardGroup {
 public:
  // Checks the options (all problems at once, as invalid_input) and
  // preallocates every queue, filling it once so its pages are resident.
  // Starts no thread. handlers[i] becomes shard i's handler.
  static Result<std::unique_ptr<ShardGroup>> create(ShardGroupOptions options,
                                                    std::vector<std::unique_ptr<ShardHandler>> handlers);

  ShardGroup(const ShardGroup&) = delete;
  ShardGroup& operator=(const ShardGroup&) = delete;
  ~ShardGroup();  // stop()

  // Starts the shard threads, named "as-shard-<i>" and pinned to cpus[i].
  // Returns once every shard runs, or the errors of the shards that could not
  // be placed (the group is then stopped). Events pushed and commands
  // submitted before start() wait in the queues.
  // REQUIRES: called once, not concurrently with stop().
  Status start();

  // Refuses further events and commands, lets every shard handle all events
  // and commands accepted before, runs each handler's on_stop, joins the
  // threads. Takes as long as the shards need for what is queued, up to
  // drain_timeout; then each shard abandons the rest after the event in hand
  // (stats().abandoned_total). Idempotent.
  // REQUIRES: no try_push runs concurrently (stop the producer first, or call
  // this from it); not called from a shard thread.
  void stop();

  // Queues `event` for `shard`. Returns false, and counts a drop for that
  // shard, when queue_capacity events are waiting or after stop(). Never
  // blocks, never allocates.
  // REQUIRES: shard.index() < shard_count(); all calls from one thread (the
  // producer) at a time.
  bool try_push(ShardId shard, const ShardEvent& event);

  // Runs fn() on `shard`'s thread, between events, and gives its result or
  // exception through the future. Order: fn runs after every event whose
  // try_push returned before this call (happens-before); when the producer
  // thread itself submits, fn also runs before every event it pushes after
  // this call, so commands and events interleave exactly as submitted.
  // Commands run in submission order. After stop() the future holds a
  // std::runtime_error. Allocates; for the control plane only.
  template <class F>
  auto submit_to(ShardId shard, F fn) -> std::future<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
    std::future<R> result = task->get_future();
    Status queued = enqueue_command(shard, [task] { (*task)(); });
    if (queued.is_ok()) return result;
    std::promise<R> refused;
    refused.set_exception(std::make_exception_ptr(std::runtime_error(queued.message())));
    return refused.get_future();
  }

  // submit_to and wait. Returns an error naming the shard when it is stopped,
  // when fn throws (with what()), or when called from that shard's own thread
  // (it would wait for itself).
  Status run_on(ShardId shard, std::function<void()> fn);

  // Readable from any thread at any time.
  ShardStats stats(ShardId shard) const;

  std::uint32_t shard_count() const { return options_.shard_count; }
  std::size_t queue_capacity() const { return options_.queue_capacity; }

  // REQUIRES: on `shard`'s thread (inside a command), or before start() or
  // after stop().
  ShardHandler& handler(ShardId shard);

 private:
  struct Shard;

  explicit ShardGroup(ShardGroupOptions options);
  Status enqueue_command(ShardId shard, std::function<void()> fn);
  // An idle spell: polls since the queue ran dry, and when it did.
  struct IdleSpin {
    std::uint64_t polls = 0;
    std::chrono::steady_clock::time_point since;
  };
  struct CommandsRun {
    bool ran = false;
    std::uint64_t next_after = UINT64_MAX;  // the first waiting command's after_events
  };

  void run_shard(std::uint32_t index, std::promise<Status>& ready);
  void handle_batch(Shard& shard, std::uint64_t first_sequence, std::size_t count);
  // Runs the commands, in order, that wait for no more than `events_taken` events.
  CommandsRun run_ready_commands(Shard& shard, std::uint64_t events_taken);
  void idle(Shard& shard, std::uint64_t events_taken, IdleSpin& spin);
  bool has_room(Shard& shard, std::uint64_t pushed);

  const ShardGroupOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  // Read by the producer on every push and by every shard on every loop:
  // kept off the lines the shards write.
  alignas(64) std::atomic<bool> accepting_events_{true};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> abandon_{false};  // the drain ran out of time
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace alphastream
