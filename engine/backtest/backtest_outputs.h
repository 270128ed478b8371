// The backtest's outputs: what a pair's and a symbol model's rows become
// (series.csv, alerts.jsonl, trades.csv, summary.json, report.html and the
// model comparison), kept apart from the run that feeds them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest_runner.h"
#include "backtest/series_csv_writer.h"
#include "core/status.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"
#include "report/backtest_report.h"
#include "stats/engle_granger.h"

namespace alphastream {

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
  void write_alert(const PairRow& row, std::string_view kind);

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

struct PairRun {
  std::string label;  // the model's label within its pair
  PairPipeline* pipeline;  // owned by the run's PipelineBook
  std::shared_ptr<PairOutputs> outputs;  // the pipeline's sink
  std::string dir;
};

struct SymbolRun {
  std::string symbol;
  std::string label;  // the model's label within its symbol
  SymbolPipeline* pipeline;
  std::shared_ptr<SymbolOutputs> outputs;
  std::string dir;
};

// The full-sample Engle-Granger test of a run's observations.
Result<EngleGrangerResult> full_sample_engle_granger(PairRun& run);
// Whether two runs observed the same (x, y) series: the models of one pair,
// or pairs of the same legs and sampling, share one full-sample test.
bool same_observations(PairRun& a, PairRun& b);

// The full-sample statistics (`engle_granger`, from full_sample_engle_granger
// of this run or of one with the same observations), trades.csv,
// summary.json and report.html of a pair run, its series already written;
// fills pair's figures.
Status write_pair_outputs(PairRun& run, const Result<EngleGrangerResult>& engle_granger, std::vector<SymbolPanel> panels,
                          PairBacktestSummary& pair);

// <out>/<pair>/report.html for a pair run with several models: runs[first,
// last) are its models, their own outputs already written.
Status write_comparison(const std::vector<PairRun>& runs, std::size_t first, std::size_t last,
                        const std::vector<PairBacktestSummary>& results, const std::string& out_dir);

}  // namespace alphastream
