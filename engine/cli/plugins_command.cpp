#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "plugin_host/plugin_catalog.h"

namespace alphastream::cli {

namespace fs = std::filesystem;

std::string default_plugins_dir() {
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  const fs::path beside = exe_dir / "plugins";
  if (fs::is_directory(beside, ec)) return beside.string();
  return (exe_dir.parent_path() / "lib" / "alphastream" / "plugins").string();
}

void log_plugin_line(as_log_level level, std::string_view plugin, std::string_view context, std::string_view message) {
  const spdlog::level::level_enum spd = level == AS_LOG_DEBUG  ? spdlog::level::debug
                                        : level == AS_LOG_INFO ? spdlog::level::info
                                        : level == AS_LOG_WARN ? spdlog::level::warn
                                                               : spdlog::level::err;
  spdlog::log(spd, "plugin {} [{}]: {}", plugin, context, message);
}

void add_plugins_options(CLI::App& command, PluginsArgs& args) {
  command.add_option("--dir", args.dir, "plugin directory (default: beside the binary, else the installed one)");
}

int run_plugins(const PluginsArgs& args) {
  const std::string dir = args.dir.empty() ? default_plugins_dir() : args.dir;
  PluginCatalog catalog(dir);
  auto listing = catalog.list();
  if (!listing) {
    spdlog::error("{}", listing.error());
    return kExitBadInput;
  }
  std::printf("plugins in %s\n", dir.c_str());
  int broken = 0;
  for (const PluginCatalog::Listing& entry : listing.value()) {
    std::printf("\n");
    if (!entry.library) {
      ++broken;
      std::printf("%s: cannot load:\n%s\n", entry.path.c_str(), entry.library.error().c_str());
      continue;
    }
    const as_model_descriptor& descriptor = entry.library.value()->descriptor();
    std::printf("%s\n  in a config:   plugin: %s\n%s", entry.path.c_str(),
                PluginCatalog::config_name(entry.path, descriptor.id).c_str(), describe(descriptor).c_str());
  }
  if (listing.value().empty()) std::printf("(none)\n");
  return broken == 0 ? kExitOk : kExitFailure;
}

}  // namespace alphastream::cli
