#include "service/shard_book.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "book/model_factory.h"
#include "core/clock.h"
#include "service/model_gauges.h"

namespace alphastream {
namespace {

ModelConfig model(const std::string& plugin, std::vector<ModelParam> params = {}) {
  ModelConfig config;
  config.plugin = plugin;
  config.params = std::move(params);
  config.location = "live.yaml:5: pairs[0].model.plugin";
  config.label = plugin;
  return config;
}

// A pair on OLS with a 3-observation window, sampled every second.
PairModelRun make_pair(ModelFactory& factory, const std::string& name, const std::string& y, const std::string& x) {
  auto created = factory.create(model("ols", {{"window", 3, false, "3", "live.yaml:6: window"}}), AS_MODEL_PAIR, name);
  EXPECT_TRUE(created) << created.error();
  PairSpec spec{name, Symbol(y), Symbol(x), SamplingConfig{}, ZScoreConfig{}, CostConfig{}, StationarityConfig{}};
  PairModelRun pair{"ols", std::make_unique<PairPipeline>(std::move(spec), std::move(created.value())), nullptr};
  pair.set_sink(std::make_shared<PairGauges>(*pair.pipeline, "ols"));
  return pair;
}

SymbolModelRun make_symbol_model(ModelFactory& factory, const std::string& symbol) {
  auto created = factory.create(model("microstructure"), AS_MODEL_SYMBOL, symbol);
  EXPECT_TRUE(created) << created.error();
  SymbolModelRun live{"microstructure",
                      std::make_unique<SymbolPipeline>(SymbolSpec{Symbol(symbol), SamplingConfig{}},
                                                       std::move(created.value())),
                      nullptr};
  live.set_sink(std::make_shared<SymbolGauges>(*live.pipeline, "microstructure"));
  return live;
}

const PairGauges& pair_gauges(const ShardBook& book, std::size_t i) {
  return static_cast<const PairGauges&>(*book.book().pairs()[i].sink);
}

const SymbolGauges& symbol_gauges(const ShardBook& book, std::size_t i) {
  return static_cast<const SymbolGauges&>(*book.book().symbol_models()[i].sink);
}

ShardEvent trade(const std::string& symbol, std::int64_t id, double price, std::int64_t time_ms,
                 std::int64_t receive_ns = 0) {
  AggTrade t;
  t.symbol = Symbol(symbol);
  t.agg_trade_id = id;
  t.first_trade_id = t.last_trade_id = id;
  t.price = price;
  t.quantity = 1;
  t.transact_time_ms = t.event_time_ms = time_ms;
  t.receive_time_ns = receive_ns;
  return ShardEvent::of_trade(t, time_ms);
}

TEST(ShardBook, EachTradeReachesThePairsThatUseItsSymbolAndNoOthers) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  book.book().add_pair(make_pair(factory, "c-b", "CUSDT", "BUSDT"));
  // Second 0: every leg trades; the first trade of second 1 closes it.
  book.on_event(trade("AUSDT", 1, 10, 100));
  book.on_event(trade("BUSDT", 1, 5, 200));
  book.on_event(trade("CUSDT", 1, 20, 300));
  book.on_event(trade("BUSDT", 2, 5.5, 1100));
  EXPECT_EQ(pair_gauges(book, 0).observations(), 1u);  // a-b: (ts 1000, x 5, y 10)
  EXPECT_EQ(pair_gauges(book, 1).observations(), 1u);
  book.on_event(trade("ZUSDT", 1, 1, 1200));
  EXPECT_EQ(book.trades_routed(), 4u);
  EXPECT_EQ(book.trades_unrouted(), 1u);
}

TEST(ShardBook, AClockEventClosesIntervalsOnlyAfterTheGraceDelay) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  book.on_event(trade("AUSDT", 1, 10, 100));
  book.on_event(trade("BUSDT", 1, 5, 200));
  // The interval [0, 1000) ends at 1000; with 250 ms of grace it closes at 1250.
  book.on_event(ShardEvent::of_clock(1249));
  EXPECT_EQ(pair_gauges(book, 0).observations(), 0u);
  book.on_event(ShardEvent::of_clock(1250));
  EXPECT_EQ(pair_gauges(book, 0).observations(), 1u);
  book.on_event(ShardEvent::of_clock(3250));  // forward fill: [1000, 2000) and [2000, 3000)
  EXPECT_EQ(pair_gauges(book, 0).observations(), 3u);
  EXPECT_EQ(pair_gauges(book, 0).last_row_time_s(), 3.0);
}

TEST(ShardBook, TheClockRunsAtMostAMinuteAheadOfTheLatestTrade) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  book.on_event(ShardEvent::of_clock(1'000'000));  // no trade yet: nothing to close
  book.on_event(trade("AUSDT", 1, 10, 100));
  book.on_event(trade("BUSDT", 1, 5, 200));
  // Exchange times far behind the local clock: a year of intervals would be
  // filled; the clock stops 60 s past the latest trade instead.
  book.on_event(ShardEvent::of_clock(365LL * 24 * 3600 * 1000));
  EXPECT_EQ(pair_gauges(book, 0).observations(), 60u);  // [0, 1 s) .. [59 s, 60 s)
  EXPECT_EQ(pair_gauges(book, 0).last_row_time_s(), 60.0);
}

