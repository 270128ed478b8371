// The kalman plugin, dlopened from <build>/plugins as the engine loads it:
// its descriptor and parameters, hand-checked steps, refusal of bad input,
// freedom from look-ahead, and how it converges and tracks.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kalman_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(KalmanPlugin, DescriptorDeclaresFourParametersAndFiveOutputsInOrder) {
  auto model = make_kalman();
  ASSERT_NE(model, nullptr);
  const as_model_descriptor& d = model->descriptor();
  EXPECT_STREQ(d.id, "kalman");
  EXPECT_STREQ(d.version, "1.0.0");
  EXPECT_EQ(d.kind, AS_MODEL_PAIR);
  EXPECT_EQ(model->output_index("beta"), kBeta);
  EXPECT_EQ(model->output_index("alpha"), kAlpha);
  EXPECT_EQ(model->output_index("spread"), kSpread);
  EXPECT_EQ(model->output_index("forecast_std"), kForecastStd);
  EXPECT_EQ(model->output_index("forecast_error"), kForecastError);
  EXPECT_EQ(model->library().output_count(), 5u);
  EXPECT_STREQ(model->library().output(kSpread).help,
               "forecast error e = y - (beta*x + alpha) of the prior state; the pipeline trades it");
  ASSERT_EQ(model->library().param_count(), 4u);
  EXPECT_STREQ(model->library().param(0).name, "delta");
  EXPECT_STREQ(model->library().param(1).name, "ve");
  EXPECT_STREQ(model->library().param(2).name, "p0");
  EXPECT_STREQ(model->library().param(3).name, "warmup");
}

