#include "service/service_metrics.h"

#include <algorithm>

namespace alphastream {

void ModelGaugeSet::add(std::shared_ptr<const PairGauges> gauges) {
  std::lock_guard lock(mutex_);
  pairs_.push_back(std::move(gauges));
}

void ModelGaugeSet::add(std::shared_ptr<const SymbolGauges> gauges) {
  std::lock_guard lock(mutex_);
  symbols_.push_back(std::move(gauges));
}

void ModelGaugeSet::remove_pair(const std::string& pair) {
  std::lock_guard lock(mutex_);
  std::erase_if(pairs_, [&](const auto& gauges) { return gauges->pair() == pair; });
}

void ModelGaugeSet::remove_symbol(const std::string& symbol) {
  std::lock_guard lock(mutex_);
  std::erase_if(symbols_, [&](const auto& gauges) { return gauges->symbol() == symbol; });
}

void ModelGaugeSet::collect(MetricWriter& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& g : pairs_) {
    const MetricLabels labels = {{"pair", g->pair()}, {"model", g->model()}};
    out.gauge("alphastream_pair_beta", "Hedge ratio of the pair's model after the latest observation.", labels,
              g->beta());
    out.gauge("alphastream_pair_alpha", "Intercept of the pair's model after the latest observation.", labels,
              g->alpha());
    out.gauge("alphastream_pair_spread", "Latest spread: y - (beta*x + alpha), or the model's own spread.", labels,
              g->spread());
    out.gauge("alphastream_pair_zscore", "Latest rolling z-score of the spread.", labels, g->zscore());
    out.gauge("alphastream_pair_adf_pvalue", "MacKinnon p-value of the latest rolling ADF test of the spread.",
              labels, g->adf_pvalue());
    out.gauge("alphastream_pair_position", "Paper position held: +1 long spread, -1 short spread, 0 flat.", labels,
              g->position());
    out.gauge("alphastream_pair_equity_usd", "Paper P&L of the pair since start: realised net plus open.", labels,
              g->equity_usd());
    // The configured thresholds, so dashboards and alert rules need no copy of them.
    out.gauge("alphastream_pair_zscore_entry", "z-score beyond which a position opens (zscore.entry).", labels,
              g->zscore_config().entry);
    out.gauge("alphastream_pair_zscore_exit", "z-score through which a position closes (zscore.exit).", labels,
              g->zscore_config().exit);
    out.gauge("alphastream_pair_zscore_stop", "z-score beyond which a position is stopped out; NaN: no stop.",
              labels, g->zscore_config().stop.value_or(kUnsetGauge));
    out.gauge("alphastream_pair_adf_max_pvalue", "The stationarity gate (adf.max_pvalue); NaN: no gate.", labels,
              g->adf_max_pvalue());
    out.gauge("alphastream_pair_last_observation_timestamp_seconds", "Time of the pair's latest observation.",
              labels, g->last_row_time_s());
    // Joins a pair to its legs' per-symbol series (alphastream_feed_*{symbol}) in PromQL.
    for (const auto& [leg, symbol] : {std::pair{"y", &g->y_symbol()}, std::pair{"x", &g->x_symbol()}}) {
      out.gauge("alphastream_pair_leg_info", "Always 1: the symbol that is the pair's y or x leg.",
                {{"pair", g->pair()}, {"model", g->model()}, {"leg", leg}, {"symbol", *symbol}}, 1.0);
    }
    out.counter("alphastream_pair_observations_total", "Aligned observations the pair's model has processed.",
                labels, static_cast<double>(g->observations()));
    for (std::size_t k = 0; k < kSignalKindCount; ++k) {
      const auto kind = static_cast<SignalKind>(k);
      out.counter("alphastream_signals_total", "Signals and stationarity changes, by kind.",
                  {{"pair", g->pair()}, {"model", g->model()}, {"kind", std::string(signal_kind_name(kind))}},
                  static_cast<double>(g->signals(kind)));
    }
    const OutputGauges& outputs = g->outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      out.gauge("alphastream_model_output", "Every output of every model plugin, as of its latest row.",
                {{"plugin", g->plugin()}, {"pair", g->pair()}, {"model", g->model()}, {"output", outputs.name(i)}},
                outputs.value(i));
    }
  }
  for (const auto& g : symbols_) {
    const OutputGauges& outputs = g->outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      out.gauge("alphastream_model_output", "Every output of every model plugin, as of its latest row.",
                {{"plugin", g->plugin()}, {"symbol", g->symbol()}, {"model", g->model()}, {"output", outputs.name(i)}},
                outputs.value(i));
    }
    out.counter("alphastream_symbol_rows_total", "Rows (sampling intervals with trades) of the symbol model.",
                {{"symbol", g->symbol()}, {"model", g->model()}}, static_cast<double>(g->rows()));
  }
}

}  // namespace alphastream
