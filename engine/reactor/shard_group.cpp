#include "reactor/shard_group.h"

#include <algorithm>

#include <concurrentqueue/concurrentqueue.h>
#include <concurrentqueue/lightweightsemaphore.h>

#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "reactor/thread_placement.h"

namespace alphastream {
namespace {

using EventQueue = moodycamel::ConcurrentQueue<ShardEvent>;
constexpr std::size_t kBlockSize = EventQueue::BLOCK_SIZE;

// Largest queue_capacity accepted: beyond it a typo, not a plan (~1.8 GB of
// events per shard).
constexpr std::size_t kMaxQueueCapacity = std::size_t{1} << 24;

// A poll with its pause takes tens of nanoseconds and a clock read about as
// much: reading it every 64 polls keeps the spin's cost in the polls while
// ending it within a few microseconds of idle_spin_us.
constexpr std::uint64_t kPollsPerClockRead = 64;

// Slots to preallocate. try_enqueue takes blocks only from this pool, and the
// producer's block index is sized from the pool, so nothing grows later. The
// one producer keeps the blocks it took in a ring and reuses the oldest once
// empty; it takes another only when crossing into a new block while the
// oldest still holds an event. At most capacity - 1 events wait then, which
// span at most ceil((capacity - 1) / B) blocks, plus the new one:
// ceil(capacity / B) + 1 blocks cover it.
std::size_t pool_slots(std::size_t capacity) { return ((capacity + kBlockSize - 1) / kBlockSize + 1) * kBlockSize; }

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

std::string shard_name(std::uint32_t index) { return "shard " + std::to_string(index); }

// Single-writer counters: the owner adds with a load and a store, which
// compiles to plain moves where a fetch_add would be a locked instruction.
void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

struct ShardGroup::Shard {
  Shard(std::size_t capacity, std::size_t max_batch, std::unique_ptr<ShardHandler> h)
      : queue(pool_slots(capacity)), producer(queue), batch(max_batch), handler(std::move(h)) {}

  EventQueue queue;

  // Written by the producer thread only.
  struct alignas(64) ProducerSide {
    explicit ProducerSide(EventQueue& queue) : token(queue) {}
    moodycamel::ProducerToken token;
    std::atomic<std::uint64_t> pushed_total{0};
    std::atomic<std::uint64_t> dropped_total{0};
    std::uint64_t taken_seen = 0;  // a stale copy of ConsumerSide::taken_total
  } producer;

  // Written by the shard thread only.
  struct alignas(64) ConsumerSide {
    std::atomic<std::uint64_t> taken_total{0};  // events dequeued: frees capacity
    std::atomic<std::uint64_t> events_total{0};
    std::atomic<std::uint64_t> batches_total{0};
    std::atomic<std::uint64_t> commands_total{0};
    std::atomic<std::uint64_t> sleeps_total{0};
    std::atomic<std::uint64_t> max_batch{0};
    std::atomic<std::uint64_t> abandoned_total{0};
    std::atomic<bool> finished{false};  // run_shard returned
  } consumer;

  // The producer reads `sleeping` after every push; only sleep and wake-up
  // write this line.
  struct alignas(64) WakeSide {
    std::atomic<bool> sleeping{false};
    // No spinning inside: the shard loop has spun already.
    moodycamel::LightweightSemaphore semaphore{0, 0};
  } wake;

  struct Command {
    std::uint64_t after_events;  // runs once this many events were taken
    std::function<void()> fn;
  };
  struct alignas(64) ControlSide {
    std::atomic<std::uint32_t> pending{0};  // lets the loop skip the mutex
    std::mutex mutex;
    std::deque<Command> commands;  // guarded by mutex
    bool accepting = true;         // guarded by mutex
  } control;

