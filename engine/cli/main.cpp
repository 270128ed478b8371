// alphastream: the command-line entry point. Each subcommand lives in its own
// file; this one only wires options to them.
#include <malloc.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "plugin_host/model_instance.h"
#include "service/live_service.h"

namespace {

// A subcommand and the call that runs it with the arguments CLI11 filled in.
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};

template <typename Args>
Subcommand subcommand(CLI::App& app, const char* name, const char* help, void (*add_options)(CLI::App&, Args&),
                      int (*run)(const Args&)) {
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand(name, help);
  add_options(*command, *args);
  return {command, [args, run] { return run(*args); }};
}

}  // namespace

int main(int argc, char** argv) {
  alphastream::hold_service_signals();
  // glibc raises its mmap threshold each time a large block is freed, after
  // which per-file buffers (a reader's 1 MiB, its reorder buffer) come from
  // the arenas and stay there, fragmented: a 4-day backtest held 127 MB
  // where 80 MB were in use. A fixed threshold gives them back at each file.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  CLI::App app{"AlphaStream: event-driven statistical arbitrage for crypto pairs"};
  app.set_version_flag("--version", std::string("alphastream ") + ALPHASTREAM_VERSION);
  app.require_subcommand(1);
  // --log-level and --log-format work after the subcommand too: subcommands
  // created from here on pass options they do not know to this one.
  app.fallthrough();

  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}));

  namespace cli = alphastream::cli;
  const Subcommand commands[] = {
      subcommand(app, "backtest", "Run the configured pairs over historical aggTrade files",
                 cli::add_backtest_command_options, cli::run_backtest),
      subcommand(app, "sweep", "Run the configured pairs once per combination of parameter values, ranked",
                 cli::add_sweep_options, cli::run_sweep),
      subcommand(app, "simulate", "Write a synthetic cointegrated pair as Binance aggTrade CSV files",
                 cli::add_simulate_options, cli::run_simulate),
      subcommand(app, "screen", "Rank every pair of the given symbols by Engle-Granger cointegration",
                 cli::add_screen_options, cli::run_screen),
      subcommand(app, "plugins", "List the model plugins found, with their parameters and outputs",
                 cli::add_plugins_options, cli::run_plugins),
      subcommand(app, "run", "Run the live service: feed, shards, recording, metrics", cli::add_run_options,
                 cli::run_service),
      subcommand(app, "replay", "Replay a recorded journal through the configured models", cli::add_replay_options,
                 cli::run_replay),
      subcommand(app, "export", "Write a recorded journal's trades as Binance aggTrades CSV files",
                 cli::add_export_options, cli::run_export),
      subcommand(app, "journal", "Inspect a recorded journal: per symbol trades, times, ids, gaps and resume point",
                 cli::add_journal_options, cli::run_journal),
      subcommand(app, "download", "Fetch Binance aggTrades archives from data.binance.vision, checksums verified",
                 cli::add_download_options, cli::run_download),
      subcommand(app, "check-config", "Validate a config, its plugins and parameters without running",
                 cli::add_check_config_options, cli::run_check_config),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    alphastream::release_service_signals();
    // --help and --version end here with 0; a bad command line is bad input.
    const int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitBadInput;
  }
  cli::configure_logging(log_level, log_format, app.count("--log-level") > 0, app.count("--log-format") > 0);
  alphastream::set_plugin_log_sink(&cli::log_plugin_line);

  for (const Subcommand& command : commands) {
    if (!*command.app) continue;
    if (command.app->get_name() != "run") alphastream::release_service_signals();
    return command.run();
  }
  return cli::kExitBadInput;  // unreachable: require_subcommand(1)
}
