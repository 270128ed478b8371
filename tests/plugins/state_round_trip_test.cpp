// The "alphastream.state/1" extension of the four shipped plugins, through
// the host (ModelInstance::save_state / restore_state) on the real shared
// libraries: a model restored from another's state gives the same outputs
// for the same events from then on, bit for bit; bytes that are not such a
// state are refused by name and leave the model as it was.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "plugin_host/model_instance.h"
#include "plugin_host/plugin_library.h"

namespace alphastream {
namespace {

struct Plugin {
  const char* name;
  const char* path;
  std::vector<ParamSetting> params;
};

const Plugin kPlugins[] = {
    {"ols", OLS_PATH, {{"window", 20, "20", "t.yaml:1"}}},
    {"kalman", KALMAN_PATH, {{"warmup", 5, "5", "t.yaml:1"}}},
    {"huber", HUBER_PATH, {{"window", 25, "25", "t.yaml:1"}, {"warm_start", 1, "true", "t.yaml:2", true}}},
    {"microstructure", MICROSTRUCTURE_PATH, {{"window_s", 5, "5", "t.yaml:1"}}},
};

std::unique_ptr<ModelInstance> make(const Plugin& plugin, std::vector<ParamSetting> params = {}) {
  auto library = PluginLibrary::load(plugin.path);
  EXPECT_TRUE(library) << library.error();
  auto model = ModelInstance::create(library.value(), params.empty() ? plugin.params : params, plugin.name);
  EXPECT_TRUE(model) << model.error();
  return std::move(model.value());
}

// Event i of a deterministic, cointegrated-looking stream.
void feed(ModelInstance& model, int i) {
  const double noise = std::sin(i * 12.9898) * 0.37;
  const double x = 100 + 3 * std::sin(i * 0.05) + 0.01 * i;
  if (model.descriptor().kind == AS_MODEL_PAIR) {
    model.update(as_observation{sizeof(as_observation), 1'700'000'000'000 + i * 1000, x, 2 * x + 5 + noise});
  } else {
    as_trade trade{};
    trade.struct_size = sizeof(as_trade);
    trade.agg_trade_id = trade.first_trade_id = trade.last_trade_id = i + 1;
    trade.price = x + noise;
    trade.quantity = 0.5 + std::fabs(noise);
    trade.transact_time_ms = 1'700'000'000'000 + i * 250;
    trade.is_buyer_maker = i % 3 == 0;
    model.update(trade);
  }
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

class StateRoundTrip : public ::testing::TestWithParam<Plugin> {};

TEST_P(StateRoundTrip, ARestoredModelGivesTheSameOutputsBitForBit) {
  const Plugin& plugin = GetParam();
  auto original = make(plugin);
  for (int i = 0; i < 300; ++i) feed(*original, i);
  auto saved = original->save_state();
  ASSERT_TRUE(saved) << saved.error();

  auto restored = make(plugin);
  for (int i = 0; i < 7; ++i) feed(*restored, 1000 + i);  // any prior state is replaced
  ASSERT_TRUE(restored->restore_state(*saved));
  for (int i = 300; i < 600; ++i) {
    feed(*original, i);
    feed(*restored, i);
    ASSERT_TRUE(same_bits(original->outputs(), restored->outputs())) << plugin.name << " event " << i;
  }
  // Saving the restored model gives a state that restores the same again.
  auto again = restored->save_state();
  ASSERT_TRUE(again) << again.error();
  auto third = make(plugin);
  ASSERT_TRUE(third->restore_state(*again));
  feed(*restored, 600);
  feed(*third, 600);
  EXPECT_TRUE(same_bits(restored->outputs(), third->outputs()));
}

TEST_P(StateRoundTrip, BytesThatAreNotItsStateAreRefusedAndChangeNothing) {
  const Plugin& plugin = GetParam();
  auto source = make(plugin);
  for (int i = 0; i < 100; ++i) feed(*source, i);
  const std::vector<std::uint8_t> good = *source->save_state();

  auto model = make(plugin);
  auto control = make(plugin);
  for (int i = 0; i < 50; ++i) {
    feed(*model, i);
    feed(*control, i);
  }
  std::vector<std::vector<std::uint8_t>> bad = {
      {},
      std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)),
      std::vector<std::uint8_t>(good.size(), 0xAB),
  };
  std::vector<std::uint8_t> longer = good;
  longer.push_back(0);
  bad.push_back(longer);
  std::vector<std::uint8_t> other_version = good;
  // Magic (4), name length (8), name, then the version.
  other_version[12 + std::strlen(plugin.name)] ^= 0x40;
  bad.push_back(other_version);
  for (const auto& bytes : bad) {
    const Status refused = model->restore_state(bytes);
    ASSERT_FALSE(refused) << plugin.name << ": " << bytes.size() << " bytes accepted";
    EXPECT_NE(refused.message().find("refused the state"), std::string::npos) << refused.message();
  }
  EXPECT_NE(model->restore_state(other_version).message().find("state version"), std::string::npos);
  // Nothing changed: the model still follows its control exactly.
  for (int i = 50; i < 120; ++i) {
    feed(*model, i);
    feed(*control, i);
    ASSERT_TRUE(same_bits(model->outputs(), control->outputs())) << plugin.name << " event " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPlugins, StateRoundTrip, ::testing::ValuesIn(kPlugins),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(StateRoundTrip, AStateOfAnotherPluginOrAnotherWindowIsRefusedByName) {
  auto ols = make(kPlugins[0]);
  auto huber = make(kPlugins[2]);
  for (int i = 0; i < 30; ++i) {
    feed(*ols, i);
    feed(*huber, i);
  }
  const Status other_plugin = huber->restore_state(*ols->save_state());
  EXPECT_EQ(other_plugin.message(), "huber: plugin 'huber' refused the state: state of another plugin");
  auto wider = make(kPlugins[0], {{"window", 30, "30", "t.yaml:1"}});
  const Status other_window = wider->restore_state(*ols->save_state());
  EXPECT_EQ(other_window.message(), "ols: plugin 'ols' refused the state: state was saved with another window");
}

}  // namespace
}  // namespace alphastream
