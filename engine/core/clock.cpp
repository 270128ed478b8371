#include "core/clock.h"

namespace alphastream {

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

ManualClock::ManualClock()
    : steady_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count()),
      wall_ns_(SystemClock().wall_ns()) {}

void ManualClock::advance(std::chrono::nanoseconds step) noexcept {
  if (step.count() <= 0) return;
  steady_ns_.fetch_add(step.count(), std::memory_order_acq_rel);
  wall_ns_.fetch_add(step.count(), std::memory_order_acq_rel);
}

}  // namespace alphastream
