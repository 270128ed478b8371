#include "service/feed_ingest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace alphastream {
namespace {

// Records what a shard was handed.
class RecordingShard : public ShardHandler {
 public:
  void on_event(const ShardEvent& event) override {
    if (event.kind == ShardEvent::Kind::kClock) {
      clock_events.push_back(event.now_ms);
      return;
    }
    trades.push_back(std::string(event.trade.symbol.view()) + ":" + std::to_string(event.trade.agg_trade_id));
  }
  std::vector<std::string> trades;
  std::vector<std::int64_t> clock_events;
};

struct Fixture {
  explicit Fixture(std::uint32_t shard_count, std::size_t capacity = 1024) {
    std::vector<std::unique_ptr<ShardHandler>> handlers;
    for (std::uint32_t i = 0; i < shard_count; ++i) {
      auto shard = std::make_unique<RecordingShard>();
      shards.push_back(shard.get());
      handlers.push_back(std::move(shard));
    }
    ShardGroupOptions options;
    options.shard_count = shard_count;
    options.queue_capacity = capacity;
    auto created = ShardGroup::create(options, std::move(handlers));
    EXPECT_TRUE(created) << created.error();
    group = std::move(created.value());
  }
  std::unique_ptr<ShardGroup> group;
  std::vector<RecordingShard*> shards;  // readable after group->stop()
  std::vector<std::string> warnings;
  FeedIngest::LogFn warn() {
    return [this](std::string_view message) { warnings.emplace_back(message); };
  }
};

// When frame()'s trades arrive: 50 ms after their transact time.
constexpr std::int64_t kReceived = 1'700'000'000'050'000'000;

std::string frame(const std::string& symbol, std::int64_t id) {
  std::string lower = symbol;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return R"({"stream":")" + lower + R"(@aggTrade","data":{"e":"aggTrade","E":1700000000100,"s":")" + symbol +
         R"(","a":)" + std::to_string(id) + R"(,"p":"100.5","q":"0.25","f":)" + std::to_string(id) + R"(,"l":)" +
         std::to_string(id) + R"(,"T":1700000000000,"m":true}})";
}

TEST(FeedIngest, TradesGoToEveryShardThatUsesTheirSymbol) {
  Fixture f(2);
  FeedIngest ingest({{"AUSDT", {ShardId(0), ShardId(1)}}, {"BUSDT", {ShardId(1)}}}, *f.group, nullptr, {}, f.warn());
  ASSERT_TRUE(f.group->start());
  ingest.on_message(frame("AUSDT", 7), kReceived);
  ingest.on_message(frame("BUSDT", 3), kReceived + 1);
  f.group->stop();
  EXPECT_EQ(f.shards[0]->trades, (std::vector<std::string>{"AUSDT:7"}));
  EXPECT_EQ(f.shards[1]->trades, (std::vector<std::string>{"AUSDT:7", "BUSDT:3"}));
  const auto views = ingest.symbol_counters();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].symbol, "AUSDT");
  EXPECT_EQ(views[0].counters->trades_total.load(), 1u);
  EXPECT_DOUBLE_EQ(views[0].counters->last_trade_time_s.load(), 1700000000.1);
}

TEST(FeedIngest, GapsAreCountedAndLoggedWithTheMissingRangeAndDuplicatesDropped) {
  Fixture f(1);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  ASSERT_TRUE(f.group->start());
  for (std::int64_t id : {10, 11, 15, 12, 15, 16, 20}) ingest.on_message(frame("AUSDT", id), kReceived);
  f.group->stop();
  EXPECT_EQ(f.shards[0]->trades, (std::vector<std::string>{"AUSDT:10", "AUSDT:11", "AUSDT:15", "AUSDT:16", "AUSDT:20"}));
  const SymbolFeedCounters& c = *ingest.symbol_counters()[0].counters;
  EXPECT_EQ(c.trades_total.load(), 5u);
  EXPECT_EQ(c.duplicates_total.load(), 2u);  // 12 (late, after 15) and the second 15
  EXPECT_EQ(c.gaps_total.load(), 2u);
  EXPECT_EQ(c.missing_trades_total.load(), 3u + 3u);  // 12..14 and 17..19
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_EQ(f.warnings[0], "AUSDT: aggregate trade id gap, 3 missing (12..14)");
  EXPECT_EQ(f.warnings[1], "AUSDT: aggregate trade id gap, 3 missing (17..19)");
}

