#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backtest/backtest_runner.h"
#include "build_info.h"
#include "feed/file_digest.h"
#include "cli/commands.h"
#include "config/engine_config.h"

namespace alphastream::cli {

std::optional<std::vector<DataArg>> parse_data_args(const std::vector<std::string>& data) {
  std::vector<DataArg> args;
  for (const std::string& item : data) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size()) {
      spdlog::error("--data {}: expected SYMBOL=PATH (a file, a directory or a glob)", item);
      return std::nullopt;
    }
    std::string symbol = item.substr(0, equals);
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto known = std::find_if(args.begin(), args.end(), [&](const DataArg& arg) { return arg.symbol == symbol; });
    if (known == args.end()) known = args.insert(args.end(), DataArg{symbol, {}});
    known->paths.push_back(item.substr(equals + 1));
  }
  return args;
}

RunProvenance run_provenance(const std::string& config_path) {
  RunProvenance provenance;
  provenance.engine_version = ALPHASTREAM_VERSION;
  provenance.git_commit = ALPHASTREAM_GIT_COMMIT;
  provenance.config_path = config_path;
  if (auto digest = sha256_of_file(config_path)) provenance.config_sha256 = digest.value();
  return provenance;
}

void print_run_summary(const BacktestSummary& summary) {
  for (const std::string& line : summary.skipped_rows) spdlog::warn("skipped {}", line);
  for (const std::string& line : summary.import_summaries) std::printf("import  %s\n", line.c_str());
  for (const PairBacktestSummary& pair : summary.pairs) {
    if (pair.stale_drops > 0) {
      std::printf("break   %s [%s]: %llu observations not made (a leg older than sampling.max_stale_ms), longest "
                  "break %.0f s\n",
                  pair.pair.c_str(), pair.model.c_str(), static_cast<unsigned long long>(pair.stale_drops),
                  static_cast<double>(pair.longest_break_ms) / 1000.0);
    }
    // A Sharpe ratio of daily returns needs two days.
    char sharpe[32] = "n/a";
    if (std::isfinite(pair.sharpe)) std::snprintf(sharpe, sizeof sharpe, "%.2f", pair.sharpe);
    std::printf("pair    %s [%s]: %llu observations, %llu trades, P&L %.2f USD, Sharpe %s, ADF p-value %.4f, "
                "half-life %.1f obs -> %s\n",
                pair.pair.c_str(), pair.model.c_str(), static_cast<unsigned long long>(pair.observations),
                static_cast<unsigned long long>(pair.trades), pair.pnl_usd, sharpe, pair.adf_pvalue,
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
  command.add_option("--data", args.data,
                     "SYMBOL=PATH: a Binance aggTrades .csv or .zip (daily or monthly), a directory of them or a glob; "
                     "repeatable, also per symbol")
      ->required();
  command.add_option("--funding", args.funding,
                     "SYMBOL=PATH: the leg's fundingRate files from data.binance.vision (a file, a directory or a "
                     "glob); positions pay or receive each settlement, shown apart from fees; repeatable");
  add_time_range_options(command, args.range);
  command.add_flag("--allow-symbol-mismatch", args.allow_symbol_mismatch,
                   "read a file whose name says another symbol than its --data symbol");
  command.add_option("--out", args.out_dir, "output directory; one folder per pair, symbols/<SYMBOL> per symbol model")
      ->required();
  command.add_option("--pair", args.pairs, "run only this pair (repeatable)");
  command.add_flag("--skip-bad-rows", args.skip_bad_rows, "skip and count malformed rows instead of stopping");
  command.add_option("--reorder-window", args.reorder_window, "rows held to re-sort out-of-order agg ids")
      ->capture_default_str();
  add_catalog_options(command, args.catalog);
  command.add_option("--threads", args.threads,
                     "threads for the pipelines and the reports, beside the one reading the trades; 0: one per core, "
                     "1: all on the reading thread (outputs do not depend on it)")
      ->capture_default_str();
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

void add_backtest_command_options(CLI::App& command, BacktestArgs& args) {
  add_backtest_options(command, args);
  command.add_flag("--no-series", args.no_series,
                   "leave out every series.csv (a pair's is 13 MB a day at 1 s, its largest output and half its cost); "
                   "the reports, summaries, trades and alerts are the same");
}

std::optional<BacktestOptions> backtest_options(const BacktestArgs& args) {
  auto config = load_config(args.config_path);
  if (!config) {
    spdlog::error("invalid config:\n{}", config.error());
    return std::nullopt;
  }
  apply_config_logging(config->service.log);
  auto data_paths = parse_data_args(args.data);
  if (!data_paths) return std::nullopt;
  const std::optional<TimeRange> range = parse_time_range(args.range);
  if (!range) return std::nullopt;

  BacktestOptions options;
  options.plugins_dir = config->plugins_dir.empty() ? default_plugins_dir() : config->plugins_dir;
  options.config = std::move(config.value());
  for (DataArg& arg : *data_paths) options.data_paths[arg.symbol] = std::move(arg.paths);
  auto funding_paths = parse_data_args(args.funding);
  if (!funding_paths) return std::nullopt;
  for (DataArg& arg : *funding_paths) options.funding_paths[arg.symbol] = std::move(arg.paths);
  options.range = *range;
  options.allow_symbol_mismatch = args.allow_symbol_mismatch;
  options.out_dir = args.out_dir;
  options.only_pairs = args.pairs;
  options.skip_bad_rows = args.skip_bad_rows;
  options.reorder_window = args.reorder_window;
  options.catalog_dir = catalog_dir(args.catalog);
  options.threads = args.threads;
  options.write_series = !args.no_series;
  options.show_progress = !args.no_progress;
  options.progress_terminal = isatty(STDERR_FILENO) != 0;
  options.provenance = run_provenance(args.config_path);
  return options;
}

int run_backtest(const BacktestArgs& args) {
  const std::optional<BacktestOptions> options = backtest_options(args);
  if (!options) return kExitBadInput;
  auto summary = run_backtest(*options);
  if (!summary) {
    spdlog::error("{}", summary.error());
    return summary.status().is_invalid_input() ? kExitBadInput : kExitFailure;
  }
  print_run_summary(summary.value());
  return kExitOk;
}

}  // namespace alphastream::cli
