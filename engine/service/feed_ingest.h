// The I/O reactor's work on every message: parse it, check the symbol's
// aggregate id sequence (gaps counted and logged, duplicates from
// overlapping connections dropped), record the trade, and hand it to every
// shard that owns a pipeline using the symbol. Runs on the I/O thread only;
// its counters are relaxed atomics that the metrics collector reads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/trade_bus.h"
#include "core/agg_trade.h"
#include "feed/agg_id_sequencer.h"
#include "feed/agg_trade_parser.h"
#include "feed/binance_stream_client.h"
#include "feed/id_jump_guard.h"
#include "feed/trade_backfiller.h"
#include "source/trade_source.h"
#include "reactor/shard_group.h"

namespace alphastream {

class TradeRecorder;

// Per-symbol counters; written by the I/O thread, read by scrapes.
struct SymbolFeedCounters {
  std::atomic<std::uint64_t> trades_total{0};       // accepted: new or after a gap
  std::atomic<std::uint64_t> duplicates_total{0};   // dropped: id already accepted
  std::atomic<std::uint64_t> gaps_total{0};
  std::atomic<std::uint64_t> missing_trades_total{0};  // ids inside gaps that stayed empty
  // Gaps handed to the REST backfill, the trades it recorded, and the gaps
  // it could not fill wholly (those ids are in missing_trades_total).
  std::atomic<std::uint64_t> backfills_total{0};
  std::atomic<std::uint64_t> backfilled_trades_total{0};
  std::atomic<std::uint64_t> backfills_incomplete_total{0};
  // Refused, by reason: a live trade timed too far from the local clock; an
  // id jump that no later trade confirmed.
  std::atomic<std::uint64_t> time_ahead_total{0};
  std::atomic<std::uint64_t> time_behind_total{0};
  std::atomic<std::uint64_t> id_jump_total{0};
  std::atomic<double> last_trade_time_s{0};          // exchange event time of the latest accepted trade
  std::atomic<double> last_price{0};                 // of the latest accepted trade
};

// How far outside input may stray before it is refused (feed section).
struct FeedLimits {
  // A live trade's transact time against its frame's local receive time:
  // beyond these it is refused, so one bad timestamp cannot move a pair's
  // clock (a trade ten years ahead would fill ten years of intervals).
  std::int64_t max_clock_ahead_ms = 60'000;
  std::int64_t max_clock_behind_ms = 600'000;
  // An id more than this above the last accepted one is held back until the
  // symbol's next trade confirms it (an id just above); otherwise it is
  // refused, so one poisoned id cannot make every later trade a duplicate.
  std::int64_t max_id_jump = 10'000'000;
};

// How a live gap is backfilled (feed.backfill).
struct BackfillLimits {
  // A longer gap is fetched for its last this-many ids (the ones nearest
  // the live trades); the earlier ids stay missing.
  std::int64_t max_trades_per_gap = 20'000;
  // Live trades held while a backfill runs, at most; one more ends it.
  std::size_t max_held_trades = 200'000;
  // A backfill that takes longer is ended by the next tick.
  std::int64_t max_hold_ms = 30'000;
};

class FeedIngest : public TradeSink {
 public:
  // A symbol the feed subscribes to and the shards its trades go to.
  struct SymbolRoute {
    std::string symbol;  // upper case
    std::vector<ShardId> shards;
  };
  // Where a gap or a connection event is reported (logging is the caller's).
  using LogFn = std::function<void(std::string_view message)>;

  // recorder may be null (no storage). Each symbol's id sequence continues
  // after resume_after_ids (symbol -> last stored agg id), so a restart
  // counts the trades it missed.
  FeedIngest(std::vector<SymbolRoute> routes, ShardGroup& shards, TradeRecorder* recorder,
             const std::vector<std::pair<std::string, std::int64_t>>& resume_after_ids, LogFn warn);

  // Replaces the limits (FeedLimits' defaults until then). [I/O thread]
  void set_limits(const FeedLimits& limits) { limits_ = limits; }
  // An ingest: every trade that passes the checks is published to the bus
  // too (after the recorder, before the shards). bus outlives this. [I/O thread]
  void set_publisher(TradeBus* bus) { publisher_ = bus; }
  // Live gaps are backfilled through `backfiller`, whose pages the caller
  // hands to on_backfill_page on the I/O thread. From the first gap until
  // every symbol's backfill has ended, every live trade (of any symbol) and
  // every clock tick is held; then the fetched trades go downstream merged
  // in time, then the held ones, so the journal, the bus and the pipelines
  // see each symbol's ids in order, none twice, as if no trade had been
  // missed. backfiller outlives this, or end_backfill() is called first.
  // Reserves the hold buffer. [I/O thread]
  void set_backfiller(TradeBackfiller* backfiller, const BackfillLimits& limits);
  void on_backfill_page(BackfillPage page);
  // Ends a running backfill now: what was fetched and held goes downstream,
  // the rest stays missing. [I/O thread]
  void end_backfill();
  // Live trades held by a running backfill. [any thread]
  std::uint64_t held_trades() const { return held_count_.load(std::memory_order_relaxed); }

