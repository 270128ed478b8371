// The one place a config becomes pipelines, and a symbol's trades reach the
// pipelines that use it. The backtest drives one PipelineBook; each live
// shard owns one; replay and file sources go through the same code, so every
// mode builds, routes and finishes pipelines alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "book/model_factory.h"
#include "config/engine_config.h"
#include "core/agg_trade.h"
#include "core/status.h"
#include "core/symbol_table.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"

namespace alphastream {

// What a pair pipeline takes of a trade (PairPipeline::on_trade), and its
// symbol's number in a SymbolTable.
struct PairTick {
  std::int64_t transact_time_ms;
  double price;
  std::uint32_t symbol;
};

// One pair run with one model, and the sink that keeps its rows.
struct PairModelRun {
  std::string label;  // the model's label (ModelConfig::label)
  std::unique_ptr<PairPipeline> pipeline;
  std::shared_ptr<PairRowSink> sink;  // may be null; lives as long as the run

  // Feeds every row of the pipeline to `rows` and keeps it alive.
  void set_sink(std::shared_ptr<PairRowSink> rows);
};

// One symbol run with one model.
struct SymbolModelRun {
  std::string label;
  std::unique_ptr<SymbolPipeline> pipeline;
  std::shared_ptr<SymbolRowSink> sink;

  void set_sink(std::shared_ptr<SymbolRowSink> rows);
};

struct PipelineSet {
  std::vector<PairModelRun> pairs;        // config order; a pair's models adjacent
  std::vector<SymbolModelRun> symbols;    // config order
};

// Which entries of a config to build; a null test takes every entry.
struct PipelineSelection {
  std::function<bool(const PairConfig&)> pair;
  std::function<bool(const SymbolConfig&)> symbol;
};

// How a model names its owner in messages and plugin log lines:
// "backtest.yaml:11: pairs[0] (btc-eth/ols)".
std::string model_context(const std::string& location, const std::string& owner, const std::string& label);

// Creates the pipelines of every selected pair and symbol model of `config`.
// Every problem is collected, not just the first: Status::invalid_input
// lists them one per line, each at its config location.
Result<PipelineSet> build_pipelines(const EngineConfig& config, ModelFactory& factory,
                                    const PipelineSelection& selection = {});

class PipelineBook {
 public:
  // A pair pipeline fed a symbol's trades as one of its legs, and the
  // pipelines of the same legs and sampling that take the observations its
  // aligner makes (PairPipeline::on_trade): a pair's several models, or a
  // sweep's variants, align each trade once, not once each.
  struct PairFeed {
    PairPipeline* pipeline;
    Leg leg;
    std::vector<PairPipeline*> followers;
  };
  // The pipelines that take one symbol's trades.
  struct Route {
    Symbol symbol;
    std::vector<PairFeed> pairs;
    std::vector<SymbolPipeline*> symbol_models;
  };

  // What one trade did.
  struct Delivery {
    bool routed = false;        // some pipeline uses its symbol
    bool produced_row = false;  // some pair pipeline made an observation
  };

  // keep_closed_trades: the backtest keeps every closed trade for trades.csv;
  // a live book reserves room once and discards them after each trade, so
  // the ledger neither grows nor allocates.
  explicit PipelineBook(bool keep_closed_trades) : keep_closed_trades_(keep_closed_trades) {}

  // [control plane: not while a trade is being delivered]
  void add(PipelineSet set);
  void add_pair(PairModelRun run);
  void add_symbol_model(SymbolModelRun run);
  // Removes every model of the pair called `name`; returns how many.
  std::size_t remove_pair(std::string_view name);
  // Removes every model of `symbol`; returns how many.
  std::size_t remove_symbol_models(std::string_view symbol);
  // Hands every pipeline back, as added, and leaves the book empty: a
  // book that warmed new pipelines passes them on to the one that runs them.
  PipelineSet release();

  // A trade goes to every pipeline with its symbol as a leg or subject.
  // Allocates nothing.
  Delivery on_trade(const AggTrade& trade);
  // on_trade for each trade in order (a batch: no call per trade).
  void on_trades(std::span<const AggTrade> trades);
  // on_trades for a book of pair pipelines only (no symbol models), given
  // what they take of each trade: a quarter of the bytes to move between
  // threads. symbols numbers the ticks' symbols (PairTick::symbol).
  // REQUIRES: symbol_models().empty(); every tick's symbol < symbols.size().
  void on_pair_ticks(std::span<const PairTick> ticks, const SymbolTable& symbols);
  // Closes every interval that ends at or before now_ms (a live clock).
  void advance_to(std::int64_t now_ms);
  // End of data: every pipeline emits its open interval and closes its
  // paper position (PairPipeline::finish, SymbolPipeline::finish).
  void finish();

  const std::vector<PairModelRun>& pairs() const { return pairs_; }
  const std::vector<SymbolModelRun>& symbol_models() const { return symbol_models_; }
  // In the order first needed: each pair's y then x, then the symbol
  // models' symbols. The backtest's merge breaks ties in time in this order.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  // Adding appends to the routes (a rebuild per pair made adding 10,000
  // pairs quadratic: 11 s); removing rebuilds them, after every follower
  // took the alignment it was served.
  void route(const PairModelRun& run);
  template <class F>
  void for_each_aligner(F f) const;  // f(the feed of its y leg)
  void hand_over_alignment();
  // The live book keeps no closed trades (keep_closed_trades).
  void discard_closed_trades(const PairFeed& feed) const;
  void route(const SymbolModelRun& run);
  void rebuild_routes();
  Route& route_for(const Symbol& symbol);

  bool keep_closed_trades_;
  std::vector<PairModelRun> pairs_;
  std::vector<SymbolModelRun> symbol_models_;
  std::vector<Route> routes_;
  // routes_[i] is symbol i's: a trade finds its route without a branch that
  // depends on which symbol it is (the legs' trades alternate at random, so
  // "same symbol as the last trade" mispredicted every other trade).
  SymbolTable route_index_;
  std::vector<const Route*> tick_routes_;  // on_pair_ticks: the route of each symbol number
};

}  // namespace alphastream
