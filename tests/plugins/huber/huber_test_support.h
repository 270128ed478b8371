// Loading the huber plugin through the engine's host, as a shard does.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "plugin_host/model_instance.h"

namespace alphastream::testing {

// Output slots of the huber descriptor.
enum HuberOutput { kBeta = 0, kAlpha = 1, kScale = 2, kIterations = 3, kDownweightedShare = 4 };

struct HuberSettings {
  int window = 100;
  double t = 1.345;
  bool warm_start = false;
};

inline std::unique_ptr<ModelInstance> make_huber(const HuberSettings& s) {
  auto library = PluginLibrary::load(HUBER_PLUGIN_PATH);
  EXPECT_TRUE(library.is_ok()) << library.error();
  if (!library) return nullptr;
  const std::vector<ParamSetting> settings = {
      {"window", static_cast<double>(s.window), std::to_string(s.window), ""},
      {"t", s.t, std::to_string(s.t), ""},
      {"warm_start", s.warm_start ? 1.0 : 0.0, s.warm_start ? "true" : "false", "", true},
  };
  auto model = ModelInstance::create(*library, settings, "test");
  EXPECT_TRUE(model.is_ok()) << model.error();
  return model ? std::move(*model) : nullptr;
}

inline as_observation observation(double x, double y) { return as_observation{sizeof(as_observation), 0, x, y}; }

}  // namespace alphastream::testing
