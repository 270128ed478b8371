// The `huber` model: y regressed on x with an intercept over the last
// `window` observations by Huber's M-estimator, defined as statsmodels 0.13's
// RLM(y, add_constant(x), M=HuberT(t)).fit() with its defaults (init=None,
// scale_est='mad', update_scale=True, conv='dev', tol=1e-8, maxiter=50) and
// replicated step for step (robust/robust_linear_model.py, RLM.fit):
//
//   start   params from OLS; r = y - X params; s = mad(r), where
//           mad(r) = median(|r| / 0.6744897501960817), centred at 0 (RLM
//           passes center=0; the median is the mean of the middle two for
//           an even window); dev = sum rho(r / s2), s2 = sum r^2 / (n - 2)
//   repeat  stop if s == 0 (statsmodels warns: a perfect fit of half the
//           window); w = weights(r / s); params = WLS(w); r = y - X params;
//           s = mad(r); dev' = sum rho(r / s2) with s2 = sum w r^2 / (n - 2);
//           iterations += 1; stop if |dev' - dev| <= 1e-8 or iterations == 50.
//
// rho(z) = z^2 / 2 inside |z| <= t, t |z| - t^2 / 2 outside; weights(z) =
// min(1, t / |z|). Note that statsmodels' deviance divides the residuals by
// the WLS residual *variance* s2 (RLM.deviance uses the WLS result's
// `scale`), not by the MAD scale s; so the criterion is not scale-free, and
// windows whose residuals are much smaller than one price unit make z large,
// dev large, and the 1e-8 absolute change is then often reached only at the
// 50th iteration. That is the definition, kept as is. `iterations` counts the
// start as the first, as fit_history['iteration'] does.
//
// Warm start (param warm_start) replaces the OLS start by the previous
// window's answer, exactly statsmodels' fit(start_params=previous): the same
// loop from a different point. Both stop at the same rule, not at the same
// point, so the answers differ by what the rule leaves unconverged. Measured
// with statsmodels on series like make_huber_reference.py's (windows 60 to
// 500; clean, 5% outliers, level shift, prices ~1e4): where both starts
// converge, the betas agree to < 1e-9 relative typically and 7e-7 at worst;
// where IRLS stops at 50 iterations unconverged (windows holding a level
// shift near their middle) they differ by up to 5e-5, once 4e-4. And warm
// start saves only 1 to 2.5 of about 13 to 17 iterations (5 to 20% of the
// time, perf/bench_huber). So it is off by default, the default being
// statsmodels' cold-start answer; with it on, the answer depends on the
// path, not just on the window.
//
// Accuracy: each window is centred on its means before any arithmetic, and
// WLS is solved by weighted means and centred co-moments (two passes), not
// by the pseudo-inverse of the raw [1, x] statsmodels uses; the two agree to
// rounding (1e-12 to 1e-10 relative on the test series, the most at prices
// ~1e4). That rounding matters only where |dev' - dev| lands within it of
// 1e-8: there the iteration count can differ, by a step IRLS has by then
// shrunk below 1e-9 of beta. statsmodels is itself that sensitive: fed the
// same windows of prices ~1e4 centred, it stops at another iteration in 15%
// of them.
//
// Cost per observation: O(window) per iteration (five passes and one
// nth_element for the median), no allocation: every buffer is sized at
// construction.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "alphastream/plugin.hpp"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// scipy.stats.norm.ppf(3/4), statsmodels' mad normalisation, to the last bit.
constexpr double kMadConstant = 0.6744897501960817;
// RLM.fit defaults.
constexpr double kDevianceTolerance = 1e-8;
constexpr int kMaxIterations = 50;

enum ParamIndex { kWindowParam = 0, kTuningParam = 1, kWarmStartParam = 2 };
enum OutputIndex { kBeta = 0, kAlpha, kScale, kIterations, kDownweightedShare, kOutputCount };

const as_param_descriptor kParams[] = {
    {sizeof(as_param_descriptor), "window", AS_PARAM_INT, 100, 5, 1e6,
     "observations in each fit; outputs are NaN until this many have arrived. Each observation "
     "costs O(window) per IRLS iteration"},
    {sizeof(as_param_descriptor), "t", AS_PARAM_DOUBLE, 1.345, 0.01, 100,
     "Huber's tuning constant, in MAD scales: a residual beyond t scales gets weight "
     "t * scale / |residual| (1.345 gives 95% efficiency under normal errors; large t is OLS)"},
    {sizeof(as_param_descriptor), "warm_start", AS_PARAM_BOOL, 0, 0, 1,
     "start each window's IRLS from the previous window's beta and alpha instead of OLS "
     "(statsmodels' fit(start_params=...)); saves 1 to 2.5 of ~15 iterations, but the answer then "
     "depends on the path: within 7e-7 of the cold fit where IRLS converges, up to 4e-4 where it "
     "stops unconverged at 50 iterations"},
};