TEST(ShardBook, TickToSignalIsMeasuredOnlyForLiveTradesThatProducedARow) {
  ModelFactory factory(PLUGIN_DIR);
  ManualClock clock;
  ShardBook book(250, clock);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  const std::int64_t received_ns = clock.wall_ns() - 1'500'000;  // 1.5 ms before the book sees it
  book.on_event(trade("AUSDT", 1, 10, 100, received_ns));  // no row yet
  book.on_event(trade("BUSDT", 1, 5, 200));
  book.on_event(trade("AUSDT", 2, 10, 1100));  // a row, but a replayed trade: no receive time
  EXPECT_EQ(book.tick_to_signal().snapshot().count, 0u);
  book.on_event(trade("AUSDT", 3, 10, 2100, received_ns));  // a row from a live trade
  const LatencyHistogram::Snapshot latency = book.tick_to_signal().snapshot();
  EXPECT_EQ(latency.count, 1u);
  // Read off the manual clock: exactly the 1.5 ms, up to the sum's rounding.
  EXPECT_NEAR(latency.sum_s, 0.0015, 1e-12);
}

TEST(ShardBook, RemovingAPairStopsItsRoutesAndKeepsTheOthers) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  book.book().add_pair(make_pair(factory, "c-d", "CUSDT", "DUSDT"));
  book.book().add_symbol_model(make_symbol_model(factory, "AUSDT"));
  EXPECT_EQ(book.book().remove_pair("a-b"), 1u);
  EXPECT_EQ(book.book().remove_pair("a-b"), 0u);
  ASSERT_EQ(book.book().pairs().size(), 1u);
  EXPECT_EQ(book.book().pairs()[0].pipeline->spec().name, "c-d");
  book.on_event(trade("BUSDT", 1, 5, 100));  // only a-b used it
  EXPECT_EQ(book.trades_unrouted(), 1u);
  book.on_event(trade("AUSDT", 1, 5, 100));  // the symbol model still takes A
  EXPECT_EQ(book.trades_routed(), 1u);
  EXPECT_EQ(book.book().symbol_models()[0].pipeline->trades(), 1u);
  EXPECT_EQ(book.book().remove_symbol_models("AUSDT"), 1u);
  book.on_event(trade("AUSDT", 2, 5, 200));
  EXPECT_EQ(book.trades_unrouted(), 2u);
}

// A file source's end: the interval still open ([2000, 3000), which no later
// trade or clock closes) becomes the last row of every pipeline, pair and
// symbol alike, as at the end of a backtest.
TEST(ShardBook, FinishingTheDataClosesTheOpenIntervalOfEveryPipeline) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  book.book().add_symbol_model(make_symbol_model(factory, "AUSDT"));
  std::int64_t id = 1;
  for (int second = 0; second < 3; ++second) {
    book.on_event(trade("BUSDT", id, 10 + second, second * 1000 + 10));
    book.on_event(trade("AUSDT", id, 20 + second, second * 1000 + 20));
    ++id;
  }
  const PairGauges& pair = pair_gauges(book, 0);
  const SymbolGauges& symbol = symbol_gauges(book, 0);
  EXPECT_EQ(pair.observations(), 2u);
  EXPECT_EQ(pair.last_row_time_s(), 2.0);
  EXPECT_EQ(symbol.rows(), 2u);

  book.finish_data();
  EXPECT_EQ(pair.observations(), 3u);
  EXPECT_EQ(pair.last_row_time_s(), 3.0);
  EXPECT_EQ(symbol.rows(), 3u);
  // Nothing is left open: finishing again emits nothing.
  book.finish_data();
  EXPECT_EQ(pair.observations(), 3u);
  EXPECT_EQ(symbol.rows(), 3u);
}

TEST(ShardBook, GaugesHoldTheLatestRowAndCountSignals) {
  ModelFactory factory(PLUGIN_DIR);
  ShardBook book(250);
  book.book().add_pair(make_pair(factory, "a-b", "AUSDT", "BUSDT"));
  std::int64_t id = 1;
  // y = 2x exactly: OLS beta 2, alpha 0 once the window of 3 fills.
  for (int second = 0; second < 5; ++second) {
    const double x = 10 + second;
    book.on_event(trade("BUSDT", id, x, second * 1000 + 10));
    book.on_event(trade("AUSDT", id, 2 * x, second * 1000 + 20));
    ++id;
  }
  book.on_event(ShardEvent::of_clock(5250));  // closes [4000, 5000)
  const PairGauges& gauges = pair_gauges(book, 0);
  EXPECT_EQ(gauges.observations(), 5u);
  EXPECT_NEAR(gauges.beta(), 2.0, 1e-9);
  EXPECT_NEAR(gauges.alpha(), 0.0, 1e-7);
  EXPECT_EQ(gauges.position(), 0);
  EXPECT_EQ(gauges.signals(SignalKind::kEnterLong), 0u);
  EXPECT_EQ(gauges.plugin(), "ols");
  ASSERT_GE(gauges.outputs().size(), 2u);
  EXPECT_EQ(gauges.outputs().name(0), "beta");
  EXPECT_NEAR(gauges.outputs().value(0), 2.0, 1e-9);
}

}  // namespace
}  // namespace alphastream
