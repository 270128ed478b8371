// ClockTimer on both clocks: on a manual clock it fires exactly when the
// test moves time past its deadline, never on real time alone; cancel,
// re-arming and destruction complete a pending wait as aborted, even one
// whose time had come; on the system clock it is an ordinary timer.
#include "core/clock_timer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "core/clock.h"

namespace alphastream {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

// An io_context run by a thread of its own until the fixture ends.
class ClockTimerTest : public ::testing::Test {
 protected:
  ClockTimerTest() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~ClockTimerTest() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // Runs f on the io thread and waits for it.
  template <class F>
  void on_io(F f) {
    std::atomic<bool> done{false};
    boost::asio::post(io_, [&] {
      f();
      done = true;
    });
    while (!done) std::this_thread::sleep_for(100us);
  }

  static bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 2000; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(1ms);
    }
    return condition();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// The outcome of one wait: unset while pending.
struct Outcome {
  std::atomic<int> calls{0};
  std::atomic<bool> aborted{false};
  auto handler() {
    return [this](const error_code& ec) {
      aborted = ec == boost::asio::error::operation_aborted;
      ++calls;
    };
  }
};

TEST(ManualClock, StandsStillUntilAdvancedAndMovesBothTimesTogether) {
  ManualClock clock;
  const Clock::SteadyTime steady = clock.steady_now();
  const std::int64_t wall = clock.wall_ns();
  // Starts at the present, so wall-time plausibility checks hold.
  EXPECT_NEAR(static_cast<double>(wall), static_cast<double>(system_clock().wall_ns()), 60e9);
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(clock.steady_now(), steady);
  EXPECT_EQ(clock.wall_ns(), wall);
  clock.advance(1500ms);
  EXPECT_EQ(clock.steady_now() - steady, 1500ms);
  EXPECT_EQ(clock.wall_ns() - wall, 1'500'000'000);
  EXPECT_EQ(clock.wall_ms(), (wall + 1'500'000'000) / 1'000'000);
  clock.advance(-5s);  // time does not go back
  EXPECT_EQ(clock.steady_now() - steady, 1500ms);
  clock.set_wall_ns(42);
  EXPECT_EQ(clock.wall_ns(), 42);
  EXPECT_EQ(clock.steady_now() - steady, 1500ms);
}

TEST_F(ClockTimerTest, OnAManualClockFiresOnlyWhenTimePassesTheDeadline) {
  ManualClock clock;
  ClockTimer timer(io_, clock);
  Outcome outcome;
  on_io([&] {
    timer.expires_after(5s);
    timer.async_wait(outcome.handler());
  });
  std::this_thread::sleep_for(30ms);  // real time alone moves nothing
  EXPECT_EQ(outcome.calls, 0);
  clock.advance(4999ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(outcome.calls, 0) << "fired 1 ms early";
  clock.advance(1ms);
  EXPECT_TRUE(eventually([&] { return outcome.calls == 1; }));
  EXPECT_FALSE(outcome.aborted);
}

TEST_F(ClockTimerTest, CancelAndReArmingAbortThePendingWait) {
  ManualClock clock;
  ClockTimer timer(io_, clock);
  Outcome cancelled, rearmed, last;
  on_io([&] {
    timer.expires_after(1s);
    timer.async_wait(cancelled.handler());
    timer.cancel();
  });
  EXPECT_TRUE(eventually([&] { return cancelled.calls == 1; }));
  EXPECT_TRUE(cancelled.aborted);

  on_io([&] {
    timer.expires_after(1s);
    timer.async_wait(rearmed.handler());
    timer.expires_after(2s);
    timer.async_wait(last.handler());
  });
  EXPECT_TRUE(eventually([&] { return rearmed.calls == 1; }));
  EXPECT_TRUE(rearmed.aborted);
  clock.advance(1s);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(last.calls, 0);
  clock.advance(1s);
  EXPECT_TRUE(eventually([&] { return last.calls == 1; }));
  EXPECT_FALSE(last.aborted);
}

// Two timers whose time has come complete in the same pass of the reactor,
// and each handler cancels the other. asio's own timers would both report
// success (the second was already due when cancelled); here the second is
// aborted, so a watchdog cancelled by a message never fires after it.
TEST_F(ClockTimerTest, ACancelAfterTheDeadlineButBeforeTheHandlerStillAborts) {
  ManualClock clock;
  ClockTimer first(io_, clock);
  ClockTimer second(io_, clock);
  std::atomic<int> succeeded{0}, aborted{0};
  const auto handler = [&](ClockTimer& other) {
    return [&](const error_code& ec) {
      (ec ? aborted : succeeded)++;
      other.cancel();
    };
  };
  on_io([&] {
    first.expires_at(clock.steady_now() - 1s);
    second.expires_at(clock.steady_now() - 1s);
    first.async_wait(handler(second));
    second.async_wait(handler(first));
  });
  EXPECT_TRUE(eventually([&] { return succeeded + aborted == 2; }));
  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(aborted, 1);
}

TEST_F(ClockTimerTest, DestroyingTheTimerAbortsItsWait) {
  ManualClock clock;
  Outcome outcome;
  on_io([&] {
    auto timer = std::make_unique<ClockTimer>(io_, clock);
    timer->expires_after(1s);
    timer->async_wait(outcome.handler());
    timer.reset();
  });
  clock.advance(2s);
  EXPECT_TRUE(eventually([&] { return outcome.calls == 1; }));
  EXPECT_TRUE(outcome.aborted);
}

TEST_F(ClockTimerTest, OnTheSystemClockItIsAnOrdinaryTimer) {
  ClockTimer timer(io_, system_clock());
  Outcome outcome;
  const auto started = std::chrono::steady_clock::now();
  on_io([&] {
    timer.expires_after(20ms);
    timer.async_wait(outcome.handler());
  });
  EXPECT_TRUE(eventually([&] { return outcome.calls == 1; }));
  EXPECT_FALSE(outcome.aborted);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 20ms);
  EXPECT_GE(timer.expiry(), started + 20ms);
}

}  // namespace
}  // namespace alphastream
