#include "backtest/backtest_outputs.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <span>

#include <nlohmann/json.hpp>

#include "report/json_number.h"
#include "report/html.h"
#include "report/model_comparison_report.h"
#include "report/series_thinner.h"
#include "report/svg_chart.h"
#include "stats/engle_granger.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Status write_trades_csv(const std::string& path, std::span<const ClosedTrade> trades) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Status::error(path + ": cannot create");
  out << "entry_ts_ms,exit_ts_ms,side,qty_y,qty_x,entry_y,entry_x,exit_y,exit_x,fees_usd,funding_usd,pnl_usd,exit_reason\n";
  std::vector<char> line;
  for (const ClosedTrade& trade : trades) {
    line.clear();
    const std::string head = std::to_string(trade.entry_ts_ms) + "," + std::to_string(trade.exit_ts_ms) + "," +
                             (trade.side > 0 ? "long" : "short");
    line.insert(line.end(), head.begin(), head.end());
    for (double value : {trade.qty_y, trade.qty_x, trade.entry_y, trade.entry_x, trade.exit_y, trade.exit_x,
                         trade.fees_usd, trade.funding_usd, trade.pnl_usd}) {
      line.push_back(',');
      append_number(line, value);
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

// The performance figures beyond the first few: NaN (a figure the run does
// not have, e.g. a Sharpe ratio of one day) as null.
void append_performance(nlohmann::ordered_json& summary, const PerformanceSummary& p) {
  summary["notional"] = p.notional_usd;
  summary["days"] = p.days;
  summary["total_return"] = number_or_null(p.total_return);
  summary["annualised_return"] = number_or_null(p.annualised_return);
  summary["sortino"] = number_or_null(p.sortino);
  summary["calmar"] = number_or_null(p.calmar);
  summary["longest_drawdown_ms"] = p.longest_drawdown_ms;
  summary["profit_factor"] = number_or_null(p.profit_factor);
  summary["expectancy"] = number_or_null(p.expectancy_usd);
  summary["avg_win"] = number_or_null(p.avg_win_usd);
  summary["avg_loss"] = number_or_null(p.avg_loss_usd);
  summary["best_trade"] = number_or_null(p.best_trade_usd);
  summary["worst_trade"] = number_or_null(p.worst_trade_usd);
  summary["avg_holding_ms"] = number_or_null(p.avg_holding_ms);
  summary["long"] = {{"trades", p.long_trades}, {"pnl", p.long_pnl_usd}};
  summary["short"] = {{"trades", p.short_trades}, {"pnl", p.short_pnl_usd}};
  nlohmann::ordered_json daily = nlohmann::ordered_json::array();
  for (const DailyPnl& day : p.daily) {
    daily.push_back({{"day_start_ms", day.day_start_ms}, {"pnl", day.pnl_usd}, {"equity", day.equity_usd}});
  }
  summary["daily"] = std::move(daily);
}

// The run's provenance and the pair's settings as the run used them.
nlohmann::ordered_json provenance_json(const RunProvenance& provenance, const PairSpec& spec) {
  nlohmann::ordered_json out;
  out["engine_version"] = provenance.engine_version;
  out["git_commit"] = provenance.git_commit;
  out["config"] = {{"path", provenance.config_path}, {"sha256", provenance.config_sha256}};
  out["sampling"] = {{"mode", spec.sampling.mode == SamplingConfig::Mode::kTime ? "time" : "tick"},
                     {"interval_ms", spec.sampling.interval_ms},
                     {"max_stale_ms", spec.sampling.max_stale_ms}};
  out["zscore"] = {{"window", spec.zscore.window},
                   {"entry", spec.zscore.entry},
                   {"exit", spec.zscore.exit},
                   {"stop", number_or_null(spec.zscore.stop.value_or(kNaN))}};
  out["costs"] = {{"fee_bps", spec.costs.fee_bps},
                  {"slippage_bps", spec.costs.slippage_bps},
                  {"notional", spec.costs.notional}};
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const InputFileDigest& input : provenance.inputs) {
    inputs.push_back({{"symbol", input.symbol},
                      {"path", input.path},
                      {"bytes", input.bytes},
                      {"sha256", input.sha256.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(input.sha256)}});
  }
  out["inputs"] = std::move(inputs);
  return out;
}

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

Status PairOutputs::open_series(const std::string& path, bool write_csv, bool keep_rows) {
  std::vector<std::string> columns = {"ts_ms", "x", "y", "alpha", "beta", "spread", "zscore", "position"};
  if (with_adf_) columns.insert(columns.end(), {"adf_stat", "adf_pvalue"});
  columns.insert(columns.end(), extra_names_.begin(), extra_names_.end());
  if (write_csv) {
    auto writer = SeriesCsvWriter::open(path, columns, keep_rows);
    if (!writer) return writer.status();
    series_ = std::move(writer.value());
  }
  auto rows = RowLog::create(path + ".rows", kColumns);
  if (!rows) return rows.status();
  rows_ = std::move(rows.value());
  return Status::ok();
}

Status PairOutputs::open_alerts(const std::string& path) {
  alerts_path_ = path;
  alerts_.open(path, std::ios::binary);
  if (!alerts_) return Status::error(path + ": cannot create");
  return Status::ok();
}

void PairOutputs::on_row(const PairRow& row) {
  if (series_) {
    values_[0] = row.x;
    values_[1] = row.y;
    values_[2] = row.alpha;
    values_[3] = row.beta;
    values_[4] = row.spread;
    values_[5] = row.zscore;
    values_[6] = row.position;
    if (with_adf_) {
      values_[7] = row.adf_stat;
      values_[8] = row.adf_pvalue;
    }
    for (std::size_t i = 0; i < extra_outputs_.size(); ++i) {
      values_[first_extra_ + i] = row.model_outputs[extra_outputs_[i]];
    }
    series_->write_row(row.ts_ms, values_);
  }
  if (alerts_.is_open()) {
    if (row.action != SignalAction::kNone) write_alert(row, signal_action_name(row.action));
    if (row.stationarity != StationarityChange::kNone) write_alert(row, stationarity_change_name(row.stationarity));
  }
  if (row_count_ == 0) first_ts_ms_ = row.ts_ms;
  last_ts_ms_ = row.ts_ms;
  ++row_count_;
  performance_.add(LedgerPoint{row.ts_ms, row.equity_usd, row.position});
  if (!rows_) return;
  row_ = {row.x, row.y, row.alpha, row.beta, row.spread, row.zscore, static_cast<double>(row.position), row.equity_usd,
          with_adf_ ? row.adf_pvalue : kNaN};
  rows_->append(row.ts_ms, row_);
  xy_sums_.add(row.x, row.y);
  // Two multiply-mix hashes of the bits of x and y, independent of each
  // other (different constants and mixing), a word at a time.
  for (const double v : {row.x, row.y}) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    xy_hash_[0] = (xy_hash_[0] ^ bits) * 0x9E3779B97F4A7C15ull;
    xy_hash_[0] ^= xy_hash_[0] >> 29;
    xy_hash_[1] = std::rotl(xy_hash_[1] + bits * 0xC2B2AE3D27D4EB4Full, 31) * 0x165667B19E3779F9ull;
  }
}

