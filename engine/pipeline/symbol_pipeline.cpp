#include "pipeline/symbol_pipeline.h"

#include <algorithm>

namespace alphastream {

SymbolPipeline::SymbolPipeline(SymbolSpec spec, std::unique_ptr<ModelInstance> model)
    : spec_(std::move(spec)), model_(std::move(model)) {}

std::int64_t SymbolPipeline::interval_end_containing(std::int64_t t) const {
  // Floor division, so times before the epoch fall in the right interval too.
  const std::int64_t interval = spec_.sampling.interval_ms;
  std::int64_t k = t / interval;
  if (t % interval < 0) --k;
  return (k + 1) * interval;
}

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
    if (time_mode) open_end_ms_ = interval_end_containing(t);
  } else {
    const std::int64_t open_start_ms = time_mode ? open_end_ms_ - spec_.sampling.interval_ms : latest_trade_ms_;
    const std::int64_t earliest = std::max(latest_trade_ms_, open_start_ms);
    if (t < earliest) {
      ++late_trades_;
      t = earliest;
    } else if (time_mode && t >= open_end_ms_) {
      if (open_has_trade_) emit(open_end_ms_);
      open_end_ms_ = interval_end_containing(t);
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
  open_end_ms_ = interval_end_containing(now_ms);
  open_has_trade_ = false;
}

void SymbolPipeline::finish() {
  if (spec_.sampling.mode != SamplingConfig::Mode::kTime || !started_ || !open_has_trade_) return;
  emit(open_end_ms_);
  open_end_ms_ += spec_.sampling.interval_ms;
  open_has_trade_ = false;
}

}  // namespace alphastream
