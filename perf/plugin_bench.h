// Loading a model plugin for a benchmark, as the engine does: dlopen from the
// plugin directory, parameters checked by the host. One copy for every bench.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
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