void PairOutputs::on_finish(const LedgerPoint& final_point) {
  if (row_count_ == 0) return;
  performance_.replace_last(final_point);
  if (!rows_) return;
  row_[kEquity] = final_point.equity_usd;
  row_[kPosition] = static_cast<double>(final_point.position);
  rows_->replace_last(row_);
}

Status PairOutputs::close_files() {
  if (alerts_.is_open()) {
    alerts_.close();
    if (!alerts_) return Status::error(alerts_path_ + ": write failed");
  }
  if (rows_) {
    if (Status finished = rows_->finish(); !finished) return finished;
  }
  return Status::ok();
}

Status SymbolOutputs::open_series(const std::string& path, bool write_csv, bool keep_rows) {
  std::vector<std::string> columns = {"ts_ms"};
  columns.insert(columns.end(), columns_.begin(), columns_.end());
  if (write_csv) {
    auto writer = SeriesCsvWriter::open(path, columns, keep_rows);
    if (!writer) return writer.status();
    series_ = std::move(writer.value());
  }
  if (keep_panel_) {
    auto rows = RowLog::create(path + ".rows", panel_row_.size());
    if (!rows) return rows.status();
    rows_ = std::move(rows.value());
  }
  return Status::ok();
}

void SymbolOutputs::on_row(const SymbolRow& row) {
  if (series_) series_->write_row(row.ts_ms, row.outputs);
  if (!rows_) return;
  if (rows_->size() == 0) first_ts_ms_ = row.ts_ms;
  last_ts_ms_ = row.ts_ms;
  panel_row_[0] = row.last_price;
  for (std::size_t i = 0; i < panel_outputs_.size(); ++i) panel_row_[1 + i] = row.outputs[panel_outputs_[i]];
  rows_->append(row.ts_ms, panel_row_);
}

