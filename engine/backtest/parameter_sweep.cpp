#include "backtest/parameter_sweep.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "report/json_number.h"
#include "backtest/series_csv_writer.h"
#include "report/sweep_report.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<std::string_view, 7> kMetrics = {"sharpe", "sortino", "calmar", "pnl",
                                                      "return", "profit_factor", "win_rate"};

// The figure over some days of a run: the P&L, or a ratio of daily returns.
double metric_over(std::span<const DailyPnl> days, double notional_usd, std::string_view name) {
  if (name == "pnl" || name == "return") {
    double pnl = 0;
    for (const DailyPnl& day : days) pnl += day.pnl_usd;
    return name == "pnl" ? pnl : pnl / notional_usd;
  }
  const DailyRatios ratios = daily_ratios(days, notional_usd);
  return name == "sortino" ? ratios.sortino : ratios.sharpe;
}

// The walk-forward of one base pair's rows (indexes into rows).
Status walk_forward(const std::vector<SweepRow>& rows, const std::vector<std::size_t>& of_pair, int folds,
                    std::string_view rank_by, std::vector<WalkForwardStep>& steps) {
  const SweepRow& first = rows[of_pair.front()];
  // The calendar: the first combination's days (every combination of a pair
  // observes the same times), each combination's P&L looked up by day.
  std::vector<std::int64_t> days;
  for (const DailyPnl& day : first.performance.daily) days.push_back(day.day_start_ms);
  const std::size_t per_fold = days.size() / static_cast<std::size_t>(folds);
  if (per_fold == 0) {
    return Status::invalid_input("sweep: --folds " + std::to_string(folds) + " needs at least that many days; " +
                                 first.variant.base_pair + " has " + std::to_string(days.size()));
  }
  const auto fold_days = [&](const SweepRow& row, int fold) {
    const std::size_t from = static_cast<std::size_t>(fold) * per_fold;
    const std::size_t to = fold == folds - 1 ? days.size() : from + per_fold;
    std::vector<DailyPnl> out;
    const std::vector<DailyPnl>& daily = row.performance.daily;  // in day order
    for (std::size_t d = from; d < to; ++d) {
      const auto found = std::lower_bound(daily.begin(), daily.end(), days[d],
                                          [](const DailyPnl& day, std::int64_t t) { return day.day_start_ms < t; });
      out.push_back(found != daily.end() && found->day_start_ms == days[d] ? *found : DailyPnl{days[d], 0, 0});
    }
    return out;
  };
  const std::int64_t day_ms = kMsPerDay;
  for (int fold = 1; fold < folds; ++fold) {
    WalkForwardStep step;
    step.pair = first.variant.base_pair;
    step.fold = fold;
    step.in_from_ms = days[static_cast<std::size_t>(fold - 1) * per_fold];
    step.out_from_ms = days[static_cast<std::size_t>(fold) * per_fold];
    step.out_to_ms = (fold == folds - 1 ? days.back() : days[static_cast<std::size_t>(fold + 1) * per_fold - 1]) + day_ms;
    const SweepRow* chosen = nullptr;
    step.in_sample_metric = kNaN;
    step.best_out_pnl_usd = -std::numeric_limits<double>::infinity();
    for (const std::size_t r : of_pair) {
      const SweepRow& row = rows[r];
      const double in_sample = metric_over(fold_days(row, fold - 1), row.performance.notional_usd, rank_by);
      // Combination order breaks ties, as in the ranking.
      const bool better = std::isfinite(in_sample) &&
                          (chosen == nullptr || in_sample > step.in_sample_metric ||
                           (in_sample == step.in_sample_metric && row.combination < chosen->combination));
      if (better) {
        chosen = &row;
        step.in_sample_metric = in_sample;
      }
      step.best_out_pnl_usd = std::max(step.best_out_pnl_usd,
                                       metric_over(fold_days(row, fold), row.performance.notional_usd, "pnl"));
    }
    if (chosen == nullptr) continue;  // no combination has the figure there (e.g. one day for a Sharpe)
    step.chosen = chosen->variant.name;
    step.values = chosen->variant.values;
    const std::vector<DailyPnl> out = fold_days(*chosen, fold);
    step.out_pnl_usd = metric_over(out, chosen->performance.notional_usd, "pnl");
    step.out_sharpe = daily_ratios(out, chosen->performance.notional_usd).sharpe;
    steps.push_back(std::move(step));
  }
  return Status::ok();
}

}  // namespace

