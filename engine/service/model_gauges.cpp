#include "service/model_gauges.h"

namespace alphastream {

OutputGauges::OutputGauges(const ModelInstance& model) {
  const as_model_descriptor& descriptor = model.descriptor();
  names_.reserve(descriptor.output_count);
  for (std::uint32_t i = 0; i < descriptor.output_count; ++i) names_.emplace_back(model.library().output(i).name);
  values_ = std::make_unique<std::atomic<double>[]>(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) values_[i].store(kUnsetGauge, std::memory_order_relaxed);
}

std::string_view signal_kind_name(SignalKind kind) {
  switch (kind) {
    case SignalKind::kEnterLong: return "enter_long";
    case SignalKind::kEnterShort: return "enter_short";
    case SignalKind::kExit: return "exit";
    case SignalKind::kStop: return "stop";
    case SignalKind::kStationarityLost: return "stationarity_lost";
    case SignalKind::kStationarityRegained: return "stationarity_regained";
  }
  return "unknown";
}

PairGauges::PairGauges(const PairPipeline& pipeline, std::string model_label)
    : model_instance_(&pipeline.model()),
      pair_(pipeline.spec().name),
      model_(std::move(model_label)),
      plugin_(pipeline.model().descriptor().id),
      y_symbol_(pipeline.spec().y.view()),
      x_symbol_(pipeline.spec().x.view()),
      zscore_config_(pipeline.spec().zscore),
      adf_max_pvalue_(pipeline.spec().adf.gated() ? *pipeline.spec().adf.max_pvalue : kUnsetGauge),
      outputs_(pipeline.model()) {}

void PairGauges::on_row(const PairRow& row) {
  beta_.store(row.beta, std::memory_order_relaxed);
  alpha_.store(row.alpha, std::memory_order_relaxed);
  spread_.store(row.spread, std::memory_order_relaxed);
  zscore_.store(row.zscore, std::memory_order_relaxed);
  adf_pvalue_.store(row.adf_pvalue, std::memory_order_relaxed);
  position_.store(row.position, std::memory_order_relaxed);
  equity_usd_.store(row.equity_usd, std::memory_order_relaxed);
  last_row_ms_.store(row.ts_ms, std::memory_order_relaxed);
  observations_.store(observations_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  outputs_.store(row.model_outputs);
  if (warming_) return;
  switch (row.action) {
    case SignalAction::kEnterLong: count(SignalKind::kEnterLong); break;
    case SignalAction::kEnterShort: count(SignalKind::kEnterShort); break;
    case SignalAction::kExit: count(SignalKind::kExit); break;
    case SignalAction::kStop: count(SignalKind::kStop); break;
    case SignalAction::kNone: break;
  }
  if (row.stationarity == StationarityChange::kLost) count(SignalKind::kStationarityLost);
  if (row.stationarity == StationarityChange::kRegained) count(SignalKind::kStationarityRegained);
}

SymbolGauges::SymbolGauges(const SymbolPipeline& pipeline, std::string model_label)
    : model_instance_(&pipeline.model()),
      symbol_(pipeline.spec().symbol.view()),
      model_(std::move(model_label)),
      plugin_(pipeline.model().descriptor().id),
      outputs_(pipeline.model()) {}

void SymbolGauges::on_row(const SymbolRow& row) {
  outputs_.store(row.outputs);
  rows_.store(rows_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace alphastream
