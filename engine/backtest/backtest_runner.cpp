#include "backtest/backtest_runner.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>

#include <nlohmann/json.hpp>

#include "backtest/csv_trade_stream.h"
#include "backtest/series_csv_writer.h"
#include "config/model_factory.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"
#include "report/backtest_report.h"
#include "report/model_comparison_report.h"
#include "stats/engle_granger.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The pipelines that consume one symbol's trades.
struct SymbolRoute {
  Symbol symbol;
  std::vector<std::pair<PairPipeline*, Leg>> pairs;
  std::vector<SymbolPipeline*> models;
};

nlohmann::ordered_json number_or_null(double value) {
  if (std::isfinite(value)) return value;
  return nullptr;
}

// Collects a pair's rows: streams series.csv and keeps what the summary
// statistics and the report need.
class PairOutputs : public PairRowSink {
 public:
  PairOutputs(const PairPipeline& pipeline, std::string label, bool keep_rows)
      : keep_rows_(keep_rows), with_adf_(pipeline.spec().adf.enabled()), pair_(pipeline.spec().name),
        model_(std::move(label)) {
    const ModelInstance& model = pipeline.model();
    const as_model_descriptor& descriptor = model.descriptor();
    for (std::uint32_t i = 0; i < descriptor.output_count; ++i) {
      const std::string name = model.library().output(i).name;
      if (name == "alpha" || name == "beta" || name == "spread") continue;
      extra_outputs_.push_back(i);
      extra_names_.push_back(name);
    }
    first_extra_ = with_adf_ ? 9 : 7;
    values_.resize(first_extra_ + extra_outputs_.size());
  }

  Status open_series(const std::string& path) {
    std::vector<std::string> columns = {"ts_ms", "x", "y", "alpha", "beta", "spread", "zscore", "position"};
    if (with_adf_) columns.insert(columns.end(), {"adf_stat", "adf_pvalue"});
    columns.insert(columns.end(), extra_names_.begin(), extra_names_.end());
    auto writer = SeriesCsvWriter::open(path, columns);
    if (!writer) return writer.status();
    series_ = std::move(writer.value());
    return Status::ok();
  }

  Status open_alerts(const std::string& path) {
    alerts_path_ = path;
    alerts_.open(path, std::ios::binary);
    if (!alerts_) return Status::error(path + ": cannot create");
    return Status::ok();
  }

  void on_row(const PairRow& row) override {
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
    path_.push_back(LedgerPoint{row.ts_ms, row.equity_usd, row.position});
    if (!keep_rows_) return;
    report_.ts_ms.push_back(row.ts_ms);
    report_.x.push_back(row.x);
    report_.y.push_back(row.y);
    report_.alpha.push_back(row.alpha);
    report_.beta.push_back(row.beta);
    report_.spread.push_back(row.spread);
    report_.zscore.push_back(row.zscore);
    report_.position.push_back(row.position);
    report_.equity.push_back(row.equity_usd);
    if (with_adf_) report_.adf_pvalue.push_back(row.adf_pvalue);
  }

  // After PairPipeline::finish(): the closing of a position still open at the
  // end of data replaces the last point of the equity path.
  void on_finish(const LedgerPoint& final_point) {
    if (path_.empty()) return;
    path_.back() = final_point;
    if (!keep_rows_) return;
    report_.equity.back() = final_point.equity_usd;
    report_.position.back() = final_point.position;
  }

  Status close_files() {
    if (alerts_.is_open()) {
      alerts_.close();
      if (!alerts_) return Status::error(alerts_path_ + ": write failed");
    }
    return series_ ? series_->close() : Status::ok();
  }
  const std::vector<LedgerPoint>& path() const { return path_; }
  const std::vector<double>& adf_pvalue() const { return report_.adf_pvalue; }
  ReportInput& report() { return report_; }

