// The huber plugin through the engine's host, on cases checked by hand; the
// comparison with statsmodels itself is huber_reference_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "huber_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

// scipy.stats.norm.ppf(3/4): the MAD of a unit normal.
constexpr double kMadConstant = 0.6744897501960817;

TEST(HuberPlugin, DescriptorDeclaresItsParametersAndFiveOutputsInOrder) {
  auto model = make_huber({});
  ASSERT_NE(model, nullptr);
  const as_model_descriptor& d = model->descriptor();
  EXPECT_STREQ(d.id, "huber");
  EXPECT_STREQ(d.version, "1.0.0");
  EXPECT_EQ(d.kind, static_cast<std::uint32_t>(AS_MODEL_PAIR));
  ASSERT_EQ(d.param_count, 3u);
  EXPECT_STREQ(d.params[0].name, "window");
  EXPECT_EQ(d.params[0].default_value, 100);
  EXPECT_EQ(d.params[0].min_value, 5);
  EXPECT_STREQ(d.params[1].name, "t");
  EXPECT_EQ(d.params[1].default_value, 1.345);
  EXPECT_STREQ(d.params[2].name, "warm_start");
  EXPECT_EQ(d.params[2].type, static_cast<std::uint32_t>(AS_PARAM_BOOL));
  EXPECT_EQ(d.params[2].default_value, 0);
  EXPECT_EQ(model->output_index("beta"), kBeta);
  EXPECT_EQ(model->output_index("alpha"), kAlpha);
  EXPECT_EQ(model->output_index("scale"), kScale);
  EXPECT_EQ(model->output_index("iterations"), kIterations);
  EXPECT_EQ(model->output_index("downweighted_share"), kDownweightedShare);
  EXPECT_EQ(model->outputs().size(), 5u);
}

TEST(HuberPlugin, WindowBelowFiveIsRefusedByTheHost) {
  auto library = PluginLibrary::load(HUBER_PLUGIN_PATH);
  ASSERT_TRUE(library.is_ok()) << library.error();
  const std::vector<ParamSetting> settings = {{"window", 4, "4", "backtest.yaml:9"}};
  auto model = ModelInstance::create(*library, settings, "pairs[0]");
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.error(), "backtest.yaml:9: plugin 'huber' parameter 'window' must be in [5, 1000000], got \"4\"");
}

TEST(HuberPlugin, EveryOutputIsNaNUntilTheWindowIsFull) {
  auto model = make_huber({.window = 5});
  ASSERT_NE(model, nullptr);
  const double xs[] = {1, 2, 4, 3, 7};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(model->update(observation(xs[i], 1 + xs[i] * xs[i])));
    for (double v : model->outputs()) EXPECT_TRUE(std::isnan(v)) << "after " << i + 1 << " observations";
  }
  ASSERT_TRUE(model->update(observation(xs[4], 50)));
  for (double v : model->outputs()) EXPECT_FALSE(std::isnan(v));
}

// y = 3 + 2x on x = 100..149 but for one point 1000 above the line, near the
// high end of x where it tilts OLS most: OLS's slope is 2 + 1000 (x_o - mean
// x) / Sxx = 2 + 1000 * 21.5 / 10412.5 = 4.06. Huber's weights shrink the
// outlier's pull with the scale, which the 49 exact points drive to (almost)
// zero, so the line comes back to rounding.
TEST(HuberPlugin, ExactLineWithOneHugeOutlierKeepsTheLinesSlope) {
  constexpr int kWindow = 50;
  auto model = make_huber({.window = kWindow});
  ASSERT_NE(model, nullptr);
  for (int i = 0; i < kWindow; ++i) {
    const double x = 100 + i;
    ASSERT_TRUE(model->update(observation(x, 3 + 2 * x + (i == 46 ? 1000 : 0))));
  }
  const auto out = model->outputs();
  EXPECT_NEAR(out[kBeta], 2, 1e-8);
  EXPECT_NEAR(out[kAlpha], 3, 1e-8 * 300);  // alpha's error is beta's times mean x
  EXPECT_LT(out[kScale], 1e-8);
  // At least the outlier; once the inliers' residuals are rounding noise the
  // rest of the count is noise too (statsmodels' own weights do the same).
  EXPECT_GE(out[kDownweightedShare], 1.0 / kWindow);
}

