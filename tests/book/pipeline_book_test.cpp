#include "book/pipeline_book.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
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
  // BUSDT: x of a-b (its two models share one aligner) and of c-b.
  ASSERT_EQ(book.routes()[1].pairs.size(), 2u);
  EXPECT_EQ(book.routes()[1].pairs[0].pipeline, book.pairs()[0].pipeline.get());
  EXPECT_EQ(book.routes()[1].pairs[0].followers, std::vector<PairPipeline*>{book.pairs()[1].pipeline.get()});
  EXPECT_TRUE(book.routes()[1].pairs[1].followers.empty());
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

// Every row a pipeline made, as text.
class RowTape : public PairRowSink {
 public:
  void on_row(const PairRow& row) override {
    char line[256];
    std::snprintf(line, sizeof line, "%lld %.17g %.17g %.17g %.17g %.17g %d %.17g %d",
                  static_cast<long long>(row.ts_ms), row.x, row.y, row.beta, row.spread, row.zscore, row.position,
                  row.equity_usd, static_cast<int>(row.action));
    rows.emplace_back(line);
  }
  std::vector<std::string> rows;
};

// Three pipelines of AUSDT/BUSDT (two models of one pair, and another pair
// of the same legs) and one of CUSDT/BUSDT, each with a RowTape.
struct TapedSet {
  PipelineSet set;
  std::vector<std::shared_ptr<RowTape>> tapes;
};
TapedSet taped_pipelines() {
  ModelFactory factory(PLUGIN_DIR);
  auto built = build_pipelines(config_of(R"(
sampling: {mode: time, interval_ms: 1000, max_stale_ms: 3000}
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, models: [{plugin: ols, params: {window: 3}}, {plugin: kalman}],
     zscore: {window: 3, entry: 0.5, exit: 0.0}}
  - {name: a-b-again, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 4}}, zscore: {window: 3, entry: 0.5}}
  - {name: c-b, y: CUSDT, x: BUSDT, model: {plugin: ols, params: {window: 3}}, zscore: {window: 3, entry: 0.5}}
)"),
                               factory);
  EXPECT_TRUE(built) << built.error();
  TapedSet taped{std::move(built.value()), {}};
  for (PairModelRun& run : taped.set.pairs) {
    taped.tapes.push_back(std::make_shared<RowTape>());
    run.set_sink(taped.tapes.back());
  }
  return taped;
}

