// A span of transact times, [from_ms, to_ms): what --from and --to select.
#pragma once

#include <cstdint>
#include <limits>

namespace alphastream {

struct TimeRange {
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();

  bool contains(std::int64_t t) const { return t >= from_ms && t < to_ms; }
  // Whether [first_ms, end_ms) can hold a time of the range.
  bool overlaps(std::int64_t first_ms, std::int64_t end_ms) const { return first_ms < to_ms && end_ms > from_ms; }
};

}  // namespace alphastream