const as_output_descriptor kOutputs[] = {
    {sizeof(as_output_descriptor), "beta", "slope of y on x by Huber's M-estimate over the window (hedge ratio)"},
    {sizeof(as_output_descriptor), "alpha", "intercept: y = alpha + beta * x"},
    {sizeof(as_output_descriptor), "scale",
     "the final MAD scale of the residuals, median(|residual|) / 0.6745, in y's price units; 0 "
     "when half the window lies exactly on the line"},
    {sizeof(as_output_descriptor), "iterations",
     "IRLS iterations this window, the starting fit counted as the first (statsmodels' "
     "fit_history['iteration']); 50 means the deviance never settled to 1e-8"},
    {sizeof(as_output_descriptor), "downweighted_share",
     "share of the window's observations with weight < 1 in the final fit, i.e. residual beyond "
     "t scales (0 to 1)"},
};

const as_model_descriptor kDescriptor = {
    sizeof(as_model_descriptor),
    "huber",
    "Rolling Huber robust regression",
    "1.0.0",
    "Robust regression of y on x with an intercept over a rolling window: IRLS with Huber's T "
    "norm and a MAD scale, equal to statsmodels RLM(y, add_constant(x), M=HuberT(t)).fit(). "
    "Outliers get weight t * scale / |residual|. NaN until the window is full and while x is flat.",
    AS_MODEL_PAIR,
    kParams,
    sizeof(kParams) / sizeof(kParams[0]),
    kOutputs,
    sizeof(kOutputs) / sizeof(kOutputs[0]),
};

class RollingHuber {
 public:
  explicit RollingHuber(const alphastream::plugin::Params& params)
      : window_(static_cast<std::size_t>(params.as_int(kWindowParam))),
        t_(params.value(kTuningParam)),
        warm_start_(params.as_bool(kWarmStartParam)),
        xs_(window_),
        ys_(window_),
        u_(window_),
        v_(window_),
        r_(window_),
        w_(window_),
        abs_r_(window_) {}

  // Returns AS_ERROR, leaving the window as it was, for a non-finite x or y.
  static constexpr std::uint32_t kStateVersion = 1;
  // The per-step scratch (u_, v_, r_, w_, abs_r_) is rebuilt by every fit.
  template <class Archive>
  void state(Archive& archive) {
    archive.expect("window", window_);
    archive.expect("t", t_);
    archive.expect("warm_start", warm_start_);
    archive(xs_, ys_, next_, count_, mean_x_, mean_y_, a_, b_, have_previous_, beta_, alpha_, scale_, iterations_,
            downweighted_share_);
    archive.check(xs_.size() == window_ && ys_.size() == window_ && next_ < window_ && count_ <= window_,
                  "window ring");
  }

  as_status update(const as_observation& obs, double* outputs) noexcept {
    if (!std::isfinite(obs.x) || !std::isfinite(obs.y)) return AS_ERROR;
    xs_[next_] = obs.x;
    ys_[next_] = obs.y;
    next_ = next_ + 1 == window_ ? 0 : next_ + 1;
    if (count_ < window_) ++count_;
    std::fill(outputs, outputs + kOutputCount, kNaN);
    if (count_ < window_) return AS_OK;
    have_previous_ = fit();
    if (!have_previous_) return AS_OK;
    outputs[kBeta] = beta_;
    outputs[kAlpha] = alpha_;
    outputs[kScale] = scale_;
    outputs[kIterations] = iterations_;
    outputs[kDownweightedShare] = downweighted_share_;
    return AS_OK;
  }

 private:
  // RLM.fit over the full window (see the file comment). Returns false if x
  // is flat or the arithmetic overflowed, leaving the results unset.
  bool fit() {
    centre();
    std::fill(w_.begin(), w_.end(), 1.0);
    if (warm_start_ && have_previous_) {
      b_ = beta_;
      a_ = (alpha_ + beta_ * mean_x_) - mean_y_;
    } else if (!solve_wls()) {
      return false;
    }
    double scale = 0, wssr = 0;
    if (!residuals(scale, wssr)) return false;
    double dev = deviance(wssr);
    int iterations = 1;
    while (scale != 0) {
      reweight(scale);
      if (!solve_wls() || !residuals(scale, wssr)) return false;
      const double next_dev = deviance(wssr);
      ++iterations;
      // Written as statsmodels' test, so a NaN deviance (s2 == 0) stops too.
      if (!(std::fabs(next_dev - dev) > kDevianceTolerance) || iterations >= kMaxIterations) break;
      dev = next_dev;
    }
    const double n = static_cast<double>(window_);
    beta_ = b_;
    alpha_ = (mean_y_ + a_) - b_ * mean_x_;
    scale_ = scale;
    iterations_ = iterations;
    downweighted_share_ = static_cast<double>(std::count_if(w_.begin(), w_.end(), [](double w) { return w < 1; })) / n;
    return true;
  }

