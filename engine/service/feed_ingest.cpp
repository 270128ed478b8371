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
  // Held trades go to the routes they were held under.
  if (holding_) finish_backfill("the symbols were reloaded");
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
  if (step.released) route(*state, step.released->first, step.released->second);
  if (step.refused) {
    bump(counters.id_jump_total);
    if (warn_) {
      warn_(std::string(trade.symbol.view()) + ": aggregate id " + std::to_string(step.refused->first.agg_trade_id) +
            " jumped more than " + std::to_string(limits_.max_id_jump) + " past " +
            std::to_string(sequencer.last_accepted()) + " and no later trade confirmed it; refused");
    }
  }
  if (step.take) route(*state, trade, wait_when_full);
}

void FeedIngest::set_backfiller(TradeBackfiller* backfiller, const BackfillLimits& limits) {
  backfiller_ = backfiller;
  backfill_limits_ = limits;
  held_.reserve(limits.max_held_trades);
}

void FeedIngest::route(SymbolState& state, const AggTrade& trade, bool wait_when_full) {
  // Only live trades are backfilled: a file or a replay has no venue to ask.
  if (backfiller_ == nullptr || wait_when_full || releasing_) return deliver(state, trade, wait_when_full);
  if (!holding_) {
    const AggIdSequencer& sequencer = state.sequencer;
    if (!sequencer.started() || trade.agg_trade_id <= sequencer.last_accepted() + 1) {
      return deliver(state, trade, wait_when_full);
    }
    holding_ = true;
    hold_started_ms_ = trade.receive_time_ns != 0 ? trade.receive_time_ns / 1'000'000 : last_tick_ms_;
    episode_first_job_ = next_job_;
    pending_jobs_ = 0;
    for (SymbolState& symbol : symbols_) {
      symbol.backfill = SymbolBackfill{};
      if (symbol.sequencer.started()) symbol.backfill.horizon = symbol.sequencer.last_accepted();
    }
  }
  hold(state, trade);
}

void FeedIngest::hold(SymbolState& state, const AggTrade& trade) {
  SymbolBackfill& backfill = state.backfill;
  const std::int64_t id = trade.agg_trade_id;
  if (backfill.horizon >= 0 && id <= backfill.horizon) {
    // Below what is held already: a repeat, unless the backfill asks for it.
    const bool asked = backfill.job != 0 && id >= backfill.first_id && id <= backfill.last_id;
    if (!asked) {
      bump(state.counters->duplicates_total);
      return;
    }
  } else if (backfill.horizon >= 0 && id > backfill.horizon + 1 && backfill.job == 0) {
    // One job per symbol and episode; a second gap stays for the sequencer.
    backfill.gap_ids = id - 1 - backfill.horizon;
    backfill.last_id = id - 1;
    backfill.first_id = std::max(backfill.horizon + 1, id - backfill_limits_.max_trades_per_gap);
    backfill.job = next_job_++;
    ++pending_jobs_;
    bump(state.counters->backfills_total);
    if (warn_) {
      std::string message = std::string(trade.symbol.view()) + ": aggregate trade id gap, " +
                            std::to_string(backfill.gap_ids) + " missing (" + std::to_string(backfill.horizon + 1) +
                            ".." + std::to_string(backfill.last_id) + "); backfilling";
      if (backfill.first_id > backfill.horizon + 1) {
        message += " the last " + std::to_string(backfill.last_id - backfill.first_id + 1) +
                   " (feed.backfill.max_trades_per_gap)";
      }
      warn_(message + " from " + backfiller_->options().endpoint);
    }
    backfiller_->request(backfill.job, trade.symbol, backfill.first_id, backfill.last_id);
  }
  if (held_.size() >= backfill_limits_.max_held_trades) {
    finish_backfill("feed.backfill.max_held_trades live trades held");
    return deliver(state, trade, false);
  }
  backfill.horizon = std::max(backfill.horizon, id);
  held_.push_back(trade);
  held_count_.store(held_.size(), std::memory_order_relaxed);
}

