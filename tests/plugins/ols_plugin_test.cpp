#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ols_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

TEST(OlsPlugin, DescriptorDeclaresWindowAndFourOutputs) {
  auto model = make_ols(10);
  ASSERT_NE(model, nullptr);
  EXPECT_STREQ(model->descriptor().id, "ols");
  EXPECT_STREQ(model->descriptor().version, "1.0.0");
  EXPECT_EQ(model->output_index("beta"), kBeta);
  EXPECT_EQ(model->output_index("alpha"), kAlpha);
  EXPECT_EQ(model->output_index("r_squared"), kRSquared);
  EXPECT_EQ(model->output_index("residual_std"), kResidualStd);
}

TEST(OlsPlugin, WindowBelowThreeIsRefusedByTheHost) {
  auto library = PluginLibrary::load(OLS_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  const std::vector<ParamSetting> settings = {{"window", 2, "2", "backtest.yaml:9"}};
  auto model = ModelInstance::create(*library, settings, "pairs[0]");
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.error(), "backtest.yaml:9: plugin 'ols' parameter 'window' must be in [3, 1000000], got \"2\"");
}

TEST(OlsPlugin, DefaultWindowIsOneHundred) {
  auto library = PluginLibrary::load(OLS_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  auto model = ModelInstance::create(*library, {}, "pairs[0]");
  ASSERT_TRUE(model.is_ok()) << model.error();
  for (int i = 0; i < 99; ++i) ASSERT_TRUE((*model)->update(observation(i, 2 * i + (i % 3))));
  EXPECT_TRUE(std::isnan((*model)->outputs()[kBeta]));
  ASSERT_TRUE((*model)->update(observation(99, 198)));
  EXPECT_FALSE(std::isnan((*model)->outputs()[kBeta]));
}

TEST(OlsPlugin, EveryOutputIsNaNUntilTheWindowIsFull) {
  auto model = make_ols(5);
  ASSERT_NE(model, nullptr);
  const double xs[] = {1, 2, 4, 3, 7};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(model->update(observation(xs[i], 1 + xs[i] * xs[i])));
    for (double v : model->outputs()) EXPECT_TRUE(std::isnan(v)) << "after " << i + 1 << " observations";
  }
  ASSERT_TRUE(model->update(observation(xs[4], 50)));
  for (double v : model->outputs()) EXPECT_FALSE(std::isnan(v));
}

TEST(OlsPlugin, ExactLineGivesExactBetaAndAlpha) {
  // y = 3 + 2x on small integers: every intermediate is exact in binary.
  auto model = make_ols(4);
  ASSERT_NE(model, nullptr);
  for (int i = 0; i < 40; ++i) {
    const double x = (i * 7) % 11;
    ASSERT_TRUE(model->update(observation(x, 3 + 2 * x)));
    if (i < 3) continue;
    EXPECT_EQ(model->outputs()[kBeta], 2.0) << "i=" << i;
    EXPECT_EQ(model->outputs()[kAlpha], 3.0) << "i=" << i;
    EXPECT_EQ(model->outputs()[kRSquared], 1.0) << "i=" << i;
    EXPECT_EQ(model->outputs()[kResidualStd], 0.0) << "i=" << i;
  }
}

TEST(OlsPlugin, HandCheckedFitOfFourPoints) {
  // x = 0 1 2 3, y = 1 3 2 5: mean x 1.5, mean y 2.75, sxx 5, sxy 5.5, syy 8.75,
  // beta 1.1, alpha 2.75 - 1.65 = 1.1, ssr = 8.75 - 1.1 * 5.5 = 2.7,
  // r^2 = 1 - 2.7 / 8.75, residual_std = sqrt(2.7 / 2).
  auto model = make_ols(4);
  ASSERT_NE(model, nullptr);
  for (auto [x, y] : {std::pair{0.0, 1.0}, {1.0, 3.0}, {2.0, 2.0}, {3.0, 5.0}}) {
    ASSERT_TRUE(model->update(observation(x, y)));
  }
  EXPECT_DOUBLE_EQ(model->outputs()[kBeta], 1.1);
  EXPECT_DOUBLE_EQ(model->outputs()[kAlpha], 1.1);
  EXPECT_DOUBLE_EQ(model->outputs()[kRSquared], 1 - 2.7 / 8.75);
  EXPECT_DOUBLE_EQ(model->outputs()[kResidualStd], std::sqrt(1.35));
}

TEST(OlsPlugin, FlatXGivesNaNBetaUntilXMovesAgain) {
  auto model = make_ols(10);
  ASSERT_NE(model, nullptr);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0, 0.3);
  double x = 50;
  for (int i = 0; i < 25; ++i) {
    x += step(rng);
    ASSERT_TRUE(model->update(observation(x, 2 * x + step(rng))));
  }
  EXPECT_FALSE(std::isnan(model->outputs()[kBeta]));
  // x holds still for a full window: var(x) is exactly 0, not rounding noise.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(model->update(observation(x, 2 * x + step(rng))));
  EXPECT_TRUE(std::isnan(model->outputs()[kBeta]));
  EXPECT_TRUE(std::isnan(model->outputs()[kAlpha]));
  ASSERT_TRUE(model->update(observation(x + 1, 2 * x + 2)));
  EXPECT_FALSE(std::isnan(model->outputs()[kBeta]));
}

