// A directory of model plugins, as named by the config's `plugins.dir`.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alphastream/plugin.h"
#include "core/status.h"
#include "plugin_host/plugin_library.h"

namespace alphastream {

class PluginCatalog {
 public:
  explicit PluginCatalog(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }

  // The library file for a config's `model.plugin`: a value containing '/'
  // or ending in ".so" is a path, returned as is; any other is a plugin id,
  // "ols" -> "<dir>/libalphastream_ols.so".
  std::string resolve(std::string_view plugin) const;

  // What a config writes for the library at path: its id when the file is
  // libalphastream_<id>.so for the id its descriptor declares (the one rule
  // for loading by id), else the path.
  static std::string config_name(const std::string& path, std::string_view declared_id);

  // The plugin ids installed in dir() (libalphastream_<id>.so), sorted; none
  // when the directory cannot be read.
  std::vector<std::string> installed_ids() const;

  // PluginLibrary::load(resolve(plugin)).
  Result<std::shared_ptr<PluginLibrary>> load(std::string_view plugin) const;

  struct Listing {
    std::string path;
    Result<std::shared_ptr<PluginLibrary>> library;  // the loaded library or why it failed
  };
  // Loads every lib*.so in dir(), sorted by file name. Returns an error only
  // if the directory cannot be read.
  Result<std::vector<Listing>> list() const;

 private:
  std::string dir_;
};

// A multi-line description of a model for `alphastream plugins`: id, name,
// version, kind, description, each parameter (name, type, default, bounds,
// help) and each output (name, help).
// REQUIRES: the descriptor passed PluginLibrary::load's checks.
std::string describe(const as_model_descriptor& descriptor);

}  // namespace alphastream
