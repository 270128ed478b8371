// Sampling intervals are [k*I, (k+1)*I) on the Unix epoch. Every pipeline
// finds an interval's end here, so pair and symbol rows agree on their
// boundaries.
#pragma once

#include <cstdint>
#include <limits>

namespace alphastream {

// The end of the interval of length interval_ms that holds t. Saturates at
// the int64 limits instead of overflowing: no time the engine accepts comes
// near them, but no input may make the arithmetic undefined either.
// REQUIRES: interval_ms > 0.
constexpr std::int64_t interval_end_containing(std::int64_t t, std::int64_t interval_ms) {
  // Floor division, so times before the epoch fall in the right interval too.
  std::int64_t k = t / interval_ms;
  if (t % interval_ms < 0) --k;
  std::int64_t end = 0;
  if (k == std::numeric_limits<std::int64_t>::max() || __builtin_mul_overflow(k + 1, interval_ms, &end)) {
    return k >= 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  }
  return end;
}

}  // namespace alphastream