TEST(FeedIngest, ARestartContinuesTheSequenceAfterTheLastRecordedId) {
  Fixture f(1);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {{"AUSDT", 100}}, f.warn());
  ASSERT_TRUE(f.group->start());
  ingest.on_message(frame("AUSDT", 100), kReceived);  // recorded before the restart
  ingest.on_message(frame("AUSDT", 104), kReceived);  // 101..103 were missed while down
  f.group->stop();
  const SymbolFeedCounters& c = *ingest.symbol_counters()[0].counters;
  EXPECT_EQ(c.duplicates_total.load(), 1u);
  EXPECT_EQ(c.missing_trades_total.load(), 3u);
  EXPECT_EQ(f.shards[0]->trades, (std::vector<std::string>{"AUSDT:104"}));
}

TEST(FeedIngest, RejectedMessagesAreCountedByReasonAndUnknownSymbolsApart) {
  Fixture f(1);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  ASSERT_TRUE(f.group->start());
  ingest.on_message(R"({"e":"aggTrade","a":)", kReceived);  // cut short
  ingest.on_message(R"({"stream":"ausdt@aggTrade"})", kReceived);
  ingest.on_message(frame("ZUSDT", 1), kReceived);
  f.group->stop();
  EXPECT_EQ(ingest.parse_errors(ParseError::kMalformedJson), 1u);
  EXPECT_EQ(ingest.parse_errors(ParseError::kMissingData), 1u);
  EXPECT_EQ(ingest.unknown_symbol_messages(), 1u);
  EXPECT_EQ(ingest.messages_total(), 3u);
  EXPECT_TRUE(f.shards[0]->trades.empty());
}

TEST(FeedIngest, ALiveFeedDropsWhenAShardIsFullButAFileSourceWaits) {
  Fixture f(1, 4);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  // Not started: nothing drains the queue of 4.
  for (std::int64_t id = 1; id <= 6; ++id) ingest.on_message(frame("AUSDT", id), kReceived);
  EXPECT_EQ(f.group->stats(ShardId(0)).dropped_total, 2u);
  ASSERT_TRUE(f.group->start());
  AggTrade trade;
  trade.symbol = Symbol("AUSDT");
  trade.price = 1;
  trade.transact_time_ms = 1'700'000'000'000;
  for (std::int64_t id = 7; id <= 100; ++id) {
    trade.agg_trade_id = id;
    ingest.accept(trade, true);
  }
  f.group->stop();
  EXPECT_EQ(f.shards[0]->trades.size(), 4u + 94u);
  EXPECT_EQ(f.group->stats(ShardId(0)).dropped_total, 2u);
}

// Issue 13, finding 1: one trade timed far from the local clock is refused
// and counted, and moves nothing: the next good trade is sequenced as if it
// had not come.
TEST(FeedIngest, ALiveTradeTimedFarFromTheLocalClockIsRefusedAndCounted) {
  Fixture f(1, 16);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  const std::int64_t ten_years_ms = 10LL * 365 * 86'400'000;
  ingest.on_message(frame("AUSDT", 1), kReceived - ten_years_ms * 1'000'000);  // the trade is 10 years ahead
  ingest.on_message(frame("AUSDT", 2), kReceived + 3'600'000LL * 1'000'000);   // an hour behind
  ingest.on_message(frame("AUSDT", 3), kReceived);
  const SymbolFeedCounters& counters = *ingest.symbol_counters()[0].counters;
  EXPECT_EQ(counters.time_ahead_total.load(), 1u);
  EXPECT_EQ(counters.time_behind_total.load(), 1u);
  EXPECT_EQ(counters.trades_total.load(), 1u);
  EXPECT_EQ(counters.gaps_total.load(), 0u);  // id 3 is the first id seen
  ASSERT_TRUE(f.group->start());
  f.group->stop();
  ASSERT_EQ(f.shards[0]->trades.size(), 1u);
  EXPECT_EQ(f.shards[0]->trades[0], "AUSDT:3");
}