TEST(KalmanPlugin, DefaultsAreDelta1em4Ve1em3P0OneAndNoWarmup) {
  auto library = PluginLibrary::load(KALMAN_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  auto model = ModelInstance::create(*library, {}, "pairs[0]");
  ASSERT_TRUE(model.is_ok()) << model.error();
  const std::vector<double> want = {1e-4, 1e-3, 1.0, 0.0};
  EXPECT_EQ(std::vector<double>((*model)->param_values().begin(), (*model)->param_values().end()), want);
}

// Host bounds are inclusive: delta's [1e-12, 0.999999] keeps it inside (0, 1).
TEST(KalmanPlugin, ParametersOutsideTheirBoundsAreRefusedByTheHost) {
  auto library = PluginLibrary::load(KALMAN_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  struct Case {
    const char* key;
    double value;
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"delta", 0, "0", "kalman.yaml:3: plugin 'kalman' parameter 'delta' must be in [1e-12, 0.999999], got \"0\""},
      {"delta", 1, "1", "kalman.yaml:3: plugin 'kalman' parameter 'delta' must be in [1e-12, 0.999999], got \"1\""},
      {"delta", -1e-4, "-1e-4",
       "kalman.yaml:3: plugin 'kalman' parameter 'delta' must be in [1e-12, 0.999999], got \"-1e-4\""},
      {"ve", 0, "0", "kalman.yaml:3: plugin 'kalman' parameter 've' must be in [1e-12, 1000000000000], got \"0\""},
      {"p0", -1, "-1", "kalman.yaml:3: plugin 'kalman' parameter 'p0' must be in [1e-12, 1000000000000], got \"-1\""},
  };
  for (const Case& c : cases) {
    const std::vector<ParamSetting> settings = {{c.key, c.value, c.text, "kalman.yaml:3"}};
    auto model = ModelInstance::create(*library, settings, "pairs[0]");
    ASSERT_FALSE(model.is_ok()) << c.key << "=" << c.text;
    EXPECT_EQ(model.error(), c.message);
  }
  const std::vector<ParamSetting> edges = {{"delta", 1e-12, "1e-12", ""}, {"ve", 1e12, "1e12", ""}};
  EXPECT_TRUE(ModelInstance::create(*library, edges, "pairs[0]").is_ok());
}

// warmup only withholds the spread: the filter runs the same, so from
// observation warmup + 1 on every output equals the model without it.
TEST(KalmanPlugin, WarmupWithholdsTheFirstSpreadsAndChangesNothingElse) {
  auto library = PluginLibrary::load(KALMAN_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  const std::vector<ParamSetting> settings = {{"warmup", 5, "5", "kalman.yaml:4"}};
  auto warm = ModelInstance::create(*library, settings, "pairs[0]");
  ASSERT_TRUE(warm.is_ok()) << warm.error();
  auto plain = make_kalman();
  ASSERT_NE(plain, nullptr);
  const PairSeries s = random_walk_pair(20, 100, 0.5, 1.5, 2.0, 0.1, 11);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    ASSERT_TRUE((*warm)->update(observation(s.x[i], s.y[i])));
    ASSERT_TRUE(plain->update(observation(s.x[i], s.y[i])));
    const auto got = (*warm)->outputs();
    const auto want = plain->outputs();
    EXPECT_EQ(got[kBeta], want[kBeta]) << i;
    EXPECT_EQ(got[kAlpha], want[kAlpha]) << i;
    EXPECT_EQ(got[kForecastStd], want[kForecastStd]) << i;
    EXPECT_EQ(got[kForecastError], want[kSpread]) << i;
    if (i < 5) {
      EXPECT_TRUE(std::isnan(got[kSpread])) << i;
    } else {
      EXPECT_EQ(got[kSpread], want[kSpread]) << i;
    }
  }
  const std::vector<ParamSetting> negative = {{"warmup", -1, "-1", "kalman.yaml:4"}};
  EXPECT_FALSE(ModelInstance::create(*library, negative, "pairs[0]").is_ok());
  const std::vector<ParamSetting> fractional = {{"warmup", 2.5, "2.5", "kalman.yaml:4"}};
  EXPECT_FALSE(ModelInstance::create(*library, fractional, "pairs[0]").is_ok());
}

TEST(KalmanPlugin, FirstTwoStepsMatchHandComputation) {
  // delta 0.5 (Vw = 1), ve 1, p0 1; theta0 = 0, P0 = I.
  // Step 1, (x, y) = (2, 7): R = 2I, yhat = 0, e = 7, Q = 2 * 5 + 1 = 11,
  //   K = (4, 2) / 11, theta = (28, 14) / 11, P = 2I - (4, 2)'(4, 2) / 11 =
  //   [6 -8; -8 18] / 11.
  // Step 2, (x, y) = (1, 3): R = [17 -8; -8 29] / 11, yhat = 42 / 11,
  //   e = -9 / 11, Q = (17 - 16 + 29) / 11 + 1 = 41 / 11, R H' = (9, 21) / 11,
  //   K = (9, 21) / 41, theta = (28/11 - 81/451, 14/11 - 189/451) = (97, 35) / 41.
  auto model = make_kalman({0.5, 1.0, 1.0});
  ASSERT_NE(model, nullptr);
  ASSERT_TRUE(model->update(observation(2, 7)));
  EXPECT_DOUBLE_EQ(model->outputs()[kBeta], 28.0 / 11);
  EXPECT_DOUBLE_EQ(model->outputs()[kAlpha], 14.0 / 11);
  EXPECT_EQ(model->outputs()[kSpread], 7.0);
  EXPECT_DOUBLE_EQ(model->outputs()[kForecastStd], std::sqrt(11.0));
  ASSERT_TRUE(model->update(observation(1, 3)));
  EXPECT_DOUBLE_EQ(model->outputs()[kBeta], 97.0 / 41);
  EXPECT_DOUBLE_EQ(model->outputs()[kAlpha], 35.0 / 41);
  EXPECT_DOUBLE_EQ(model->outputs()[kSpread], -9.0 / 11);
  EXPECT_DOUBLE_EQ(model->outputs()[kForecastStd], std::sqrt(41.0 / 11));
}

TEST(KalmanPlugin, NonFiniteObservationIsRefusedAndLeavesTheStateAlone) {
  auto clean = make_kalman();
  auto dirty = make_kalman();
  ASSERT_NE(clean, nullptr);
  ASSERT_NE(dirty, nullptr);
  const PairSeries s = random_walk_pair(50, 100, 0.5, 1.5, 20, 0.1, 11);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (i == 20) {
      EXPECT_FALSE(dirty->update(observation(NAN, s.y[i])));
      EXPECT_FALSE(dirty->update(observation(s.x[i], INFINITY)));
      EXPECT_FALSE(dirty->update(observation(-INFINITY, -INFINITY)));
    }
    ASSERT_TRUE(clean->update(observation(s.x[i], s.y[i])));
    ASSERT_TRUE(dirty->update(observation(s.x[i], s.y[i])));
  }
  EXPECT_EQ(dirty->update_errors(), 3u);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(dirty->outputs()[k], clean->outputs()[k]) << "output " << k;
}

