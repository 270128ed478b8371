// TradeRecorder writes, TradeJournal reads back, in one process (one after
// the other: LMDB allows one open of a journal per process).
#include "storage/trade_journal.h"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "storage/journal_repair.h"
#include "storage/trade_recorder.h"
#include "storage_test_support.h"

namespace alphastream {
namespace {

using testing::numbered_trade;
using testing::same_trade;
using testing::TempDir;

constexpr auto kMinTime = std::numeric_limits<std::int64_t>::min();

struct Stored {
  AggTrade trade;
  std::uint64_t sequence = 0;
};

TradeRecorderOptions small_options(const std::string& path) {
  TradeRecorderOptions options;
  options.path = path;
  options.map_size_mb = 16;
  options.queue_capacity = 4096;
  options.flush_interval = std::chrono::milliseconds(5);
  return options;
}

std::unique_ptr<TradeRecorder> open_recorder(const TradeRecorderOptions& options) {
  Result<std::unique_ptr<TradeRecorder>> recorder = TradeRecorder::open(options);
  EXPECT_TRUE(recorder) << recorder.error();
  return recorder ? std::move(*recorder) : nullptr;
}

// Records trades and closes the recorder.
void record_all(const std::string& path, const std::vector<AggTrade>& trades) {
  std::unique_ptr<TradeRecorder> recorder = open_recorder(small_options(path));
  ASSERT_NE(recorder, nullptr);
  for (const AggTrade& trade : trades) ASSERT_TRUE(recorder->record(trade));
  ASSERT_TRUE(recorder->flush());
  EXPECT_EQ(recorder->stats().records_total, trades.size());
}

std::vector<Stored> read_range(const TradeJournal& journal, std::int64_t from_ms, std::int64_t to_ms) {
  std::vector<Stored> out;
  Result<std::unique_ptr<TradeJournalCursor>> cursor = journal.cursor(from_ms, to_ms);
  EXPECT_TRUE(cursor) << cursor.error();
  if (!cursor) return out;
  Stored stored;
  for (Result<bool> more = (*cursor)->next(stored.trade); more.is_ok() && *more;
       more = (*cursor)->next(stored.trade)) {
    stored.sequence = (*cursor)->sequence();
    out.push_back(stored);
  }
  return out;
}

std::unique_ptr<TradeJournal> open_journal(const std::string& path) {
  Result<std::unique_ptr<TradeJournal>> journal = TradeJournal::open(path);
  EXPECT_TRUE(journal) << journal.error();
  return journal ? std::move(*journal) : nullptr;
}

std::vector<std::int64_t> times_of(const std::vector<Stored>& stored) {
  std::vector<std::int64_t> out;
  for (const Stored& s : stored) out.push_back(s.trade.transact_time_ms);
  return out;
}

AggTrade trade_at(std::string_view symbol, std::int64_t agg_id, std::int64_t time_ms) {
  AggTrade trade = numbered_trade(static_cast<std::uint64_t>(agg_id));
  trade.symbol = Symbol(symbol);
  trade.agg_trade_id = agg_id;
  trade.transact_time_ms = time_ms;
  return trade;
}

TEST(TradeJournal, EveryFieldOfExtremeTradesComesBackUnchanged) {
  TempDir dir;
  AggTrade earliest;
  earliest.symbol = Symbol("ABCDEFGHIJKLMNOPQRSTUVW");
  earliest.agg_trade_id = std::numeric_limits<std::int64_t>::max();
  earliest.price = std::numeric_limits<double>::denorm_min();
  earliest.quantity = std::numeric_limits<double>::max();
  earliest.first_trade_id = kMinTime;
  earliest.last_trade_id = -1;
  earliest.transact_time_ms = kMinTime;
  earliest.event_time_ms = std::numeric_limits<std::int64_t>::max();
  earliest.receive_time_ns = kMinTime;
  earliest.is_buyer_maker = true;
  AggTrade latest = numbered_trade(7);
  latest.transact_time_ms = TradeJournal::kEndOfTime;
  latest.price = -0.0;
  const AggTrade usual = numbered_trade(1);
  record_all(dir.journal(), {latest, usual, earliest});

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  const std::vector<Stored> stored = read_range(*journal, kMinTime, TradeJournal::kEndOfTime);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_TRUE(same_trade(stored[0].trade, earliest));
  EXPECT_TRUE(same_trade(stored[1].trade, usual));
  EXPECT_TRUE(same_trade(stored[2].trade, latest));
  EXPECT_TRUE(std::signbit(stored[2].trade.price));
  EXPECT_EQ(stored[0].sequence, 2u);  // arrival order: latest, usual, earliest
  EXPECT_EQ(stored[1].sequence, 1u);
  EXPECT_EQ(stored[2].sequence, 0u);
}

TEST(TradeJournal, SameMillisecondTradesOfSeveralSymbolsAreAllKeptInArrivalOrder) {
  TempDir dir;
  const std::int64_t t = 1'717'200'000'000;
  const std::vector<AggTrade> arrivals = {
      trade_at("BTCUSDT", 500, t),    trade_at("ETHUSDT", 900, t), trade_at("BTCUSDT", 501, t),
      trade_at("SOLUSDT", 70, t),     trade_at("ETHUSDT", 901, t), trade_at("BTCUSDT", 502, t),
      trade_at("BTCUSDT", 502, t),  // an exact repeat: the recorder keeps what it is given
      trade_at("ETHUSDT", 899, t - 1)};
  record_all(dir.journal(), arrivals);

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  const std::vector<Stored> stored = read_range(*journal, t - 1, t + 1);
  ASSERT_EQ(stored.size(), 8u);
  EXPECT_TRUE(same_trade(stored[0].trade, arrivals[7]));  // the earlier millisecond first
  EXPECT_EQ(stored[0].sequence, 7u);
  for (std::size_t i = 1; i < stored.size(); ++i) {
    EXPECT_TRUE(same_trade(stored[i].trade, arrivals[i - 1])) << "position " << i;
    EXPECT_EQ(stored[i].sequence, i - 1);
  }
}

TEST(TradeJournal, RangesIncludeFromAndExcludeTo) {
  TempDir dir;
  record_all(dir.journal(),
             {trade_at("BTCUSDT", 1, 100), trade_at("BTCUSDT", 2, 100), trade_at("BTCUSDT", 3, 101),
              trade_at("BTCUSDT", 4, 102), trade_at("BTCUSDT", 5, 103)});
  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);

