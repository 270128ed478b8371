#include "service/shard_book.h"

#include <algorithm>
#include <chrono>

namespace alphastream {

void ShardBook::add_pair(LivePair pair) {
  // One trade can close a few intervals, each closing at most one position.
  pair.pipeline->reserve_closed_trades(64);
  pairs_.push_back(std::move(pair));
  rebuild_routes();
}

void ShardBook::add_symbol_model(LiveSymbolModel model) {
  symbol_models_.push_back(std::move(model));
  rebuild_routes();
}

std::size_t ShardBook::remove_pair(std::string_view name) {
  const auto removed = std::erase_if(pairs_, [&](const LivePair& p) { return p.pipeline->spec().name == name; });
  rebuild_routes();
  return removed;
}

std::size_t ShardBook::remove_symbol_models(std::string_view symbol) {
  const auto removed = std::erase_if(
      symbol_models_, [&](const LiveSymbolModel& m) { return m.pipeline->spec().symbol.view() == symbol; });
  rebuild_routes();
  return removed;
}

void ShardBook::finish_data() {
  for (LivePair& pair : pairs_) {
    pair.pipeline->finish();
    pair.pipeline->discard_closed_trades();
  }
  for (LiveSymbolModel& model : symbol_models_) model.pipeline->finish();
}

ShardBook::Route& ShardBook::route_for(const Symbol& symbol) {
  for (Route& route : routes_) {
    if (route.symbol == symbol) return route;
  }
  routes_.push_back(Route{symbol, {}, {}});
  return routes_.back();
}

void ShardBook::rebuild_routes() {
  routes_.clear();
  for (LivePair& pair : pairs_) {
    PairPipeline* pipeline = pair.pipeline.get();
    route_for(pipeline->spec().y).pairs.emplace_back(pipeline, Leg::kY);
    route_for(pipeline->spec().x).pairs.emplace_back(pipeline, Leg::kX);
  }
  for (LiveSymbolModel& model : symbol_models_) {
    route_for(model.pipeline->spec().symbol).symbol_models.push_back(model.pipeline.get());
  }
}

void ShardBook::on_trade(const AggTrade& trade) {
  Route* route = nullptr;
  for (Route& candidate : routes_) {
    if (candidate.symbol == trade.symbol) {
      route = &candidate;
      break;
    }
  }
  if (route == nullptr) {
    // A pair removed while its trades were queued.
    trades_unrouted_.store(trades_unrouted_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return;
  }
  trades_routed_.store(trades_routed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  latest_trade_ms_ = std::max(latest_trade_ms_, trade.transact_time_ms);
  bool produced_row = false;
  for (auto& [pipeline, leg] : route->pairs) {
    const std::uint64_t before = pipeline->observations();
    pipeline->on_trade(leg, trade);
    pipeline->discard_closed_trades();
    produced_row |= pipeline->observations() != before;
  }
  for (SymbolPipeline* pipeline : route->symbol_models) pipeline->on_trade(trade);
  // Only live trades carry a receive time; replayed ones have none to measure.
  if (produced_row && trade.receive_time_ns > 0) {
    const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    tick_to_signal_.record_ns(now_ns - trade.receive_time_ns);
  }
}

void ShardBook::on_event(const ShardEvent& event) {
  if (event.kind == ShardEvent::Kind::kTrade) {
    on_trade(event.trade);
    return;
  }
  if (latest_trade_ms_ == 0) return;
  const std::int64_t close_before_ms = std::min(event.now_ms - clock_grace_ms_, latest_trade_ms_ + kMaxClockLeadMs);
  for (LivePair& pair : pairs_) {
    pair.pipeline->advance_to(close_before_ms);
    pair.pipeline->discard_closed_trades();
  }
  for (LiveSymbolModel& model : symbol_models_) model.pipeline->advance_to(close_before_ms);
}

}  // namespace alphastream