Status SymbolOutputs::close_files() {
  if (rows_) {
    if (Status finished = rows_->finish(); !finished) return finished;
  }
  return Status::ok();
}

Status SymbolOutputs::thin_panel() {
  panel_values_.assign(panel_outputs_.size(), {});
  if (!rows_ || rows_->size() == 0) return Status::ok();
  const ChartSpan span = chart_span(first_ts_ms_, last_ts_ms_);
  SeriesThinner thinner(panel_row_.size(), span.from_ms, span.to_ms, span.columns);
  ThinnedRows thinned(thinner, panel_row_.size());
  const auto take = [&](std::int64_t ts_ms, std::span<const double> kept) {
    ts_ms_.push_back(ts_ms);
    last_price_.push_back(kept[0]);
    for (std::size_t k = 0; k < panel_values_.size(); ++k) panel_values_[k].push_back(kept[1 + k]);
  };
  thinner.keep(0);
  Status read = rows_->for_each(
      [&](std::uint64_t i, std::int64_t ts_ms, std::span<const double> v) { thinned.add(i, ts_ms, v, take); });
  if (!read) return read;
  thinner.keep(rows_->size() - 1);
  thinned.finish(take);
  return Status::ok();
}

Result<EngleGrangerResult> full_sample_engle_granger(PairRun& run) {
  // Straight from the row log, a pass at a time: a month's legs stay on disk.
  const RowLog& rows = run.outputs->row_log();
  Status read;
  auto result = engle_granger_visiting(
      rows.size(),
      [&](auto&& f) {
        if (!read) return;
        read = rows.for_each([&](std::uint64_t, std::int64_t, std::span<const double> v) {
          f(v[PairOutputs::kX], v[PairOutputs::kY]);
        });
      },
      run.outputs->xy_sums());
  if (!read) return read;
  return result;
}

namespace {

// The report's series at the rows a SeriesThinner kept of every chart's
// series (and of the drawdown, the first and last rows and the rows the
// trade markers point at), so report.html is drawn as from every row; one
// pass over the row log (ThinnedRows).
Status thin_report(const PairOutputs& outputs, std::span<const ClosedTrade> trades, ReportInput& report) {
  const RowLog& rows = outputs.row_log();
  report.observations = rows.size();
  std::vector<double>* columns[] = {&report.x,      &report.y,        &report.alpha,
                                    &report.beta,   &report.spread,   &report.zscore,
                                    &report.position, &report.equity, &report.adf_pvalue};
  for (std::vector<double>* column : columns) column->clear();
  report.ts_ms.clear();
  report.drawdown.clear();
  if (rows.size() == 0) return Status::ok();
  const ChartSpan span = chart_span(outputs.first_ts_ms(), outputs.last_ts_ms());
  // The thinned columns, then the drawdown.
  constexpr std::size_t kDrawdown = PairOutputs::kColumns;
  using Row = std::array<double, PairOutputs::kColumns + 1>;
  SeriesThinner thinner(PairOutputs::kColumns + 1, span.from_ms, span.to_ms, span.columns);
  ThinnedRows thinned(thinner, PairOutputs::kColumns + 1);
  thinner.keep(0);
  // A marker sits on the last row at or before its time.
  std::vector<std::int64_t> marks;
  for (const ClosedTrade& t : trades) marks.insert(marks.end(), {t.entry_ts_ms, t.exit_ts_ms});
  std::sort(marks.begin(), marks.end());
  std::size_t mark = 0;
  const auto take = [&](std::int64_t ts_ms, std::span<const double> kept) {
    report.ts_ms.push_back(ts_ms);
    for (std::size_t c = 0; c < PairOutputs::kColumns; ++c) {
      if (c == PairOutputs::kAdfPvalue && !outputs.with_adf()) continue;
      columns[c]->push_back(kept[c]);
    }
    report.drawdown.push_back(kept[kDrawdown]);
  };
  RunningDrawdown drawdown;
  Row row{};
  Status read = rows.for_each([&](std::uint64_t i, std::int64_t ts_ms, std::span<const double> v) {
    for (; mark < marks.size() && marks[mark] < ts_ms; ++mark) {
      if (i > 0) thinner.keep(i - 1);
    }
    std::copy(v.begin(), v.end(), row.begin());
    row[kDrawdown] = drawdown.next(v[PairOutputs::kEquity], ts_ms);
    thinned.add(i, ts_ms, row, take);
  });
  if (!read) return read;
  thinner.keep(rows.size() - 1);
  thinned.finish(take);
  report.worst_drawdown_usd = drawdown.worst;
  report.worst_drawdown_ts_ms = drawdown.worst_ts_ms;
  return Status::ok();
}

}  // namespace