TEST(OlsPlugin, NonFiniteObservationIsRefusedAndLeavesTheWindowAlone) {
  auto clean = make_ols(4);
  auto dirty = make_ols(4);
  ASSERT_NE(clean, nullptr);
  ASSERT_NE(dirty, nullptr);
  const double ys[] = {1, 3, 2, 5, 4, 4, 7};
  for (int i = 0; i < 7; ++i) {
    if (i == 3) {
      EXPECT_FALSE(dirty->update(observation(NAN, 1)));
      EXPECT_FALSE(dirty->update(observation(1, INFINITY)));
      EXPECT_TRUE(std::isnan(dirty->outputs()[kBeta]));
    }
    ASSERT_TRUE(clean->update(observation(i, ys[i])));
    ASSERT_TRUE(dirty->update(observation(i, ys[i])));
  }
  EXPECT_EQ(dirty->update_errors(), 2u);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(dirty->outputs()[k], clean->outputs()[k]) << "output " << k;
}

// A random walk with a drifting hedge ratio: every window differs.
void generate_pair(std::size_t n, double level, double move, std::uint64_t seed, std::vector<double>& x,
                   std::vector<double>& y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  x.resize(n);
  y.resize(n);
  double px = level, spread = 0;
  for (std::size_t i = 0; i < n; ++i) {
    px += move * noise(rng);
    spread = 0.95 * spread + move * noise(rng);
    const double beta = 0.8 + 0.1 * std::sin(static_cast<double>(i) / 5000.0);
    x[i] = px;
    y[i] = beta * px + 0.2 * level + spread;
  }
}

TEST(OlsPlugin, MatchesTwoPassRecomputationOnEveryWindow) {
  // Tolerance 1e-9 relative: each update's rounding is a few ulps of the
  // window's co-moments, summed over at most one window before the exact
  // recompute; at level 100 with moves of 0.5 the fits are well conditioned.
  constexpr int kWindow = 37;
  std::vector<double> x, y;
  generate_pair(20000, 100, 0.5, 1, x, y);
  auto model = make_ols(kWindow);
  ASSERT_NE(model, nullptr);
  double worst[4] = {0, 0, 0, 0};
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(model->update(observation(x[i], y[i])));
    if (i + 1 < kWindow) continue;
    const ReferenceFit want = two_pass_fit(x, y, i + 1 - kWindow, i + 1);
    const auto out = model->outputs();
    worst[kBeta] = std::max(worst[kBeta], relative_error(out[kBeta], want.beta));
    worst[kAlpha] = std::max(worst[kAlpha], relative_error(out[kAlpha], want.alpha));
    worst[kRSquared] = std::max(worst[kRSquared], relative_error(out[kRSquared], want.r_squared));
    worst[kResidualStd] = std::max(worst[kResidualStd], relative_error(out[kResidualStd], want.residual_std));
  }
  EXPECT_LT(worst[kBeta], 1e-9);
  EXPECT_LT(worst[kAlpha], 1e-9);
  EXPECT_LT(worst[kRSquared], 1e-9);
  EXPECT_LT(worst[kResidualStd], 1e-9);
  std::printf("worst relative error: beta %.3g alpha %.3g r_squared %.3g residual_std %.3g\n", worst[0], worst[1],
              worst[2], worst[3]);
}

TEST(OlsPlugin, StaysAccurateAtBtcPricesOverAMillionUpdates) {
  // Prices near 1e5 moving by 1e-2: the moves use only ~7 of a double's 16
  // digits, so a fit that multiplied raw prices (sum x^2 - n mean^2) would
  // lose everything. The inputs themselves are exact doubles and the
  // reference works on the same doubles in long double, so what remains is
  // the plugin's own rounding: ~1e-16 of the level, 1e5, is ~1e-11 against
  // deviations of ~1e-1, i.e. ~1e-10 relative per step, accumulating over at
  // most one window of 100 steps: below 1e-8. The bound 1e-6 leaves 100x
  // margin. A fit from plain running sums (sum x^2 - (sum x)^2 / n) returns
  // inf or garbage on this series.
  constexpr int kWindow = 100;
  constexpr std::size_t kUpdates = 1'000'000;
  std::vector<double> x, y;
  generate_pair(kUpdates, 1e5, 1e-2, 2, x, y);
  auto model = make_ols(kWindow);
  ASSERT_NE(model, nullptr);
  double worst_beta = 0, worst_alpha = 0;
  for (std::size_t i = 0; i < kUpdates; ++i) {
    ASSERT_TRUE(model->update(observation(x[i], y[i])));
    // Every 101st window, and the last window, which follows a million updates.
    if (i + 1 < kWindow || (i % 101 != 0 && i + 1 != kUpdates)) continue;
    const ReferenceFit want = two_pass_fit(x, y, i + 1 - kWindow, i + 1);
    worst_beta = std::max(worst_beta, relative_error(model->outputs()[kBeta], want.beta));
    worst_alpha = std::max(worst_alpha, relative_error(model->outputs()[kAlpha], want.alpha));
  }
  EXPECT_LT(worst_beta, 1e-6);
  EXPECT_LT(worst_alpha, 1e-6);
  std::printf("worst relative error over %zu updates: beta %.3g alpha %.3g\n", kUpdates, worst_beta, worst_alpha);
}

}  // namespace
}  // namespace alphastream