 private:
  // One JSON line per signal or stationarity change: what a pager would get.
  void write_alert(const PairRow& row, std::string_view kind) {
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

  bool keep_rows_;
  bool with_adf_;
  std::string pair_;
  std::string model_;
  std::size_t first_extra_ = 7;
  std::ofstream alerts_;
  std::string alerts_path_;
  std::vector<std::uint32_t> extra_outputs_;
  std::vector<std::string> extra_names_;
  std::vector<double> values_;
  std::unique_ptr<SeriesCsvWriter> series_;
  std::vector<LedgerPoint> path_;
  ReportInput report_;
};

// Collects a symbol model's rows: streams series.csv and, for a pair leg,
// keeps what the pair reports' microstructure panels chart.
class SymbolOutputs : public SymbolRowSink {
 public:
  SymbolOutputs(const ModelInstance& model, bool keep_panel) : keep_panel_(keep_panel) {
    for (std::uint32_t i = 0; i < model.descriptor().output_count; ++i) {
      const std::string name = model.library().output(i).name;
      columns_.push_back(name);
      if (std::find(kSymbolPanelOutputs.begin(), kSymbolPanelOutputs.end(), name) == kSymbolPanelOutputs.end()) {
        continue;
      }
      panel_outputs_.push_back(i);
      panel_names_.push_back(name);
    }
    panel_values_.resize(panel_outputs_.size());
  }

  Status open_series(const std::string& path) {
    std::vector<std::string> columns = {"ts_ms"};
    columns.insert(columns.end(), columns_.begin(), columns_.end());
    auto writer = SeriesCsvWriter::open(path, columns);
    if (!writer) return writer.status();
    series_ = std::move(writer.value());
    return Status::ok();
  }

  void on_row(const SymbolRow& row) override {
    if (series_) series_->write_row(row.ts_ms, row.outputs);
    if (!keep_panel_) return;
    ts_ms_.push_back(row.ts_ms);
    last_price_.push_back(row.last_price);
    for (std::size_t i = 0; i < panel_outputs_.size(); ++i) panel_values_[i].push_back(row.outputs[panel_outputs_[i]]);
  }

  Status close_files() { return series_ ? series_->close() : Status::ok(); }

  // REQUIRES: keep_panel. Views into this object.
  SymbolPanel panel(const std::string& symbol, const std::string& label) const {
    SymbolPanel panel{symbol, label, ts_ms_, last_price_, {}};
    for (std::size_t i = 0; i < panel_names_.size(); ++i) panel.outputs.emplace_back(panel_names_[i], panel_values_[i]);
    return panel;
  }

 private:
  bool keep_panel_;
  std::vector<std::string> columns_;
  std::unique_ptr<SeriesCsvWriter> series_;
  std::vector<std::uint32_t> panel_outputs_;
  std::vector<std::string> panel_names_;
  std::vector<std::int64_t> ts_ms_;
  std::vector<double> last_price_;
  std::vector<std::vector<double>> panel_values_;
};

// A `\r`-rewritten line on stderr: trades so far, rate and the data's clock.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), started_(std::chrono::steady_clock::now()) {}

  void update(std::uint64_t trades, std::int64_t data_ts_ms) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const std::time_t seconds = static_cast<std::time_t>(data_ts_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char clock[32];
    std::strftime(clock, sizeof(clock), "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(stderr, "\rbacktest: %llu trades, %.2fM trades/s, data time %s UTC ",
                 static_cast<unsigned long long>(trades), rate(trades) / 1e6, clock);
  }

  void finish(std::uint64_t trades) {
    if (!enabled_) return;
    std::fprintf(stderr, "\rbacktest: %llu trades, %.2fM trades/s, done%30s\n",
                 static_cast<unsigned long long>(trades), rate(trades) / 1e6, "");
  }

 private:
  double rate(std::uint64_t trades) const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return elapsed > 0 ? static_cast<double>(trades) / elapsed : 0;
  }

  bool enabled_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_{};
};

struct PairRun {
  std::string label;  // the model's label within its pair
  std::unique_ptr<PairPipeline> pipeline;
  std::unique_ptr<PairOutputs> outputs;
  std::string dir;
};

struct SymbolRun {
  std::string symbol;
  std::string label;  // the model's label within its symbol
  std::unique_ptr<SymbolPipeline> pipeline;
  std::unique_ptr<SymbolOutputs> outputs;
  std::string dir;
};

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

