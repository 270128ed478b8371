#include "pipeline/pair_pipeline.h"

#include <cmath>
#include <limits>

namespace alphastream {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

PairPipeline::PairPipeline(PairSpec spec, std::unique_ptr<ModelInstance> model)
    : spec_(std::move(spec)),
      model_(std::move(model)),
      aligner_(spec_.sampling),
      zscore_(spec_.zscore.window),
      signals_(spec_.zscore),
      ledger_(spec_.costs),
      alpha_index_(model_->output_index("alpha")),
      beta_index_(model_->output_index("beta")),
      spread_index_(model_->output_index("spread")) {}

void PairPipeline::on_trade(Leg leg, const AggTrade& trade) {
  aligner_.on_trade(leg, trade.transact_time_ms, trade.price,
                    [this](const Observation& obs) { on_observation(obs); });
}

void PairPipeline::advance_to(std::int64_t now_ms) {
  aligner_.advance_to(now_ms, [this](const Observation& obs) { on_observation(obs); });
}

void PairPipeline::finish() {
  aligner_.flush([this](const Observation& obs) { on_observation(obs); });
  ledger_.finish();
}

void PairPipeline::on_observation(const Observation& obs) {
  ++observations_;
  model_->update(to_plugin_observation(obs));  // a failed update leaves NaN outputs, counted by the model
  const std::span<const double> outputs = model_->outputs();

  PairRow row;
  row.ts_ms = obs.ts_ms;
  row.x = obs.x;
  row.y = obs.y;
  row.alpha = outputs[alpha_index_];
  row.beta = outputs[beta_index_];
  row.spread = spread_index_ >= 0 ? outputs[spread_index_] : obs.y - (row.beta * obs.x + row.alpha);
  if (std::isnan(row.alpha) || std::isnan(row.beta)) row.spread = kNaN;
  row.zscore = zscore_.push(row.spread);

  const SignalDecision decision = signals_.on_z(row.zscore);
  row.action = decision.action;
  ledger_.on_observation(obs.ts_ms, obs.x, obs.y, row.beta, decision.target_position, decision.action);
  row.position = ledger_.position();
  row.equity_usd = ledger_.equity_usd();
  row.model_outputs = outputs;
  for (PairRowSink* sink : sinks_) sink->on_row(row);
}

}  // namespace alphastream
