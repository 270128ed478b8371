// The `kalman` model: a dynamic hedge ratio from a Kalman filter whose state
// (beta, alpha) is a random walk. The filter and its numerics are in
// kalman_filter.h. It declares a "spread" output, so the pipeline trades
// the one-step forecast error rather than y - (beta x + alpha).
#include <limits>
#include <stdexcept>
#include <string>

#include "alphastream/plugin.hpp"
#include "kalman_filter.h"

namespace {

using alphastream::kalman::KalmanHedgeFilter;
using alphastream::kalman::KalmanStep;

enum Param { kDelta = 0, kVe = 1, kP0 = 2, kWarmup = 3 };

// Host bounds are inclusive, so delta's keep it strictly inside (0, 1).
const as_param_descriptor kParams[] = {
    {sizeof(as_param_descriptor), "delta", AS_PARAM_DOUBLE, 1e-4, 1e-12, 0.999999,
     "how fast beta and alpha may drift: each gets random-walk noise of variance delta / (1 - delta) per "
     "observation; larger tracks changes faster, smaller averages longer"},
    {sizeof(as_param_descriptor), "ve", AS_PARAM_DOUBLE, 1e-3, 1e-12, 1e12,
     "variance of the observation noise of y, in units of y squared"},
    {sizeof(as_param_descriptor), "p0", AS_PARAM_DOUBLE, 1.0, 1e-12, 1e12,
     "initial variance of beta and of alpha (P_0 = p0 I) around the initial state beta = alpha = 0"},
    {sizeof(as_param_descriptor), "warmup", AS_PARAM_INT, 0, 0, 1e9,
     "observations whose spread is NaN while the state converges from zero, so the pipeline's z-score "
     "window and signals start on settled forecast errors; beta and alpha are output throughout"},
};

const as_output_descriptor kOutputs[] = {
    {sizeof(as_output_descriptor), "beta", "hedge ratio: slope of y on x after this observation's update"},
    {sizeof(as_output_descriptor), "alpha", "intercept after this observation's update: y = alpha + beta * x"},
    {sizeof(as_output_descriptor), "spread",
     "forecast error e = y - (beta*x + alpha) of the prior state; the pipeline trades it"},
    {sizeof(as_output_descriptor), "forecast_std",
     "standard deviation the model gives the spread: sqrt([x 1] (P + Vw I) [x 1]' + ve), in units of y"},
    {sizeof(as_output_descriptor), "forecast_error",
     "the forecast error e of the prior state, also while `warmup` withholds it from spread"},
};

const as_model_descriptor kDescriptor = {
    sizeof(as_model_descriptor),
    "kalman",
    "Kalman hedge ratio",
    "1.0.0",
    "Kalman filter of y = beta * x + alpha + noise with beta and alpha random walks, starting from zero; "
    "beta and alpha are available from the first observation. The spread is the one-step forecast error, "
    "large for the first observations while the state converges: NaN for the first `warmup` of them.",
    AS_MODEL_PAIR,
    kParams,
    sizeof(kParams) / sizeof(kParams[0]),
    kOutputs,
    sizeof(kOutputs) / sizeof(kOutputs[0]),
};

class KalmanModel {
 public:
  explicit KalmanModel(const alphastream::plugin::Params& params)
      : filter_(checked(params, kDelta, 0, 1), checked(params, kVe, 0, kInf), checked(params, kP0, 0, kInf)),
        warmup_left_(static_cast<long long>(params.value(kWarmup))) {}

  static constexpr std::uint32_t kStateVersion = 1;
  template <class Archive>
  void state(Archive& archive) {
    filter_.state(archive);
    archive(warmup_left_);
    archive.check(warmup_left_ >= 0, "warm-up count");
  }

  // Returns AS_ERROR, leaving the state as it was, for a non-finite x or y or
  // a result too large for a double.
  as_status update(const as_observation& obs, double* outputs) noexcept {
    KalmanStep step;
    if (!filter_.update(obs.x, obs.y, step)) return AS_ERROR;
    outputs[0] = step.beta;
    outputs[1] = step.alpha;
    outputs[2] = step.spread;
    outputs[3] = step.forecast_std;
    outputs[4] = step.spread;
    if (warmup_left_ > 0) {
      --warmup_left_;
      outputs[2] = std::numeric_limits<double>::quiet_NaN();
    }
    return AS_OK;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  // The host checks the descriptor's bounds; this guards the filter's own
  // requirement (lo, hi) open, for a host that does not.
  static double checked(const alphastream::plugin::Params& params, Param i, double lo, double hi) {
    const double v = params.value(i);
    if (!(lo < v && v < hi)) {
      throw std::invalid_argument(std::string("kalman: parameter '") + kParams[i].name +
                                  "' is outside the open interval the filter needs");
    }
    return v;
  }

  KalmanHedgeFilter filter_;
  long long warmup_left_;  // observations whose spread is still withheld
};

}  // namespace

ALPHASTREAM_PLUGIN(KalmanModel, kDescriptor)
