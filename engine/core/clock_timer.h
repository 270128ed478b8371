// A one-shot asio timer that keeps a Clock's time (core/clock.h): on the
// system clock one real wait, on a manual clock a wait re-armed every
// max_real_wait() until the clock, moved by a test, reaches the deadline.
// The interface and its cancellation rules are asio's steady_timer's, made
// strict: setting the expiry, cancel() or destroying the timer completes
// every pending wait with operation_aborted, even one whose time had come.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/clock.h"

namespace alphastream {

class ClockTimer {
 public:
  using SteadyTime = Clock::SteadyTime;

  // executor: an io_context or an executor, as for asio::steady_timer.
  template <class ExecutorOrContext>
  ClockTimer(ExecutorOrContext&& executor, const Clock& clock)
      : state_(std::make_shared<State>(clock, std::forward<ExecutorOrContext>(executor))) {}
  ~ClockTimer() { cancel(); }

  ClockTimer(const ClockTimer&) = delete;
  ClockTimer& operator=(const ClockTimer&) = delete;

  void expires_at(SteadyTime deadline) {
    ++state_->generation;
    state_->deadline = deadline;
    state_->timer.expires_after(state_->real_wait());
  }
  void expires_after(std::chrono::nanoseconds delay) { expires_at(state_->clock->steady_now() + delay); }
  SteadyTime expiry() const { return state_->deadline; }
  void cancel() {
    ++state_->generation;
    state_->timer.cancel();
  }
  const Clock& clock() const { return *state_->clock; }

  // handler(const boost::system::error_code&), run on the timer's executor.
  template <class Handler>
  void async_wait(Handler&& handler) {
    state_->timer.async_wait(Step<std::decay_t<Handler>>{state_, state_->generation, std::forward<Handler>(handler)});
  }

 private:
  // Shared with the pending wait, which outlives the ClockTimer when its
  // real timer had fired but its handler had not run yet.
  struct State {
    template <class ExecutorOrContext>
    State(const Clock& c, ExecutorOrContext&& executor)
        : clock(&c), timer(std::forward<ExecutorOrContext>(executor)) {}

    std::chrono::nanoseconds real_wait() const {
      const SteadyTime now = clock->steady_now();
      if (deadline <= now) return std::chrono::nanoseconds(0);
      return std::min<std::chrono::nanoseconds>(deadline - now, clock->max_real_wait());
    }

    const Clock* clock;
    SteadyTime deadline{};
    // Counts expiry changes and cancels: a wait from an older generation
    // completes as aborted even if its real timer fired first.
    std::uint64_t generation = 0;
    boost::asio::steady_timer timer;
  };

  template <class Handler>
  struct Step {
    std::shared_ptr<State> state;
    std::uint64_t generation;
    Handler handler;
    void operator()(boost::system::error_code ec) {
      if (!ec && state->generation != generation) ec = boost::asio::error::operation_aborted;
      if (!ec && state->clock->steady_now() < state->deadline) {
        State& s = *state;
        s.timer.expires_after(s.real_wait());
        s.timer.async_wait(std::move(*this));
        return;
      }
      handler(ec);
    }
  };

  std::shared_ptr<State> state_;
};

}  // namespace alphastream
