// The `ewma_beta` model: exponentially weighted least squares of y on x with
// an intercept. Observation i of n weighs lambda^(n-1-i), lambda =
// 2^(-1 / half_life), so an observation counts half as much half_life
// observations later; there is no window to fill and no ring buffer.
//
//   beta = Sxy / Sxx,  alpha = my - beta * mx,
//   correlation = Sxy / sqrt(Sxx * Syy),
//
// with mx, my the weighted means and Sxx, Sxy, Syy the weighted centred
// co-moments. They are updated in O(1) by West's (1979) weighted Welford
// step after scaling the old weights by lambda:
//
//   W <- lambda W + 1;  dx = x - mx;  mx <- mx + dx / W
//   Sxx <- lambda Sxx + dx (x - mx_new),  Sxy <- lambda Sxy + dx (y - my_new)
//
// dx (x - mx_new) = dx^2 (1 - 1/W) is never negative, so Sxx and Syy only
// ever add non-negative terms: no cancellation, and prices near 1e5 moving
// by 1e-2 keep their digits since only deviations from the means are
// multiplied. The results equal pandas' x.ewm(halflife=h).cov(y) /
// x.ewm(halflife=h).var() (adjust=True), which the packaging test checks.
//
// Written against the installed SDK headers only: <alphastream/plugin.hpp>.
#include <alphastream/plugin.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const as_param_descriptor kParams[] = {
    {sizeof(as_param_descriptor), "half_life", AS_PARAM_DOUBLE, 600, 1, 1e7,
     "observations after which an observation's weight has halved"},
    {sizeof(as_param_descriptor), "min_obs", AS_PARAM_INT, 100, 2, 1e9,
     "observations before the first output; NaN until then"},
};

// Pair models must declare "beta" and "alpha"; the host computes the spread
// y - (beta * x + alpha) from them.
const as_output_descriptor kOutputs[] = {
    {sizeof(as_output_descriptor), "beta", "exponentially weighted slope of y on x (hedge ratio)"},
    {sizeof(as_output_descriptor), "alpha", "intercept: my - beta * mx"},
    {sizeof(as_output_descriptor), "correlation", "exponentially weighted correlation of x and y"},
    {sizeof(as_output_descriptor), "effective_n",
     "Kish's effective sample size (sum w)^2 / sum w^2; tends to (1 + lambda) / (1 - lambda)"},
};

const as_model_descriptor kDescriptor = {
    sizeof(as_model_descriptor),
    "ewma_beta",
    "Exponentially weighted regression",
    "1.0.0",
    "Least squares of y on x with an intercept, weights halving every half_life observations; "
    "O(1) time and memory per observation. beta is NaN while x is flat.",
    AS_MODEL_PAIR,
    kParams,
    sizeof(kParams) / sizeof(kParams[0]),
    kOutputs,
    sizeof(kOutputs) / sizeof(kOutputs[0]),
};

class EwmaBeta {
 public:
  // The host checked the bounds: half_life >= 1, min_obs >= 2.
  explicit EwmaBeta(const alphastream::plugin::Params& params)
      : lambda_(std::exp2(-1.0 / params.value(0))), min_obs_(static_cast<std::uint64_t>(params.as_int(1))) {}

  // The state extension ("alphastream.state/1"): the host saves a model
  // and restores it in another (a warm restart, a move to another machine).
  // One list serves saving and loading; bump the version when it changes.
  static constexpr std::uint32_t kStateVersion = 1;
  template <class Archive>
  void state(Archive& archive) {
    archive.expect("half_life", lambda_);
    archive.expect("min_obs", min_obs_);
    archive(count_, weight_, weight_sq_, mean_x_, mean_y_, sxx_, sxy_, syy_);
  }

  // Returns AS_ERROR, leaving the state as it was, for a non-finite x or y.
  as_status update(const as_observation& obs, double* outputs) noexcept {
    if (!std::isfinite(obs.x) || !std::isfinite(obs.y)) return AS_ERROR;
    ++count_;
    weight_ = lambda_ * weight_ + 1;
    weight_sq_ = lambda_ * lambda_ * weight_sq_ + 1;
    const double dx = obs.x - mean_x_;
    const double dy = obs.y - mean_y_;
    mean_x_ += dx / weight_;
    mean_y_ += dy / weight_;
    sxx_ = lambda_ * sxx_ + dx * (obs.x - mean_x_);
    sxy_ = lambda_ * sxy_ + dx * (obs.y - mean_y_);
    syy_ = lambda_ * syy_ + dy * (obs.y - mean_y_);
    write(outputs);
    return AS_OK;
  }

 private:
  void write(double* outputs) const {
    for (int i = 0; i < 4; ++i) outputs[i] = kNaN;
    if (count_ < min_obs_ || !(sxx_ > 0)) return;
    const double beta = sxy_ / sxx_;
    outputs[0] = beta;
    outputs[1] = mean_y_ - beta * mean_x_;
    if (syy_ > 0) outputs[2] = sxy_ / std::sqrt(sxx_ * syy_);
    outputs[3] = weight_ * weight_ / weight_sq_;
  }

  const double lambda_;          // weight decay per observation
  const std::uint64_t min_obs_;  // outputs stay NaN for fewer observations
  std::uint64_t count_ = 0;
  double weight_ = 0, weight_sq_ = 0;   // sum of the weights and of their squares
  double mean_x_ = 0, mean_y_ = 0;      // weighted means
  double sxx_ = 0, sxy_ = 0, syy_ = 0;  // weighted centred co-moments
};

}  // namespace

ALPHASTREAM_PLUGIN(EwmaBeta, kDescriptor)
