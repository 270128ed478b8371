// The backtest: historical aggTrade files -> time-ordered merge -> one
// PairPipeline per configured pair -> series.csv, trades.csv, summary.json
// and report.html under <out>/<pair>/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/engine_config.h"
#include "core/status.h"

namespace alphastream {

struct BacktestOptions {
  EngineConfig config;
  std::map<std::string, std::string> data_paths;  // upper-case symbol -> CSV or ZIP file
  std::string out_dir;
  std::string plugins_dir;                        // resolved: config's, else the CLI default
  std::vector<std::string> only_pairs;            // empty: every configured pair
  bool skip_bad_rows = false;
  std::size_t reorder_window = 65536;
  bool show_progress = false;
  bool write_outputs = true;                      // false: run the pipeline only (benchmarks)
};

struct PairBacktestSummary {
  std::string pair;
  std::string model;
  std::uint64_t observations = 0;
  std::uint64_t trades = 0;
  double pnl_usd = 0;
  double sharpe = 0;
  double max_drawdown_usd = 0;
  double adf_pvalue = 0;
  double half_life_obs = 0;
  std::string out_dir;
};

struct BacktestSummary {
  std::uint64_t trades_read = 0;
  std::vector<std::string> import_summaries;  // one line per symbol
  std::vector<std::string> skipped_rows;      // "path:line: what", the first few per file (--skip-bad-rows)
  std::vector<PairBacktestSummary> pairs;
  double elapsed_s = 0;
};

// Errors found before any trade is read (pairs, plugins, parameters, data
// files that cannot be opened) are Status::invalid_input.
Result<BacktestSummary> run_backtest(const BacktestOptions& options);

}  // namespace alphastream
