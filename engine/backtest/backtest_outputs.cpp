#include "backtest/backtest_outputs.h"

#include <cstring>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <span>

#include <nlohmann/json.hpp>

#include "report/model_comparison_report.h"
#include "stats/engle_granger.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::ordered_json number_or_null(double value) {
  if (std::isfinite(value)) return value;
  return nullptr;
}

Status write_trades_csv(const std::string& path, std::span<const ClosedTrade> trades) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Status::error(path + ": cannot create");
  out << "entry_ts_ms,exit_ts_ms,side,qty_y,qty_x,entry_y,entry_x,exit_y,exit_x,fees_usd,pnl_usd,exit_reason\n";
  std::vector<char> line;
  for (const ClosedTrade& trade : trades) {
    line.clear();
    const std::string head = std::to_string(trade.entry_ts_ms) + "," + std::to_string(trade.exit_ts_ms) + "," +
                             (trade.side > 0 ? "long" : "short");
    line.insert(line.end(), head.begin(), head.end());
    for (double value : {trade.qty_y, trade.qty_x, trade.entry_y, trade.entry_x, trade.exit_y, trade.exit_x,
                         trade.fees_usd, trade.pnl_usd}) {
      line.push_back(',');
      append_csv_number(line, value);
    }
    line.push_back(',');
    const std::string_view reason = exit_reason_name(trade.reason);
    line.insert(line.end(), reason.begin(), reason.end());
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out.close();
  if (!out) return Status::error(path + ": write failed");
  return Status::ok();
}

// The Engle-Granger figures of the summary; NaN when the test could not run.
struct EngleGrangerFigures {
  double alpha = kNaN;
  double beta = kNaN;
  double adf_stat = kNaN;
  double adf_pvalue = kNaN;
  int adf_used_lag = 0;
  std::int64_t adf_nobs = 0;
  std::array<double, 3> adf_crit = {kNaN, kNaN, kNaN};
  double half_life_obs = kNaN;
};

std::string format_number(double value, int decimals) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

}  // namespace

void PairOutputs::write_alert(const PairRow& row, std::string_view kind) {
  nlohmann::ordered_json alert;
  alert["ts_ms"] = row.ts_ms;
  alert["pair"] = pair_;
  alert["model"] = model_;
  alert["kind"] = kind;
  alert["zscore"] = number_or_null(row.zscore);
  alert["adf_pvalue"] = number_or_null(row.adf_pvalue);
  alert["x"] = row.x;
  alert["y"] = row.y;
  alerts_ << alert.dump() << '\n';
}

Result<EngleGrangerResult> full_sample_engle_granger(PairRun& run) {
  const ReportInput& report = run.outputs->report();
  return engle_granger(report.x, report.y);
}

bool same_observations(PairRun& a, PairRun& b) {
  const ReportInput& ra = a.outputs->report();
  const ReportInput& rb = b.outputs->report();
  const auto same = [](const std::vector<double>& u, const std::vector<double>& v) {
    return u.size() == v.size() && std::memcmp(u.data(), v.data(), u.size() * sizeof(double)) == 0;
  };
  return same(ra.x, rb.x) && same(ra.y, rb.y);
}

