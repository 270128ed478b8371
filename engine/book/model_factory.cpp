#include "book/model_factory.h"

#include <filesystem>
#include <vector>

#include "core/nearest_name.h"

namespace alphastream {

namespace {

bool is_plugin_id(std::string_view plugin) {
  return plugin.find('/') == std::string_view::npos && !plugin.ends_with(".so");
}

}  // namespace

std::string ModelFactory::installed_hint(std::string_view plugin, const std::string& path) const {
  std::error_code ec;
  if (!is_plugin_id(plugin) || std::filesystem::exists(path, ec)) return {};
  const std::vector<std::string> ids = catalog_.installed_ids();
  if (ids.empty()) return " (no plugin is installed in " + catalog_.dir() + ")";
  std::vector<std::string_view> candidates(ids.begin(), ids.end());
  const std::string_view nearest = nearest_name(plugin, candidates);
  std::string hint = nearest.empty() ? "" : " (did you mean '" + std::string(nearest) + "'?)";
  hint += "; installed:";
  for (const std::string& id : ids) hint += " " + id;
  return hint;
}

Result<std::unique_ptr<ModelInstance>> ModelFactory::create(const ModelConfig& model, as_model_kind expected_kind,
                                                            std::string_view context) {
  const std::string path = catalog_.resolve(model.plugin);
  std::shared_ptr<PluginLibrary>& library = loaded_[path];
  if (!library) {
    auto opened = PluginLibrary::load(path);
    if (!opened) {
      loaded_.erase(path);  // a later model naming it reports the same error
      return Status::invalid_input(model.location + ": " + opened.error() + installed_hint(model.plugin, path));
    }
    library = opened.value();
  }
  // Loaded by id, the library must declare that id: one name for a model in
  // configs, metrics and logs.
  if (is_plugin_id(model.plugin) && model.plugin != library->descriptor().id) {
    const std::string declared = library->descriptor().id;
    return Status::invalid_input(model.location + ": " + path + " declares the id '" + declared + "', not '" +
                                 model.plugin + "': a plugin named by id is libalphastream_<id>.so for the id it "
                                 "declares (rename it libalphastream_" + declared + ".so and write plugin: " +
                                 declared + ", or name it by path)");
  }
  if (library->descriptor().kind != static_cast<std::uint32_t>(expected_kind)) {
    const bool pair_wanted = expected_kind == AS_MODEL_PAIR;
    return Status::invalid_input(model.location + ": plugin '" + model.plugin + "' is a " +
                                 (pair_wanted ? "symbol model; a pair needs a pair model"
                                              : "pair model; a symbol needs a symbol model"));
  }
  std::vector<ParamSetting> settings;
  settings.reserve(model.params.size());
  for (const ModelParam& param : model.params) {
    settings.push_back({param.key, param.value, param.text, param.location, param.is_bool});
  }
  auto created = ModelInstance::create(library, settings, std::string(context));
  if (!created) return Status::invalid_input(created.error());
  if (update_budget_.count() > 0) created.value()->set_update_budget(update_budget_);
  return created;
}

}  // namespace alphastream