Status write_pair_outputs(PairRun& run, const std::shared_future<Result<EngleGrangerResult>>& engle_granger,
                          std::vector<SymbolPanel> panels, const RunProvenance& provenance,
                          PairBacktestSummary& pair) {
  PairPipeline& pipeline = *run.pipeline;
  ReportInput report;
  const std::vector<ClosedTrade>& trades = pipeline.ledger().closed_trades();
  const PerformanceSummary performance = run.outputs->performance(trades);
  if (Status thinned = thin_report(*run.outputs, trades, report); !thinned) return thinned;
  const Result<EngleGrangerResult>& engle_granger_fit = engle_granger.get();

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
  if (run.outputs->rows() > 0) {
    summary["first_ts_ms"] = run.outputs->first_ts_ms();
    summary["last_ts_ms"] = run.outputs->last_ts_ms();
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
  summary["funding"] = performance.funding_usd;
  summary["sharpe"] = number_or_null(performance.sharpe);
  summary["max_drawdown"] = performance.max_drawdown_usd;
  summary["win_rate"] = performance.win_rate;
  summary["exposure"] = performance.exposure;
  append_performance(summary, performance);
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
  summary["provenance"] = provenance_json(provenance, pipeline.spec());
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  for (const auto& [key, value] : run.params) params[key] = value;
  summary["provenance"]["model_params"] = std::move(params);
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
      {"funding (USD, + received)", format_number(performance.funding_usd, 2)},
      {"return on notional / annualised", format_number(100 * performance.total_return, 2) + " % / " +
                                              format_number(100 * performance.annualised_return, 2) + " %"},
      {"Sharpe / Sortino (daily, 365-day year)",
       format_number(performance.sharpe, 2) + " / " + format_number(performance.sortino, 2)},
      {"Calmar", format_number(performance.calmar, 2)},
      {"max drawdown (USD)", format_number(performance.max_drawdown_usd, 2)},
      {"longest drawdown", format_duration_ms(performance.longest_drawdown_ms)},
      {"win rate", format_number(100 * performance.win_rate, 1) + " %"},
      {"profit factor", format_number(performance.profit_factor, 2)},
      {"expectancy per trade (USD)", format_number(performance.expectancy_usd, 2)},
      {"average win / loss (USD)",
       format_number(performance.avg_win_usd, 2) + " / " + format_number(performance.avg_loss_usd, 2)},
      {"best / worst trade (USD)",
       format_number(performance.best_trade_usd, 2) + " / " + format_number(performance.worst_trade_usd, 2)},
      {"average holding time", std::isfinite(performance.avg_holding_ms)
                                   ? format_duration_ms(static_cast<std::int64_t>(performance.avg_holding_ms))
                                   : "n/a"},
      {"long trades / P&L (USD)", std::to_string(performance.long_trades) + " / " +
                                      format_number(performance.long_pnl_usd, 2)},
      {"short trades / P&L (USD)", std::to_string(performance.short_trades) + " / " +
                                       format_number(performance.short_pnl_usd, 2)},
      {"exposure", format_number(100 * performance.exposure, 1) + " %"},
  };
  report.notional_usd = performance.notional_usd;
  report.provenance.emplace_back("engine", "alphastream " + provenance.engine_version + " (" + provenance.git_commit + ")");
  report.provenance.emplace_back("config", provenance.config_path + " (sha256 " + provenance.config_sha256 + ")");
  std::string param_text;
  for (const auto& [key, value] : run.params) {
    char text[64];
    std::snprintf(text, sizeof text, "%s%s=%.10g", param_text.empty() ? "" : ", ", key.c_str(), value);
    param_text += text;
  }
  report.provenance.emplace_back("model", pipeline.model().descriptor().id + std::string(" ") +
                                              pipeline.model().descriptor().version +
                                              (param_text.empty() ? "" : ": ") + param_text);
  for (const InputFileDigest& input : provenance.inputs) {
    report.provenance.emplace_back(input.symbol, input.path + " (" + std::to_string(input.bytes) + " bytes, sha256 " +
                                                     (input.sha256.empty() ? "n/a" : input.sha256) + ")");
  }
  for (const DailyPnl& day : performance.daily) report.daily.push_back({day.day_start_ms, day.pnl_usd, day.equity_usd});
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
  pair.performance = performance;
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
  const bool with_adf = runs[first].outputs->with_adf();
  const std::size_t models = last - first;
  for (std::size_t i = first; i < last; ++i) {
    ModelTrack& track = input.models.emplace_back();
    track.label = runs[i].label;
    track.trades = results[i].trades;
    track.pnl_usd = results[i].pnl_usd;
    track.sharpe = results[i].sharpe;
    track.max_drawdown_usd = results[i].max_drawdown_usd;
    if (runs[i].outputs->rows() != runs[first].outputs->rows()) {
      return Status::error("model comparison of " + spec.name + ": model '" + runs[i].label + "' has " +
                           std::to_string(runs[i].outputs->rows()) + " observations, '" + runs[first].label +
                           "' " + std::to_string(runs[first].outputs->rows()));
    }
  }
  // The models observe at the same times: their logs are read side by side,
  // once (ThinnedRows).
  const std::uint64_t rows = runs[first].outputs->rows();
  constexpr std::size_t kCharted[] = {PairOutputs::kBeta, PairOutputs::kZscore, PairOutputs::kAdfPvalue,
                                      PairOutputs::kEquity};
  if (rows > 0) {
    const ChartSpan span = chart_span(runs[first].outputs->first_ts_ms(), runs[first].outputs->last_ts_ms());
    SeriesThinner thinner(models * std::size(kCharted), span.from_ms, span.to_ms, span.columns);
    ThinnedRows thinned(thinner, models * std::size(kCharted));
    const auto take = [&](std::int64_t ts_ms, std::span<const double> kept) {
      input.ts_ms.push_back(ts_ms);
      for (std::size_t m = 0; m < models; ++m) {
        const double* charted = kept.data() + m * std::size(kCharted);
        ModelTrack& track = input.models[m];
        track.beta.push_back(charted[0]);
        track.zscore.push_back(charted[1]);
        if (with_adf) track.adf_pvalue.push_back(charted[2]);
        track.equity.push_back(charted[3]);
      }
    };
    thinner.keep(0);
    std::vector<RowLog::Cursor> cursors;
    for (std::size_t i = first; i < last; ++i) cursors.emplace_back(runs[i].outputs->row_log());
    std::vector<double> charted(models * std::size(kCharted));
    std::int64_t ts_ms = 0;
    std::span<const double> values;
    for (std::uint64_t row = 0; row < rows; ++row) {
      for (std::size_t m = 0; m < models; ++m) {
        if (!cursors[m].next(ts_ms, values)) {
          return cursors[m].status().is_ok() ? Status::error("short log") : cursors[m].status();
        }
        for (std::size_t c = 0; c < std::size(kCharted); ++c) charted[m * std::size(kCharted) + c] = values[kCharted[c]];
      }
      thinned.add(row, ts_ms, charted, take);
    }
    thinner.keep(rows - 1);
    thinned.finish(take);
  }
  return write_model_comparison_report(input, (fs::path(out_dir) / spec.name / "report.html").string());
}

}  // namespace alphastream
