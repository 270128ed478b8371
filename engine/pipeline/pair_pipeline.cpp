#include "pipeline/pair_pipeline.h"

#include <cmath>
#include <limits>

namespace alphastream {

std::string_view stationarity_change_name(StationarityChange change) {
  switch (change) {
    case StationarityChange::kLost:
      return "stationarity_lost";
    case StationarityChange::kRegained:
      return "stationarity_regained";
    case StationarityChange::kNone:
      break;
  }
  return "none";
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

PairPipeline::PairPipeline(PairSpec spec, std::unique_ptr<ModelInstance> model)
    : spec_(std::move(spec)),
      model_(std::move(model)),
      aligner_(spec_.sampling),
      zscore_(spec_.zscore.window),
      signals_(spec_.zscore),
      adf_(spec_.adf),
      ledger_(spec_.costs),
      alpha_index_(model_->output_index("alpha")),
      beta_index_(model_->output_index("beta")),
      spread_index_(model_->output_index("spread")) {}

void PairPipeline::advance_to(std::int64_t now_ms, std::span<PairPipeline* const> followers) {
  aligner_.advance_to(now_ms, Relay{this, followers});
}

void PairPipeline::finish(std::span<PairPipeline* const> followers) {
  aligner_.flush(Relay{this, followers});
  ledger_.finish();
  for (PairPipeline* follower : followers) {
    follower->take_alignment(*this);
    follower->ledger_.finish();
  }
}

StationarityChange PairPipeline::judge_stationarity() {
  // A failed test (NaN p-value) counts as not stationary: the gate stays shut
  // until a test says otherwise.
  const bool stationary = adf_.pvalue() <= *spec_.adf.max_pvalue;
  const Stationarity before = stationarity_;
  stationarity_ = stationary ? Stationarity::kStationary : Stationarity::kNotStationary;
  if (stationarity_ == before) return StationarityChange::kNone;
  if (stationary) return before == Stationarity::kUnknown ? StationarityChange::kNone : StationarityChange::kRegained;
  return StationarityChange::kLost;
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
  if (adf_.push(row.spread) && spec_.adf.gated()) row.stationarity = judge_stationarity();
  row.adf_stat = adf_.stat();
  row.adf_pvalue = adf_.pvalue();

  // Settlements up to this observation fall on the position held before it executes.
  for (; next_funding_y_ < funding_y_.size() && funding_y_[next_funding_y_].time_ms <= obs.ts_ms; ++next_funding_y_) {
    ledger_.on_funding(obs.x, obs.y, 0, funding_y_[next_funding_y_].rate);
  }
  for (; next_funding_x_ < funding_x_.size() && funding_x_[next_funding_x_].time_ms <= obs.ts_ms; ++next_funding_x_) {
    ledger_.on_funding(obs.x, obs.y, funding_x_[next_funding_x_].rate, 0);
  }
  const bool entries_allowed = !spec_.adf.gated() || stationarity_ == Stationarity::kStationary;
  const SignalDecision decision = signals_.on_z(row.zscore, entries_allowed);
  row.action = decision.action;
  ledger_.on_observation(obs.ts_ms, obs.x, obs.y, row.beta, decision.target_position, decision.action);
  row.position = ledger_.position();
  row.equity_usd = ledger_.equity_usd();
  row.model_outputs = outputs;
  for (PairRowSink* sink : sinks_) sink->on_row(row);
}

}  // namespace alphastream
