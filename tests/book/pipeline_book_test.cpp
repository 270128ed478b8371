#include "book/pipeline_book.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace alphastream {
namespace {

EngineConfig config_of(const std::string& yaml) {
  auto parsed = parse_config(yaml, "book.yaml");
  EXPECT_TRUE(parsed) << parsed.error();
  return parsed.value();
}

// Two pairs sharing the leg BUSDT, one with two models, and a symbol model.
const char* const kTwoPairs = R"(
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, models: [{plugin: ols, params: {window: 3}}, {plugin: kalman}]}
  - {name: c-b, y: CUSDT, x: BUSDT, model: {plugin: ols, params: {window: 3}}}
symbols:
  - {symbol: CUSDT, model: {plugin: microstructure}}
)";

// kTwoPairs' pipelines, in a book. The factory's libraries stay loaded as
// long as the models that came from them.
void add_two_pairs(PipelineBook& book) {
  ModelFactory factory(PLUGIN_DIR);
  auto built = build_pipelines(config_of(kTwoPairs), factory);
  ASSERT_TRUE(built) << built.error();
  book.add(std::move(built.value()));
}

AggTrade trade(const std::string& symbol, std::int64_t id, double price, std::int64_t time_ms) {
  AggTrade t;
  t.symbol = Symbol(symbol);
  t.agg_trade_id = t.first_trade_id = t.last_trade_id = id;
  t.price = price;
  t.quantity = 1;
  t.transact_time_ms = t.event_time_ms = time_ms;
  return t;
}

TEST(BuildPipelines, BuildsEveryPairModelAndSymbolModelInConfigOrder) {
  const EngineConfig config = config_of(kTwoPairs);
  ModelFactory factory(PLUGIN_DIR);
  auto built = build_pipelines(config, factory);
  ASSERT_TRUE(built) << built.error();
  ASSERT_EQ(built->pairs.size(), 3u);
  EXPECT_EQ(built->pairs[0].pipeline->spec().name, "a-b");
  EXPECT_EQ(built->pairs[0].label, "ols");
  EXPECT_EQ(built->pairs[1].label, "kalman");
  EXPECT_EQ(built->pairs[2].pipeline->spec().name, "c-b");
  EXPECT_EQ(built->pairs[0].pipeline->model().context(), "book.yaml:3: pairs[0] (a-b/ols)");
  ASSERT_EQ(built->symbols.size(), 1u);
  EXPECT_EQ(built->symbols[0].pipeline->spec().symbol.view(), "CUSDT");
  EXPECT_EQ(built->symbols[0].pipeline->model().context(), "book.yaml:6: symbols[0] (CUSDT/microstructure)");
}

TEST(BuildPipelines, EveryBadModelIsReportedNotJustTheFirst) {
  const EngineConfig config = config_of(R"(
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {windw: 3}}}
  - {name: c-d, y: CUSDT, x: DUSDT, model: {plugin: microstructure}}
symbols:
  - {symbol: AUSDT, model: {plugin: no_such_plugin}}
)");
  ModelFactory factory(PLUGIN_DIR);
  auto built = build_pipelines(config, factory);
  ASSERT_FALSE(built);
  EXPECT_TRUE(built.status().is_invalid_input());
  const std::string& message = built.error();
  EXPECT_NE(message.find("book.yaml:3: pairs[0].model.params.windw"), std::string::npos) << message;
  EXPECT_NE(message.find("book.yaml:4: pairs[1].model.plugin: plugin 'microstructure' is a symbol model"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("book.yaml:6: symbols[0].model.plugin"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 2) << message;
}

TEST(BuildPipelines, ASelectionBuildsOnlyTheEntriesItTakes) {
  const EngineConfig config = config_of(kTwoPairs);
  ModelFactory factory(PLUGIN_DIR);
  PipelineSelection selection;
  selection.pair = [](const PairConfig& pair) { return pair.name == "c-b"; };
  selection.symbol = [](const SymbolConfig&) { return false; };
  auto built = build_pipelines(config, factory, selection);
  ASSERT_TRUE(built) << built.error();
  ASSERT_EQ(built->pairs.size(), 1u);
  EXPECT_EQ(built->pairs[0].pipeline->spec().name, "c-b");
  EXPECT_TRUE(built->symbols.empty());
}

TEST(PipelineBook, RoutesEachSymbolToThePipelinesThatUseItInFirstNeededOrder) {
  PipelineBook book(true);
  add_two_pairs(book);

  std::vector<std::string> order;
  for (const PipelineBook::Route& route : book.routes()) order.emplace_back(route.symbol.view());
  EXPECT_EQ(order, (std::vector<std::string>{"AUSDT", "BUSDT", "CUSDT"}));
  EXPECT_EQ(book.routes()[1].pairs.size(), 3u);  // BUSDT: x of both models of a-b, and of c-b
  EXPECT_EQ(book.routes()[2].symbol_models.size(), 1u);

  EXPECT_FALSE(book.on_trade(trade("DUSDT", 1, 1, 10)).routed);
  // One second of both legs, then a trade of the next second closes it.
  EXPECT_TRUE(book.on_trade(trade("BUSDT", 1, 10, 100)).routed);
  EXPECT_FALSE(book.on_trade(trade("AUSDT", 1, 20, 200)).produced_row);
  EXPECT_TRUE(book.on_trade(trade("AUSDT", 2, 21, 1100)).produced_row);
  EXPECT_EQ(book.pairs()[0].pipeline->observations(), 1u);
  EXPECT_EQ(book.pairs()[2].pipeline->observations(), 0u);  // c-b has no y yet
  EXPECT_TRUE(book.on_trade(trade("CUSDT", 1, 30, 1200)).routed);
  EXPECT_EQ(book.symbol_models()[0].pipeline->trades(), 1u);
}

TEST(PipelineBook, RemovingAPairDropsItsRoutesAndKeepsTheSharedLeg) {
  PipelineBook book(false);
  add_two_pairs(book);
  EXPECT_EQ(book.remove_pair("a-b"), 2u);
  EXPECT_FALSE(book.on_trade(trade("AUSDT", 1, 20, 100)).routed);
  EXPECT_TRUE(book.on_trade(trade("BUSDT", 1, 10, 100)).routed);
  EXPECT_EQ(book.remove_symbol_models("CUSDT"), 1u);
  EXPECT_EQ(book.routes().size(), 2u);  // CUSDT stays: c-b's y
}

TEST(PipelineBook, FinishClosesTheOpenIntervalOfEveryPipeline) {
  PipelineBook book(true);
  add_two_pairs(book);
  book.on_trade(trade("BUSDT", 1, 10, 100));
  book.on_trade(trade("AUSDT", 1, 20, 200));
  book.on_trade(trade("CUSDT", 1, 30, 300));
  book.finish();
  for (const PairModelRun& run : book.pairs()) EXPECT_EQ(run.pipeline->observations(), 1u) << run.label;
  EXPECT_EQ(book.symbol_models()[0].pipeline->rows(), 1u);
}

}  // namespace
}  // namespace alphastream