  using Times = std::vector<std::int64_t>;
  EXPECT_EQ(times_of(read_range(*journal, 101, 103)), (Times{101, 102}));
  EXPECT_EQ(times_of(read_range(*journal, 100, 101)), (Times{100, 100}));
  EXPECT_EQ(times_of(read_range(*journal, 103, 104)), (Times{103}));
  EXPECT_EQ(times_of(read_range(*journal, 99, 100)), Times{});
  EXPECT_EQ(times_of(read_range(*journal, 104, 1000)), Times{});
  EXPECT_EQ(times_of(read_range(*journal, 102, 102)), Times{});
  EXPECT_EQ(times_of(read_range(*journal, 103, 100)), Times{});
  EXPECT_EQ(times_of(read_range(*journal, kMinTime, TradeJournal::kEndOfTime)),
            (Times{100, 100, 101, 102, 103}));
  EXPECT_EQ(times_of(read_range(*journal, 102, TradeJournal::kEndOfTime)), (Times{102, 103}));
}

TEST(TradeJournal, ForEachStopsWhenVisitSaysSoAndCountsWhatItVisited) {
  TempDir dir;
  record_all(dir.journal(),
             {numbered_trade(0), numbered_trade(1), numbered_trade(2), numbered_trade(3), numbered_trade(4)});
  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);