// Issue 13, finding 4: one poisoned id is held, not adopted; the next trade
// does not confirm it, so it is refused and the sequence goes on. A real
// jump (a long outage) is confirmed by the trade after it.
TEST(FeedIngest, AnUnconfirmedIdJumpIsRefusedAndAConfirmedOneAccepted) {
  Fixture f(1, 64);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  ingest.set_limits({60'000, 600'000, 1000});
  for (std::int64_t id : {10LL, 11LL, 9'223'372'036'854'775'807LL, 12LL, 13LL, 5000LL, 5001LL, 5002LL}) {
    ingest.on_message(frame("AUSDT", id), kReceived);
  }
  const SymbolFeedCounters& counters = *ingest.symbol_counters()[0].counters;
  EXPECT_EQ(counters.id_jump_total.load(), 1u);
  EXPECT_EQ(counters.duplicates_total.load(), 0u);
  EXPECT_EQ(counters.trades_total.load(), 7u);  // 10 11 12 13 5000 5001 5002
  EXPECT_EQ(counters.gaps_total.load(), 1u);     // 14..4999, once 5001 confirmed 5000
  ASSERT_TRUE(f.group->start());
  f.group->stop();
  EXPECT_EQ(f.shards[0]->trades, (std::vector<std::string>{"AUSDT:10", "AUSDT:11", "AUSDT:12", "AUSDT:13",
                                                          "AUSDT:5000", "AUSDT:5001", "AUSDT:5002"}));
}

// A journal whose last id was poisoned (recorded before ids were checked)
// must not make every live trade a duplicate after a restart.
TEST(FeedIngest, AResumePointFarAboveTheFeedIsDroppedForTheFeedsOwn) {
  Fixture f(1, 16);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}}, *f.group, nullptr, {{"AUSDT", 9'000'000'000'000'000'000}}, f.warn());
  for (std::int64_t id : {500, 501}) ingest.on_message(frame("AUSDT", id), kReceived);
  const SymbolFeedCounters& counters = *ingest.symbol_counters()[0].counters;
  EXPECT_EQ(counters.trades_total.load(), 2u);
  EXPECT_EQ(counters.duplicates_total.load(), 0u);
  ASSERT_FALSE(f.warnings.empty());
  EXPECT_NE(f.warnings[0].find("is far above the feed's 500"), std::string::npos) << f.warnings[0];
}

TEST(FeedIngest, AReloadKeepsTheSequenceOfSymbolsThatStay) {
  Fixture f(2);
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}, {"BUSDT", {ShardId(0)}}}, *f.group, nullptr, {}, f.warn());
  ASSERT_TRUE(f.group->start());
  ingest.on_message(frame("AUSDT", 1), kReceived);
  ingest.set_routes({{"AUSDT", {ShardId(1)}}, {"CUSDT", {ShardId(1)}}});
  EXPECT_EQ(ingest.symbols(), (std::vector<std::string>{"AUSDT", "CUSDT"}));
  ingest.on_message(frame("AUSDT", 1), kReceived);  // a duplicate still
  ingest.on_message(frame("AUSDT", 2), kReceived);
  ingest.on_message(frame("BUSDT", 1), kReceived);  // no longer subscribed
  f.group->stop();
  EXPECT_EQ(f.shards[0]->trades, (std::vector<std::string>{"AUSDT:1"}));
  EXPECT_EQ(f.shards[1]->trades, (std::vector<std::string>{"AUSDT:2"}));
  EXPECT_EQ(ingest.unknown_symbol_messages(), 1u);
  EXPECT_EQ(ingest.symbol_counters()[0].counters->duplicates_total.load(), 1u);
}

TEST(FeedIngest, TicksReachEveryShard) {
  Fixture f(2);
  FeedIngest ingest({}, *f.group, nullptr, {}, f.warn());
  ASSERT_TRUE(f.group->start());
  ingest.tick(5000);
  f.group->stop();
  EXPECT_EQ(f.shards[0]->clock_events, (std::vector<std::int64_t>{5000}));
  EXPECT_EQ(f.shards[1]->clock_events, (std::vector<std::int64_t>{5000}));
}

