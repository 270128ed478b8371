// The parameter sweep's report: one self-contained HTML file with the ranked
// combinations, a heatmap of the ranking figure over the first two swept
// keys for each pair, and the walk-forward folds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace alphastream {

struct SweepReportRow {
  std::string pair;     // the base pair
  std::string variant;  // its combination's name
  std::vector<std::string> values;  // one per key
  double metric = 0;    // the ranking figure; NaN: none
  std::size_t trades = 0;
  double pnl_usd = 0;
  double sharpe = 0;
  double max_drawdown_usd = 0;
};

struct SweepReportStep {
  std::string pair;
  int fold = 0;
  std::int64_t out_from_ms = 0;
  std::int64_t out_to_ms = 0;
  std::string chosen;
  std::vector<std::string> values;
  double in_sample_metric = 0;
  double out_pnl_usd = 0;
  double best_out_pnl_usd = 0;
};

struct SweepReportInput {
  std::string rank_by;
  std::vector<std::string> keys;
  std::vector<SweepReportRow> rows;  // ranked, best first
  std::vector<SweepReportStep> walk_forward;
};

// The table lists at most this many combinations and says how many it left out.
inline constexpr std::size_t kSweepReportMaxRows = 500;

std::string render_sweep_report(const SweepReportInput& input);
// Errors name the path.
Status write_sweep_report(const SweepReportInput& input, const std::string& path);

}  // namespace alphastream