// A line with alternating +-d on x = 100..120 and one point 1000 above the
// line at the centre of x. The design is symmetric about the centre, so the
// slope stays 2 exactly and the outlier only lifts the intercept, by delta;
// the 20 inliers have |residual| d - delta or d + delta, so the MAD scale is
// s = (d + delta) / c and every inlier has |z| <= (d + delta) / (d - delta) c,
// well inside t: only the outlier is downweighted, to w = t s / (1000 -
// delta). WLS then gives the weighted mean offset delta = 1000 w / (20 + w),
// a fixed point solved below. statsmodels gives alpha 3.0553735, scale
// 0.82339801, 15 iterations.
TEST(HuberPlugin, OutlierAtTheCentreOfASymmetricWindowIsTheOnlyPointDownweighted) {
  constexpr int kWindow = 21;
  constexpr double kD = 0.5, kT = 1.345, kOutlier = 1000;
  auto model = make_huber({.window = kWindow, .t = kT});
  ASSERT_NE(model, nullptr);
  for (int i = 0; i < kWindow; ++i) {
    const double x = 100 + i;
    const double y = 3 + 2 * x + (i == kWindow / 2 ? kOutlier : (i % 2 == 0 ? kD : -kD));
    ASSERT_TRUE(model->update(observation(x, y)));
  }
  double delta = 0, scale = 0;
  for (int k = 0; k < 200; ++k) {
    scale = (kD + delta) / kMadConstant;
    const double w = kT * scale / (kOutlier - delta);
    delta = kOutlier * w / (kWindow - 1 + w);
  }
  const auto out = model->outputs();
  EXPECT_NEAR(out[kBeta], 2, 1e-12);
  EXPECT_NEAR(out[kAlpha], 3 + delta, 1e-7);  // IRLS stops when the deviance changes < 1e-8
  EXPECT_NEAR(out[kScale], scale, 1e-7);
  EXPECT_DOUBLE_EQ(out[kDownweightedShare], 1.0 / kWindow);
  EXPECT_LT(out[kIterations], 50);
  EXPECT_NEAR(out[kAlpha], 3.0553735, 1e-7);  // statsmodels
  EXPECT_NEAR(out[kScale], 0.82339801, 1e-8);
}

// Huber bounds the pull of a large residual, not of a point far out in x: in
// a window of 5, an outlier at the end of x tilts the line so far that it
// is no longer the largest residual. statsmodels agrees: beta -197.82263904,
// alpha 20584.8379899 after 3 iterations.
TEST(HuberPlugin, OutlierAtTheEdgeOfATinyWindowStillTiltsTheLine) {
  auto model = make_huber({.window = 5});
  ASSERT_NE(model, nullptr);
  for (int i = 0; i < 5; ++i) {
    const double x = 100 + i;
    ASSERT_TRUE(model->update(observation(x, 3 + 2 * x + (i == 0 ? 1000 : 0))));
  }
  const auto out = model->outputs();
  EXPECT_NEAR(out[kBeta], -197.82263904, 1e-6);
  EXPECT_NEAR(out[kAlpha], 20584.8379899, 1e-4);
  EXPECT_EQ(out[kIterations], 3);
}