  std::vector<std::int64_t> ids;
  Result<std::uint64_t> visited =
      journal->for_each(kMinTime, TradeJournal::kEndOfTime, [&](const AggTrade& trade) {
        ids.push_back(trade.agg_trade_id);
        return ids.size() < 2;
      });
  ASSERT_TRUE(visited) << visited.error();
  EXPECT_EQ(*visited, 2u);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2}));

  // numbered_trade(4) is the only one in the second millisecond.
  visited = journal->for_each(numbered_trade(4).transact_time_ms, TradeJournal::kEndOfTime,
                              [](const AggTrade&) { return true; });
  ASSERT_TRUE(visited) << visited.error();
  EXPECT_EQ(*visited, 1u);
}

TEST(TradeJournal, ACursorPastItsEndKeepsSayingSo) {
  TempDir dir;
  record_all(dir.journal(), {numbered_trade(0)});
  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  Result<std::unique_ptr<TradeJournalCursor>> cursor = journal->cursor(kMinTime, TradeJournal::kEndOfTime);
  ASSERT_TRUE(cursor) << cursor.error();
  AggTrade trade;
  EXPECT_TRUE(*(*cursor)->next(trade));
  EXPECT_FALSE(*(*cursor)->next(trade));
  EXPECT_FALSE(*(*cursor)->next(trade));
}

TEST(TradeJournal, SequenceAndSymbolSummariesContinueAfterTheRecorderIsReopened) {
  TempDir dir;
  record_all(dir.journal(),
             {trade_at("BTCUSDT", 10, 5000), trade_at("ETHUSDT", 20, 5001), trade_at("BTCUSDT", 11, 5002)});
  {
    std::unique_ptr<TradeRecorder> recorder = open_recorder(small_options(dir.journal()));
    ASSERT_NE(recorder, nullptr);
    const JournalSummary& before = recorder->summary_at_open();
    EXPECT_EQ(before.trade_count, 3u);
    EXPECT_EQ(before.next_sequence, 3u);
    ASSERT_EQ(before.symbols.size(), 2u);
    EXPECT_EQ(before.symbols[0].symbol.view(), "BTCUSDT");
    EXPECT_EQ(before.symbols[0].last_agg_trade_id, 11);
    EXPECT_EQ(before.symbols[1].symbol.view(), "ETHUSDT");
    EXPECT_EQ(before.symbols[1].last_agg_trade_id, 20);
    // A late trade: it sorts first by time but takes the next sequence.
    ASSERT_TRUE(recorder->record(trade_at("ETHUSDT", 21, 4999)));
    ASSERT_TRUE(recorder->record(trade_at("BTCUSDT", 12, 5003)));
  }

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  const std::vector<Stored> stored = read_range(*journal, kMinTime, TradeJournal::kEndOfTime);
  std::vector<std::uint64_t> sequences;
  for (const Stored& s : stored) sequences.push_back(s.sequence);
  EXPECT_EQ(sequences, (std::vector<std::uint64_t>{3, 0, 1, 2, 4}));

  const Result<JournalSummary> summary = journal->summary();
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->trade_count, 5u);
  EXPECT_EQ(summary->next_sequence, 5u);
  EXPECT_EQ(summary->first_transact_time_ms, 4999);
  EXPECT_EQ(summary->last_transact_time_ms, 5003);
  ASSERT_EQ(summary->symbols.size(), 2u);
  const SymbolSummary& btc = summary->symbols[0];
  EXPECT_EQ(btc.symbol.view(), "BTCUSDT");
  EXPECT_EQ(btc.trade_count, 3u);
  EXPECT_EQ(btc.first_transact_time_ms, 5000);
  EXPECT_EQ(btc.last_transact_time_ms, 5003);
  EXPECT_EQ(btc.last_agg_trade_id, 12);
  const SymbolSummary& eth = summary->symbols[1];
  EXPECT_EQ(eth.symbol.view(), "ETHUSDT");
  EXPECT_EQ(eth.trade_count, 2u);
  EXPECT_EQ(eth.first_transact_time_ms, 4999);
  EXPECT_EQ(eth.last_transact_time_ms, 5001);
  EXPECT_EQ(eth.last_agg_trade_id, 21);
}