Status write_pair_outputs(PairRun& run, const Result<EngleGrangerResult>& engle_granger_fit,
                          std::vector<SymbolPanel> panels, PairBacktestSummary& pair) {
  PairPipeline& pipeline = *run.pipeline;
  ReportInput& report = run.outputs->report();
  const std::vector<ClosedTrade>& trades = pipeline.ledger().closed_trades();
  const PerformanceSummary performance = summarize_performance(run.outputs->path(), trades);

  nlohmann::ordered_json summary;
  summary["pair"] = pipeline.spec().name;
  summary["y"] = std::string(pipeline.spec().y.view());
  summary["x"] = std::string(pipeline.spec().x.view());
  summary["model"] = run.label;
  summary["plugin"] = pipeline.model().descriptor().id;
  summary["model_version"] = pipeline.model().descriptor().version;
  summary["n_obs"] = pipeline.observations();
  // Observations not made because a leg was older than sampling.max_stale_ms.
  summary["stale_drops"] = pipeline.aligner().stale_drops();
  summary["longest_break_ms"] = pipeline.aligner().longest_break_ms();
  if (!report.ts_ms.empty()) {
    summary["first_ts_ms"] = report.ts_ms.front();
    summary["last_ts_ms"] = report.ts_ms.back();
  }
  EngleGrangerFigures eg;
  if (engle_granger_fit) {
    const EngleGrangerResult& fit = engle_granger_fit.value();
    eg = {fit.hedge.alpha, fit.hedge.beta, fit.adf.stat, fit.adf.pvalue, fit.adf.used_lag, fit.adf.nobs,
          {fit.adf.crit_1pct, fit.adf.crit_5pct, fit.adf.crit_10pct}, fit.residual_half_life.half_life_obs};
  } else {
    // Too few or degenerate observations: say why rather than print numbers.
    summary["engle_granger_error"] = engle_granger_fit.error();
  }
  summary["static_alpha"] = number_or_null(eg.alpha);
  summary["static_beta"] = number_or_null(eg.beta);
  summary["adf_stat"] = number_or_null(eg.adf_stat);
  summary["adf_pvalue"] = number_or_null(eg.adf_pvalue);
  summary["adf_usedlag"] = engle_granger_fit ? nlohmann::ordered_json(eg.adf_used_lag) : nullptr;
  summary["adf_nobs"] = engle_granger_fit ? nlohmann::ordered_json(eg.adf_nobs) : nullptr;
  summary["adf_crit"] = {{"1%", number_or_null(eg.adf_crit[0])},
                         {"5%", number_or_null(eg.adf_crit[1])},
                         {"10%", number_or_null(eg.adf_crit[2])}};
  summary["half_life_obs"] = number_or_null(eg.half_life_obs);
  pair.adf_pvalue = eg.adf_pvalue;
  pair.half_life_obs = eg.half_life_obs;
  summary["n_trades"] = performance.n_trades;
  summary["pnl"] = performance.pnl_usd;
  summary["fees"] = performance.fees_usd;
  summary["sharpe"] = number_or_null(performance.sharpe);
  summary["max_drawdown"] = performance.max_drawdown_usd;
  summary["win_rate"] = performance.win_rate;
  summary["exposure"] = performance.exposure;
  if (pipeline.spec().adf.enabled()) {
    const StationarityConfig& adf = pipeline.spec().adf;
    summary["rolling_adf"] = {{"window", adf.window},
                              {"every", adf.every},
                              {"max_pvalue", number_or_null(adf.max_pvalue.value_or(kNaN))},
                              {"tests", pipeline.rolling_adf().tests()},
                              {"failed_tests", pipeline.rolling_adf().failed_tests()}};
  }
  summary["model_update_errors"] = pipeline.model().update_errors();
  summary["late_trades"] = pipeline.aligner().late_trades();
  const std::string summary_path = (fs::path(run.dir) / "summary.json").string();
  {
    std::ofstream out(summary_path, std::ios::binary);
    out << summary.dump(2) << "\n";
    if (!out) return Status::error(summary_path + ": write failed");
  }
  Status status = write_trades_csv((fs::path(run.dir) / "trades.csv").string(), trades);
  if (!status) return status;

  const PairSpec& spec = pipeline.spec();
  report.pair = spec.name;
  report.y_symbol = std::string(spec.y.view());
  report.x_symbol = std::string(spec.x.view());
  report.model = run.label == pipeline.model().descriptor().id
                     ? run.label
                     : run.label + " (" + pipeline.model().descriptor().id + ")";
  report.entry = spec.zscore.entry;
  report.exit = spec.zscore.exit;
  report.stop = spec.zscore.stop.value_or(kNaN);
  report.summary = {
      {"observations", std::to_string(pipeline.observations())},
      {"static beta / alpha (full sample)", format_number(eg.beta, 6) + " / " + format_number(eg.alpha, 4)},
      {"ADF statistic / p-value", format_number(eg.adf_stat, 3) + " / " + format_number(eg.adf_pvalue, 4)},
      {"ADF critical values 1% / 5% / 10%", format_number(eg.adf_crit[0], 3) + " / " +
                                                 format_number(eg.adf_crit[1], 3) + " / " +
                                                 format_number(eg.adf_crit[2], 3)},
      {"half-life (observations)", format_number(eg.half_life_obs, 1)},
      {"trades", std::to_string(performance.n_trades)},
      {"P&L net of costs (USD)", format_number(performance.pnl_usd, 2)},
      {"fees (USD)", format_number(performance.fees_usd, 2)},
      {"Sharpe (annualised)", format_number(performance.sharpe, 2)},
      {"max drawdown (USD)", format_number(performance.max_drawdown_usd, 2)},
      {"win rate", format_number(100 * performance.win_rate, 1) + " %"},
      {"exposure", format_number(100 * performance.exposure, 1) + " %"},
  };
  report.adf_max_pvalue = spec.adf.max_pvalue.value_or(kNaN);
  report.symbols = std::move(panels);
  report.trades.clear();
  for (const ClosedTrade& trade : trades) {
    report.trades.push_back(
        {trade.entry_ts_ms, trade.exit_ts_ms, trade.side, trade.pnl_usd, std::string(exit_reason_name(trade.reason))});
  }
  status = write_backtest_report(report, (fs::path(run.dir) / "report.html").string());
  if (!status) return status;

  pair.trades = performance.n_trades;
  pair.pnl_usd = performance.pnl_usd;
  pair.sharpe = performance.sharpe;
  pair.max_drawdown_usd = performance.max_drawdown_usd;
  return Status::ok();
}

Status write_comparison(const std::vector<PairRun>& runs, std::size_t first, std::size_t last,
                        const std::vector<PairBacktestSummary>& results, const std::string& out_dir) {
  const PairSpec& spec = runs[first].pipeline->spec();
  ComparisonInput input;
  input.pair = spec.name;
  input.y_symbol = std::string(spec.y.view());
  input.x_symbol = std::string(spec.x.view());
  input.entry = spec.zscore.entry;
  input.ts_ms = runs[first].outputs->report().ts_ms;
  for (std::size_t i = first; i < last; ++i) {
    ReportInput& report = runs[i].outputs->report();
    ModelTrack track;
    track.label = runs[i].label;
    track.beta = report.beta;
    track.zscore = report.zscore;
    track.adf_pvalue = runs[i].outputs->adf_pvalue();
    track.equity = report.equity;
    track.trades = results[i].trades;
    track.pnl_usd = results[i].pnl_usd;
    track.sharpe = results[i].sharpe;
    track.max_drawdown_usd = results[i].max_drawdown_usd;
    input.models.push_back(std::move(track));
  }
  return write_model_comparison_report(input, (fs::path(out_dir) / spec.name / "report.html").string());
}

}  // namespace alphastream
