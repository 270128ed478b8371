// Proves the live hot path allocates nothing per trade once warm: a frame
// parsed and sequenced on the I/O thread, queued, and run through four
// models on a shard (OLS, Kalman and Huber pairs, a microstructure symbol
// model), rows published to the gauges. The counting operator new sees every
// thread and the dlopened plugins, so this binary stays on its own.
#include <gtest/gtest.h>

#include <string>

#include "book/model_factory.h"
#include "counting_new.h"
#include "simulator/agg_trade_frame.h"
#include "service/feed_ingest.h"
#include "service/model_gauges.h"
#include "service/shard_book.h"

namespace alphastream {
namespace {

ModelConfig model(const std::string& plugin) {
  ModelConfig config;
  config.plugin = plugin;
  config.location = "live.yaml:1: model";
  config.label = plugin;
  return config;
}

std::string frame(const char* symbol, std::int64_t id, double price, std::int64_t time_ms) {
  AggTrade trade;
  trade.symbol = Symbol(symbol);
  trade.agg_trade_id = id;
  trade.price = price;
  trade.quantity = 0.5;
  trade.first_trade_id = id;
  trade.last_trade_id = id;
  trade.transact_time_ms = time_ms;
  trade.event_time_ms = time_ms;
  trade.is_buyer_maker = id % 3 == 0;
  std::string text;
  append_agg_trade_frame(text, trade, {.price = 2});
  return text;
}

TEST(HotPathAllocation, ATradeFromFrameToModelsAllocatesNothing) {
  ModelFactory factory(PLUGIN_DIR);
  auto book = std::make_unique<ShardBook>(250);
  ShardBook* shard_book = book.get();
  for (const char* plugin : {"ols", "kalman", "huber"}) {
    auto created = factory.create(model(plugin), AS_MODEL_PAIR, plugin);
    ASSERT_TRUE(created) << created.error();
    PairSpec spec{std::string("a-b/") + plugin, Symbol("AUSDT"), Symbol("BUSDT"), SamplingConfig{}, ZScoreConfig{},
                  CostConfig{}, StationarityConfig{100, 10, 0.5}};
    PairModelRun pair{plugin, std::make_unique<PairPipeline>(std::move(spec), std::move(created.value())), nullptr};
    pair.set_sink(std::make_shared<PairGauges>(*pair.pipeline, plugin));
    book->book().add_pair(std::move(pair));
  }
  auto micro = factory.create(model("microstructure"), AS_MODEL_SYMBOL, "micro");
  ASSERT_TRUE(micro) << micro.error();
  SymbolModelRun symbol_model{"microstructure",
                              std::make_unique<SymbolPipeline>(SymbolSpec{Symbol("AUSDT"), SamplingConfig{}},
                                                               std::move(micro.value())),
                              nullptr};
  symbol_model.set_sink(std::make_shared<SymbolGauges>(*symbol_model.pipeline, "microstructure"));
  book->book().add_symbol_model(std::move(symbol_model));

  std::vector<std::unique_ptr<ShardHandler>> handlers;
  handlers.push_back(std::move(book));
  ShardGroupOptions options;
  options.queue_capacity = 1 << 16;
  auto group = ShardGroup::create(options, std::move(handlers));
  ASSERT_TRUE(group) << group.error();
  FeedIngest ingest({{"AUSDT", {ShardId(0)}}, {"BUSDT", {ShardId(0)}}}, *group.value(), nullptr, {}, {});
  ASSERT_TRUE(group.value()->start());

  // Frames are made up front: building them allocates, ingesting must not.
  // Two trades a second per leg for 2000 s; y = 2x + noise so every model fits.
  std::vector<std::string> frames;
  std::vector<std::int64_t> received_ns;  // each frame 1 ms after its trade
  for (std::int64_t i = 0; i < 8000; ++i) {
    const std::int64_t t = 1'700'000'000'000 + i * 250;
    received_ns.push_back((t + 1) * 1'000'000);
    const std::int64_t k = i / 2;  // both legs of a step see the same x
    const double x = 100 + 0.01 * static_cast<double>(k % 97) + 0.002 * static_cast<double>(k % 13);
    frames.push_back(i % 2 == 0 ? frame("BUSDT", i / 2 + 1, x, t)
                                : frame("AUSDT", i / 2 + 1, 2 * x + 0.001 * static_cast<double>(k % 7), t));
  }
  const std::size_t warm = 4000;  // rolling windows full, buffers grown
  for (std::size_t i = 0; i < warm; ++i) ingest.on_message(frames[i], received_ns[i]);
  ASSERT_TRUE(group.value()->run_on(ShardId(0), [] {}));  // the shard caught up

  const std::uint64_t before = testing::allocation_count();
  for (std::size_t i = warm; i < frames.size(); ++i) ingest.on_message(frames[i], received_ns[i]);
  // Wait for the shard without a command (submitting one allocates).
  while (group.value()->stats(ShardId(0)).events_total < frames.size()) std::this_thread::yield();
  const std::uint64_t after = testing::allocation_count();
  EXPECT_EQ(after - before, 0u);

  group.value()->stop();
  EXPECT_EQ(shard_book->trades_routed(), frames.size());
  for (const PairModelRun& pair : shard_book->book().pairs()) {
    const auto& gauges = static_cast<const PairGauges&>(*pair.sink);
    EXPECT_EQ(gauges.observations(), 1999u) << gauges.model();  // 2000 s, the last still open
    // y = 2x plus a few tenths of a cent of noise on a dollar of x range.
    EXPECT_NEAR(gauges.beta(), 2.0, 0.05) << gauges.model();
  }
}

}  // namespace
}  // namespace alphastream
