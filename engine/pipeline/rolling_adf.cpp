#include "pipeline/rolling_adf.h"

#include <algorithm>
#include <cmath>

namespace alphastream {

RollingAdf::RollingAdf(const StationarityConfig& config)
    : config_(config),
      ring_(static_cast<std::size_t>(config.window)),
      window_(static_cast<std::size_t>(config.window)),
      workspace_(window_.size()) {}

bool RollingAdf::push(double spread) {
  if (!config_.enabled() || !std::isfinite(spread)) return false;
  ring_[next_] = spread;
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
  if (count_ < ring_.size()) ++count_;
  ++since_test_;
  if (count_ < ring_.size() || since_test_ < static_cast<std::uint64_t>(config_.every)) return false;
  since_test_ = 0;
  // Oldest first: the ring from next_ to the end, then from the start.
  const auto oldest = ring_.begin() + static_cast<std::ptrdiff_t>(next_);
  std::copy(oldest, ring_.end(), window_.begin());
  std::copy(ring_.begin(), oldest, window_.begin() + (ring_.end() - oldest));
  ++tests_;
  if (!workspace_.run(window_)) {
    ++failed_tests_;
    stat_ = pvalue_ = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  stat_ = workspace_.result().stat;
  pvalue_ = workspace_.result().pvalue;
  return true;
}

}  // namespace alphastream
