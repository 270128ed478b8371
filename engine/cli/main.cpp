// alphastream: the command-line entry point. Each subcommand lives in its own
// file; this one only wires options to them.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a bad command line is bad input.
    const int code = app.exit(e);
    return code == 0 ? alphastream::cli::kExitOk : alphastream::cli::kExitBadInput;
  }
  // Logs go to stderr so that stdout carries only results.
  spdlog::set_default_logger(spdlog::stderr_color_mt("alphastream"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  alphastream::set_plugin_log_sink(&alphastream::cli::log_plugin_line);

  if (*backtest_cmd) return alphastream::cli::run_backtest(backtest);
  if (*simulate_cmd) return alphastream::cli::run_simulate(simulate);
  if (*screen_cmd) return alphastream::cli::run_screen(screen);
  return alphastream::cli::run_plugins(plugins);
}