TEST(KalmanPlugin, ResultBeyondDoubleRangeIsRefusedAndLeavesTheStateAlone) {
  // After (1e200, -1e308) beta is about -1e108, so at (1e200, 1e308) the
  // forecast is about -1e308 and e about 2e308, more than DBL_MAX.
  auto clean = make_kalman();
  auto dirty = make_kalman();
  ASSERT_NE(clean, nullptr);
  ASSERT_NE(dirty, nullptr);
  for (auto* model : {clean.get(), dirty.get()}) ASSERT_TRUE(model->update(observation(1e200, -1e308)));
  EXPECT_LT(dirty->outputs()[kBeta], -0.9e108);
  EXPECT_FALSE(dirty->update(observation(1e200, 1e308)));
  for (auto* model : {clean.get(), dirty.get()}) ASSERT_TRUE(model->update(observation(1e200, -1e308)));
  for (int k = 0; k < 4; ++k) EXPECT_EQ(dirty->outputs()[k], clean->outputs()[k]) << "output " << k;
}

TEST(KalmanPlugin, SpreadIsTheForecastErrorOfThePriorStateWithoutLookAhead) {
  // Two models see the same 300 observations, then differ only in y at t =
  // 300. Before t their outputs are identical; at t the forecasts y - e
  // agree to the rounding of e to a double (one ulp of each e), so e moved
  // by exactly the change in y, and Q, which does not involve y, agrees
  // exactly. The forecast is the prior state's: y_t - e_t equals
  // beta_{t-1} x_t + alpha_{t-1} (the outputs at t - 1, rounded to double).
  const PairSeries s = random_walk_pair(300, 100, 0.5, 1.5, 20, 0.1, 5);
  auto a = make_kalman();
  auto b = make_kalman();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    ASSERT_TRUE(a->update(observation(s.x[i], s.y[i])));
    ASSERT_TRUE(b->update(observation(s.x[i], s.y[i])));
  }
  for (int k = 0; k < 4; ++k) ASSERT_EQ(a->outputs()[k], b->outputs()[k]);
  const double beta_prior = a->outputs()[kBeta];
  const double alpha_prior = a->outputs()[kAlpha];

  const double x = s.x.back() + 0.3;
  const double y = 1.5 * x + 20;
  const double y_changed = y + 37.5;
  ASSERT_TRUE(a->update(observation(x, y)));
  ASSERT_TRUE(b->update(observation(x, y_changed)));
  const double e = a->outputs()[kSpread];
  const double e_changed = b->outputs()[kSpread];
  const long double forecast = static_cast<long double>(y) - e;
  const long double forecast_changed = static_cast<long double>(y_changed) - e_changed;
  const double ulps = std::nextafter(std::fabs(e), INFINITY) - std::fabs(e) +
                      (std::nextafter(std::fabs(e_changed), INFINITY) - std::fabs(e_changed));
  EXPECT_LE(std::fabs(static_cast<double>(forecast - forecast_changed)), ulps);
  EXPECT_NEAR(e_changed - e, 37.5, ulps);
  EXPECT_EQ(a->outputs()[kForecastStd], b->outputs()[kForecastStd]);
  // beta and alpha round to double before this product, so the forecast
  // from them is within a few ulps of the level (~170 here) of the one used.
  EXPECT_NEAR(static_cast<double>(forecast), beta_prior * x + alpha_prior, 1e-13 * std::fabs(y));
  // After the update the state has seen y: its residual shrinks to
  // e ve / Q (I - K H = ve / Q along H), so the spread is not that residual.
  const double q = a->outputs()[kForecastStd] * a->outputs()[kForecastStd];
  const double posterior_residual = y - (a->outputs()[kBeta] * x + a->outputs()[kAlpha]);
  EXPECT_NEAR(posterior_residual, e * 1e-3 / q, 1e-12 * std::fabs(y));
  EXPECT_GT(std::fabs(e), 10 * std::fabs(posterior_residual));
  EXPECT_NE(a->outputs()[kBeta], b->outputs()[kBeta]);
}

// x = 100 + 10 sin(i / 8) + noise: enough relative movement that beta and
// alpha are separately identified within a few hundred observations.
PairSeries oscillating_pair(std::size_t n, std::size_t step_at, double beta_before, double beta_after, double noise,
                            std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  PairSeries s;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = 100 + 10 * std::sin(static_cast<double>(i) / 8) + 0.1 * normal(rng);
    s.x.push_back(x);
    s.y.push_back((i < step_at ? beta_before : beta_after) * x + 20 + noise * normal(rng));
  }
  return s;
}