// Trades of the three legs over a minute, with a 10 s silence (stale
// intervals, a break) and a late trade.
std::vector<AggTrade> three_legs() {
  std::vector<AggTrade> trades;
  std::int64_t id = 1;
  for (std::int64_t t = 0; t < 60'000; t += 350) {
    if (t > 20'000 && t < 30'000) continue;
    const double wave = static_cast<double>((t / 350) % 17) - 8;
    trades.push_back(trade("BUSDT", id++, 100 + 0.1 * wave, 1'700'000'000'000 + t));
    trades.push_back(trade("AUSDT", id++, 150 + 0.17 * wave + 0.05 * ((t / 700) % 3), 1'700'000'000'000 + t + 100));
    if (t % 1050 == 0) trades.push_back(trade("CUSDT", id++, 50 - 0.03 * wave, 1'700'000'000'000 + t + 200));
    if (t == 40'250) trades.push_back(trade("AUSDT", id++, 149, 1'700'000'000'000 + t - 600));  // late
  }
  return trades;
}

TEST(PipelineBook, PipelinesOfTheSameLegsShareOneAlignerAndMakeTheRowsTheyMakeAlone) {
  const std::vector<AggTrade> trades = three_legs();
  // Alone: each pipeline in a book of its own.
  TapedSet alone = taped_pipelines();
  std::vector<std::unique_ptr<PipelineBook>> books;
  for (PairModelRun& run : alone.set.pairs) {
    books.push_back(std::make_unique<PipelineBook>(true));
    books.back()->add_pair(std::move(run));
  }
  for (const AggTrade& t : trades) {
    for (auto& book : books) book->on_trade(t);
  }
  for (auto& book : books) book->finish();

  // Shared, and handed to a second book halfway (as the live service hands
  // warmed pipelines over): the followers take the alignment they were served.
  TapedSet shared = taped_pipelines();
  PipelineBook first(true);
  first.add(std::move(shared.set));
  ASSERT_EQ(first.routes()[0].pairs.size(), 1u);  // AUSDT: one aligner for three pipelines
  EXPECT_EQ(first.routes()[0].pairs[0].followers.size(), 2u);
  const std::size_t half = trades.size() / 2;
  for (std::size_t i = 0; i < half; ++i) first.on_trade(trades[i]);
  PipelineBook second(true);
  second.add(first.release());
  EXPECT_EQ(second.routes()[0].pairs.size(), 3u);  // mid-stream: each its own aligner from here
  for (std::size_t i = half; i < trades.size(); ++i) second.on_trade(trades[i]);
  second.finish();

  for (std::size_t p = 0; p < alone.tapes.size(); ++p) {
    const PairPipeline& a = *books[p]->pairs()[0].pipeline;
    const PairPipeline& s = *second.pairs()[p].pipeline;
    EXPECT_GT(alone.tapes[p]->rows.size(), 40u) << p;
    EXPECT_EQ(shared.tapes[p]->rows, alone.tapes[p]->rows) << p;
    EXPECT_EQ(s.observations(), a.observations()) << p;
    EXPECT_EQ(s.aligner().trades(), a.aligner().trades()) << p;
    EXPECT_EQ(s.aligner().late_trades(), a.aligner().late_trades()) << p;
    EXPECT_EQ(s.aligner().stale_drops(), a.aligner().stale_drops()) << p;
    EXPECT_EQ(s.aligner().longest_break_ms(), a.aligner().longest_break_ms()) << p;
    EXPECT_EQ(s.ledger().closed_trades().size(), a.ledger().closed_trades().size()) << p;
    EXPECT_EQ(s.ledger().last_point().equity_usd, a.ledger().last_point().equity_usd) << p;
  }
  EXPECT_GT(books[0]->pairs()[0].pipeline->aligner().stale_drops(), 0u);
  EXPECT_EQ(books[0]->pairs()[0].pipeline->aligner().late_trades(), 1u);
}

TEST(PipelineBook, PairTicksMakeTheRowsTheTradesMake) {
  const std::vector<AggTrade> trades = three_legs();
  TapedSet by_trade = taped_pipelines();
  PipelineBook trade_book(true);
  trade_book.add(std::move(by_trade.set));
  trade_book.on_trades(trades);
  trade_book.finish();

  // The ticks number the symbols in another order than the book's routes,
  // and name one no pipeline uses: its ticks are dropped.
  SymbolTable symbols;
  for (const char* name : {"CUSDT", "ZUSDT", "BUSDT", "AUSDT"}) symbols.add(Symbol(name));
  std::vector<PairTick> ticks;
  for (const AggTrade& t : trades) {
    ticks.push_back({t.transact_time_ms, t.price, symbols.find(t.symbol)});
    if (t.agg_trade_id % 5 == 0) ticks.push_back({t.transact_time_ms, 1e9, symbols.find(Symbol("ZUSDT"))});
  }
  TapedSet by_tick = taped_pipelines();
  PipelineBook tick_book(true);
  tick_book.add(std::move(by_tick.set));
  // In batches of uneven sizes, as a backtest's reading thread hands them out.
  for (std::size_t at = 0; at < ticks.size();) {
    const std::size_t n = std::min<std::size_t>(ticks.size() - at, 1 + at % 97);
    tick_book.on_pair_ticks(std::span<const PairTick>(ticks.data() + at, n), symbols);
    at += n;
  }
  tick_book.finish();
  for (std::size_t p = 0; p < by_trade.tapes.size(); ++p) {
    EXPECT_GT(by_trade.tapes[p]->rows.size(), 40u) << p;
    EXPECT_EQ(by_tick.tapes[p]->rows, by_trade.tapes[p]->rows) << p;
    EXPECT_EQ(tick_book.pairs()[p].pipeline->aligner().trades(), trade_book.pairs()[p].pipeline->aligner().trades());
  }
}

}  // namespace
}  // namespace alphastream
