// One pair run with several hedge models: their betas, z-scores, rolling ADF
// p-values and equity side by side, with a table of their results. Written
// as <out>/<pair>/report.html beside each model's own folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace alphastream {

struct ModelTrack {
  std::string label;              // the model's label in the config
  std::vector<double> beta;       // one per ComparisonInput::ts_ms
  std::vector<double> zscore;
  std::vector<double> adf_pvalue;  // empty without a rolling ADF
  std::vector<double> equity;     // USD
  std::uint64_t trades = 0;
  double pnl_usd = 0;
  double sharpe = 0;
  double max_drawdown_usd = 0;
};

struct ComparisonInput {
  std::string pair;
  std::string y_symbol;
  std::string x_symbol;
  std::vector<std::int64_t> ts_ms;  // shared by every model: same data, same sampling
  std::vector<ModelTrack> models;
  double entry = 2.0;  // z thresholds, drawn on the z-score chart
};

// Errors name the model whose series length differs from ts_ms.
Result<std::string> render_model_comparison_report(const ComparisonInput& input);
Status write_model_comparison_report(const ComparisonInput& input, const std::string& path);

}  // namespace alphastream
