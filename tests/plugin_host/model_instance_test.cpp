#include "plugin_host/model_instance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "fixture_paths.h"

namespace alphastream {
namespace {

using ::alphastream::testing::fixture;

std::shared_ptr<PluginLibrary> load(const std::string& name) {
  auto library = PluginLibrary::load(fixture(name));
  EXPECT_TRUE(library.is_ok()) << library.error();
  return library.is_ok() ? *library : nullptr;
}

as_observation observation(double x, double y) { return as_observation{sizeof(as_observation), 0, x, y}; }

std::string create_error(const std::string& plugin, std::vector<ParamSetting> settings) {
  auto model = ModelInstance::create(load(plugin), settings, "pairs[0] BTC-ETH");
  EXPECT_FALSE(model.is_ok());
  return model.is_ok() ? "" : model.error();
}

TEST(ModelInstance, DefaultsFillParametersNotGiven) {
  auto model = ModelInstance::create(load("c_ratio"), {}, "pairs[0] BTC-ETH");
  ASSERT_TRUE(model.is_ok()) << model.error();
  // scale 1, warmup 2, fail_create false, as the fixture declares.
  EXPECT_THAT((*model)->param_values(), ::testing::ElementsAre(1.0, 2.0, 0.0));
}

TEST(ModelInstance, GivenValuesReachThePlugin) {
  const std::vector<ParamSetting> settings = {{"scale", 3.0, "3", "config.yaml:14"},
                                              {"warmup", 0, "0", "config.yaml:15"}};
  auto model = ModelInstance::create(load("c_ratio"), settings, "pairs[0] BTC-ETH");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  // beta = scale * sum(y) / sum(x) = 3 * (4 + 8) / (2 + 4) = 6.
  ASSERT_TRUE(m.update(observation(2, 4)));
  ASSERT_TRUE(m.update(observation(4, 8)));
  EXPECT_EQ(m.outputs()[m.output_index("beta")], 6.0);
  EXPECT_EQ(m.outputs()[m.output_index("alpha")], 0.0);
  EXPECT_EQ(m.outputs()[m.output_index("count")], 2.0);
}

TEST(ModelInstance, OutputsAreNaNUntilThePluginWritesThem) {
  auto model = ModelInstance::create(load("c_ratio"), {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  ASSERT_EQ(m.outputs().size(), 3u);
  for (double v : m.outputs()) EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(m.update(observation(1, 2)));  // warmup 2: beta not yet given
  EXPECT_TRUE(std::isnan(m.outputs()[0]));
  ASSERT_TRUE(m.update(observation(1, 2)));
  ASSERT_TRUE(m.update(observation(1, 2)));
  EXPECT_EQ(m.outputs()[0], 2.0);
}

TEST(ModelInstance, OutputIndexIsMinusOneForUnknownNames) {
  auto model = ModelInstance::create(load("c_ratio"), {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  EXPECT_EQ((*model)->output_index("beta"), 0);
  EXPECT_EQ((*model)->output_index("count"), 2);
  EXPECT_EQ((*model)->output_index("gamma"), -1);
}

TEST(ModelInstance, UnknownKeySuggestsTheNearestName) {
  EXPECT_EQ(create_error("c_ratio", {{"warmpu", 5, "5", "config.yaml:14"}}),
            "config.yaml:14: plugin 'c_ratio' has no parameter 'warmpu' (did you mean 'warmup'?); "
            "known: scale, warmup, fail_create");
}

TEST(ModelInstance, UnknownKeyFarFromEveryNameHasNoSuggestion) {
  EXPECT_EQ(create_error("c_ratio", {{"lookback", 5, "5", "config.yaml:14"}}),
            "config.yaml:14: plugin 'c_ratio' has no parameter 'lookback'; known: scale, warmup, fail_create");
}

TEST(ModelInstance, MessageFallsBackToTheContextWithoutALocation) {
  EXPECT_EQ(create_error("c_ratio", {{"scal", 1, "1", ""}}),
            "pairs[0] BTC-ETH: plugin 'c_ratio' has no parameter 'scal' (did you mean 'scale'?); "
            "known: scale, warmup, fail_create");
}

TEST(ModelInstance, IntegerParameterRefusesAFraction) {
  EXPECT_EQ(create_error("c_ratio", {{"warmup", 2.5, "2.5", "config.yaml:3"}}),
            "config.yaml:3: plugin 'c_ratio' parameter 'warmup' must be an integer, got \"2.5\"");
}

TEST(ModelInstance, NumberParameterRefusesABoolean) {
  EXPECT_EQ(create_error("c_ratio", {{"warmup", 1, "true", "config.yaml:3", true}}),
            "config.yaml:3: plugin 'c_ratio' parameter 'warmup' must be a number, got \"true\"");
}

TEST(ModelInstance, BooleanParameterRefusesTwo) {
  EXPECT_EQ(create_error("c_ratio", {{"fail_create", 2, "2", "config.yaml:3"}}),
            "config.yaml:3: plugin 'c_ratio' parameter 'fail_create' must be true or false (or 0 or 1), got \"2\"");
}

TEST(ModelInstance, OutOfBoundsValueShowsTheBounds) {
  EXPECT_EQ(create_error("c_ratio", {{"scale", 11, "11", "config.yaml:3"}}),
            "config.yaml:3: plugin 'c_ratio' parameter 'scale' must be in [0, 10], got \"11\"");
}

TEST(ModelInstance, EveryBadSettingIsReportedAtOnce) {
  EXPECT_EQ(create_error("c_ratio", {{"scale", -1, "-1", "c.yaml:3"},
                                     {"warmup", 0.5, "0.5", "c.yaml:4"},
                                     {"scale", 1, "1", "c.yaml:5"}}),
            "c.yaml:3: plugin 'c_ratio' parameter 'scale' must be in [0, 10], got \"-1\"\n"
            "c.yaml:4: plugin 'c_ratio' parameter 'warmup' must be an integer, got \"0.5\"\n"
            "c.yaml:5: plugin 'c_ratio' parameter 'scale' is given twice");
}

TEST(ModelInstance, CreateFailureCarriesThePluginsMessage) {
  EXPECT_EQ(create_error("c_ratio", {{"fail_create", 1, "true", "c.yaml:3", true}}),
            "pairs[0] BTC-ETH: plugin 'c_ratio' (" + fixture("c_ratio") +
                ") could not create its model: fail_create is set");
}

TEST(ModelInstance, ExceptionInCreateBecomesAnError) {
  EXPECT_EQ(create_error("throwing", {{"throw_in_create", 1, "true", "c.yaml:3", true}}),
            "pairs[0] BTC-ETH: plugin 'throwing' (" + fixture("throwing") +
                ") could not create its model: asked to throw in create");
}

// Issue 13, finding 2: a raw C++ plugin that lets exceptions escape (no
// plugin.hpp guard) used to abort the process. Create fails with a message;
// update pauses the model for good: later updates never reach the plugin.
TEST(ModelInstance, AnExceptionEscapingCreateFailsThatModelOnly) {
  EXPECT_EQ(create_error("escaping", {{"throw_in_create", 1, "true", "c.yaml:3", true}}),
            "pairs[0] BTC-ETH: plugin 'escaping' (" + fixture("escaping") + ") threw from create: escaped from create");
}

TEST(ModelInstance, AnExceptionEscapingUpdatePausesTheModel) {
  const std::vector<ParamSetting> settings = {{"throw_after", 3, "3", "c.yaml:4"}};
  auto model = ModelInstance::create(load("escaping"), settings, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  ASSERT_TRUE(m.update(observation(2, 6)));
  ASSERT_TRUE(m.update(observation(2, 8)));
  EXPECT_FALSE(m.faulted());
  EXPECT_FALSE(m.update(observation(2, 6)));  // the third throws
  EXPECT_TRUE(m.faulted());
  EXPECT_EQ(m.fault_message(), "plugin 'escaping' threw from update: escaped from update; the model is paused");
  // The plugin would answer the fourth (its counter only throws once): the
  // host does not call it any more.
  EXPECT_FALSE(m.update(observation(2, 10)));
  EXPECT_TRUE(std::isnan(m.outputs()[0]));
  EXPECT_EQ(m.update_errors(), 2u);
}

TEST(ModelInstance, UpdatesAreTimedOnlyOnceABudgetIsSet) {
  auto model = ModelInstance::create(load("c_ratio"), {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  ASSERT_TRUE(m.update(observation(2, 6)));
  EXPECT_EQ(m.update_timing().updates, 0u) << "timed without a budget";
  m.set_update_budget(std::chrono::seconds(1));
  ASSERT_TRUE(m.update(observation(2, 6)));
  ASSERT_TRUE(m.update(observation(2, 8)));
  const ModelInstance::UpdateTiming timing = m.update_timing();
  EXPECT_EQ(timing.updates, 2u);
  EXPECT_EQ(timing.over_budget, 0u);
  EXPECT_LT(timing.total_ns, 1'000'000'000u);
}

// A real plugin that sleeps 3 ms per update, against budgets either side.
TEST(ModelInstance, UpdatesLongerThanTheBudgetAreCounted) {
  const std::vector<ParamSetting> settings = {{"sleep_ms", 3, "3", "c.yaml:4"}};
  auto model = ModelInstance::create(load("slow_updates"), settings, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  m.set_update_budget(std::chrono::milliseconds(1));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m.update(observation(2, 6)));
  m.set_update_budget(std::chrono::seconds(10));
  ASSERT_TRUE(m.update(observation(2, 6)));
  const ModelInstance::UpdateTiming timing = m.update_timing();
  EXPECT_EQ(timing.updates, 4u);
  EXPECT_EQ(timing.over_budget, 3u);
  EXPECT_GE(timing.total_ns, 4u * 3'000'000u);  // nanosleep sleeps at least that long
}

TEST(ModelInstance, ExceptionInUpdateIsAFailedUpdateWithNaNOutputs) {
  auto model = ModelInstance::create(load("throwing"), {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  ModelInstance& m = **model;
  ASSERT_TRUE(m.update(observation(2, 6)));
  EXPECT_EQ(m.outputs()[0], 3.0);
  EXPECT_FALSE(m.update(observation(-1, 6)));
  EXPECT_TRUE(std::isnan(m.outputs()[0]));
  EXPECT_TRUE(std::isnan(m.outputs()[1]));
  EXPECT_EQ(m.update_errors(), 1u);
  // The model is still usable after the error.
  ASSERT_TRUE(m.update(observation(4, 6)));
  EXPECT_EQ(m.outputs()[0], 1.5);
}

TEST(ModelInstance, TradeIsRefusedByAPairModel) {
  auto model = ModelInstance::create(load("c_ratio"), {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  as_trade trade{};
  trade.price = 100;
  EXPECT_FALSE((*model)->update(trade));
  EXPECT_EQ((*model)->update_errors(), 1u);
}

std::vector<std::string> g_logged;

void capture(as_log_level level, std::string_view plugin, std::string_view context, std::string_view message) {
  g_logged.push_back(std::to_string(level) + " " + std::string(plugin) + " " + std::string(context) + " " +
                     std::string(message));
}

TEST(ModelInstance, PluginLogLinesReachTheSinkWithTheirContext) {
  g_logged.clear();
  set_plugin_log_sink(&capture);
  auto model = ModelInstance::create(load("c_ratio"), {}, "pairs[1] SOL-AVAX");
  set_plugin_log_sink(nullptr);
  ASSERT_TRUE(model.is_ok()) << model.error();
  EXPECT_THAT(g_logged, ::testing::ElementsAre("1 c_ratio pairs[1] SOL-AVAX c_ratio model created"));
}

TEST(ModelInstance, ModelOutlivesTheCallersLibraryHandle) {
  auto library = load("c_ratio");
  auto model = ModelInstance::create(library, {}, "ctx");
  ASSERT_TRUE(model.is_ok()) << model.error();
  EXPECT_EQ(library.use_count(), 2);
  library.reset();  // the model keeps the library loaded
  EXPECT_TRUE((*model)->update(observation(1, 1)));
  EXPECT_STREQ((*model)->descriptor().id, "c_ratio");
}

}  // namespace
}  // namespace alphastream
