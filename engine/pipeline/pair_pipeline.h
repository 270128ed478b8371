// One pair's pipeline: aligned observations -> hedge model -> spread ->
// rolling z-score -> signal -> paper ledger. The backtest, the replay and a
// live shard all drive this class; they differ only in where trades come from.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/funding_rate.h"
#include "pipeline/pair_aligner.h"
#include "pipeline/paper_ledger.h"
#include "config/pipeline_config.h"
#include "pipeline/rolling_adf.h"
#include "pipeline/rolling_zscore.h"
#include "pipeline/signal_machine.h"
#include "plugin_host/model_instance.h"

namespace alphastream {

// How the stationarity gate's verdict changed at an observation.
enum class StationarityChange : std::uint8_t { kNone, kLost, kRegained };
std::string_view stationarity_change_name(StationarityChange change);  // "stationarity_lost", ...

// The state of a pair after one observation.
struct PairRow {
  std::int64_t ts_ms = 0;
  double x = 0;
  double y = 0;
  double alpha = 0;        // NaN while the model warms up
  double beta = 0;
  double spread = 0;
  double zscore = 0;       // NaN until zscore.window spreads were seen
  int position = 0;        // held at this observation, after execution
  double equity_usd = 0;   // realised net P&L plus open mark-to-market
  double adf_stat = 0;     // latest rolling ADF; NaN before the first test or without `adf`
  double adf_pvalue = 0;
  SignalAction action = SignalAction::kNone;  // decided here, executed at the next observation
  StationarityChange stationarity = StationarityChange::kNone;  // only with an `adf.max_pvalue` gate
  std::span<const double> model_outputs;      // every model output, descriptor order
};

class PairRowSink {
 public:
  virtual ~PairRowSink() = default;
  virtual void on_row(const PairRow& row) = 0;
};

struct PairSpec {
  std::string name;
  Symbol y;
  Symbol x;
  SamplingConfig sampling;
  ZScoreConfig zscore;
  CostConfig costs;
  StationarityConfig adf;
};

class PairPipeline {
 public:
  // REQUIRES: model is a pair model (has beta and alpha outputs).
  PairPipeline(PairSpec spec, std::unique_ptr<ModelInstance> model);

  const PairSpec& spec() const { return spec_; }
  const ModelInstance& model() const { return *model_; }
  // [control plane: between trades] Restoring a saved state.
  ModelInstance& model() { return *model_; }
  const PaperLedger& ledger() const { return ledger_; }
  const PairAligner& aligner() const { return aligner_; }
  const RollingAdf& rolling_adf() const { return adf_; }
  std::uint64_t observations() const { return observations_; }

  // The live service keeps no list of closed trades (rows carry the equity):
  // it reserves room once and discards them after each trade, so the ledger
  // neither grows nor allocates. The backtest keeps them for trades.csv.
  void reserve_closed_trades(std::size_t n) { ledger_.reserve_closed_trades(n); }
  void discard_closed_trades() { ledger_.clear_closed_trades(); }

  // Funding settlements of the legs (perpetual futures; either may be empty),
  // in time order: each is paid on the position held when it falls, at the
  // prices of the first observation at or after it. The schedules must
  // outlive the pipeline. [control plane: before the first trade]
  void set_funding(std::span<const FundingRate> y, std::span<const FundingRate> x) {
    funding_y_ = y;
    funding_x_ = x;
  }

  // Rows go to every sink, in the order added. Sinks must outlive the pipeline.
  void add_sink(PairRowSink* sink) { sinks_.push_back(sink); }

  // Pipelines of the same legs and sampling align the same trades into the
  // same observations, so one aligner can serve them all: `followers` (the
  // PipelineBook's grouping) take each observation this pipeline's aligner
  // makes, right after this pipeline, and are not fed trades themselves.
  // REQUIRES: trades of both legs arrive in non-decreasing transact time;
  // every follower has this pipeline's legs and sampling.
  void on_trade(Leg leg, const AggTrade& trade, std::span<PairPipeline* const> followers = {}) {
    on_trade(leg, trade.transact_time_ms, trade.price, followers);
  }
  // What a pair pipeline takes of a trade: its time and price.
  void on_trade(Leg leg, std::int64_t transact_time_ms, double price, std::span<PairPipeline* const> followers = {}) {
    aligner_.on_trade(leg, transact_time_ms, price, Relay{this, followers});
  }
  // Closes every interval that ends at or before now_ms (live clock).
  void advance_to(std::int64_t now_ms, std::span<PairPipeline* const> followers = {});
  // End of data: emits the last interval and closes any open position
  // (ledger().last_point() then holds the final equity), followers' too.
  void finish(std::span<PairPipeline* const> followers = {});
  // A follower's aligner was not fed: it takes the one that served it, as if
  // fed the same trades, before it runs on its own (a book regroups, a
  // pipeline moves to another book) and for aligner()'s counts.
  void take_alignment(const PairPipeline& served_by) { aligner_ = served_by.aligner_; }

 private:
  void on_observation(const Observation& obs);
  // Each observation to this pipeline, then to every follower.
  struct Relay {
    PairPipeline* self;
    std::span<PairPipeline* const> followers;
    void operator()(const Observation& obs) const {
      self->on_observation(obs);
      for (PairPipeline* follower : followers) follower->on_observation(obs);
    }
  };
  StationarityChange judge_stationarity();

  PairSpec spec_;
  std::unique_ptr<ModelInstance> model_;
  PairAligner aligner_;
  RollingZScore zscore_;
  SignalMachine signals_;
  RollingAdf adf_;
  // The gate's verdict: unknown until the first test, then whether the
  // latest p-value is at most adf.max_pvalue.
  enum class Stationarity : std::uint8_t { kUnknown, kStationary, kNotStationary } stationarity_ =
      Stationarity::kUnknown;
  PaperLedger ledger_;
  int alpha_index_;
  int beta_index_;
  int spread_index_;  // -1: the host computes y - (beta * x + alpha)
  std::vector<PairRowSink*> sinks_;
  std::uint64_t observations_ = 0;
  std::span<const FundingRate> funding_y_;
  std::span<const FundingRate> funding_x_;
  std::size_t next_funding_y_ = 0;
  std::size_t next_funding_x_ = 0;
};

}  // namespace alphastream
