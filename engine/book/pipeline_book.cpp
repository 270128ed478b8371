#include "book/pipeline_book.h"

#include <algorithm>

namespace alphastream {

namespace {

// One trade can close a few intervals, each closing at most one position.
constexpr std::size_t kLiveClosedTradeRoom = 64;

}  // namespace

void PairModelRun::set_sink(std::shared_ptr<PairRowSink> rows) {
  sink = std::move(rows);
  pipeline->add_sink(sink.get());
}

void SymbolModelRun::set_sink(std::shared_ptr<SymbolRowSink> rows) {
  sink = std::move(rows);
  pipeline->add_sink(sink.get());
}

std::string model_context(const std::string& location, const std::string& owner, const std::string& label) {
  return location + " (" + owner + "/" + label + ")";
}

Result<PipelineSet> build_pipelines(const EngineConfig& config, ModelFactory& factory,
                                    const PipelineSelection& selection) {
  PipelineSet set;
  std::string problems;
  auto note = [&](const Status& status) { problems += (problems.empty() ? "" : "\n") + status.message(); };
  for (const PairConfig& pair : config.pairs) {
    if (selection.pair && !selection.pair(pair)) continue;
    for (const ModelConfig& model_config : pair.models) {
      auto model =
          factory.create(model_config, AS_MODEL_PAIR, model_context(pair.location, pair.name, model_config.label));
      if (!model) {
        note(model.status());
        continue;
      }
      PairSpec spec{pair.name, Symbol(pair.y), Symbol(pair.x), config.sampling, pair.zscore, config.backtest, pair.adf};
      set.pairs.push_back({model_config.label, std::make_unique<PairPipeline>(std::move(spec), std::move(model.value())),
                           nullptr});
    }
  }
  for (const SymbolConfig& symbol : config.symbols) {
    if (selection.symbol && !selection.symbol(symbol)) continue;
    for (const ModelConfig& model_config : symbol.models) {
      auto model = factory.create(model_config, AS_MODEL_SYMBOL,
                                  model_context(symbol.location, symbol.symbol, model_config.label));
      if (!model) {
        note(model.status());
        continue;
      }
      set.symbols.push_back({model_config.label,
                             std::make_unique<SymbolPipeline>(SymbolSpec{Symbol(symbol.symbol), config.sampling},
                                                              std::move(model.value())),
                             nullptr});
    }
  }
  if (!problems.empty()) return Status::invalid_input(problems);
  return set;
}

void PipelineBook::add(PipelineSet set) {
  for (PairModelRun& run : set.pairs) add_pair(std::move(run));
  for (SymbolModelRun& run : set.symbols) add_symbol_model(std::move(run));
}

PipelineSet PipelineBook::release() {
  hand_over_alignment();
  PipelineSet set{std::move(pairs_), std::move(symbol_models_)};
  pairs_.clear();
  symbol_models_.clear();
  rebuild_routes();
  return set;
}

void PipelineBook::add_pair(PairModelRun run) {
  if (!keep_closed_trades_) run.pipeline->reserve_closed_trades(kLiveClosedTradeRoom);
  pairs_.push_back(std::move(run));
  route(pairs_.back());
}

void PipelineBook::add_symbol_model(SymbolModelRun run) {
  symbol_models_.push_back(std::move(run));
  route(symbol_models_.back());
}

std::size_t PipelineBook::remove_pair(std::string_view name) {
  hand_over_alignment();
  const auto removed =
      std::erase_if(pairs_, [&](const PairModelRun& run) { return run.pipeline->spec().name == name; });
  rebuild_routes();
  return removed;
}

std::size_t PipelineBook::remove_symbol_models(std::string_view symbol) {
  hand_over_alignment();
  const auto removed = std::erase_if(
      symbol_models_, [&](const SymbolModelRun& run) { return run.pipeline->spec().symbol.view() == symbol; });
  rebuild_routes();
  return removed;
}

PipelineBook::Route& PipelineBook::route_for(const Symbol& symbol) {
  const std::uint32_t index = route_index_.add(symbol);
  if (index == routes_.size()) routes_.push_back(Route{symbol, {}, {}});
  return routes_[index];
}

void PipelineBook::route(const PairModelRun& run) {
  PairPipeline* pipeline = run.pipeline.get();
  const PairSpec& spec = pipeline->spec();
  route_for(spec.y);  // y's route first: the first-needed order
  Route& x = route_for(spec.x);
  Route& y = route_for(spec.y);  // after x's: adding x's may have moved it
  // An aligner of the same legs and sampling already fed (the y route holds
  // one feed of it, as kY; the x route the other)? Then follow it.
  for (PairFeed& feed : y.pairs) {
    const PairSpec& lead = feed.pipeline->spec();
    if (feed.leg != Leg::kY || !(lead.x == spec.x) || !(lead.sampling == spec.sampling)) continue;
    // Only a pipeline that has seen no trade joins: an aligner's state is
    // the trades it was fed.
    if (pipeline->aligner().trades() != 0 || feed.pipeline->aligner().trades() != 0) break;
    feed.followers.push_back(pipeline);
    for (PairFeed& other : x.pairs) {
      if (other.pipeline == feed.pipeline && other.leg == Leg::kX) other.followers.push_back(pipeline);
    }
    return;
  }
  y.pairs.push_back({pipeline, Leg::kY, {}});
  x.pairs.push_back({pipeline, Leg::kX, {}});
}

template <class F>
void PipelineBook::for_each_aligner(F f) const {
  // Each aligner is fed through its y feed and its x feed: once, at the y.
  for (const Route& route : routes_) {
    for (const PairFeed& feed : route.pairs) {
      if (feed.leg == Leg::kY) f(feed);
    }
  }
}

void PipelineBook::hand_over_alignment() {
  for_each_aligner([](const PairFeed& feed) {
    for (PairPipeline* follower : feed.followers) follower->take_alignment(*feed.pipeline);
  });
}

void PipelineBook::discard_closed_trades(const PairFeed& feed) const {
  if (keep_closed_trades_) return;
  feed.pipeline->discard_closed_trades();
  for (PairPipeline* follower : feed.followers) follower->discard_closed_trades();
}

void PipelineBook::route(const SymbolModelRun& run) {
  route_for(run.pipeline->spec().symbol).symbol_models.push_back(run.pipeline.get());
}

void PipelineBook::rebuild_routes() {
  routes_.clear();
  route_index_.clear();
  for (const PairModelRun& run : pairs_) route(run);
  for (const SymbolModelRun& run : symbol_models_) route(run);
}

PipelineBook::Delivery PipelineBook::on_trade(const AggTrade& trade) {
  Delivery delivery;
  const std::uint32_t found = route_index_.find(trade.symbol);
  if (found == SymbolTable::kNone) return delivery;
  delivery.routed = true;
  const Route& route = routes_[found];
  for (const PairFeed& feed : route.pairs) {
    const std::uint64_t before = feed.pipeline->observations();
    feed.pipeline->on_trade(feed.leg, trade, feed.followers);
    discard_closed_trades(feed);
    delivery.produced_row |= feed.pipeline->observations() != before;
  }
  for (SymbolPipeline* pipeline : route.symbol_models) pipeline->on_trade(trade);
  return delivery;
}

void PipelineBook::on_trades(std::span<const AggTrade> trades) {
  for (const AggTrade& trade : trades) on_trade(trade);
}

void PipelineBook::on_pair_ticks(std::span<const PairTick> ticks, const SymbolTable& symbols) {
  tick_routes_.resize(symbols.size());
  for (std::uint32_t i = 0; i < symbols.size(); ++i) {
    const std::uint32_t route = route_index_.find(symbols[i]);
    tick_routes_[i] = route == SymbolTable::kNone ? nullptr : &routes_[route];
  }
  for (const PairTick& tick : ticks) {
    const Route* route = tick_routes_[tick.symbol];
    if (route == nullptr) continue;
    for (const PairFeed& feed : route->pairs) {
      feed.pipeline->on_trade(feed.leg, tick.transact_time_ms, tick.price, feed.followers);
      discard_closed_trades(feed);
    }
  }
}

void PipelineBook::advance_to(std::int64_t now_ms) {
  for_each_aligner([&](const PairFeed& feed) {
    feed.pipeline->advance_to(now_ms, feed.followers);
    discard_closed_trades(feed);
  });
  for (SymbolModelRun& run : symbol_models_) run.pipeline->advance_to(now_ms);
}

void PipelineBook::finish() {
  for_each_aligner([&](const PairFeed& feed) {
    feed.pipeline->finish(feed.followers);
    discard_closed_trades(feed);
  });
  for (SymbolModelRun& run : symbol_models_) run.pipeline->finish();
}

}  // namespace alphastream
