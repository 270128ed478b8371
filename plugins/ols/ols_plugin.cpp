// The `ols` model: y regressed on x with an intercept over the last
// `window` observations, O(1) per observation.
//
// Accuracy. Prices near 1e5 that move by 1e-2 leave about 7 of a double's
// 16 digits for the moves, so nothing here multiplies raw prices:
//  - every value is shifted by a reference (the latest x and y at the last
//    recompute) before use; x - ref is exact while x is within a factor of
//    two of ref (Sterbenz), so the running sums see only the small moves;
//  - the running means and centred co-moments are updated Welford-style
//    (add while the window fills, then a fixed-size replace of the oldest);
//  - every `window` updates the sums are recomputed two-pass from the ring
//    buffer with a fresh reference, so rounding never accumulates over more
//    than one window (O(1) amortised), and also as soon as sxx or syy falls
//    below 1e-4 of its peak since the last recompute, where cancellation
//    would otherwise leave rounding noise as the value (e.g. x going flat).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "alphastream/plugin.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A co-moment that falls below this fraction of its peak since the last
// recompute is recomputed exactly: incremental rounding is bounded by a few
// ulps of the peak per update, so after the fall it would be a 1e4 times
// larger part of the value.
constexpr double kCancellationRatio = 1e-4;

const as_param_descriptor kParams[] = {
    {sizeof(as_param_descriptor), "window", AS_PARAM_INT, 100, 3, 1e6,
     "observations in the regression; outputs are NaN until this many have arrived"},
};

const as_output_descriptor kOutputs[] = {
    {sizeof(as_output_descriptor), "beta", "slope of y on x over the window (hedge ratio)"},
    {sizeof(as_output_descriptor), "alpha", "intercept: y = alpha + beta * x"},
    {sizeof(as_output_descriptor), "r_squared", "1 - ssr / centred sum of squares of y; NaN if y is flat"},
    {sizeof(as_output_descriptor), "residual_std",
     "sqrt(ssr / (window - 2)), statsmodels' sqrt(mse_resid); computed as syy - beta * sxy, so it "
     "keeps fewer digits as r_squared nears 1"},
};

const as_model_descriptor kDescriptor = {
    sizeof(as_model_descriptor),
    "ols",
    "Rolling OLS",
    "1.0.0",
    "Ordinary least squares of y on x with an intercept over a rolling window; "
    "beta and alpha are NaN until the window is full and while x is flat.",
    AS_MODEL_PAIR,
    kParams,
    sizeof(kParams) / sizeof(kParams[0]),
    kOutputs,
    sizeof(kOutputs) / sizeof(kOutputs[0]),
};

class RollingOls {
 public:
  explicit RollingOls(const alphastream::plugin::Params& params)
      : window_(static_cast<std::size_t>(params.as_int(0))), xs_(window_), ys_(window_) {}

  static constexpr std::uint32_t kStateVersion = 1;
  template <class Archive>
  void state(Archive& archive) {
    archive.expect("window", window_);
    archive(xs_, ys_, next_, count_, ref_x_, ref_y_, mean_u_, mean_v_, sxx_, syy_, sxy_, peak_xx_, peak_yy_);
    archive.check(xs_.size() == window_ && ys_.size() == window_ && next_ < window_ && count_ <= window_,
                  "window ring");
  }

  // Returns AS_ERROR, leaving the window as it was, for a non-finite x or y.
  as_status update(const as_observation& obs, double* outputs) noexcept {
    if (!std::isfinite(obs.x) || !std::isfinite(obs.y)) return AS_ERROR;
    if (count_ == 0) {
      ref_x_ = obs.x;
      ref_y_ = obs.y;
    }
    if (count_ < window_) {
      add(obs.x - ref_x_, obs.y - ref_y_);
    } else {
      replace(xs_[next_] - ref_x_, ys_[next_] - ref_y_, obs.x - ref_x_, obs.y - ref_y_);
    }
    xs_[next_] = obs.x;
    ys_[next_] = obs.y;
    next_ = next_ + 1 == window_ ? 0 : next_ + 1;
    peak_xx_ = std::max(peak_xx_, sxx_);
    peak_yy_ = std::max(peak_yy_, syy_);
    if (count_ == window_ &&
        (next_ == 0 || sxx_ < kCancellationRatio * peak_xx_ || syy_ < kCancellationRatio * peak_yy_)) {
      recompute();
    }
    write(outputs);
    return AS_OK;
  }