void FeedIngest::on_backfill_page(BackfillPage page) {
  if (!holding_ || page.job < episode_first_job_) return;  // an ended episode's
  const auto it = std::find_if(symbols_.begin(), symbols_.end(),
                               [&](const SymbolState& s) { return s.backfill.job == page.job; });
  if (it == symbols_.end() || it->backfill.done) return;
  SymbolBackfill& backfill = it->backfill;
  for (const AggTrade& trade : page.trades) {
    // The backfiller checked the order; the range is checked here again so
    // no page can move a symbol's ids outside what was asked.
    const std::int64_t after = backfill.fetched.empty() ? backfill.first_id - 1 : backfill.fetched.back().agg_trade_id;
    if (trade.agg_trade_id > after && trade.agg_trade_id <= backfill.last_id && trade.symbol == it->symbol &&
        is_plausible_trade_time(trade.transact_time_ms)) {
      backfill.fetched.push_back(trade);
    }
  }
  if (!page.last) return;
  backfill.done = true;
  if (!page.status && warn_) warn_(std::string(it->symbol.view()) + ": backfill ended early: " + page.status.message());
  if (--pending_jobs_ == 0) finish_backfill("");
}

void FeedIngest::end_backfill() {
  if (holding_) finish_backfill("the feed is stopping");
}

void FeedIngest::finish_backfill(std::string_view why) {
  holding_ = false;
  releasing_ = true;
  if (backfiller_ != nullptr) backfiller_->cancel_before(next_job_);
  if (!why.empty() && warn_) {
    warn_("backfill ended before every page arrived (" + std::string(why) + "); the ids not fetched stay missing");
  }
  // The fetched trades of every symbol, merged by time as they happened
  // (ties in symbol order), then the live trades held meanwhile.
  std::vector<std::size_t> next(symbols_.size(), 0);
  while (true) {
    SymbolState* earliest = nullptr;
    std::size_t earliest_index = 0;
    for (std::size_t i = 0; i < symbols_.size(); ++i) {
      const std::vector<AggTrade>& fetched = symbols_[i].backfill.fetched;
      if (next[i] == fetched.size()) continue;
      const AggTrade& candidate = fetched[next[i]];
      if (earliest == nullptr) {
        earliest = &symbols_[i];
        earliest_index = i;
        continue;
      }
      const AggTrade& best = earliest->backfill.fetched[next[earliest_index]];
      if (std::pair(candidate.transact_time_ms, candidate.transact_time_us) <
          std::pair(best.transact_time_ms, best.transact_time_us)) {
        earliest = &symbols_[i];
        earliest_index = i;
      }
    }
    if (earliest == nullptr) break;
    bump(earliest->counters->backfilled_trades_total);
    deliver(*earliest, earliest->backfill.fetched[next[earliest_index]++], true);
  }
  for (SymbolState& state : symbols_) {
    SymbolBackfill& backfill = state.backfill;
    if (backfill.job == 0) continue;
    const auto filled = static_cast<std::int64_t>(backfill.fetched.size());
    if (filled < backfill.gap_ids) bump(state.counters->backfills_incomplete_total);
    if (warn_) {
      warn_(std::string(state.symbol.view()) + ": backfilled " + std::to_string(filled) + " of " +
            std::to_string(backfill.gap_ids) + " missing trades" +
            (filled < backfill.gap_ids ? "; the rest stay missing" : ""));
    }
  }
  // Held trades keep their order; waiting for room loses none of a burst.
  for (const AggTrade& trade : held_) {
    if (SymbolState* state = find(trade.symbol)) deliver(*state, trade, true);
  }
  held_.clear();
  held_count_.store(0, std::memory_order_relaxed);
  for (SymbolState& state : symbols_) state.backfill = SymbolBackfill{};
  releasing_ = false;
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
  last_tick_ms_ = now_ms;
  if (holding_) {
    if (now_ms - hold_started_ms_ <= backfill_limits_.max_hold_ms) return;  // no interval closes ahead of the backfill
    finish_backfill("feed.backfill.max_hold_ms passed");
  }
  const ShardEvent event = ShardEvent::of_clock(now_ms);
  for (std::uint32_t i = 0; i < shards_.shard_count(); ++i) shards_.try_push(ShardId(i), event);
}

}  // namespace alphastream
