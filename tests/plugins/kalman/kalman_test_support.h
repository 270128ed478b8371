// Loading the kalman plugin, generated pair series, and the textbook filter
// it is checked against.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "plugin_host/model_instance.h"

namespace alphastream::testing {

// Output slots of the kalman descriptor.
enum KalmanOutput { kBeta = 0, kAlpha = 1, kSpread = 2, kForecastStd = 3, kForecastError = 4 };

struct KalmanParams {
  double delta = 1e-4;
  double ve = 1e-3;
  double p0 = 1.0;
};

inline std::unique_ptr<ModelInstance> make_kalman(const KalmanParams& p = {}) {
  auto library = PluginLibrary::load(KALMAN_PLUGIN_PATH);
  EXPECT_TRUE(library.is_ok()) << library.error();
  if (!library) return nullptr;
  const std::vector<ParamSetting> settings = {
      {"delta", p.delta, std::to_string(p.delta), ""},
      {"ve", p.ve, std::to_string(p.ve), ""},
      {"p0", p.p0, std::to_string(p.p0), ""},
  };
  auto model = ModelInstance::create(*library, settings, "test");
  EXPECT_TRUE(model.is_ok()) << model.error();
  return model ? std::move(*model) : nullptr;
}

inline as_observation observation(double x, double y) { return as_observation{sizeof(as_observation), 0, x, y}; }

struct PairSeries {
  std::vector<double> x, y;
};

// x a random walk from `level` with steps of sd `step`; y = beta x + alpha +
// white noise of sd `noise`.
inline PairSeries random_walk_pair(std::size_t n, double level, double step, double beta, double alpha, double noise,
                                   std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  PairSeries s;
  s.x.resize(n);
  s.y.resize(n);
  double x = level;
  for (std::size_t i = 0; i < n; ++i) {
    x += step * normal(rng);
    s.x[i] = x;
    s.y[i] = beta * x + alpha + noise * normal(rng);
  }
  return s;
}

template <class T>
struct TextbookStep {
  T beta, alpha, spread, q;
};

// The model's equations exactly as written, with plain 2x2 matrices and no
// rearrangement: R = P + Vw I; yhat = H theta; Q = H R H' + ve; e = y - yhat;
// K = R H' / Q; theta += K e; P = R - K H R. T is long double or __float128.
template <class T>
class TextbookKalman {
 public:
  TextbookKalman(double delta, double ve, double p0) : vw_(T(delta) / (T(1) - T(delta))), ve_(ve) {
    p_[0][0] = p_[1][1] = p0;
  }

  TextbookStep<T> update(double x_in, double y_in) {
    const T h[2] = {T(x_in), T(1)};
    const T y = y_in;
    T r[2][2];
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) r[i][j] = p_[i][j] + (i == j ? vw_ : T(0));
    const T yhat = h[0] * theta_[0] + h[1] * theta_[1];
    T rh[2];  // R H'
    for (int i = 0; i < 2; ++i) rh[i] = r[i][0] * h[0] + r[i][1] * h[1];
    const T q = h[0] * rh[0] + h[1] * rh[1] + ve_;
    const T e = y - yhat;
    T k[2];
    for (int i = 0; i < 2; ++i) k[i] = rh[i] / q;
    for (int i = 0; i < 2; ++i) theta_[i] += k[i] * e;
    T hr[2];  // H R
    for (int j = 0; j < 2; ++j) hr[j] = h[0] * r[0][j] + h[1] * r[1][j];
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) p_[i][j] = r[i][j] - k[i] * hr[j];
    return {theta_[0], theta_[1], e, q};
  }

 private:
  const T vw_, ve_;
  T theta_[2] = {T(0), T(0)};
  T p_[2][2] = {{T(0), T(0)}, {T(0), T(0)}};
};

// Worst errors of the plugin's outputs against a reference, each relative to
// the scale that output's rounding is proportional to:
//  - beta and forecast_std: their own size;
//  - alpha: |alpha| + |beta x|, the size of the forecast alpha is a part
//    of; alpha itself passes near 0 at x ~ 1e5 (beta explains the level);
//  - spread: forecast_std, the size the model expects of it (the spread
//    itself crosses 0 every few steps).
struct WorstErrors {
  double beta = 0, alpha = 0, spread = 0, forecast_std = 0;

  template <class T>
  void add(std::span<const double> got, const TextbookStep<T>& want, double x) {
    const long double beta = static_cast<long double>(want.beta);
    const long double alpha = static_cast<long double>(want.alpha);
    const long double spread = static_cast<long double>(want.spread);
    const long double forecast_std = std::sqrt(static_cast<long double>(want.q));
    this->beta = std::max(this->beta, relative(got[kBeta], beta, std::fabs(beta)));
    this->alpha = std::max(this->alpha, relative(got[kAlpha], alpha, std::fabs(alpha) + std::fabs(beta * x)));
    this->spread = std::max(this->spread, relative(got[kSpread], spread, forecast_std));
    this->forecast_std = std::max(this->forecast_std, relative(got[kForecastStd], forecast_std, forecast_std));
  }

  static double relative(double got, long double want, long double scale) {
    const long double error = std::fabs(static_cast<long double>(got) - want) / scale;
    return std::isnan(static_cast<double>(error)) ? INFINITY : static_cast<double>(error);
  }
};

}  // namespace alphastream::testing
