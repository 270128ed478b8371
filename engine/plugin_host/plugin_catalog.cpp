#include "plugin_host/plugin_catalog.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "core/number_text.h"

namespace alphastream {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const char* type_name(std::uint32_t type) {
  if (type == AS_PARAM_INT) return "int";
  if (type == AS_PARAM_DOUBLE) return "double";
  if (type == AS_PARAM_BOOL) return "bool";
  return "?";
}

std::string value_text(const as_param_descriptor& p, double v) {
  if (p.type == AS_PARAM_BOOL) return v != 0.0 ? "true" : "false";
  return number_text(v);
}

}  // namespace

std::string PluginCatalog::resolve(std::string_view plugin) const {
  if (plugin.find('/') != std::string_view::npos || ends_with(plugin, ".so")) return std::string(plugin);
  return (std::filesystem::path(dir_) / ("libalphastream_" + std::string(plugin) + ".so")).string();
}

std::string PluginCatalog::config_name(const std::string& path, std::string_view declared_id) {
  const std::string file = std::filesystem::path(path).filename().string();
  return file == "libalphastream_" + std::string(declared_id) + ".so" ? std::string(declared_id) : path;
}

std::vector<std::string> PluginCatalog::installed_ids() const {
  constexpr std::string_view kPrefix = "libalphastream_";
  std::vector<std::string> ids;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > kPrefix.size() + 3 && name.starts_with(kPrefix) && ends_with(name, ".so")) {
      ids.push_back(name.substr(kPrefix.size(), name.size() - kPrefix.size() - 3));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::shared_ptr<PluginLibrary>> PluginCatalog::load(std::string_view plugin) const {
  return PluginLibrary::load(resolve(plugin));
}

Result<std::vector<PluginCatalog::Listing>> PluginCatalog::list() const {
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& file : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = file.path().filename().string();
    if (name.rfind("lib", 0) == 0 && ends_with(name, ".so")) paths.push_back(file.path().string());
  }
  if (ec) return Status::error(dir_ + ": cannot read the plugins directory: " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::vector<Listing> listings;
  listings.reserve(paths.size());
  for (std::string& path : paths) {
    Result<std::shared_ptr<PluginLibrary>> library = PluginLibrary::load(path);
    listings.push_back(Listing{std::move(path), std::move(library)});
  }
  return listings;
}

std::string describe(const as_model_descriptor& d) {
  std::string out = std::string(d.id) + " " + d.version + " - " + d.name + " (" +
                    (d.kind == AS_MODEL_PAIR ? "pair model" : "symbol model") + ")\n";
  if (*d.description != '\0') out += "  " + std::string(d.description) + "\n";
  out += "  parameters:";
  if (d.param_count == 0) out += " none";
  out += "\n";
  for (std::uint32_t i = 0; i < d.param_count; ++i) {
    const as_param_descriptor& p = param_at(d, i);
    out += "    " + std::string(p.name) + " (" + type_name(p.type) + ", default " + value_text(p, p.default_value);
    if (p.type != AS_PARAM_BOOL) {
      if (std::isfinite(p.min_value)) out += ", min " + number_text(p.min_value);
      if (std::isfinite(p.max_value)) out += ", max " + number_text(p.max_value);
    }
    out += ")";
    if (p.help != nullptr && *p.help != '\0') out += ": " + std::string(p.help);
    out += "\n";
  }
  out += "  outputs:";
  if (d.output_count == 0) out += " none";
  out += "\n";
  for (std::uint32_t i = 0; i < d.output_count; ++i) {
    const as_output_descriptor& o = output_at(d, i);
    out += "    " + std::string(o.name);
    if (o.help != nullptr && *o.help != '\0') out += ": " + std::string(o.help);
    out += "\n";
  }
  return out;
}

}  // namespace alphastream