  // u, v: the window oldest first, less its means, so no sum below sees
  // the price level.
  void centre() {
    double sum_x = 0, sum_y = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      sum_x += xs_[i];
      sum_y += ys_[i];
    }
    const double n = static_cast<double>(window_);
    mean_x_ = sum_x / n;
    mean_y_ = sum_y / n;
    std::size_t slot = next_;  // the oldest, the window being full
    for (std::size_t i = 0; i < window_; ++i) {
      u_[i] = xs_[slot] - mean_x_;
      v_[i] = ys_[slot] - mean_y_;
      slot = slot + 1 == window_ ? 0 : slot + 1;
    }
  }

  // Weighted least squares of v on u with an intercept: a_, b_. Returns
  // false if the weighted spread of u is not positive (x flat).
  bool solve_wls() {
    double sw = 0, swu = 0, swv = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      sw += w_[i];
      swu += w_[i] * u_[i];
      swv += w_[i] * v_[i];
    }
    const double mu = swu / sw;
    const double mv = swv / sw;
    double suu = 0, suv = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      const double du = u_[i] - mu;
      suu += w_[i] * du * du;
      suv += w_[i] * du * (v_[i] - mv);
    }
    if (!(suu > 0) || !std::isfinite(suv)) return false;
    b_ = suv / suu;
    a_ = mv - b_ * mu;
    return true;
  }

  // r = v - a - b u; sets scale to mad(r) and wssr to sum w r^2. Returns
  // false if a residual is not finite (nth_element needs an ordering).
  bool residuals(double& scale, double& wssr) {
    double sum = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      const double r = v_[i] - a_ - b_ * u_[i];
      r_[i] = r;
      abs_r_[i] = std::fabs(r) / kMadConstant;
      sum += w_[i] * r * r;
    }
    if (!std::isfinite(sum)) return false;
    wssr = sum;
    scale = median(abs_r_);
    return true;
  }

  // np.median: the middle value, or the mean of the middle two. Reorders values.
  static double median(std::vector<double>& values) {
    const std::size_t half = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half), values.end());
    const double upper = values[half];
    if (values.size() % 2 == 1) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(half));
    return (lower + upper) / 2;
  }

  // RLM.deviance: sum rho(r / s2), s2 the WLS residual variance; NaN if
  // s2 == 0, as numpy's 0/0 and inf arithmetic makes it.
  double deviance(double wssr) const {
    const double s2 = wssr / static_cast<double>(window_ - 2);
    if (!(s2 > 0)) return kNaN;
    const double outer = 0.5 * t_ * t_;
    double sum = 0;
    for (std::size_t i = 0; i < window_; ++i) {
      const double z = std::fabs(r_[i] / s2);
      sum += z <= t_ ? 0.5 * z * z : z * t_ - outer;
    }
    return sum;
  }

  // HuberT.weights(r / s).
  void reweight(double scale) {
    for (std::size_t i = 0; i < window_; ++i) {
      const double z = std::fabs(r_[i] / scale);
      w_[i] = z <= t_ ? 1.0 : t_ / z;
    }
  }

  const std::size_t window_;
  const double t_;
  const bool warm_start_;
  std::vector<double> xs_, ys_;        // the ring of raw prices
  std::vector<double> u_, v_;          // the window oldest first, centred
  std::vector<double> r_, w_;          // residuals and weights of the current step
  std::vector<double> abs_r_;          // |r| / kMadConstant, reordered by the median
  std::size_t next_ = 0;               // the ring slot the next observation takes
  std::size_t count_ = 0;              // observations in the window, up to window_
  double mean_x_ = 0, mean_y_ = 0;     // the current window's centre
  double a_ = 0, b_ = 0;               // the current step's intercept and slope, centred
  bool have_previous_ = false;         // the last window gave a fit (warm start uses it)
  double beta_ = kNaN, alpha_ = kNaN;  // the last window's answer
  double scale_ = kNaN, iterations_ = kNaN, downweighted_share_ = kNaN;
};

}  // namespace

ALPHASTREAM_PLUGIN(RollingHuber, kDescriptor)