// The full-sample statistics, trades, summary.json and report.html of a pair.
Status write_pair_outputs(PairRun& run, std::vector<SymbolPanel> panels, PairBacktestSummary& pair) {
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
  if (!report.ts_ms.empty()) {
    summary["first_ts_ms"] = report.ts_ms.front();
    summary["last_ts_ms"] = report.ts_ms.back();
  }
  auto engle_granger_fit = engle_granger(report.x, report.y);
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
                              {"max_pvalue", number_or_null(adf.max_pvalue)},
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
  report.stop = spec.zscore.stop;
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
  report.adf_max_pvalue = spec.adf.max_pvalue;
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

// <out>/<pair>/report.html for a pair run with several models: runs[first,
// last) are its models, their own outputs already written.
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

}  // namespace


struct BacktestRunner::State {
  BacktestOptions options;
  ModelFactory factory;
  std::vector<PairRun> pairs;
  std::vector<SymbolRun> symbols;
  std::vector<NeededSymbol> needed;
  std::vector<SymbolRoute> routes;  // one per needed symbol, same order
  bool ran = false;

  explicit State(const BacktestOptions& opts) : options(opts), factory(opts.plugins_dir) {}

  SymbolRoute& route(const std::string& symbol, const char* used_by) {
    for (SymbolRoute& route : routes) {
      if (route.symbol.view() == symbol) return route;
    }
    needed.push_back({symbol, used_by});
    return routes.emplace_back(SymbolRoute{Symbol(symbol), {}, {}});
  }

  Status create_pairs(const std::vector<std::size_t>& selected);
  Status create_symbols(const std::vector<std::size_t>& selected_pairs);
  Status open_outputs();
  // Feeds every trade to its symbol's pipelines; counts them in summary.
  Status consume(TradeStream& trades, BacktestSummary& summary);
  Status write_outputs(BacktestSummary& summary);
};

Status BacktestRunner::State::create_pairs(const std::vector<std::size_t>& selected) {
  const EngineConfig& config = options.config;
  for (std::size_t index : selected) {
    const PairConfig& pair = config.pairs[index];
    for (const ModelConfig& model_config : pair.models) {
      auto model = factory.create(model_config, AS_MODEL_PAIR,
                                  pair.location + " (" + pair.name + "/" + model_config.label + ")");
      if (!model) return model.status();
      PairSpec spec{pair.name, Symbol(pair.y), Symbol(pair.x), config.sampling, pair.zscore, config.backtest, pair.adf};
      PairRun run;
      run.label = model_config.label;
      run.pipeline = std::make_unique<PairPipeline>(std::move(spec), std::move(model.value()));
      run.outputs = std::make_unique<PairOutputs>(*run.pipeline, run.label, options.write_outputs);
      run.pipeline->add_sink(run.outputs.get());
      // One model: <out>/<pair>/; several: <out>/<pair>/<label>/ each.
      run.dir = (fs::path(options.out_dir) / pair.name).string();
      if (pair.models.size() > 1) run.dir = (fs::path(run.dir) / run.label).string();
      pairs.push_back(std::move(run));
    }
  }
  return Status::ok();
}

Status BacktestRunner::State::create_symbols(const std::vector<std::size_t>& selected_pairs) {
  const EngineConfig& config = options.config;
  auto is_leg = [&](const std::string& symbol) {
    return std::any_of(selected_pairs.begin(), selected_pairs.end(), [&](std::size_t i) {
      return config.pairs[i].y == symbol || config.pairs[i].x == symbol;
    });
  };
  for (const SymbolConfig& entry : config.symbols) {
    const bool leg = is_leg(entry.symbol);
    // --pair narrows the run to its pairs and the symbol models of their legs.
    if (!options.only_pairs.empty() && !leg) continue;
    for (const ModelConfig& model_config : entry.models) {
      auto model = factory.create(model_config, AS_MODEL_SYMBOL,
                                  entry.location + " (" + entry.symbol + "/" + model_config.label + ")");
      if (!model) return model.status();
      SymbolRun run;
      run.symbol = entry.symbol;
      run.label = model_config.label;
      run.pipeline = std::make_unique<SymbolPipeline>(SymbolSpec{Symbol(entry.symbol), config.sampling},
                                                      std::move(model.value()));
      run.outputs = std::make_unique<SymbolOutputs>(run.pipeline->model(), options.write_outputs && leg);
      run.pipeline->add_sink(run.outputs.get());
      // One model: <out>/symbols/<SYMBOL>/; several: .../<SYMBOL>/<label>/ each.
      run.dir = (fs::path(options.out_dir) / "symbols" / entry.symbol).string();
      if (entry.models.size() > 1) run.dir = (fs::path(run.dir) / run.label).string();
      symbols.push_back(std::move(run));
    }
  }
  return Status::ok();
}