// The backfill episode, its pages handed in by the test. The backfiller's
// own requests go nowhere (port 1) and its pages are discarded.
struct BackfillFixture : Fixture {
  explicit BackfillFixture(BackfillLimits limits = {}) : Fixture(1, 1024) {
    BackfillOptions options;
    options.endpoint = "http://127.0.0.1:1/fapi/v1/aggTrades";
    options.attempts = 1;
    backfiller = std::make_unique<TradeBackfiller>(options, [](BackfillPage) {});
    ingest = std::make_unique<FeedIngest>(std::vector<FeedIngest::SymbolRoute>{{"AUSDT", {ShardId(0)}},
                                                                              {"BUSDT", {ShardId(0)}}},
                                          *group, nullptr, std::vector<std::pair<std::string, std::int64_t>>{}, warn());
    ingest->set_backfiller(backfiller.get(), limits);
    EXPECT_TRUE(group->start());
  }
  ~BackfillFixture() { backfiller->stop(); }
  void live(const std::string& symbol, std::int64_t id) { ingest->on_message(frame(symbol, id), kReceived); }
  void page(std::uint64_t job, const std::string& symbol, std::vector<std::pair<std::int64_t, std::int64_t>> id_times,
            bool last, Status status = Status::ok()) {
    BackfillPage p;
    p.job = job;
    p.symbol = Symbol(symbol);
    for (const auto& [id, time_ms] : id_times) {
      AggTrade trade;
      trade.symbol = Symbol(symbol);
      trade.agg_trade_id = id;
      trade.price = 1;
      trade.transact_time_ms = time_ms;
      p.trades.push_back(trade);
    }
    p.last = last;
    p.status = std::move(status);
    ingest->on_backfill_page(std::move(p));
  }
  const SymbolFeedCounters& counters(std::size_t symbol) { return *ingest->symbol_counters()[symbol].counters; }
  std::vector<std::string> delivered() {
    group->stop();
    return shards[0]->trades;
  }
  std::unique_ptr<TradeBackfiller> backfiller;
  std::unique_ptr<FeedIngest> ingest;
};

constexpr std::int64_t kT = 1'700'000'000'000;

TEST(FeedIngestBackfill, AGapHoldsEveryLiveTradeAndTickUntilTheMissingIdsArriveThenAllGoInIdOrder) {
  BackfillFixture f;
  f.live("AUSDT", 10);
  f.live("BUSDT", 50);
  f.live("AUSDT", 11);
  f.live("AUSDT", 15);  // 12..14 missing: job 1
  f.live("BUSDT", 51);
  f.live("AUSDT", 16);
  f.live("AUSDT", 16);  // a repeat while held
  f.ingest->tick(kT + 100);
  EXPECT_EQ(f.ingest->held_trades(), 3u);
  f.page(1, "AUSDT", {{12, kT - 30}, {13, kT - 20}}, false);
  EXPECT_EQ(f.ingest->held_trades(), 3u);
  f.page(1, "AUSDT", {{14, kT - 10}}, true);
  EXPECT_EQ(f.ingest->held_trades(), 0u);
  f.ingest->tick(kT + 200);
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:10", "BUSDT:50", "AUSDT:11", "AUSDT:12", "AUSDT:13",
                                                     "AUSDT:14", "AUSDT:15", "BUSDT:51", "AUSDT:16"}));
  EXPECT_EQ(f.shards[0]->clock_events, (std::vector<std::int64_t>{kT + 200}));  // none while held
  const SymbolFeedCounters& a = f.counters(0);
  EXPECT_EQ(a.backfills_total.load(), 1u);
  EXPECT_EQ(a.backfilled_trades_total.load(), 3u);
  EXPECT_EQ(a.backfills_incomplete_total.load(), 0u);
  EXPECT_EQ(a.gaps_total.load(), 0u);
  EXPECT_EQ(a.missing_trades_total.load(), 0u);
  EXPECT_EQ(a.duplicates_total.load(), 1u);
  EXPECT_EQ(a.trades_total.load(), 7u);
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_EQ(f.warnings[0], "AUSDT: aggregate trade id gap, 3 missing (12..14); backfilling from "
                           "http://127.0.0.1:1/fapi/v1/aggTrades");
  EXPECT_EQ(f.warnings[1], "AUSDT: backfilled 3 of 3 missing trades");
}

TEST(FeedIngestBackfill, GapsOfSeveralSymbolsAreMergedByTimeBeforeTheHeldTrades) {
  BackfillFixture f;
  f.live("AUSDT", 10);
  f.live("BUSDT", 50);
  f.live("AUSDT", 13);  // job 1: 11..12
  f.live("BUSDT", 53);  // job 2: 51..52
  f.page(2, "BUSDT", {{51, kT - 400}, {52, kT - 200}}, true);
  EXPECT_EQ(f.ingest->held_trades(), 2u);  // job 1 still runs
  f.page(1, "AUSDT", {{11, kT - 300}, {12, kT - 100}}, true);
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:10", "BUSDT:50", "BUSDT:51", "AUSDT:11", "BUSDT:52",
                                                     "AUSDT:12", "AUSDT:13", "BUSDT:53"}));
  EXPECT_EQ(f.counters(0).backfilled_trades_total.load() + f.counters(1).backfilled_trades_total.load(), 4u);
}

