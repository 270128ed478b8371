#include "service/feed_ingest.h"

#include <algorithm>
#include <thread>

#include "storage/trade_recorder.h"

namespace alphastream {
namespace {

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

FeedIngest::FeedIngest(std::vector<SymbolRoute> routes, ShardGroup& shards, TradeRecorder* recorder,
                       const std::vector<std::pair<std::string, std::int64_t>>& resume_after_ids, LogFn warn)
    : shards_(shards), recorder_(recorder), warn_(std::move(warn)) {
  set_routes(std::move(routes));
  for (const auto& [symbol, last_id] : resume_after_ids) {
    SymbolState* state = find(Symbol(symbol));
    // A negative id is no id (journals from before ids were checked).
    if (state != nullptr && last_id >= 0) {
      state->sequencer = AggIdSequencer(last_id);
      state->resumed = true;
    }
  }
}

FeedIngest::SymbolState* FeedIngest::find(const Symbol& symbol) {
  const auto it = std::lower_bound(symbols_.begin(), symbols_.end(), symbol.view(),
                                   [](const SymbolState& s, std::string_view name) { return s.symbol.view() < name; });
  if (it == symbols_.end() || !(it->symbol == symbol)) return nullptr;
  return &*it;
}

void FeedIngest::set_routes(std::vector<SymbolRoute> routes) {
  for (SymbolState& state : symbols_) state.routed = false;
  for (SymbolRoute& route : routes) {
    const Symbol symbol(route.symbol);
    SymbolState* state = find(symbol);
    if (state == nullptr) {
      SymbolState added;
      added.symbol = symbol;
      const auto at = std::lower_bound(symbols_.begin(), symbols_.end(), symbol.view(),
                                       [](const SymbolState& s, std::string_view n) { return s.symbol.view() < n; });
      state = &*symbols_.insert(at, std::move(added));
    }
    state->shards = std::move(route.shards);
    state->routed = true;
  }
}

std::vector<std::string> FeedIngest::symbols() const {
  std::vector<std::string> names;
  for (const SymbolState& state : symbols_) {
    if (state.routed) names.emplace_back(state.symbol.view());
  }
  return names;
}

std::vector<FeedIngest::SymbolView> FeedIngest::symbol_counters() const {
  std::vector<SymbolView> views;
  for (const SymbolState& state : symbols_) views.push_back({std::string(state.symbol.view()), state.counters.get()});
  return views;
}

void FeedIngest::on_message(std::string_view frame, std::int64_t receive_time_ns) {
  bump(messages_total_);
  AggTrade trade;
  const ParseStatus status = parser_.parse(frame, trade);
  if (!status) {
    bump(parse_errors_[static_cast<std::size_t>(status.error)]);
    return;
  }
  trade.receive_time_ns = receive_time_ns;
  const std::int64_t received_ms = receive_time_ns / 1'000'000;
  if (trade.transact_time_ms > received_ms + limits_.max_clock_ahead_ms ||
      trade.transact_time_ms < received_ms - limits_.max_clock_behind_ms) {
    SymbolState* state = find(trade.symbol);
    if (state == nullptr || !state->routed) {
      bump(unknown_symbol_);
      return;
    }
    const bool ahead = trade.transact_time_ms > received_ms;
    bump(ahead ? state->counters->time_ahead_total : state->counters->time_behind_total);
    return;
  }
  accept(trade, false);
}

void FeedIngest::on_connection_event(const ConnectionEvent& event) {
  if (event.kind != ConnectionEvent::Kind::kDisconnected || !warn_) return;
  warn_("feed connection " + std::to_string(event.connection_index) + " lost (" +
        std::string(reconnect_reason_name(event.reason)) + "): " + event.detail + "; retry in " +
        std::to_string(event.retry_delay.count()) + " ms");
}

void FeedIngest::accept(const AggTrade& trade, bool wait_when_full) {
  SymbolState* state = find(trade.symbol);
  if (state == nullptr || !state->routed) {
    bump(unknown_symbol_);
    return;
  }
  SymbolFeedCounters& counters = *state->counters;
  // Every source's trades, a journal's included, pass the engine's time
  // bounds before anything downstream sees them.
  if (!is_plausible_trade_time(trade.transact_time_ms)) {
    bump(trade.transact_time_ms < kEarliestTradeTimeMs ? counters.time_behind_total : counters.time_ahead_total);
    return;
  }
  AggIdSequencer& sequencer = state->sequencer;
  if (state->resumed && sequencer.last_accepted() > limits_.max_id_jump &&
      trade.agg_trade_id < sequencer.last_accepted() - limits_.max_id_jump) {
    // Far below the journal's last id: that id was a poisoned record, not
    // where the feed stands. Start over from this trade.
    if (warn_) {
      warn_(std::string(trade.symbol.view()) + ": the journal's last aggregate id " +
            std::to_string(sequencer.last_accepted()) + " is far above the feed's " +
            std::to_string(trade.agg_trade_id) + "; the sequence continues from the feed");
    }
    sequencer = AggIdSequencer();
  }
  const auto step =
      state->jump_guard.next(sequencer, trade.agg_trade_id, {trade, wait_when_full}, limits_.max_id_jump);
  if (step.released) deliver(*state, step.released->first, step.released->second);
  if (step.refused) {
    bump(counters.id_jump_total);
    if (warn_) {
      warn_(std::string(trade.symbol.view()) + ": aggregate id " + std::to_string(step.refused->first.agg_trade_id) +
            " jumped more than " + std::to_string(limits_.max_id_jump) + " past " +
            std::to_string(sequencer.last_accepted()) + " and no later trade confirmed it; refused");
    }
  }
  if (step.take) deliver(*state, trade, wait_when_full);
}

void FeedIngest::deliver(SymbolState& state, const AggTrade& trade, bool wait_when_full) {
  SymbolFeedCounters& counters = *state.counters;
  const AggIdSequencer::Observation seen = state.sequencer.observe(trade.agg_trade_id);
  if (seen.verdict == AggIdSequencer::Verdict::kDuplicate) {
    bump(counters.duplicates_total);
    return;
  }
  state.resumed = false;
  if (seen.verdict == AggIdSequencer::Verdict::kGap) {
    const auto missing = static_cast<std::uint64_t>(seen.last_missing - seen.first_missing + 1);
    bump(counters.gaps_total);
    bump(counters.missing_trades_total, missing);
    // Gaps are rare; a message per gap is what an operator wants to see.
    if (warn_) {
      warn_(std::string(trade.symbol.view()) + ": aggregate trade id gap, " + std::to_string(missing) +
            " missing (" + std::to_string(seen.first_missing) + ".." + std::to_string(seen.last_missing) + ")");
    }
  }
  bump(counters.trades_total);
  const std::int64_t event_ms = trade.event_time_ms != 0 ? trade.event_time_ms : trade.transact_time_ms;
  counters.last_trade_time_s.store(static_cast<double>(event_ms) * 1e-3, std::memory_order_relaxed);
  counters.last_price.store(trade.price, std::memory_order_relaxed);
  if (recorder_ != nullptr) {
    if (wait_when_full) {
      recorder_->record_waiting(trade);
    } else {
      recorder_->record(trade);
    }
  }
  if (publisher_ != nullptr) {
    // Retries and failures are the bus's counters; a refusal is logged once
    // per second of the trades' own time (a file source reads days in seconds).
    if (Status published = publisher_->publish(trade); !published && warn_) {
      const std::int64_t now_s = trade.transact_time_ms / 1000;
      if (now_s != last_publish_warning_s_) {
        last_publish_warning_s_ = now_s;
        warn_(published.message());
      }
    }
  }
  const ShardEvent event = ShardEvent::of_trade(trade, trade.transact_time_ms);
  for (const ShardId shard : state.shards) push(shard, event, wait_when_full);
}

void FeedIngest::push(ShardId shard, const ShardEvent& event, bool wait_when_full) {
  // Only this thread pushes, so room seen here is still there at try_push.
  if (wait_when_full) {
    while (shards_.stats(shard).queue_depth >= shards_.queue_capacity()) std::this_thread::yield();
  }
  shards_.try_push(shard, event);
}

void FeedIngest::tick(std::int64_t now_ms) {
  const ShardEvent event = ShardEvent::of_clock(now_ms);
  for (std::uint32_t i = 0; i < shards_.shard_count(); ++i) shards_.try_push(ShardId(i), event);
}

}  // namespace alphastream
