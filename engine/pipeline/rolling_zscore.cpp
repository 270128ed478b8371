#include "pipeline/rolling_zscore.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace alphastream {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The O(1) sum of squares is trusted while it is at least this share of the
// magnitudes it came from; its accumulated relative error stays below about
// window * 2e-16 / kTrustRatio.
constexpr double kTrustRatio = 1e-4;

}  // namespace

RollingZScore::RollingZScore(int window) : window_(window), ring_(static_cast<std::size_t>(window)) {
  assert(window >= 2);
}

double RollingZScore::mean() const { return count_ == 0 ? kNaN : shift_ + mean_d_; }

double RollingZScore::stddev() const {
  if (count_ < 2) return kNaN;
  return std::sqrt(std::max(m2_, 0.0) / (count_ - 1));
}

double RollingZScore::push(double spread) {
  if (!std::isfinite(spread)) return kNaN;
  if (count_ == 0) shift_ = spread;
  const double d = spread - shift_;
  bool just_filled = false;
  if (count_ < window_) {
    ++count_;
    const double delta = d - mean_d_;
    mean_d_ += delta / count_;
    m2_ += delta * (d - mean_d_);
    just_filled = count_ == window_;
  } else {
    const double old = ring_[static_cast<std::size_t>(next_)] - shift_;
    const double new_mean = mean_d_ + (d - old) / window_;
    m2_ += (d - old) * ((d - new_mean) + (old - mean_d_));
    mean_d_ = new_mean;
    ++replaces_since_recompute_;
  }
  ring_[static_cast<std::size_t>(next_)] = spread;
  next_ = next_ + 1 == window_ ? 0 : next_ + 1;
  error_scale_ = std::max(error_scale_, m2_ + count_ * mean_d_ * mean_d_);

  if (count_ < window_) return kNaN;
  if (just_filled || replaces_since_recompute_ >= window_ || m2_ < kTrustRatio * error_scale_) {
    recompute();
  }
  if (!(m2_ > 0)) return kNaN;
  return ((spread - shift_) - mean_d_) / std::sqrt(m2_ / (count_ - 1));
}

void RollingZScore::recompute() {
  ++recomputes_;
  const auto n = static_cast<std::size_t>(count_);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += ring_[i] - shift_;
  const double mean = shift_ + sum / count_;
  // The new reference is a spread of the window nearest the mean: shifted
  // values are then small, and exactly 0 for a constant window.
  double reference = ring_[0];
  for (std::size_t i = 1; i < n; ++i) {
    if (std::abs(ring_[i] - mean) < std::abs(reference - mean)) reference = ring_[i];
  }
  shift_ = reference;
  sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += ring_[i] - shift_;
  mean_d_ = sum / count_;
  m2_ = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dev = (ring_[i] - shift_) - mean_d_;
    m2_ += dev * dev;
  }
  error_scale_ = m2_ + count_ * mean_d_ * mean_d_;
  replaces_since_recompute_ = 0;
}

}  // namespace alphastream
