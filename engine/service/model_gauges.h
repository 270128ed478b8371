// The latest state of each live model, written by its shard after every row
// and read by the metrics collector at scrape time. One writer, any readers:
// relaxed atomics, no lock, no allocation per row.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"

namespace alphastream {

inline constexpr double kUnsetGauge = std::numeric_limits<double>::quiet_NaN();

// Fixed-size storage for a model's outputs, sized once at construction.
class OutputGauges {
 public:
  OutputGauges(const ModelInstance& model);

  std::size_t size() const { return names_.size(); }
  const std::string& name(std::size_t i) const { return names_[i]; }
  double value(std::size_t i) const { return values_[i].load(std::memory_order_relaxed); }
  void store(std::span<const double> outputs) {
    for (std::size_t i = 0; i < names_.size() && i < outputs.size(); ++i) {
      values_[i].store(outputs[i], std::memory_order_relaxed);
    }
  }

 private:
  std::vector<std::string> names_;
  std::unique_ptr<std::atomic<double>[]> values_;
};

// kinds of alphastream_signals_total: the SignalAction values and the
// stationarity gate's changes.
enum class SignalKind : std::uint8_t { kEnterLong, kEnterShort, kExit, kStop, kStationarityLost, kStationarityRegained };
inline constexpr std::size_t kSignalKindCount = 6;
std::string_view signal_kind_name(SignalKind kind);

class PairGauges : public PairRowSink {
 public:
  PairGauges(const PairPipeline& pipeline, std::string model_label);

  const std::string& pair() const { return pair_; }
  const std::string& model() const { return model_; }
  const std::string& plugin() const { return plugin_; }
  const std::string& y_symbol() const { return y_symbol_; }
  const std::string& x_symbol() const { return x_symbol_; }
  const OutputGauges& outputs() const { return outputs_; }
  // The model threw and is paused (ModelInstance::faulted). [any thread]
  bool faulted() const { return model_instance_->faulted(); }
  // For its update timing. [any thread]
  const ModelInstance& model_instance() const { return *model_instance_; }

  // [shard thread]
  void on_row(const PairRow& row) override;
  // While warming (a warm start's replay of the journal), rows set the
  // gauges but their signals are not counted again: they happened before
  // this run. [before the shard starts]
  void set_warming(bool warming) { warming_ = warming; }

  // [any thread]
  double beta() const { return beta_.load(std::memory_order_relaxed); }
  double alpha() const { return alpha_.load(std::memory_order_relaxed); }
  double spread() const { return spread_.load(std::memory_order_relaxed); }
  double zscore() const { return zscore_.load(std::memory_order_relaxed); }
  double adf_pvalue() const { return adf_pvalue_.load(std::memory_order_relaxed); }
  double position() const { return position_.load(std::memory_order_relaxed); }
  double equity_usd() const { return equity_usd_.load(std::memory_order_relaxed); }
  const ZScoreConfig& zscore_config() const { return zscore_config_; }
  double adf_max_pvalue() const { return adf_max_pvalue_; }
  double last_row_time_s() const { return last_row_ms_.load(std::memory_order_relaxed) * 1e-3; }
  std::uint64_t observations() const { return observations_.load(std::memory_order_relaxed); }
  std::uint64_t signals(SignalKind kind) const {
    return signals_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed);
  }

 private:
  void count(SignalKind kind) {
    auto& counter = signals_[static_cast<std::size_t>(kind)];
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  const ModelInstance* model_instance_;  // the pipeline's; outlives the gauges' collection
  std::string pair_;
  std::string model_;
  std::string plugin_;
  std::string y_symbol_;
  std::string x_symbol_;
  ZScoreConfig zscore_config_;
  double adf_max_pvalue_;  // NaN: no gate
  OutputGauges outputs_;
  std::atomic<double> beta_{kUnsetGauge}, alpha_{kUnsetGauge}, spread_{kUnsetGauge}, zscore_{kUnsetGauge},
      adf_pvalue_{kUnsetGauge}, position_{0}, equity_usd_{0};
  std::atomic<std::int64_t> last_row_ms_{0};
  std::atomic<std::uint64_t> observations_{0};
  std::array<std::atomic<std::uint64_t>, kSignalKindCount> signals_{};
  bool warming_ = false;
};

class SymbolGauges : public SymbolRowSink {
 public:
  SymbolGauges(const SymbolPipeline& pipeline, std::string model_label);

  const std::string& symbol() const { return symbol_; }
  const std::string& model() const { return model_; }
  const std::string& plugin() const { return plugin_; }
  const OutputGauges& outputs() const { return outputs_; }
  std::uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }
  bool faulted() const { return model_instance_->faulted(); }
  const ModelInstance& model_instance() const { return *model_instance_; }

  // [shard thread]
  void on_row(const SymbolRow& row) override;

 private:
  const ModelInstance* model_instance_;
  std::string symbol_;
  std::string model_;
  std::string plugin_;
  OutputGauges outputs_;
  std::atomic<std::uint64_t> rows_{0};
};

}  // namespace alphastream
