#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backtest/backtest_runner.h"
#include "cli/commands.h"
#include "config/engine_config.h"

namespace alphastream::cli {

namespace {

// SYMBOL=PATH pairs -> map; the symbol is upper-cased like config symbols.
Result<std::map<std::string, std::string>> parse_data_args(const std::vector<std::string>& data) {
  std::map<std::string, std::string> paths;
  for (const std::string& item : data) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size()) {
      return Status::error("--data " + item + ": expected SYMBOL=PATH");
    }
    std::string symbol = item.substr(0, equals);
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!paths.emplace(symbol, item.substr(equals + 1)).second) {
      return Status::error("--data " + item + ": " + symbol + " given twice");
    }
  }
  return paths;
}

}  // namespace

void print_run_summary(const BacktestSummary& summary) {
  for (const std::string& line : summary.skipped_rows) spdlog::warn("skipped {}", line);
  for (const std::string& line : summary.import_summaries) std::printf("import  %s\n", line.c_str());
  for (const PairBacktestSummary& pair : summary.pairs) {
    std::printf("pair    %s [%s]: %llu observations, %llu trades, P&L %.2f USD, Sharpe %.2f, ADF p-value %.4f, "
                "half-life %.1f obs -> %s\n",
                pair.pair.c_str(), pair.model.c_str(), static_cast<unsigned long long>(pair.observations),
                static_cast<unsigned long long>(pair.trades), pair.pnl_usd, pair.sharpe, pair.adf_pvalue,
                pair.half_life_obs, pair.out_dir.c_str());
  }
  for (const SymbolBacktestSummary& symbol : summary.symbols) {
    std::printf("symbol  %s [%s]: %llu trades, %llu rows, %llu late trades, %llu model update errors -> %s\n",
                symbol.symbol.c_str(), symbol.model.c_str(), static_cast<unsigned long long>(symbol.trades),
                static_cast<unsigned long long>(symbol.rows), static_cast<unsigned long long>(symbol.late_trades),
                static_cast<unsigned long long>(symbol.model_update_errors), symbol.out_dir.c_str());
  }
  std::printf("done    %llu trades in %.2f s\n", static_cast<unsigned long long>(summary.trades_read),
              summary.elapsed_s);
}

void add_backtest_options(CLI::App& command, BacktestArgs& args) {
  command.add_option("--config", args.config_path, "YAML config (see config/backtest.yaml)")->required();
  command.add_option("--data", args.data, "SYMBOL=PATH of a Binance aggTrades .csv or .zip; repeat per symbol")
      ->required();
  command.add_option("--out", args.out_dir, "output directory; one folder per pair, symbols/<SYMBOL> per symbol model")
      ->required();
  command.add_option("--pair", args.pairs, "run only this pair (repeatable)");
  command.add_flag("--skip-bad-rows", args.skip_bad_rows, "skip and count malformed rows instead of stopping");
  command.add_option("--reorder-window", args.reorder_window, "rows held to re-sort out-of-order agg ids")
      ->capture_default_str();
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

int run_backtest(const BacktestArgs& args) {
  auto config = load_config(args.config_path);
  if (!config) {
    spdlog::error("invalid config:\n{}", config.error());
    return kExitBadInput;
  }
  apply_config_logging(config->service.log);
  auto data_paths = parse_data_args(args.data);
  if (!data_paths) {
    spdlog::error("{}", data_paths.error());
    return kExitBadInput;
  }

  BacktestOptions options;
  options.plugins_dir = config->plugins_dir.empty() ? default_plugins_dir() : config->plugins_dir;
  options.config = std::move(config.value());
  options.data_paths = std::move(data_paths.value());
  options.out_dir = args.out_dir;
  options.only_pairs = args.pairs;
  options.skip_bad_rows = args.skip_bad_rows;
  options.reorder_window = args.reorder_window;
  options.show_progress = !args.no_progress && isatty(STDERR_FILENO) != 0;

  auto summary = run_backtest(options);
  if (!summary) {
    spdlog::error("{}", summary.error());
    return summary.status().is_invalid_input() ? kExitBadInput : kExitFailure;
  }
  print_run_summary(summary.value());
  return kExitOk;
}

}  // namespace alphastream::cli