TEST(KalmanPlugin, ConvergesToAStaticHedgeRatio) {
  // beta 1.5, alpha 20, noise sd 0.1 (ve 1e-2 to match). With delta 1e-10
  // and a diffuse start (p0 1e4) the filter is nearly recursive least
  // squares, whose beta has sd ~0.1 / (sqrt(n) sd(x)), sd(x) ~7: ~1.4e-3 at
  // n = 100 and ~1.4e-4 at n = 10000. Bounds are 5 of those sd.
  const PairSeries s = oscillating_pair(10000, 10000, 1.5, 1.5, 0.1, 3);
  auto model = make_kalman({1e-10, 1e-2, 1e4});
  ASSERT_NE(model, nullptr);
  double error_100 = 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    ASSERT_TRUE(model->update(observation(s.x[i], s.y[i])));
    if (i + 1 == 100) error_100 = std::fabs(model->outputs()[kBeta] - 1.5);
  }
  const double error_10000 = std::fabs(model->outputs()[kBeta] - 1.5);
  std::printf("|beta - 1.5| after 100: %.3g, after 10000: %.3g; alpha after 10000: %.6g\n", error_100, error_10000,
              model->outputs()[kAlpha]);
  EXPECT_LT(error_100, 7e-3);
  EXPECT_LT(error_10000, 7e-4);
  EXPECT_NEAR(model->outputs()[kAlpha], 20, 0.1);  // sd ~0.1 * 100 / (7 sqrt(n)) = 0.014
}

// Observations after a step in beta until beta has covered half of it.
std::size_t half_step_time(double delta) {
  constexpr std::size_t kStepAt = 20000;
  const PairSeries s = oscillating_pair(2 * kStepAt, kStepAt, 1.5, 1.6, 1.0, 3);
  auto model = make_kalman({delta, 1.0, 1.0});
  EXPECT_NE(model, nullptr);
  if (model == nullptr) return 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    EXPECT_TRUE(model->update(observation(s.x[i], s.y[i])));
    if (i >= kStepAt && model->outputs()[kBeta] > 1.55) return i - kStepAt + 1;
  }
  return s.x.size();
}

TEST(KalmanPlugin, LargerDeltaTracksAStepInBetaFaster) {
  // beta steps from 1.5 to 1.6 after 20000 observations (noise sd 1, ve 1).
  // In the steady state of a random walk observed in noise the gain, and
  // so the speed, grows as sqrt(Vw / ve): each decade of delta should cut
  // the half-step time by about sqrt(10) ~ 3.2. Measured: 189, 61, 18.
  const std::size_t slow = half_step_time(1e-9);
  const std::size_t medium = half_step_time(1e-8);
  const std::size_t fast = half_step_time(1e-7);
  std::printf("observations to cover half a 0.1 step in beta: delta 1e-9: %zu, 1e-8: %zu, 1e-7: %zu\n", slow, medium,
              fast);
  EXPECT_GT(slow, 2.5 * medium);
  EXPECT_GT(medium, 2.5 * fast);
  EXPECT_LT(slow, 1000u);
  EXPECT_GE(fast, 5u);
}

TEST(KalmanPlugin, ForecastStdStaysAboveSqrtVeOverAMillionUpdatesAtBtcPrices) {
  // Q = H R H' + ve with H R H' > 0 whenever P is positive definite; a P
  // that lost definiteness would show as forecast_std <= sqrt(ve) or NaN.
  // delta 1e-12 is the hardest case: P collapses towards the ~x^2-larger
  // cancellation the filter avoids (see kalman_filter.h).
  for (double delta : {1e-12, 1e-4}) {
    const PairSeries s = random_walk_pair(1'000'000, 1e5, 10, 0.8, 2e4, 1.0, 8);
    auto model = make_kalman({delta, 1e-3, 1.0});
    ASSERT_NE(model, nullptr);
    double lowest = INFINITY;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      ASSERT_TRUE(model->update(observation(s.x[i], s.y[i])));
      const double std_dev = model->outputs()[kForecastStd];
      ASSERT_TRUE(std::isfinite(std_dev) && std_dev > std::sqrt(1e-3)) << "delta " << delta << " step " << i;
      lowest = std::min(lowest, std_dev);
    }
    std::printf("delta %g: lowest forecast_std %.6g over 1e6 updates (sqrt(ve) = %.6g)\n", delta, lowest,
                std::sqrt(1e-3));
  }
}

}  // namespace
}  // namespace alphastream
