// alphastream: the command-line entry point. Each subcommand lives in its own
// file; this one only wires options to them.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "plugin_host/model_instance.h"

int main(int argc, char** argv) {
  CLI::App app{"AlphaStream: event-driven statistical arbitrage for crypto pairs"};
  app.set_version_flag("--version", std::string("alphastream ") + ALPHASTREAM_VERSION);
  app.require_subcommand(1);

  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}));

  alphastream::cli::BacktestArgs backtest;
  auto* backtest_cmd = app.add_subcommand("backtest", "Run the configured pairs over historical aggTrade files");
  alphastream::cli::add_backtest_options(*backtest_cmd, backtest);

  alphastream::cli::SimulateArgs simulate;
  auto* simulate_cmd = app.add_subcommand("simulate", "Write a synthetic cointegrated pair as Binance aggTrade CSV files");
  alphastream::cli::add_simulate_options(*simulate_cmd, simulate);

  alphastream::cli::ScreenArgs screen;
  auto* screen_cmd = app.add_subcommand("screen", "Rank every pair of the given symbols by Engle-Granger cointegration");
  alphastream::cli::add_screen_options(*screen_cmd, screen);

  alphastream::cli::PluginsArgs plugins;
  auto* plugins_cmd = app.add_subcommand("plugins", "List the model plugins found, with their parameters and outputs");
  alphastream::cli::add_plugins_options(*plugins_cmd, plugins);

  alphastream::cli::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run the live service: feed, shards, recording, metrics");
  alphastream::cli::add_run_options(*run_cmd, run);

  alphastream::cli::ReplayArgs replay;
  auto* replay_cmd = app.add_subcommand("replay", "Replay a recorded journal through the configured models");
  alphastream::cli::add_replay_options(*replay_cmd, replay);

  alphastream::cli::ExportArgs export_args;
  auto* export_cmd = app.add_subcommand("export", "Write a recorded journal's trades as Binance aggTrades CSV files");
  alphastream::cli::add_export_options(*export_cmd, export_args);

  alphastream::cli::CheckConfigArgs check_config;
  auto* check_config_cmd =
      app.add_subcommand("check-config", "Validate a config, its plugins and parameters without running");
  alphastream::cli::add_check_config_options(*check_config_cmd, check_config);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a bad command line is bad input.
    const int code = app.exit(e);
    return code == 0 ? alphastream::cli::kExitOk : alphastream::cli::kExitBadInput;
  }
  alphastream::cli::configure_logging(log_level, log_format, app.count("--log-level") > 0,
                                      app.count("--log-format") > 0);
  alphastream::set_plugin_log_sink(&alphastream::cli::log_plugin_line);

  if (*check_config_cmd) return alphastream::cli::run_check_config(check_config);
  if (*run_cmd) return alphastream::cli::run_service(run);
  if (*replay_cmd) return alphastream::cli::run_replay(replay);
  if (*export_cmd) return alphastream::cli::run_export(export_args);
  if (*backtest_cmd) return alphastream::cli::run_backtest(backtest);
  if (*simulate_cmd) return alphastream::cli::run_simulate(simulate);
  if (*screen_cmd) return alphastream::cli::run_screen(screen);
  return alphastream::cli::run_plugins(plugins);
}
