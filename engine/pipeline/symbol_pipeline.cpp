#include "pipeline/symbol_pipeline.h"

#include "pipeline/sampling_interval.h"

#include <algorithm>

namespace alphastream {

SymbolPipeline::SymbolPipeline(SymbolSpec spec, std::unique_ptr<ModelInstance> model)
    : spec_(std::move(spec)), model_(std::move(model)) {}

void SymbolPipeline::emit(std::int64_t ts_ms) {
  ++rows_;
  const SymbolRow row{ts_ms, last_price_, model_->outputs()};
  for (SymbolRowSink* sink : sinks_) sink->on_row(row);
}

void SymbolPipeline::on_trade(const AggTrade& trade) {
  ++trades_;
  const bool time_mode = spec_.sampling.mode == SamplingConfig::Mode::kTime;
  std::int64_t t = trade.transact_time_ms;
  if (!started_) {
    started_ = true;
    if (time_mode) open_end_ms_ = interval_end_containing(t, spec_.sampling.interval_ms);
  } else {
    const std::int64_t open_start_ms = time_mode ? open_end_ms_ - spec_.sampling.interval_ms : latest_trade_ms_;
    const std::int64_t earliest = std::max(latest_trade_ms_, open_start_ms);
    if (t < earliest) {
      ++late_trades_;
      t = earliest;
    } else if (time_mode && t >= open_end_ms_) {
      if (open_has_trade_) emit(open_end_ms_);
      open_end_ms_ = interval_end_containing(t, spec_.sampling.interval_ms);
      open_has_trade_ = false;
    }
  }
  latest_trade_ms_ = t;
  last_price_ = trade.price;
  as_trade fed = to_plugin_trade(trade);
  fed.transact_time_ms = t;
  model_->update(fed);  // a refused trade leaves NaN outputs, counted by the model
  if (time_mode) {
    open_has_trade_ = true;
  } else {
    emit(t);
  }
}

void SymbolPipeline::advance_to(std::int64_t now_ms) {
  if (spec_.sampling.mode != SamplingConfig::Mode::kTime || !started_ || open_end_ms_ > now_ms) return;
  if (open_has_trade_) emit(open_end_ms_);
  open_end_ms_ = interval_end_containing(now_ms, spec_.sampling.interval_ms);
  open_has_trade_ = false;
}

void SymbolPipeline::finish() {
  if (spec_.sampling.mode != SamplingConfig::Mode::kTime || !started_ || !open_has_trade_) return;
  emit(open_end_ms_);
  open_end_ms_ += spec_.sampling.interval_ms;
  open_has_trade_ = false;
}

}  // namespace alphastream
