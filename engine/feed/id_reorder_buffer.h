// Puts one symbol's trades back in aggregate id order when they arrive a
// little out of it: a JetStream stream keeps the order trades were stored,
// and a publish retried after a failure (a node dying, a leader election)
// is stored after newer ones. A trade ahead of a hole is held until the hole
// fills, or until the hole has been open max_hold (then everything held goes
// on in id order and the sequencer after this counts the hole as a gap), or
// until max_held trades wait. In order, nothing is held and nothing
// allocated; holding allocates (map nodes), which only a hole makes happen.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "core/agg_trade.h"

namespace alphastream {

class IdReorderBuffer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Limits {
    std::chrono::milliseconds max_hold{5000};
    std::size_t max_held = 100000;  // per symbol
  };

  explicit IdReorderBuffer(Limits limits) : limits_(limits) {}

  // Takes a trade that arrived at now; release(trade) gets every trade that
  // is in order now, in id order. One already passed (an older id) goes on
  // at once: the sequencer after this drops or counts it.
  template <class Release>
  void push(const AggTrade& trade, TimePoint now, Release&& release) {
    if (limits_.max_hold.count() <= 0) {
      release(trade);
      return;
    }
    State& state = state_of(trade.symbol);
    const std::int64_t id = trade.agg_trade_id;
    if (!state.started || id <= state.last) {
      if (!state.started || id > state.last) {
        state.started = true;
        state.last = id;
      }
      release(trade);
      return;
    }
    if (id == state.last + 1) {
      release(trade);
      state.last = id;
      release_in_order(state, release);
      return;
    }
    if (state.held.empty()) state.hole_since = now;
    if (state.held.emplace(id, trade).second) {
      ++held_;
      ++reordered_total_;
    }
    if (state.held.size() > limits_.max_held) release_all(state, release);
  }

  // Releases, in id order, what waits behind a hole open for max_hold.
  template <class Release>
  void expire(TimePoint now, Release&& release) {
    for (State& state : states_) {
      if (!state.held.empty() && now - state.hole_since >= limits_.max_hold) release_all(state, release);
    }
  }

  // Trades waiting behind a hole, over every symbol.
  std::size_t held() const { return held_; }
  // Trades that arrived ahead of an older one and were held.
  std::uint64_t reordered_total() const { return reordered_total_; }

 private:
  struct State {
    Symbol symbol;
    bool started = false;
    std::int64_t last = 0;  // the last id released
    std::map<std::int64_t, AggTrade> held;
    TimePoint hole_since{};
  };

  // A few symbols per worker: a scan, the last one found first.
  State& state_of(const Symbol& symbol) {
    if (last_ < states_.size() && states_[last_].symbol == symbol) return states_[last_];
    for (last_ = 0; last_ < states_.size(); ++last_) {
      if (states_[last_].symbol == symbol) return states_[last_];
    }
    states_.push_back(State{});
    states_.back().symbol = symbol;
    return states_.back();
  }

  template <class Release>
  void release_in_order(State& state, Release& release) {
    while (!state.held.empty() && state.held.begin()->first <= state.last + 1) {
      const auto first = state.held.begin();
      if (first->first == state.last + 1) {
        release(first->second);
        state.last = first->first;
      }
      state.held.erase(first);
      --held_;
    }
  }

  template <class Release>
  void release_all(State& state, Release& release) {
    for (const auto& [id, trade] : state.held) {
      release(trade);
      state.last = id;
    }
    held_ -= state.held.size();
    state.held.clear();
  }

  Limits limits_;
  std::vector<State> states_;
  std::size_t last_ = 0;
  std::size_t held_ = 0;
  std::uint64_t reordered_total_ = 0;
};

}  // namespace alphastream