  std::vector<ShardEvent> batch;  // the shard thread's copy of what it took
  std::unique_ptr<ShardHandler> handler;
  std::thread thread;
  std::thread::id thread_id;
};

namespace {

// Pairs with the fence in ShardGroup::idle: either the shard's last look for
// work sees what the caller published before this call, or this call sees
// the shard asleep and wakes it.
template <class Shard>
void wake_if_sleeping(Shard& shard) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (shard.wake.sleeping.load(std::memory_order_relaxed) &&
      shard.wake.sleeping.exchange(false, std::memory_order_relaxed)) {
    shard.wake.semaphore.signal();
  }
}

Status check_options(const ShardGroupOptions& options, const std::vector<std::unique_ptr<ShardHandler>>& handlers) {
  std::vector<std::string> problems;
  if (options.shard_count == 0) problems.push_back("shard_count must be at least 1");
  if (options.queue_capacity == 0 || options.queue_capacity > kMaxQueueCapacity) {
    problems.push_back("queue_capacity must be in 1.." + std::to_string(kMaxQueueCapacity) + ", got " +
                       std::to_string(options.queue_capacity));
  }
  if (options.max_batch == 0) problems.push_back("max_batch must be at least 1");
  if (options.idle_spin_us < 0) {
    problems.push_back("idle_spin_us must be at least 0, got " + std::to_string(options.idle_spin_us));
  }
  if (options.idle_sleep_ms <= 0) {
    problems.push_back("idle_sleep_ms must be positive, got " + std::to_string(options.idle_sleep_ms));
  }
  if (!options.cpus.empty() && options.cpus.size() != options.shard_count) {
    problems.push_back("cpus lists " + std::to_string(options.cpus.size()) + " CPUs for " +
                       std::to_string(options.shard_count) + " shards");
  }
  if (handlers.size() != options.shard_count) {
    problems.push_back(std::to_string(handlers.size()) + " handlers for " + std::to_string(options.shard_count) +
                       " shards");
  }
  for (std::size_t i = 0; i < handlers.size(); ++i) {
    if (!handlers[i]) problems.push_back("handler " + std::to_string(i) + " is null");
  }
  if (problems.empty()) return Status::ok();
  std::string message = "reactor: ";
  for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  return Status::invalid_input(message);
}

// Fills the queue to capacity and empties it: proves the preallocated blocks
// hold it and takes every block into the producer's ring, so no page is first
// touched on the hot path.
bool prefault(EventQueue& queue, moodycamel::ProducerToken& token, std::size_t capacity) {
  const ShardEvent blank{};
  for (std::size_t i = 0; i < capacity; ++i) {
    if (!queue.try_enqueue(token, blank)) return false;
  }
  moodycamel::ConsumerToken consumer(queue);
  ShardEvent sink;
  std::size_t drained = 0;
  while (queue.try_dequeue(consumer, sink)) ++drained;
  return drained == capacity;
}

}  // namespace

ShardGroup::ShardGroup(ShardGroupOptions options) : options_(std::move(options)) {}

ShardGroup::~ShardGroup() { stop(); }

Result<std::unique_ptr<ShardGroup>> ShardGroup::create(ShardGroupOptions options,
                                                       std::vector<std::unique_ptr<ShardHandler>> handlers) {
  if (Status valid = check_options(options, handlers); !valid) return valid;
  std::unique_ptr<ShardGroup> group(new ShardGroup(std::move(options)));
  const ShardGroupOptions& o = group->options_;
  for (std::uint32_t i = 0; i < o.shard_count; ++i) {
    auto shard = std::make_unique<Shard>(o.queue_capacity, o.max_batch, std::move(handlers[i]));
    if (!prefault(shard->queue, shard->producer.token, o.queue_capacity)) {
      return Status::error(shard_name(i) + ": could not preallocate a queue of " + std::to_string(o.queue_capacity) +
                           " events (" + std::to_string(o.queue_capacity * sizeof(ShardEvent) >> 20) + " MiB)");
    }
    group->shards_.push_back(std::move(shard));
  }
  return group;
}

Status ShardGroup::start() {
  if (started_) return Status::error("reactor: start() called twice");
  if (stopped_) return Status::error("reactor: start() after stop()");
  started_ = true;
  std::vector<std::promise<Status>> ready(shards_.size());
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    Shard& shard = *shards_[i];
    shard.thread = std::thread([this, i, &promise = ready[i]] { run_shard(static_cast<std::uint32_t>(i), promise); });
  }
  std::string errors;
  bool invalid_input = true;
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    Status placed = ready[i].get_future().get();
    if (placed) continue;
    errors += (errors.empty() ? "" : "; ") + shard_name(static_cast<std::uint32_t>(i)) + ": " + placed.message();
    invalid_input = invalid_input && placed.is_invalid_input();
  }
  if (errors.empty()) return Status::ok();
  stop();
  return invalid_input ? Status::invalid_input(errors) : Status::error(errors);
}

void ShardGroup::stop() {
  accepting_events_.store(false, std::memory_order_relaxed);
  if (!started_ || stopped_) {
    stopped_ = true;
    return;
  }
  stopped_ = true;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->control.mutex);
    shard->control.accepting = false;
  }
  stop_requested_.store(true, std::memory_order_seq_cst);
  for (auto& shard : shards_) wake_if_sleeping(*shard);
  const auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
  const auto all_finished = [&] {
    return std::all_of(shards_.begin(), shards_.end(), [](const auto& shard) {
      return !shard->thread.joinable() || shard->consumer.finished.load(std::memory_order_acquire);
    });
  };
  while (!all_finished() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!all_finished()) {
    abandon_.store(true, std::memory_order_release);
    for (auto& shard : shards_) wake_if_sleeping(*shard);
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
}