TEST(TradeRecorder, AFullMapDisablesRecordingKeepsEarlierTradesAndCountsTheRestAsErrors) {
  TempDir dir;
  std::vector<std::string> reported;
  TradeRecorderOptions options = small_options(dir.journal());
  options.map_size_mb = 1;
  options.max_batch = 500;
  options.on_error = [&](std::string_view message) { reported.emplace_back(message); };
  std::unique_ptr<TradeRecorder> recorder = open_recorder(options);
  ASSERT_NE(recorder, nullptr);

  std::uint64_t accepted = 0;
  Status flushed;
  // The map's usage, as /metrics shows it, climbs towards its size first.
  EXPECT_EQ(recorder->stats().map_size_bytes, 1u << 20);
  std::uint64_t used = recorder->stats().map_used_bytes;
  EXPECT_GT(used, 0u);  // the meta pages of a fresh journal
  for (int round = 0; round < 100 && flushed.is_ok(); ++round) {
    for (int i = 0; i < 500; ++i) accepted += recorder->record(numbered_trade(accepted)) ? 1 : 0;
    flushed = recorder->flush();
    const std::uint64_t now = recorder->stats().map_used_bytes;
    EXPECT_GE(now, used);
    EXPECT_LE(now, 1u << 20);
    used = now;
  }
  ASSERT_FALSE(flushed) << "1 MB holds far fewer than 50000 trades";
  EXPECT_GT(used, (1u << 20) / 2) << "the last usage seen before the map filled";
  EXPECT_EQ(flushed.message().rfind("trade journal " + dir.journal() + ": mdb_", 0), 0u) << flushed.message();
  EXPECT_NE(flushed.message().find("MDB_MAP_FULL"), std::string::npos) << flushed.message();
  EXPECT_NE(flushed.message().find("map_size_mb=1"), std::string::npos) << flushed.message();
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0], flushed.message());

  TradeRecorderStats stats = recorder->stats();
  EXPECT_TRUE(stats.disabled);
  EXPECT_GT(stats.records_total, 0u);
  EXPECT_EQ(stats.records_total + stats.errors_total, accepted);
  EXPECT_EQ(stats.dropped_total, 0u);

  // The service keeps calling record(): refused, counted, nothing else.
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(recorder->record(numbered_trade(accepted + i)));
  EXPECT_FALSE(recorder->flush());
  EXPECT_EQ(recorder->stats().errors_total, stats.errors_total + 100);
  EXPECT_EQ(reported.size(), 1u) << "reported once";
  const std::uint64_t committed = stats.records_total;
  recorder.reset();

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  const std::vector<Stored> stored = read_range(*journal, kMinTime, TradeJournal::kEndOfTime);
  ASSERT_EQ(stored.size(), committed);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    ASSERT_TRUE(same_trade(stored[i].trade, numbered_trade(i))) << "trade " << i;
  }
  const Result<JournalSummary> summary = journal->summary();
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->next_sequence, committed);
  ASSERT_EQ(summary->symbols.size(), 1u);
  EXPECT_EQ(summary->symbols[0].last_agg_trade_id, static_cast<std::int64_t>(committed));
}

