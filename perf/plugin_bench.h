// Loading a model plugin for a benchmark, as the engine does: dlopen from the
// plugin directory, parameters checked by the host. One copy for every bench.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "plugin_host/model_instance.h"
#include "plugin_host/plugin_catalog.h"

namespace alphastream::bench {

// $ALPHASTREAM_PLUGINS_DIR, else <build>/plugins beside <build>/perf.
inline std::string plugins_dir() {
  if (const char* dir = std::getenv("ALPHASTREAM_PLUGINS_DIR")) return dir;
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "plugins").string();
}

// BTC-like pair observations: x near 1e5 moving by ~1e-2, y = 0.8 x + 2e4 +
// an AR(1) spread; 2^16 of them, cycled, so the data stay in cache.
inline const std::vector<as_observation>& observations() {
  static const std::vector<as_observation> data = [] {
    std::vector<as_observation> out(1 << 16);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(0, 1);
    double x = 1e5, spread = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      x += 1e-2 * noise(rng);
      spread = 0.95 * spread + 1e-2 * noise(rng);
      out[i] = as_observation{sizeof(as_observation), static_cast<std::int64_t>(i) * 1000, x, 0.8 * x + 2e4 + spread};
    }
    return out;
  }();
  return data;
}

// The model, or nullptr with the benchmark skipped and the reason shown.
inline std::unique_ptr<ModelInstance> make_model(const char* plugin, const std::vector<ParamSetting>& settings,
                                                 benchmark::State& state) {
  auto library = PluginCatalog(plugins_dir()).load(plugin);
  if (!library) {
    state.SkipWithError(library.error().c_str());
    return nullptr;
  }
  auto model = ModelInstance::create(*library, settings, std::string("bench ") + plugin);
  if (!model) {
    state.SkipWithError(model.error().c_str());
    return nullptr;
  }
  return std::move(*model);
}

}  // namespace alphastream::bench