// With t far beyond every |residual| / scale no weight drops below 1: the
// first reweighted fit is the OLS fit again, the deviance does not change,
// and IRLS stops at its second iteration with OLS's line.
TEST(HuberPlugin, LargeTuningConstantGivesOlsAfterTwoIterations) {
  constexpr int kWindow = 40;
  auto model = make_huber({.window = kWindow, .t = 100});
  ASSERT_NE(model, nullptr);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> xs, ys;
  for (int i = 0; i < kWindow; ++i) {
    xs.push_back(50 + 0.3 * i + noise(rng));
    ys.push_back(7 - 0.5 * xs.back() + noise(rng));
    ASSERT_TRUE(model->update(observation(xs.back(), ys.back())));
  }
  long double mx = 0, my = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < kWindow; ++i) {
    mx += xs[i] / kWindow;
    my += ys[i] / kWindow;
  }
  for (int i = 0; i < kWindow; ++i) {
    sxx += (xs[i] - mx) * (xs[i] - mx);
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const auto out = model->outputs();
  EXPECT_NEAR(out[kBeta], static_cast<double>(sxy / sxx), 1e-12);
  EXPECT_NEAR(out[kAlpha], static_cast<double>(my - sxy / sxx * mx), 1e-11);
  EXPECT_EQ(out[kIterations], 2);
  EXPECT_EQ(out[kDownweightedShare], 0);
}

TEST(HuberPlugin, NonFiniteInputIsRefusedAndChangesNothing) {
  auto with_errors = make_huber({.window = 20, .warm_start = true});
  auto clean = make_huber({.window = 20, .warm_start = true});
  ASSERT_NE(with_errors, nullptr);
  ASSERT_NE(clean, nullptr);
  for (int i = 0; i < 60; ++i) {
    const double x = 100 + std::sin(i * 0.3), y = 2 * x + std::cos(i * 0.7) + (i % 11 == 0 ? 30 : 0);
    if (i % 7 == 3) {
      EXPECT_FALSE(with_errors->update(observation(NAN, y)));
      EXPECT_FALSE(with_errors->update(observation(x, INFINITY)));
    }
    ASSERT_TRUE(with_errors->update(observation(x, y)));
    ASSERT_TRUE(clean->update(observation(x, y)));
  }
  for (std::size_t k = 0; k < 5; ++k) EXPECT_EQ(with_errors->outputs()[k], clean->outputs()[k]) << "output " << k;
  EXPECT_FALSE(std::isnan(clean->outputs()[kBeta]));
}

// A flat x has no slope; the window recovers once x moves again, and the
// warm start, having no previous answer, starts from OLS.
TEST(HuberPlugin, FlatXGivesNaNUntilXMovesAgain) {
  auto model = make_huber({.window = 10, .warm_start = true});
  ASSERT_NE(model, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(model->update(observation(100, 200 + (i % 3))));
  for (double v : model->outputs()) EXPECT_TRUE(std::isnan(v));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(model->update(observation(100 + i, 3 + 2 * (100 + i) + (i == 4 ? 0.25 : 0))));
  EXPECT_NEAR(model->outputs()[kBeta], 2, 1e-8);
}

// Warm and cold start stop by the same rule from different points: on
// noisy data with outliers they agree to far below the reference tolerance.
TEST(HuberPlugin, WarmStartLandsWhereTheColdStartDoes) {
  auto warm = make_huber({.window = 80, .warm_start = true});
  auto cold = make_huber({.window = 80});
  ASSERT_NE(warm, nullptr);
  ASSERT_NE(cold, nullptr);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 1);
  double x = 1e4, worst = 0;
  for (int i = 0; i < 600; ++i) {
    x += 5 * noise(rng);
    const double y = 2000 + 0.8 * x + 3 * noise(rng) + (i % 17 == 0 ? 60 : 0);
    ASSERT_TRUE(warm->update(observation(x, y)));
    ASSERT_TRUE(cold->update(observation(x, y)));
    if (i >= 79) worst = std::max(worst, std::fabs(warm->outputs()[kBeta] / cold->outputs()[kBeta] - 1));
  }
  EXPECT_LT(worst, 1e-6);
  EXPECT_GT(worst, 0) << "the warm start was not used";
}

}  // namespace
}  // namespace alphastream
