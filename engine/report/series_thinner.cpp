#include "report/series_thinner.h"

#include <algorithm>
#include <cmath>

namespace alphastream {

SeriesThinner::SeriesThinner(std::size_t series, std::int64_t from_ms, std::int64_t to_ms, int columns)
    : from_ms_(from_ms),
      span_ms_(to_ms > from_ms ? static_cast<double>(to_ms - from_ms) : 1.0),
      columns_(columns),
      runs_(series) {}

void SeriesThinner::flush(const Run& run) {
  kept_.insert(kept_.end(), {run.first, run.lowest, run.highest, run.last});
}

long long SeriesThinner::column_of(std::int64_t ts_ms) const {
  // The column as decimate_min_max computes it, expression for expression.
  const double position = static_cast<double>(ts_ms - from_ms_) / span_ms_ * columns_;
  return std::clamp(static_cast<long long>(std::floor(position)), 0LL, static_cast<long long>(columns_) - 1);
}

void SeriesThinner::take_kept(std::vector<std::uint64_t>& into) {
  into.insert(into.end(), kept_.begin(), kept_.end());
  kept_.clear();
}

void SeriesThinner::add(std::uint64_t index, std::int64_t ts_ms, std::span<const double> values) {
  const long long c = column_of(ts_ms);
  for (std::size_t s = 0; s < runs_.size() && s < values.size(); ++s) {
    Run& run = runs_[s];
    const double v = values[s];
    if (!std::isfinite(v)) {
      if (run.open) {
        flush(run);
        kept_.push_back(index);  // the break
        run.open = false;
      }
      continue;
    }
    if (run.open && c == run.column) {
      if (v < run.low) {
        run.low = v;
        run.lowest = index;
      }
      if (v > run.high) {
        run.high = v;
        run.highest = index;
      }
      run.last = index;
      continue;
    }
    if (run.open) flush(run);
    run = {true, c, index, index, index, index, v, v};
  }
}

std::vector<std::uint64_t> SeriesThinner::finish() {
  for (Run& run : runs_) {
    if (run.open) flush(run);
    run.open = false;
  }
  std::sort(kept_.begin(), kept_.end());
  kept_.erase(std::unique(kept_.begin(), kept_.end()), kept_.end());
  return std::move(kept_);
}

}  // namespace alphastream
