#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backtest/parameter_sweep.h"
#include "cli/commands.h"

namespace alphastream::cli {

void add_sweep_options(CLI::App& command, SweepArgs& args) {
  add_backtest_options(command, args.backtest);
  command.add_option("--grid", args.grids,
                     "KEY=V1,V2,...: values of a pair's model.params.<name>, zscore.<key> or adf.<key>; repeatable, "
                     "every combination runs")
      ->required();
  command.add_option("--rank", args.rank_by, "sharpe, sortino, calmar, pnl, return, profit_factor or win_rate")
      ->capture_default_str();
  command.add_option("--folds", args.folds,
                     "walk forward over this many spans of days: each span runs the combination ranked best over "
                     "the span before it (0: none)")
      ->capture_default_str();
}

int run_sweep(const SweepArgs& args) {
  std::optional<BacktestOptions> backtest = backtest_options(args.backtest);
  if (!backtest) return kExitBadInput;
  SweepOptions options;
  options.backtest = std::move(*backtest);
  options.pairs = options.backtest.only_pairs;
  options.rank_by = args.rank_by;
  options.folds = args.folds;
  for (const std::string& grid : args.grids) {
    auto axis = parse_sweep_axis(grid);
    if (!axis) {
      spdlog::error("{}", axis.error());
      return kExitBadInput;
    }
    options.axes.push_back(std::move(axis.value()));
  }
  auto summary = run_sweep(options);
  if (!summary) {
    spdlog::error("{}", summary.error());
    return summary.status().is_invalid_input() ? kExitBadInput : kExitFailure;
  }
  if (Status written = write_sweep_outputs(summary.value(), options); !written) {
    spdlog::error("{}", written.message());
    return kExitFailure;
  }
  for (const std::string& line : summary->import_summaries) std::printf("import  %s\n", line.c_str());
  const auto shown = std::min<std::size_t>(summary->rows.size(), 10);
  for (std::size_t i = 0; i < shown; ++i) {
    const SweepRow& row = summary->rows[i];
    std::string values;
    for (std::size_t k = 0; k < summary->keys.size(); ++k) {
      values.append(values.empty() ? "" : ", ").append(summary->keys[k]).append("=").append(row.variant.values[k]);
    }
    std::printf("rank %-3zu %s [%s]: %s %.3f, %zu trades, P&L %.2f USD\n", i + 1, row.variant.base_pair.c_str(),
                values.c_str(), options.rank_by.c_str(), row.metric, row.performance.n_trades,
                row.performance.pnl_usd);
  }
  double walked = 0, hindsight = 0;
  for (const WalkForwardStep& step : summary->walk_forward) {
    walked += step.out_pnl_usd;
    hindsight += step.best_out_pnl_usd;
  }
  if (!summary->walk_forward.empty()) {
    std::printf("walk-forward: %zu folds, P&L %.2f USD out of sample (best in hindsight %.2f)\n",
                summary->walk_forward.size(), walked, hindsight);
  }
  std::printf("done    %zu runs over %llu trades in %.2f s -> %s\n", summary->rows.size(),
              static_cast<unsigned long long>(summary->trades_read), summary->elapsed_s,
              options.backtest.out_dir.c_str());
  return kExitOk;
}

}  // namespace alphastream::cli
