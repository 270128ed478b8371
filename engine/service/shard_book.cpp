#include "service/shard_book.h"

#include <algorithm>
#include <cstdint>

namespace alphastream {

void ShardBook::finish_data() {
  if (!states_before_finish_) states_before_finish_ = capture_model_states(book_);
  book_.finish();
}

std::vector<ModelState> ShardBook::model_states() {
  return states_before_finish_ ? *states_before_finish_ : capture_model_states(book_);
}

void ShardBook::on_trade(const AggTrade& trade) {
  const PipelineBook::Delivery delivery = book_.on_trade(trade);
  if (!delivery.routed) {
    // A pair removed while its trades were queued.
    trades_unrouted_.store(trades_unrouted_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return;
  }
  trades_routed_.store(trades_routed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  latest_trade_ms_ = std::max(latest_trade_ms_, trade.transact_time_ms);
  // Only live trades carry a receive time; replayed ones have none to measure.
  if (delivery.produced_row && trade.receive_time_ns > 0) {
    tick_to_signal_.record_ns(clock_.wall_ns() - trade.receive_time_ns);
  }
}

void ShardBook::warm(const AggTrade& trade) {
  if (book_.on_trade(trade).routed) latest_trade_ms_ = std::max(latest_trade_ms_, trade.transact_time_ms);
}

void ShardBook::on_event(const ShardEvent& event) {
  if (event.kind == ShardEvent::Kind::kTrade) {
    on_trade(event.trade);
    return;
  }
  if (latest_trade_ms_ == 0) return;
  // Saturating: a clock event's time is the wall clock's, but nothing here
  // may overflow whatever it holds.
  std::int64_t grace_end = 0, lead_end = 0;
  if (__builtin_sub_overflow(event.now_ms, clock_grace_ms_, &grace_end)) grace_end = INT64_MIN;
  if (__builtin_add_overflow(latest_trade_ms_, kMaxClockLeadMs, &lead_end)) lead_end = INT64_MAX;
  book_.advance_to(std::min(grace_end, lead_end));
}

}  // namespace alphastream