bool ShardGroup::has_room(Shard& shard, std::uint64_t pushed) {
  auto& producer = shard.producer;
  if (pushed - producer.taken_seen < options_.queue_capacity) return true;
  producer.taken_seen = shard.consumer.taken_total.load(std::memory_order_acquire);
  return pushed - producer.taken_seen < options_.queue_capacity;
}

bool ShardGroup::try_push(ShardId id, const ShardEvent& event) {
  Shard& shard = *shards_[id.index()];
  auto& producer = shard.producer;
  const std::uint64_t pushed = producer.pushed_total.load(std::memory_order_relaxed);
  // try_enqueue takes blocks only from the preallocated pool; sized by
  // pool_slots, it cannot fail while has_room holds.
  if (!accepting_events_.load(std::memory_order_relaxed) || !has_room(shard, pushed) ||
      !shard.queue.try_enqueue(producer.token, event)) {
    bump(producer.dropped_total);
    return false;
  }
  producer.pushed_total.store(pushed + 1, std::memory_order_relaxed);
  wake_if_sleeping(shard);
  return true;
}

Status ShardGroup::enqueue_command(ShardId id, std::function<void()> fn) {
  if (id.index() >= shards_.size()) {
    return Status::error("reactor: no shard " + std::to_string(id.index()) + " among " +
                         std::to_string(shards_.size()));
  }
  Shard& shard = *shards_[id.index()];
  {
    std::lock_guard lock(shard.control.mutex);
    if (!shard.control.accepting) return Status::error(shard_name(id.index()) + ": stopped");
    // The producer's own count: a push that returned before this call is in it.
    const std::uint64_t after = shard.producer.pushed_total.load(std::memory_order_relaxed);
    shard.control.commands.push_back({after, std::move(fn)});
    shard.control.pending.fetch_add(1, std::memory_order_release);
  }
  wake_if_sleeping(shard);
  return Status::ok();
}

Status ShardGroup::run_on(ShardId id, std::function<void()> fn) {
  const std::string where = shard_name(id.index());
  if (id.index() < shards_.size() && std::this_thread::get_id() == shards_[id.index()]->thread_id) {
    return Status::error(where + ": run_on from its own thread would wait for itself");
  }
  auto task = std::make_shared<std::packaged_task<void()>>(std::move(fn));
  std::future<void> done = task->get_future();
  if (Status queued = enqueue_command(id, [task] { (*task)(); }); !queued) return queued;
  try {
    done.get();
  } catch (const std::exception& e) {
    return Status::error(where + ": " + e.what());
  } catch (...) {
    return Status::error(where + ": command threw a non-standard exception");
  }
  return Status::ok();
}

ShardStats ShardGroup::stats(ShardId id) const {
  const Shard& shard = *shards_[id.index()];
  constexpr auto relaxed = std::memory_order_relaxed;
  ShardStats stats;
  // Taken before pushed, so depth never reads negative.
  const std::uint64_t taken = shard.consumer.taken_total.load(relaxed);
  stats.pushed_total = shard.producer.pushed_total.load(relaxed);
  stats.dropped_total = shard.producer.dropped_total.load(relaxed);
  stats.events_total = shard.consumer.events_total.load(relaxed);
  stats.batches_total = shard.consumer.batches_total.load(relaxed);
  stats.commands_total = shard.consumer.commands_total.load(relaxed);
  stats.sleeps_total = shard.consumer.sleeps_total.load(relaxed);
  stats.max_batch = shard.consumer.max_batch.load(relaxed);
  stats.abandoned_total = shard.consumer.abandoned_total.load(relaxed);
  stats.queue_depth = stats.pushed_total >= taken ? stats.pushed_total - taken : 0;
  return stats;
}

ShardHandler& ShardGroup::handler(ShardId id) { return *shards_[id.index()]->handler; }