Status BacktestRunner::State::open_outputs() {
  for (PairRun& run : pairs) {
    std::error_code ec;
    fs::create_directories(run.dir, ec);
    if (ec) return Status::error(run.dir + ": cannot create: " + ec.message());
    Status opened = run.outputs->open_series((fs::path(run.dir) / "series.csv").string());
    if (!opened) return opened;
    opened = run.outputs->open_alerts((fs::path(run.dir) / "alerts.jsonl").string());
    if (!opened) return opened;
  }
  for (SymbolRun& run : symbols) {
    std::error_code ec;
    fs::create_directories(run.dir, ec);
    if (ec) return Status::error(run.dir + ": cannot create: " + ec.message());
    Status opened = run.outputs->open_series((fs::path(run.dir) / "series.csv").string());
    if (!opened) return opened;
  }
  return Status::ok();
}

Status BacktestRunner::State::consume(TradeStream& trades, BacktestSummary& summary) {
  ProgressLine progress(options.show_progress);
  AggTrade trade;
  std::size_t last_route = 0;  // trades come in runs of one symbol: try the last one first
  for (;;) {
    auto more = trades.next(trade);
    if (!more) return more.status();
    if (!more.value()) break;
    if ((++summary.trades_read & 0xFFFF) == 0) progress.update(summary.trades_read, trade.transact_time_ms);
    if (routes.empty()) continue;
    if (!(routes[last_route].symbol == trade.symbol)) {
      const auto found = std::find_if(routes.begin(), routes.end(),
                                      [&](const SymbolRoute& r) { return r.symbol == trade.symbol; });
      if (found == routes.end()) continue;
      last_route = static_cast<std::size_t>(found - routes.begin());
    }
    const SymbolRoute& route = routes[last_route];
    for (const auto& [pipeline, leg] : route.pairs) pipeline->on_trade(leg, trade);
    for (SymbolPipeline* pipeline : route.models) pipeline->on_trade(trade);
  }
  progress.finish(summary.trades_read);
  return Status::ok();
}

Status BacktestRunner::State::write_outputs(BacktestSummary& summary) {
  for (SymbolRun& run : symbols) {
    SymbolBacktestSummary result;
    result.symbol = run.symbol;
    result.model = run.label;
    result.trades = run.pipeline->trades();
    result.late_trades = run.pipeline->late_trades();
    result.rows = run.pipeline->rows();
    result.model_update_errors = run.pipeline->model().update_errors();
    result.out_dir = run.dir;
    if (options.write_outputs) {
      Status closed = run.outputs->close_files();
      if (!closed) return closed;
    }
    summary.symbols.push_back(result);
  }
  for (PairRun& run : pairs) {
    PairPipeline& pipeline = *run.pipeline;
    PairBacktestSummary pair;
    pair.pair = pipeline.spec().name;
    pair.model = run.label;
    pair.observations = pipeline.observations();
    pair.out_dir = run.dir;
    if (options.write_outputs) {
      Status closed = run.outputs->close_files();
      if (!closed) return closed;
      // The legs' symbol models, y first, each in config order.
      std::vector<SymbolPanel> panels;
      for (const Symbol& leg : {pipeline.spec().y, pipeline.spec().x}) {
        for (const SymbolRun& symbol : symbols) {
          if (symbol.symbol == leg.view()) panels.push_back(symbol.outputs->panel(symbol.symbol, symbol.label));
        }
      }
      Status written = write_pair_outputs(run, std::move(panels), pair);
      if (!written) return written;
    } else {
      const PerformanceSummary performance =
          summarize_performance(run.outputs->path(), pipeline.ledger().closed_trades());
      pair.trades = performance.n_trades;
      pair.pnl_usd = performance.pnl_usd;
      pair.sharpe = performance.sharpe;
    }
    summary.pairs.push_back(pair);
  }
  if (!options.write_outputs) return Status::ok();
  // Runs of one pair are adjacent, in config order.
  for (std::size_t first = 0; first < pairs.size();) {
    std::size_t last = first + 1;
    while (last < pairs.size() && pairs[last].pipeline->spec().name == pairs[first].pipeline->spec().name) ++last;
    if (last - first > 1) {
      Status written = write_comparison(pairs, first, last, summary.pairs, options.out_dir);
      if (!written) return written;
    }
    first = last;
  }
  return Status::ok();
}