bool is_sweep_metric(std::string_view name) {
  return std::find(kMetrics.begin(), kMetrics.end(), name) != kMetrics.end();
}

double sweep_metric(const PerformanceSummary& p, std::string_view name) {
  if (name == "sharpe") return p.sharpe;
  if (name == "sortino") return p.sortino;
  if (name == "calmar") return p.calmar;
  if (name == "pnl") return p.pnl_usd;
  if (name == "return") return p.total_return;
  if (name == "profit_factor") return p.profit_factor;
  if (name == "win_rate") return p.n_trades > 0 ? p.win_rate : kNaN;
  return kNaN;
}

Result<SweepSummary> run_sweep(const SweepOptions& options) {
  if (!is_sweep_metric(options.rank_by)) {
    return Status::invalid_input("--rank " + options.rank_by +
                                 ": expected sharpe, sortino, calmar, pnl, return, profit_factor or win_rate");
  }
  if (options.folds == 1 || options.folds < 0) {
    return Status::invalid_input("--folds " + std::to_string(options.folds) + ": expected 0 (none) or 2 or more");
  }
  if (options.folds > 0 && options.rank_by != "sharpe" && options.rank_by != "sortino" && options.rank_by != "pnl" &&
      options.rank_by != "return") {
    return Status::invalid_input("--folds ranks each fold by sharpe, sortino, pnl or return, not " + options.rank_by);
  }
  std::vector<SweepVariant> variants;
  auto expanded = expand_sweep(options.backtest.config, options.axes, options.pairs, variants);
  if (!expanded) return expanded.status();
  BacktestOptions backtest = options.backtest;
  backtest.config = std::move(expanded.value());
  backtest.only_pairs.clear();
  backtest.write_outputs = false;
  backtest.progress_label = "sweep";
  auto ran = run_backtest(backtest);
  if (!ran) return ran.status();

  SweepSummary summary;
  for (const SweepAxis& axis : options.axes) summary.keys.push_back(axis.key);
  summary.trades_read = ran->trades_read;
  summary.import_summaries = ran->import_summaries;
  summary.elapsed_s = ran->elapsed_s;
  // One model a variant: its results come in variant order.
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const PairBacktestSummary& pair = ran->pairs[i];
    summary.rows.push_back({variants[i], i, pair.observations, pair.performance,
                            sweep_metric(pair.performance, options.rank_by)});
  }
  std::stable_sort(summary.rows.begin(), summary.rows.end(), [](const SweepRow& a, const SweepRow& b) {
    const bool a_ok = std::isfinite(a.metric), b_ok = std::isfinite(b.metric);
    if (a_ok != b_ok) return a_ok;
    return a_ok && a.metric > b.metric;
  });
  if (options.folds > 0) {
    std::map<std::string, std::vector<std::size_t>> by_pair;
    std::vector<std::string> order;
    for (std::size_t r = 0; r < summary.rows.size(); ++r) {
      const std::string& base = summary.rows[r].variant.base_pair;
      if (!by_pair.contains(base)) order.push_back(base);
      by_pair[base].push_back(r);
    }
    for (const std::string& base : order) {
      Status walked = walk_forward(summary.rows, by_pair[base], options.folds, options.rank_by, summary.walk_forward);
      if (!walked) return walked;
    }
  }
  return summary;
}

