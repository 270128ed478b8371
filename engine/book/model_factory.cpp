#include "book/model_factory.h"

#include <vector>

namespace alphastream {

Result<std::unique_ptr<ModelInstance>> ModelFactory::create(const ModelConfig& model, as_model_kind expected_kind,
                                                            std::string_view context) {
  const std::string path = catalog_.resolve(model.plugin);
  std::shared_ptr<PluginLibrary>& library = loaded_[path];
  if (!library) {
    auto opened = PluginLibrary::load(path);
    if (!opened) {
      loaded_.erase(path);  // a later model naming it reports the same error
      return Status::invalid_input(model.location + ": " + opened.error());
    }
    library = opened.value();
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
