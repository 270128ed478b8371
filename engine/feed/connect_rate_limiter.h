// Binance limits new websocket connections per IP address (300 in 5
// minutes), not per client: every client of a process takes its connection
// attempts from one limiter, so reloads that replace clients cannot burst
// past the limit. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

namespace alphastream {

class ConnectRateLimiter {
 public:
  // REQUIRES: max_per_window > 0, window > 0.
  ConnectRateLimiter(std::size_t max_per_window, std::chrono::milliseconds window)
      : window_(window), times_(max_per_window, std::chrono::steady_clock::time_point::min()) {}

  // Zero, counting an attempt at `now`, when one may start now; otherwise how
  // long until one may (nothing counted).
  std::chrono::milliseconds try_acquire(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    // The ring holds the last max_per_window attempts, oldest at next_.
    const auto oldest = times_[next_];
    if (oldest != std::chrono::steady_clock::time_point::min() && now - oldest < window_) {
      return std::chrono::ceil<std::chrono::milliseconds>(oldest + window_ - now);
    }
    times_[next_] = now;
    next_ = (next_ + 1) % times_.size();
    return std::chrono::milliseconds(0);
  }

 private:
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> times_;
  std::size_t next_ = 0;
};

}  // namespace alphastream