BacktestRunner::BacktestRunner(std::unique_ptr<State> state) : state_(std::move(state)) {}
BacktestRunner::~BacktestRunner() = default;

const std::vector<BacktestRunner::NeededSymbol>& BacktestRunner::symbols() const { return state_->needed; }

Result<std::unique_ptr<BacktestRunner>> BacktestRunner::create(const BacktestOptions& options) {
  const EngineConfig& config = options.config;
  // Which pairs run.
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < config.pairs.size(); ++i) {
    const bool wanted = options.only_pairs.empty() ||
                        std::find(options.only_pairs.begin(), options.only_pairs.end(), config.pairs[i].name) !=
                            options.only_pairs.end();
    if (wanted) selected.push_back(i);
  }
  for (const std::string& name : options.only_pairs) {
    const bool known = std::any_of(config.pairs.begin(), config.pairs.end(),
                                   [&](const PairConfig& pair) { return pair.name == name; });
    if (!known) return Status::invalid_input("--pair " + name + ": no such pair in " + config.path);
  }

  auto state = std::make_unique<State>(options);
  Status status = state->create_pairs(selected);
  if (!status) return status;
  status = state->create_symbols(selected);
  if (!status) return status;

  // Routes, in the order the CSV merge breaks ties: pair legs, y then x, then symbol models.
  for (PairRun& run : state->pairs) {
    const PairSpec& spec = run.pipeline->spec();
    state->route(std::string(spec.y.view()), "a configured pair").pairs.emplace_back(run.pipeline.get(), Leg::kY);
    state->route(std::string(spec.x.view()), "a configured pair").pairs.emplace_back(run.pipeline.get(), Leg::kX);
  }
  for (SymbolRun& run : state->symbols) {
    state->route(run.symbol, "a configured symbol model").models.push_back(run.pipeline.get());
  }
  return std::unique_ptr<BacktestRunner>(new BacktestRunner(std::move(state)));
}

Result<BacktestSummary> BacktestRunner::run(TradeStream& trades) {
  const auto started = std::chrono::steady_clock::now();
  State& state = *state_;
  if (state.ran) return Status::error("backtest: run() called twice");
  state.ran = true;
  if (state.options.write_outputs) {
    Status opened = state.open_outputs();
    if (!opened) return opened;
  }

  BacktestSummary summary;
  Status status = state.consume(trades, summary);
  if (!status) return status;
  for (PairRun& run : state.pairs) {
    run.pipeline->finish();
    run.outputs->on_finish(run.pipeline->ledger().last_point());
  }
  for (SymbolRun& run : state.symbols) run.pipeline->finish();
  summary.import_summaries = trades.summary();
  summary.skipped_rows = trades.skipped_rows();

  status = state.write_outputs(summary);
  if (!status) return status;
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

Result<BacktestSummary> run_backtest(const BacktestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto runner = BacktestRunner::create(options);
  if (!runner) return runner.status();

  std::vector<CsvTradeStream::Source> sources;
  for (const BacktestRunner::NeededSymbol& needed : runner.value()->symbols()) {
    const auto path = options.data_paths.find(needed.symbol);
    if (path == options.data_paths.end()) {
      return Status::invalid_input("no --data " + needed.symbol + "=PATH given, but " + needed.used_by + " uses " +
                                   needed.symbol);
    }
    sources.push_back({needed.symbol, path->second});
  }
  CsvImportOptions import;
  import.skip_bad_rows = options.skip_bad_rows;
  import.reorder_window = options.reorder_window;
  auto stream = CsvTradeStream::open(sources, import);
  if (!stream) return stream.status();

  auto summary = runner.value()->run(*stream.value());
  if (summary) summary->elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace alphastream
