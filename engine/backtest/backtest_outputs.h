// The backtest's outputs: what a pair's and a symbol model's rows become
// (series.csv, alerts.jsonl, trades.csv, summary.json, report.html and the
// model comparison), kept apart from the run that feeds them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest_runner.h"
#include "backtest/row_log.h"
#include "backtest/series_csv_writer.h"
#include "core/status.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/performance.h"
#include "pipeline/symbol_pipeline.h"
#include "report/backtest_report.h"
#include "stats/engle_granger.h"

namespace alphastream {

// Collects a pair's rows: keeps series.csv's rows, streams alerts.jsonl, and spills
// what the full-sample statistics and the report need to a RowLog beside
// them, so memory does not grow with the run's length.
class PairOutputs : public PairRowSink {
 public:
  // The RowLog's columns.
  enum Column : std::size_t { kX, kY, kAlpha, kBeta, kSpread, kZscore, kPosition, kEquity, kAdfPvalue, kColumns };

  // keep_rows: the outputs are written (open_series first); else only the
  // performance figures are kept.
  PairOutputs(const PairPipeline& pipeline, std::string label, bool keep_rows)
      : keep_rows_(keep_rows), with_adf_(pipeline.spec().adf.enabled()), pair_(pipeline.spec().name),
        model_(std::move(label)), performance_(pipeline.spec().costs.notional) {
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

  // series.csv at path (unless !write_csv; keep_rows: see SeriesCsvWriter),
  // and its RowLog beside it.
  Status open_series(const std::string& path, bool write_csv, bool keep_rows);
  Status open_alerts(const std::string& path);

  void on_row(const PairRow& row) override;

  // After PairPipeline::finish(): the closing of a position still open at the
  // end of data replaces the last point of the equity path.
  void on_finish(const LedgerPoint& final_point);

  // Ends the run's files but series.csv.
  Status close_files();
  // series.csv, or null without it: its rows are formatted by
  // format_some() on the thread that feeds them and by close() once
  // close_files() is done.
  SeriesCsvWriter* series() const { return series_.get(); }

  bool with_adf() const { return with_adf_; }
  std::uint64_t rows() const { return row_count_; }
  std::int64_t first_ts_ms() const { return first_ts_ms_; }
  std::int64_t last_ts_ms() const { return last_ts_ms_; }
  // REQUIRES: keep_rows, close_files() done.
  const RowLog& row_log() const { return *rows_; }
  // The (x, y) series' row count and two independent 64-bit hashes of every
  // x's and y's bits, in order: runs with the same key observed the same
  // prices (a false match has odds of ~2^-128 for data not built to collide).
  std::array<std::uint64_t, 3> xy_key() const { return {row_count_, xy_hash_[0], xy_hash_[1]}; }
  // x and y summed row by row: the full-sample hedge fit's first pass.
  const LegSums& xy_sums() const { return xy_sums_; }
  // The run's performance figures, from the equity path seen row by row.
  PerformanceSummary performance(std::span<const ClosedTrade> trades) const {
    return performance_.summarize(trades);
  }

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
  std::unique_ptr<RowLog> rows_;
  std::array<double, kColumns> row_{};
  PerformanceTracker performance_;
  std::uint64_t row_count_ = 0;
  std::int64_t first_ts_ms_ = 0;
  std::int64_t last_ts_ms_ = 0;
  std::array<std::uint64_t, 2> xy_hash_{14695981039346656037ull, 0x243F6A8885A308D3ull};
  LegSums xy_sums_;
};

// Collects a symbol model's rows: keeps series.csv's rows and, for a pair leg,
// spills what the pair reports' microstructure panels chart to a RowLog.
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
    panel_row_.resize(1 + panel_outputs_.size());
  }

  // series.csv at path (unless !write_csv; keep_rows: see SeriesCsvWriter),
  // and the panel's RowLog beside it.
  Status open_series(const std::string& path, bool write_csv, bool keep_rows);
  void on_row(const SymbolRow& row) override;
  // Ends the run's files but series.csv.
  Status close_files();
  // series.csv, or null without it: its rows are formatted by
  // format_some() on the thread that feeds them and by close() once
  // close_files() is done.
  SeriesCsvWriter* series() const { return series_.get(); }

  // REQUIRES: keep_panel, close_files() done. Keeps the rows of the panel's
  // charts (SeriesThinner); then panel() views them.
  Status thin_panel();
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
  std::unique_ptr<RowLog> rows_;  // last price, then the panel outputs
  std::vector<double> panel_row_;
  std::int64_t first_ts_ms_ = 0;
  std::int64_t last_ts_ms_ = 0;
  // The thinned panel.
  std::vector<std::int64_t> ts_ms_;
  std::vector<double> last_price_;
  std::vector<std::vector<double>> panel_values_;
};

struct PairRun {
  std::string label;  // the model's label within its pair
  PairPipeline* pipeline;  // owned by the run's PipelineBook
  std::shared_ptr<PairOutputs> outputs;  // the pipeline's sink
  std::string dir;
  // The model's parameters as run: each the config's value, else the
  // plugin's default, in the plugin's order.
  std::vector<std::pair<std::string, double>> params;
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

// The full-sample statistics (`engle_granger`, from full_sample_engle_granger
// of this run or of one with the same observations, waited for only to write
// the figures), trades.csv, summary.json and report.html of a pair run, its
// files closed (close_files); fills pair's figures.
Status write_pair_outputs(PairRun& run, const std::shared_future<Result<EngleGrangerResult>>& engle_granger,
                          std::vector<SymbolPanel> panels,
                          const RunProvenance& provenance,
                          PairBacktestSummary& pair);

// <out>/<pair>/report.html for a pair run with several models: runs[first,
// last) are its models, their own outputs already written.
Status write_comparison(const std::vector<PairRun>& runs, std::size_t first, std::size_t last,
                        const std::vector<PairBacktestSummary>& results, const std::string& out_dir);

}  // namespace alphastream