TEST(FeedIngestBackfill, WhatTheVenueCouldNotGiveStaysMissingAndCounted) {
  BackfillFixture f;
  f.live("AUSDT", 10);
  f.live("AUSDT", 15);
  f.page(1, "AUSDT", {{11, kT}, {13, kT}, {99, kT}, {12, kT}}, false);  // 99 is outside the gap, 12 out of order
  f.page(1, "AUSDT", {}, true, Status::error("HTTP 500"));
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:10", "AUSDT:11", "AUSDT:13", "AUSDT:15"}));
  const SymbolFeedCounters& a = f.counters(0);
  EXPECT_EQ(a.backfilled_trades_total.load(), 2u);
  EXPECT_EQ(a.backfills_incomplete_total.load(), 1u);
  EXPECT_EQ(a.gaps_total.load(), 2u);  // 12 and 14
  EXPECT_EQ(a.missing_trades_total.load(), 2u);
  EXPECT_NE(std::find(f.warnings.begin(), f.warnings.end(), "AUSDT: backfill ended early: HTTP 500"), f.warnings.end());
  EXPECT_NE(std::find(f.warnings.begin(), f.warnings.end(), "AUSDT: backfilled 2 of 4 missing trades; the rest stay missing"),
            f.warnings.end());
}

TEST(FeedIngestBackfill, ALongGapIsFetchedForItsLastIdsOnly) {
  BackfillLimits limits;
  limits.max_trades_per_gap = 2;
  BackfillFixture f(limits);
  f.live("AUSDT", 10);
  f.live("AUSDT", 21);  // 11..20 missing; 19..20 asked
  f.page(1, "AUSDT", {{19, kT}, {20, kT}}, true);
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:10", "AUSDT:19", "AUSDT:20", "AUSDT:21"}));
  EXPECT_EQ(f.counters(0).missing_trades_total.load(), 8u);
  EXPECT_EQ(f.counters(0).backfills_incomplete_total.load(), 1u);
  EXPECT_NE(f.warnings[0].find("10 missing (11..20); backfilling the last 2 (feed.backfill.max_trades_per_gap)"),
            std::string::npos) << f.warnings[0];
}

TEST(FeedIngestBackfill, TheHoldEndsAfterMaxHoldMsOrMaxHeldTradesAndLatePagesAreIgnored) {
  BackfillLimits limits;
  limits.max_hold_ms = 1000;
  limits.max_held_trades = 3;
  BackfillFixture f(limits);
  f.live("AUSDT", 10);
  f.live("AUSDT", 13);
  f.ingest->tick(kReceived / 1'000'000 + 1000);  // not past it yet
  EXPECT_EQ(f.ingest->held_trades(), 1u);
  f.ingest->tick(kReceived / 1'000'000 + 1001);
  EXPECT_EQ(f.ingest->held_trades(), 0u);
  f.page(1, "AUSDT", {{11, kT}, {12, kT}}, true);  // too late
  f.live("AUSDT", 20);                             // job 2: 14..19
  f.live("AUSDT", 21);
  f.live("AUSDT", 22);
  f.live("AUSDT", 23);  // the fourth held trade ends the hold
  EXPECT_EQ(f.ingest->held_trades(), 0u);
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:10", "AUSDT:13", "AUSDT:20", "AUSDT:21", "AUSDT:22",
                                                     "AUSDT:23"}));
  EXPECT_EQ(f.counters(0).missing_trades_total.load(), 2u + 6u);
  EXPECT_EQ(f.counters(0).backfills_total.load(), 2u);
  EXPECT_EQ(f.counters(0).backfills_incomplete_total.load(), 2u);
}

TEST(FeedIngestBackfill, FileAndReplayTradesAreNeverHeld) {
  BackfillFixture f;
  AggTrade trade;
  trade.symbol = Symbol("AUSDT");
  trade.price = 1;
  trade.transact_time_ms = kT;
  for (std::int64_t id : {1, 2, 5}) {
    trade.agg_trade_id = id;
    f.ingest->accept(trade, true);
  }
  EXPECT_EQ(f.ingest->held_trades(), 0u);
  EXPECT_EQ(f.delivered(), (std::vector<std::string>{"AUSDT:1", "AUSDT:2", "AUSDT:5"}));
  EXPECT_EQ(f.counters(0).gaps_total.load(), 1u);
  EXPECT_EQ(f.counters(0).backfills_total.load(), 0u);
}

}  // namespace
}  // namespace alphastream