Status write_sweep_outputs(const SweepSummary& summary, const SweepOptions& options) {
  const std::string& out_dir = options.backtest.out_dir;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::error(out_dir + ": cannot create: " + ec.message());

  // sweep.csv
  const std::string csv_path = (fs::path(out_dir) / "sweep.csv").string();
  std::ofstream csv(csv_path, std::ios::binary);
  csv << "rank,pair,variant";
  for (const std::string& key : summary.keys) csv << "," << key;
  csv << ",observations,trades,pnl,return,sharpe,sortino,calmar,max_drawdown,win_rate,profit_factor,exposure\n";
  std::vector<char> line;
  for (std::size_t r = 0; r < summary.rows.size(); ++r) {
    const SweepRow& row = summary.rows[r];
    const PerformanceSummary& p = row.performance;
    csv << r + 1 << "," << row.variant.base_pair << "," << row.variant.name;
    for (const std::string& value : row.variant.values) csv << "," << value;
    csv << "," << row.observations << "," << p.n_trades;
    line.clear();
    for (const double value : {p.pnl_usd, p.total_return, p.sharpe, p.sortino, p.calmar, p.max_drawdown_usd,
                               p.win_rate, p.profit_factor, p.exposure}) {
      line.push_back(',');
      append_number(line, value);
    }
    csv.write(line.data(), static_cast<std::streamsize>(line.size()));
    csv << "\n";
  }
  csv.close();
  if (!csv) return Status::error(csv_path + ": write failed");

  // sweep.json
  nlohmann::ordered_json json;
  json["rank_by"] = options.rank_by;
  json["keys"] = summary.keys;
  json["folds"] = options.folds;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t r = 0; r < summary.rows.size(); ++r) {
    const SweepRow& row = summary.rows[r];
    const PerformanceSummary& p = row.performance;
    nlohmann::ordered_json values = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < summary.keys.size(); ++k) values[summary.keys[k]] = row.variant.values[k];
    nlohmann::ordered_json daily = nlohmann::ordered_json::array();
    for (const DailyPnl& day : p.daily) daily.push_back({{"day_start_ms", day.day_start_ms}, {"pnl", day.pnl_usd}});
    rows.push_back({{"rank", r + 1},
                    {"pair", row.variant.base_pair},
                    {"variant", row.variant.name},
                    {"values", values},
                    {"metric", number_or_null(row.metric)},
                    {"observations", row.observations},
                    {"n_trades", p.n_trades},
                    {"pnl", p.pnl_usd},
                    {"total_return", number_or_null(p.total_return)},
                    {"sharpe", number_or_null(p.sharpe)},
                    {"sortino", number_or_null(p.sortino)},
                    {"calmar", number_or_null(p.calmar)},
                    {"max_drawdown", p.max_drawdown_usd},
                    {"win_rate", p.win_rate},
                    {"profit_factor", number_or_null(p.profit_factor)},
                    {"notional", p.notional_usd},
                    {"daily", daily}});
  }
  json["rows"] = std::move(rows);
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const WalkForwardStep& step : summary.walk_forward) {
    steps.push_back({{"pair", step.pair},
                     {"fold", step.fold},
                     {"in_from_ms", step.in_from_ms},
                     {"out_from_ms", step.out_from_ms},
                     {"out_to_ms", step.out_to_ms},
                     {"chosen", step.chosen},
                     {"in_sample_metric", number_or_null(step.in_sample_metric)},
                     {"out_pnl", step.out_pnl_usd},
                     {"out_sharpe", number_or_null(step.out_sharpe)},
                     {"best_out_pnl", step.best_out_pnl_usd}});
  }
  json["walk_forward"] = std::move(steps);
  json["provenance"] = {{"engine_version", options.backtest.provenance.engine_version},
                        {"git_commit", options.backtest.provenance.git_commit},
                        {"config", {{"path", options.backtest.provenance.config_path},
                                    {"sha256", options.backtest.provenance.config_sha256}}}};
  const std::string json_path = (fs::path(out_dir) / "sweep.json").string();
  std::ofstream out(json_path, std::ios::binary);
  out << json.dump(2) << "\n";
  out.close();
  if (!out) return Status::error(json_path + ": write failed");

  // sweep.html
  SweepReportInput report;
  report.rank_by = options.rank_by;
  report.keys = summary.keys;
  for (const SweepRow& row : summary.rows) {
    report.rows.push_back({row.variant.base_pair, row.variant.name, row.variant.values, row.metric,
                           row.performance.n_trades, row.performance.pnl_usd, row.performance.sharpe,
                           row.performance.max_drawdown_usd});
  }
  for (const WalkForwardStep& step : summary.walk_forward) {
    report.walk_forward.push_back({step.pair, step.fold, step.out_from_ms, step.out_to_ms, step.chosen, step.values,
                                   step.in_sample_metric, step.out_pnl_usd, step.best_out_pnl_usd});
  }
  return write_sweep_report(report, (fs::path(out_dir) / "sweep.html").string());
}

}  // namespace alphastream
