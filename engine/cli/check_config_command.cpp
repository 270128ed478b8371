// `alphastream check-config FILE`: everything `run`, `backtest` and `replay`
// check before they start, without starting: the YAML, every plugin and
// every parameter. Meant for CI and for `ExecStartPre=` before a reload.
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "config/engine_config.h"
#include "service/live_service.h"

namespace alphastream::cli {

void add_check_config_options(CLI::App& command, CheckConfigArgs& args) {
  command.add_option("config", args.config_path, "YAML config to validate")->required();
  command.add_flag("--skip-bind", args.skip_bind,
                   "do not bind metrics.listen (a reload's check: the running service holds the address)");
}

int run_check_config(const CheckConfigArgs& args) {
  auto config = load_config(args.config_path);
  if (!config) {
    spdlog::error("invalid config:\n{}", config.error());
    return kExitBadInput;
  }
  apply_config_logging(config->service.log);
  const std::string plugins_dir = config->plugins_dir.empty() ? default_plugins_dir() : config->plugins_dir;
  const Status models = check_models(config.value(), plugins_dir);
  const Status resources = check_service_resources(config.value(), args.skip_bind);
  if (!models || !resources) {
    std::string problems = models ? "" : models.message();
    if (!resources) problems += (problems.empty() ? "" : "\n") + resources.message();
    spdlog::error("invalid config:\n{}", problems);
    return kExitBadInput;
  }
  std::size_t pair_models = 0, symbol_models = 0;
  for (const PairConfig& pair : config->pairs) pair_models += pair.models.size();
  for (const SymbolConfig& symbol : config->symbols) symbol_models += symbol.models.size();
  std::printf("%s: ok: %zu pair(s) with %zu model(s), %zu symbol model(s), feed %s, plugins from %s\n",
              args.config_path.c_str(), config->pairs.size(), pair_models, symbol_models,
              std::string(feed_source_name(config->service.feed.source)).c_str(), plugins_dir.c_str());
  return kExitOk;
}

}  // namespace alphastream::cli
