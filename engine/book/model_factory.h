// Creates the models a config names, loading each plugin library once. The
// backtest, the replay and the live service all create models through it, so
// a config is refused with the same messages wherever it runs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "alphastream/plugin.h"
#include "config/engine_config.h"
#include "core/status.h"
#include "plugin_host/model_instance.h"
#include "plugin_host/plugin_catalog.h"
#include "plugin_host/plugin_library.h"

namespace alphastream {

class ModelFactory {
 public:
  // Plugin ids resolve against plugins_dir (see PluginCatalog::resolve).
  explicit ModelFactory(std::string plugins_dir) : catalog_(std::move(plugins_dir)) {}

  // Loads the model's plugin (once per library path, then shared), checks its
  // kind and parameters and creates the model. `context` names the model's
  // owner in messages and plugin logs, e.g. "backtest.yaml:11: pairs[0] (btc-eth/ols)".
  // Every error is Status::invalid_input, prefixed by model.location for the
  // library and its kind, e.g.
  //   backtest.yaml:15: pairs[0].model.plugin: plugin 'microstructure' is a symbol model; a pair needs a pair model
  // and by each parameter's location for its parameters.
  Result<std::unique_ptr<ModelInstance>> create(const ModelConfig& model, as_model_kind expected_kind,
                                                std::string_view context);

  // Models created from now on count updates longer than budget (see
  // ModelInstance::set_update_budget); zero (the default) does not time them.
  void set_update_budget(std::chrono::nanoseconds budget) { update_budget_ = budget; }

  const PluginCatalog& catalog() const { return catalog_; }

 private:
  // For a plugin id with no library: the nearest installed id and the list.
  std::string installed_hint(std::string_view plugin, const std::string& path) const;

  PluginCatalog catalog_;
  std::chrono::nanoseconds update_budget_{0};
  std::map<std::string, std::shared_ptr<PluginLibrary>> loaded_;  // by resolved path
};

}  // namespace alphastream