// The flush interval on a manual clock: a lone trade waits while the clock
// stands still, however long real time runs, and is committed once the
// clock passes the interval.
TEST(TradeRecorder, APartialBatchIsCommittedAfterTheFlushIntervalWithoutAFlush) {
  TempDir dir;
  ManualClock clock;
  TradeRecorderOptions options = small_options(dir.journal());
  options.flush_interval = std::chrono::milliseconds(50);
  options.clock = &clock;
  std::unique_ptr<TradeRecorder> recorder = open_recorder(options);
  ASSERT_NE(recorder, nullptr);
  ASSERT_TRUE(recorder->record(numbered_trade(0)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(recorder->stats().records_total, 0u) << "committed before the interval";
  clock.advance(std::chrono::milliseconds(50));
  for (int waited_ms = 0; waited_ms < 5000 && recorder->stats().records_total == 0; ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(recorder->stats().records_total, 1u);
  EXPECT_EQ(recorder->stats().commits_total, 1u);
}

TEST(TradeJournal, AJournalOpensOncePerProcess) {
  TempDir dir;
  std::unique_ptr<TradeRecorder> recorder = open_recorder(small_options(dir.journal()));
  ASSERT_NE(recorder, nullptr);

  const Result<std::unique_ptr<TradeJournal>> journal = TradeJournal::open(dir.journal());
  ASSERT_FALSE(journal);
  EXPECT_NE(journal.error().find("trade journal " + dir.journal() + ": already open in this process"),
            std::string::npos)
      << journal.error();
  // The same directory by another spelling is still the same journal.
  const Result<std::unique_ptr<TradeRecorder>> second =
      TradeRecorder::open(small_options(dir.path() + "/./journal"));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("already open in this process"), std::string::npos) << second.error();

  recorder.reset();
  EXPECT_NE(open_journal(dir.journal()), nullptr);
}

TEST(TradeJournal, OpeningWhereNothingWasRecordedNamesThePath) {
  TempDir dir;
  const Result<std::unique_ptr<TradeJournal>> missing = TradeJournal::open(dir.journal("missing"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(),
            "trade journal " + dir.journal("missing") + ": no such directory (nothing was recorded there)");

  const Result<std::unique_ptr<TradeJournal>> empty = TradeJournal::open(dir.path());
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(),
            "trade journal " + dir.path() + ": no data.mdb in the directory (nothing was recorded there)");
}

TEST(TradeRecorder, UnusableOptionsAreRejectedBeforeAnythingIsCreated) {
  TempDir dir;
  TradeRecorderOptions options = small_options(dir.journal());
  options.max_batch = 0;
  const Result<std::unique_ptr<TradeRecorder>> recorder = TradeRecorder::open(options);
  ASSERT_FALSE(recorder);
  EXPECT_TRUE(recorder.status().is_invalid_input());
  EXPECT_EQ(recorder.error(), "trade recorder " + dir.journal() + ": max_batch must be positive");
  EXPECT_FALSE(std::filesystem::exists(dir.journal()));
}

// Rewrites byte `offset` of the stored value of sequence `sequence` with plain LMDB.
void corrupt_value(const std::string& path, std::int64_t time_ms, std::uint64_t sequence, std::size_t offset,
                   std::uint8_t byte) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 2), 0);
  ASSERT_EQ(mdb_env_open(env, path.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi trades;
  ASSERT_EQ(mdb_dbi_open(txn, "trades", 0, &trades), 0);
  TradeKeyBytes key_bytes = encode_trade_key({time_ms, sequence});
  MDB_val key{key_bytes.size(), key_bytes.data()};
  MDB_val value;
  ASSERT_EQ(mdb_get(txn, trades, &key, &value), 0);
  std::vector<std::uint8_t> bytes(static_cast<std::uint8_t*>(value.mv_data),
                                  static_cast<std::uint8_t*>(value.mv_data) + value.mv_size);
  bytes[offset] = byte;
  value = MDB_val{bytes.size(), bytes.data()};
  ASSERT_EQ(mdb_put(txn, trades, &key, &value, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(TradeJournal, ARecordOfAnotherVersionStopsTheReadWithItsKey) {
  TempDir dir;
  record_all(dir.journal(), {numbered_trade(0), numbered_trade(1)});
  const std::int64_t time_ms = numbered_trade(1).transact_time_ms;
  corrupt_value(dir.journal(), time_ms, 1, 0, 9);

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  std::uint64_t visits = 0;
  const Result<std::uint64_t> visited =
      journal->for_each(kMinTime, TradeJournal::kEndOfTime, [&](const AggTrade&) {
        ++visits;
        return true;
      });
  ASSERT_FALSE(visited);
  EXPECT_EQ(visits, 1u);
  EXPECT_EQ(visited.error(),
            "trade journal " + dir.journal() + ": key (transact_time_ms=" + std::to_string(time_ms) +
                ", sequence=1): trade record has format version 9, this build reads version 1");
}

TEST(TradeJournal, ARecordWhoseTimeDisagreesWithItsKeyIsRejected) {
  TempDir dir;
  record_all(dir.journal(), {numbered_trade(0)});
  const std::int64_t time_ms = numbered_trade(0).transact_time_ms;
  corrupt_value(dir.journal(), time_ms, 0, 66,
                static_cast<std::uint8_t>(time_ms + 1));  // low byte of the time

  std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
  ASSERT_NE(journal, nullptr);
  const Result<std::uint64_t> visited =
      journal->for_each(kMinTime, TradeJournal::kEndOfTime, [](const AggTrade&) { return true; });
  ASSERT_FALSE(visited);
  EXPECT_EQ(visited.error(),
            "trade journal " + dir.journal() + ": key (transact_time_ms=" + std::to_string(time_ms) +
                ", sequence=0): the record says transact_time_ms=" + std::to_string(time_ms + 1));
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

// drop_journal_records: the records named go, one missing key is skipped,
// every symbol's summary is recomputed from what is left, and a symbol with
// nothing left has no summary; the next recorder continues the sequence.
TEST(JournalRepair, DroppedRecordsAreGoneAndTheSummariesRecomputed) {
  TempDir dir;
  std::vector<AggTrade> trades;
  for (std::uint64_t i = 0; i < 6; ++i) trades.push_back(numbered_trade(i));
  trades[3].agg_trade_id = 900'000'000'000;  // poisoned
  AggTrade lone = numbered_trade(6);
  lone.symbol = Symbol("ETHUSDT");
  trades.push_back(lone);
  record_all(dir.journal(), trades);

  // Keys: (transact time, sequence in arrival order).
  const std::vector<TradeKey> drop = {{trades[3].transact_time_ms, 3},
                                      {lone.transact_time_ms, 6},
                                      {trades[0].transact_time_ms, 99}};  // no such record
  const Result<JournalRepair> repair = drop_journal_records(dir.journal(), drop);
  ASSERT_TRUE(repair) << repair.error();
  EXPECT_EQ(repair->dropped, 2u);
  ASSERT_EQ(repair->before.size(), 2u);
  EXPECT_EQ(repair->before[0].symbol, Symbol("BTCUSDT"));
  EXPECT_EQ(repair->before[0].last_agg_trade_id, 900'000'000'000);
  ASSERT_EQ(repair->after.size(), 1u);
  EXPECT_EQ(repair->after[0].trade_count, 5u);
  EXPECT_EQ(repair->after[0].last_agg_trade_id, 6);

  {
    std::unique_ptr<TradeJournal> journal = open_journal(dir.journal());
    ASSERT_NE(journal, nullptr);
    const Result<JournalSummary> summary = journal->summary();
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->trade_count, 5u);
    EXPECT_EQ(summary->next_sequence, 7u);  // sequences are never reused
    ASSERT_EQ(summary->symbols.size(), 1u);
    EXPECT_EQ(summary->symbols[0].last_agg_trade_id, 6);
    std::vector<std::int64_t> ids;
    for (const Stored& s : read_range(*journal, kMinTime, TradeJournal::kEndOfTime)) {
      ids.push_back(s.trade.agg_trade_id);
    }
    EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3, 5, 6}));
  }
  std::unique_ptr<TradeRecorder> recorder = open_recorder(small_options(dir.journal()));
  ASSERT_NE(recorder, nullptr);
  EXPECT_EQ(recorder->summary_at_open().next_sequence, 7u);
}

TEST(JournalRepair, ANamedPathWithNoJournalIsRefused) {
  TempDir dir;
  const Result<JournalRepair> repair = drop_journal_records(dir.journal("nothing-here"), {});
  ASSERT_FALSE(repair);
  EXPECT_NE(repair.error().find("nothing-here: no data.mdb there"), std::string::npos) << repair.error();
  EXPECT_FALSE(std::filesystem::exists(dir.journal("nothing-here")));
}

}  // namespace
}  // namespace alphastream
