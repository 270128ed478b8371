// Time as the engine reads it. Production code reads SystemClock; tests
// hand a ManualClock to the shards, the feed client, the simulator, the
// recorder and the metrics server and move time by hand, so a 5 s timeout
// is checked in milliseconds of real time and a latency figure is exact.
//
// Timers on a Clock are ClockTimer (core/clock_timer.h); a thread that
// sleeps until a deadline sleeps at most max_real_wait() at a time and then
// reads the clock again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace alphastream {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  // Monotonic time, for deadlines, timeouts and rates. [any thread]
  virtual SteadyTime steady_now() const noexcept = 0;
  // Wall time in nanoseconds since the Unix epoch, for exchange-time
  // windows, interval closing and tick-to-signal latency. [any thread]
  virtual std::int64_t wall_ns() const noexcept = 0;
  std::int64_t wall_ms() const noexcept { return wall_ns() / 1'000'000; }

  // The longest real sleep before a waiter reads this clock again: a
  // deadline on the system clock is one sleep; on a manual clock, whose
  // time jumps when a test says so, a short poll.
  virtual std::chrono::nanoseconds max_real_wait() const noexcept = 0;
};

// std::chrono::steady_clock and system_clock.
class SystemClock final : public Clock {
 public:
  SteadyTime steady_now() const noexcept override { return std::chrono::steady_clock::now(); }
  std::int64_t wall_ns() const noexcept override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::nanoseconds max_real_wait() const noexcept override { return std::chrono::hours(24); }
};

// The process's system clock: the default wherever a Clock is injected.
const Clock& system_clock();

// Stands still until advanced; both times move together. Starts at the real
// clocks' current readings, so time-plausibility checks against the wall
// clock see a present-day time.
class ManualClock final : public Clock {
 public:
  ManualClock();

  SteadyTime steady_now() const noexcept override {
    return SteadyTime(std::chrono::nanoseconds(steady_ns_.load(std::memory_order_acquire)));
  }
  std::int64_t wall_ns() const noexcept override { return wall_ns_.load(std::memory_order_acquire); }
  std::chrono::nanoseconds max_real_wait() const noexcept override { return std::chrono::milliseconds(1); }

  // Moves both clocks forward by step (>= 0). [any thread]
  void advance(std::chrono::nanoseconds step) noexcept;
  // Sets the wall clock alone (the steady clock never goes back). [any thread]
  void set_wall_ns(std::int64_t wall_ns) noexcept { wall_ns_.store(wall_ns, std::memory_order_release); }

 private:
  std::atomic<std::int64_t> steady_ns_;
  std::atomic<std::int64_t> wall_ns_;
};

}  // namespace alphastream