 private:
  // Welford's update for one more point (u, v), already shifted.
  void add(double u, double v) {
    ++count_;
    const double n = static_cast<double>(count_);
    const double du = u - mean_u_;
    const double dv = v - mean_v_;
    mean_u_ += du / n;
    mean_v_ += dv / n;
    sxx_ += du * (u - mean_u_);
    syy_ += dv * (v - mean_v_);
    sxy_ += du * (v - mean_v_);
  }

  // Replaces the oldest point (u0, v0) by (u1, v1) at a fixed count n:
  // with d = new - old and o = old - mean,
  //   S'xy = Sxy + ox dv + oy du + du dv (n - 1) / n.
  void replace(double u0, double v0, double u1, double v1) {
    const double n = static_cast<double>(count_);
    const double du = u1 - u0;
    const double dv = v1 - v0;
    const double ou = u0 - mean_u_;
    const double ov = v0 - mean_v_;
    const double shrink = (n - 1) / n;
    sxx_ += 2 * ou * du + du * du * shrink;
    syy_ += 2 * ov * dv + dv * dv * shrink;
    sxy_ += ou * dv + ov * du + du * dv * shrink;
    mean_u_ += du / n;
    mean_v_ += dv / n;
  }

  // Two passes over the full ring, shifted by the newest point: a flat x
  // then gives sxx exactly 0.
  void recompute() {
    const std::size_t newest = (next_ == 0 ? window_ : next_) - 1;
    ref_x_ = xs_[newest];
    ref_y_ = ys_[newest];
    double sum_u = 0, sum_v = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      sum_u += xs_[i] - ref_x_;
      sum_v += ys_[i] - ref_y_;
    }
    const double n = static_cast<double>(window_);
    mean_u_ = sum_u / n;
    mean_v_ = sum_v / n;
    double sxx = 0, syy = 0, sxy = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      const double du = (xs_[i] - ref_x_) - mean_u_;
      const double dv = (ys_[i] - ref_y_) - mean_v_;
      sxx += du * du;
      syy += dv * dv;
      sxy += du * dv;
    }
    sxx_ = peak_xx_ = sxx;
    syy_ = peak_yy_ = syy;
    sxy_ = sxy;
  }

  void write(double* outputs) const {
    std::fill(outputs, outputs + 4, kNaN);
    if (count_ < window_ || !(sxx_ > 0)) return;
    const double beta = sxy_ / sxx_;
    outputs[0] = beta;
    outputs[1] = (ref_y_ + mean_v_) - beta * (ref_x_ + mean_u_);
    if (syy_ > 0) outputs[2] = std::min(1.0, sxy_ * sxy_ / (sxx_ * syy_));
    const double ssr = std::max(0.0, syy_ - beta * sxy_);
    outputs[3] = std::sqrt(ssr / static_cast<double>(window_ - 2));
  }

  const std::size_t window_;
  std::vector<double> xs_, ys_;  // the ring of raw prices, allocated once
  std::size_t next_ = 0;         // the ring slot the next observation takes
  std::size_t count_ = 0;        // observations in the window, up to window_
  double ref_x_ = 0, ref_y_ = 0;     // the shift applied before any arithmetic
  double mean_u_ = 0, mean_v_ = 0;   // means of the shifted values
  double sxx_ = 0, syy_ = 0, sxy_ = 0;  // centred co-moments
  double peak_xx_ = 0, peak_yy_ = 0;    // largest sxx_, syy_ since the last recompute
};

}  // namespace

ALPHASTREAM_PLUGIN(RollingOls, kDescriptor)
