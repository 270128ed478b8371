// `alphastream sweep`: a base config's pairs run once per combination of
// the values given for some of their keys, all over one read of the data
// (the combinations are pairs of one backtest, spread over every core, with
// no per-pair files), ranked by a figure, and optionally walked forward:
// the days cut into folds, each fold's combination chosen by the figure over
// the fold before it and judged on its own days.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest_runner.h"
#include "config/sweep_config.h"
#include "core/status.h"

namespace alphastream {

struct SweepOptions {
  // The base config, --data, range, catalog, threads and progress, and the
  // sweep's output directory (out_dir).
  BacktestOptions backtest;
  std::vector<SweepAxis> axes;
  std::vector<std::string> pairs;  // the base pairs swept; empty: every pair
  std::string rank_by = "sharpe";  // a sweep metric (is_sweep_metric)
  int folds = 0;                   // walk-forward folds: 0 for none, else 2 or more
};

// sharpe, sortino, calmar, pnl, return, profit_factor, win_rate.
bool is_sweep_metric(std::string_view name);
// The figure `name` of a run; NaN where it does not exist.
double sweep_metric(const PerformanceSummary& performance, std::string_view name);

struct SweepRow {
  SweepVariant variant;
  std::size_t combination = 0;  // the variant's place in combination order
  std::uint64_t observations = 0;
  PerformanceSummary performance;
  double metric = 0;  // rank_by's figure
};

// One fold of a walk-forward, for one base pair: the combination with the
// best figure over the previous fold's days, and what it did over this one's.
struct WalkForwardStep {
  std::string pair;
  int fold = 0;                       // 1 .. folds - 1
  std::int64_t in_from_ms = 0;        // the in-sample days [in_from_ms, out_from_ms)
  std::int64_t out_from_ms = 0;       // the out-of-sample days [out_from_ms, out_to_ms)
  std::int64_t out_to_ms = 0;
  std::string chosen;                 // the variant's name
  std::vector<std::string> values;    // its values, one per axis
  double in_sample_metric = 0;
  double out_pnl_usd = 0;             // the chosen combination's P&L over the fold's days
  double out_sharpe = 0;              // of its daily returns there (NaN under two days)
  double best_out_pnl_usd = 0;        // the best any combination made over those days, in hindsight
};

struct SweepSummary {
  std::vector<std::string> keys;       // the axes' keys
  std::vector<SweepRow> rows;          // best first by rank_by; NaN last; ties in combination order
  std::vector<WalkForwardStep> walk_forward;
  std::uint64_t trades_read = 0;
  std::vector<std::string> import_summaries;
  double elapsed_s = 0;
};

// Expands the combinations (expand_sweep), runs them as one backtest without
// per-pair files, ranks them and walks them forward. Bad axes, values, pairs
// or data are Status::invalid_input; so is a walk-forward with fewer days
// than folds.
Result<SweepSummary> run_sweep(const SweepOptions& options);

// <out>/sweep.csv (the ranked table), sweep.json (with every combination's
// daily P&L and the walk-forward) and sweep.html (the table, a heatmap of the
// figure over the first two axes per pair, the walk-forward).
Status write_sweep_outputs(const SweepSummary& summary, const SweepOptions& options);

}  // namespace alphastream