  // StreamHandler: a live frame. [I/O thread]
  void on_message(std::string_view frame, std::int64_t receive_time_ns) override;
  void on_connection_event(const ConnectionEvent& event) override;

  // A parsed trade from any source. Live trades are dropped (and counted by
  // the shard or the recorder) when a shard's queue or the recorder's is
  // full; with wait_when_full (a replay, a file) the call waits for room in
  // both instead, so nothing is lost.
  void accept(const AggTrade& trade, bool wait_when_full) override;
  // Sends the wall clock to every shard so live intervals close without
  // waiting for the next trade.
  void tick(std::int64_t now_ms);

  // Replaces the routes (config reload). Symbols kept keep their sequencers
  // and counters. [I/O thread]
  void set_routes(std::vector<SymbolRoute> routes);
  std::vector<std::string> symbols() const;

  // Read from any thread.
  struct SymbolView {
    std::string symbol;
    const SymbolFeedCounters* counters;
  };
  // REQUIRES: on the I/O thread or while the routes do not change; the
  // counters live as long as the FeedIngest (symbols removed by a reload keep
  // theirs).
  std::vector<SymbolView> symbol_counters() const;
  std::uint64_t parse_errors(ParseError reason) const {
    return parse_errors_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  }
  std::uint64_t unknown_symbol_messages() const { return unknown_symbol_.load(std::memory_order_relaxed); }
  std::uint64_t messages_total() const { return messages_total_.load(std::memory_order_relaxed); }

 private:
  // A symbol's part in a backfill episode.
  struct SymbolBackfill {
    std::int64_t horizon = -1;  // the highest id accepted, held or asked for; -1 unknown
    std::uint64_t job = 0;      // 0: none in this episode
    std::int64_t first_id = 0;  // the ids asked for
    std::int64_t last_id = 0;
    std::int64_t gap_ids = 0;   // the whole gap, asked for or not
    bool done = false;
    std::vector<AggTrade> fetched;
  };
  struct SymbolState {
    Symbol symbol;
    std::vector<ShardId> shards;
    AggIdSequencer sequencer;
    // A trade whose id jumped beyond max_id_jump waits in here for the next
    // id to confirm it, with the wait_when_full it came with.
    IdJumpGuard<std::pair<AggTrade, bool>> jump_guard;
    // The sequencer continues a journal's last id that no live trade has
    // followed yet: a first trade far below it means the stored id was bad.
    bool resumed = false;
    bool routed = true;  // false once a reload removed it
    SymbolBackfill backfill;
    std::unique_ptr<SymbolFeedCounters> counters = std::make_unique<SymbolFeedCounters>();
  };
  SymbolState* find(const Symbol& symbol);
  // A trade that passed every check: held while a backfill runs, else
  // delivered.
  void route(SymbolState& state, const AggTrade& trade, bool wait_when_full);
  void hold(SymbolState& state, const AggTrade& trade);
  void finish_backfill(std::string_view why);
  // Sequences, records and routes a trade.
  void deliver(SymbolState& state, const AggTrade& trade, bool wait_when_full);
  void push(ShardId shard, const ShardEvent& event, bool wait_when_full);

  ShardGroup& shards_;
  TradeRecorder* recorder_;
  TradeBus* publisher_ = nullptr;
  TradeBackfiller* backfiller_ = nullptr;
  BackfillLimits backfill_limits_;
  bool holding_ = false;    // a backfill episode runs
  bool releasing_ = false;  // its trades are going downstream
  std::int64_t hold_started_ms_ = 0;
  std::int64_t last_tick_ms_ = 0;
  std::uint64_t next_job_ = 1;
  std::uint64_t episode_first_job_ = 1;
  std::size_t pending_jobs_ = 0;
  std::vector<AggTrade> held_;  // live trades; reserved, so holding never allocates
  std::atomic<std::uint64_t> held_count_{0};
  std::int64_t last_publish_warning_s_ = 0;
  LogFn warn_;
  FeedLimits limits_;
  AggTradeParser parser_;
  std::vector<SymbolState> symbols_;  // sorted by name
  std::array<std::atomic<std::uint64_t>, kParseErrorCount> parse_errors_{};
  std::atomic<std::uint64_t> unknown_symbol_{0};
  std::atomic<std::uint64_t> messages_total_{0};
};

}  // namespace alphastream