void ShardGroup::run_shard(std::uint32_t index, std::promise<Status>& ready) {
  Shard& shard = *shards_[index];
  shard.thread_id = std::this_thread::get_id();  // published to start() by `ready`
  name_current_thread("as-shard-" + std::to_string(index));
  Status placed = options_.cpus.empty() ? Status::ok() : pin_current_thread(options_.cpus[index]);
  const bool running = placed.is_ok();
  ready.set_value(std::move(placed));  // start() may return now: `ready` is gone
  if (!running) return;

  moodycamel::ConsumerToken token(shard.queue);
  std::uint64_t taken = 0;
  IdleSpin spin;
  for (;;) {
    if (abandon_.load(std::memory_order_acquire)) {
      // The producer has stopped: what it pushed and we did not take is left.
      const std::uint64_t pushed = shard.producer.pushed_total.load(std::memory_order_acquire);
      bump(shard.consumer.abandoned_total, pushed - taken);
      break;
    }
    // Read before looking at the queue: once stop is seen, an empty queue
    // means every accepted event was taken.
    const bool stopping = stop_requested_.load(std::memory_order_acquire);
    const std::size_t count = shard.queue.try_dequeue_bulk(token, shard.batch.data(), shard.batch.size());
    if (count > 0) {
      // The events are copied out: their slots are free for the producer.
      shard.consumer.taken_total.store(taken + count, std::memory_order_release);
      handle_batch(shard, taken, count);
      taken += count;
      spin.polls = 0;
      continue;
    }
    if (run_ready_commands(shard, taken).ran) {
      spin.polls = 0;
      continue;
    }
    if (stopping) break;
    idle(shard, taken, spin);
  }
  shard.handler->on_stop();
  shard.consumer.finished.store(true, std::memory_order_release);
}

void ShardGroup::handle_batch(Shard& shard, std::uint64_t first_sequence, std::size_t count) {
  std::size_t i = 0;
  while (i < count) {
    std::size_t end = count;
    // A command waiting for event k runs between events k - 1 and k, even
    // inside a batch.
    if (shard.control.pending.load(std::memory_order_acquire) != 0) {
      const CommandsRun run = run_ready_commands(shard, first_sequence + i);
      if (run.next_after < first_sequence + count) end = static_cast<std::size_t>(run.next_after - first_sequence);
    }
    for (; i < end; ++i) {
      if (abandon_.load(std::memory_order_relaxed)) {
        bump(shard.consumer.abandoned_total, count - i);
        count = i;
        break;
      }
      shard.handler->on_event(shard.batch[i]);
    }
  }
  auto& consumer = shard.consumer;
  bump(consumer.events_total, count);
  bump(consumer.batches_total);
  if (count > consumer.max_batch.load(std::memory_order_relaxed)) {
    consumer.max_batch.store(count, std::memory_order_relaxed);
  }
  shard.handler->on_batch_end();
}

ShardGroup::CommandsRun ShardGroup::run_ready_commands(Shard& shard, std::uint64_t events_taken) {
  CommandsRun run;
  if (shard.control.pending.load(std::memory_order_acquire) == 0) return run;
  for (;;) {
    std::function<void()> fn;
    {
      std::lock_guard lock(shard.control.mutex);
      auto& commands = shard.control.commands;
      if (commands.empty()) return run;
      if (commands.front().after_events > events_taken) {
        run.next_after = commands.front().after_events;
        return run;
      }
      fn = std::move(commands.front().fn);
      commands.pop_front();
      shard.control.pending.fetch_sub(1, std::memory_order_relaxed);
    }
    fn();
    bump(shard.consumer.commands_total);
    run.ran = true;
  }
}

void ShardGroup::idle(Shard& shard, std::uint64_t events_taken, IdleSpin& spin) {
  using Clock = std::chrono::steady_clock;
  if (spin.polls == 0) {
    shard.handler->on_idle();
    spin.since = Clock::now();
  }
  if (options_.busy_poll || options_.idle_spin_us > 0) {
    ++spin.polls;
    if (spin.polls % kPollsPerClockRead != 0) {
      cpu_relax();
      return;
    }
    const auto spun = Clock::now() - spin.since;
    if (options_.busy_poll) {
      // on_idle keeps the cadence it has when the shard sleeps.
      if (spun >= std::chrono::milliseconds(options_.idle_sleep_ms)) spin.polls = 0;
      cpu_relax();
      return;
    }
    if (spun < std::chrono::microseconds(options_.idle_spin_us)) {
      cpu_relax();
      return;
    }
  }
  spin.polls = 0;
  // Announce the sleep, then look once more; see wake_if_sleeping.
  shard.wake.sleeping.store(true, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const bool work = shard.producer.pushed_total.load(std::memory_order_relaxed) != events_taken ||
                    shard.control.pending.load(std::memory_order_relaxed) != 0 ||
                    stop_requested_.load(std::memory_order_relaxed);
  if (!work) {
    shard.wake.semaphore.wait(options_.idle_sleep_ms * 1000);
    bump(shard.consumer.sleeps_total);
  }
  shard.wake.sleeping.store(false, std::memory_order_relaxed);
}

}  // namespace alphastream
