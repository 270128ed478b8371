// One symbol model's pipeline: every trade of the symbol -> the model's
// update_trade -> one row of its outputs per sampling interval. The backtest,
// the replay and a live shard drive it as they drive PairPipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "alphastream/plugin.h"
#include "core/agg_trade.h"
#include "config/pipeline_config.h"
#include "plugin_host/model_instance.h"

namespace alphastream {

// The plugin ABI form of trade, struct_size filled in.
inline as_trade to_plugin_trade(const AggTrade& trade) {
  return as_trade{sizeof(as_trade),       trade.agg_trade_id,      trade.price,
                  trade.quantity,         trade.first_trade_id,    trade.last_trade_id,
                  trade.transact_time_ms, trade.event_time_ms,     static_cast<std::uint8_t>(trade.is_buyer_maker)};
}

// The model's state at the end of a sampling interval (time mode) or after a
// trade (tick mode).
struct SymbolRow {
  std::int64_t ts_ms = 0;
  double last_price = 0;              // the price of the last trade fed to the model
  std::span<const double> outputs;    // every model output after that trade, descriptor order
};

class SymbolRowSink {
 public:
  virtual ~SymbolRowSink() = default;
  virtual void on_row(const SymbolRow& row) = 0;
};

struct SymbolSpec {
  Symbol symbol;
  SamplingConfig sampling;
};

// Time mode follows PairAligner: intervals are [k*I, (k+1)*I) on the Unix
// epoch and an interval's row has ts_ms = (k+1)*I and the outputs after its
// last trade (the last with transact_time < ts_ms). Unlike a pair, which
// forward fills, a symbol gets a row only for an interval that saw a trade:
// an empty interval leaves the model where it was. Tick mode: one row per
// trade, at the trade's time.
//
// Models see non-decreasing transact times. A late trade (earlier than the
// latest trade seen, or, in time mode, than the start of the open interval,
// whose predecessor advance_to already closed) counts in late_trades() and
// reaches the model as if it had arrived in the open interval: its time is
// raised to the later of those two.
class SymbolPipeline {
 public:
  // REQUIRES: model is a symbol model; spec.sampling.mode is kTick or
  // interval_ms > 0.
  SymbolPipeline(SymbolSpec spec, std::unique_ptr<ModelInstance> model);

  const SymbolSpec& spec() const { return spec_; }
  const ModelInstance& model() const { return *model_; }
  // [control plane: between trades] Restoring a saved state.
  ModelInstance& model() { return *model_; }
  std::uint64_t trades() const { return trades_; }
  std::uint64_t late_trades() const { return late_trades_; }
  std::uint64_t rows() const { return rows_; }

  // Rows go to every sink, in the order added. Sinks must outlive the pipeline.
  void add_sink(SymbolRowSink* sink) { sinks_.push_back(sink); }

  // REQUIRES: trade.symbol is the spec's symbol (the caller routes). First
  // emits (time mode) the row of the open interval if it ends at or before
  // the trade's time, then feeds the model. Allocates nothing.
  void on_trade(const AggTrade& trade);
  // Time mode: closes the open interval if it ends at or before now_ms (live
  // clock), emitting its row if it saw a trade. No-op in tick mode.
  void advance_to(std::int64_t now_ms);
  // End of data: emits the open interval's row if it saw a trade.
  void finish();

 private:
  void emit(std::int64_t ts_ms);

  SymbolSpec spec_;
  std::unique_ptr<ModelInstance> model_;
  std::vector<SymbolRowSink*> sinks_;

  bool started_ = false;             // a trade has been seen
  std::int64_t latest_trade_ms_ = 0;  // the latest time fed to the model
  std::int64_t open_end_ms_ = 0;      // time mode: end of the open interval
  bool open_has_trade_ = false;       // time mode: the open interval saw a trade
  double last_price_ = 0;

  std::uint64_t trades_ = 0;
  std::uint64_t late_trades_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace alphastream
