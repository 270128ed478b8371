#include "pipeline/symbol_pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace alphastream {
namespace {

constexpr SamplingConfig kSeconds{SamplingConfig::Mode::kTime, 1000};
constexpr SamplingConfig kTicks{SamplingConfig::Mode::kTick, 1000};

std::unique_ptr<ModelInstance> load_model(const char* path, std::vector<ParamSetting> settings = {}) {
  auto library = PluginLibrary::load(path);
  EXPECT_TRUE(library) << library.error();
  if (!library) return nullptr;
  auto model = ModelInstance::create(library.value(), settings, "symbol_pipeline_test");
  EXPECT_TRUE(model) << model.error();
  return model ? std::move(model.value()) : nullptr;
}

// A row as received: the outputs copied out of the model.
struct SeenRow {
  std::int64_t ts_ms;
  double last_price;
  std::vector<double> outputs;
};

class RowLog : public SymbolRowSink {
 public:
  void on_row(const SymbolRow& row) override {
    rows.push_back({row.ts_ms, row.last_price, std::vector<double>(row.outputs.begin(), row.outputs.end())});
  }
  std::vector<SeenRow> rows;
};

AggTrade trade(std::int64_t ts_ms, double price, double qty = 1.0, bool taker_sold = false) {
  static std::int64_t next_id = 1;
  AggTrade t;
  t.symbol = Symbol("AUSDT");
  t.agg_trade_id = next_id++;
  t.price = price;
  t.quantity = qty;
  t.transact_time_ms = ts_ms;
  t.is_buyer_maker = taker_sold;
  return t;
}

// The trade_tape fixture's outputs: trades, last_price, last_time_ms, signed_qty.
struct Tape {
  std::unique_ptr<SymbolPipeline> pipeline;
  RowLog log;

  explicit Tape(SamplingConfig sampling)
      : pipeline(std::make_unique<SymbolPipeline>(SymbolSpec{Symbol("AUSDT"), sampling}, load_model(TRADE_TAPE_PLUGIN))) {
    pipeline->add_sink(&log);
  }
};

TEST(SymbolPipelineTimeMode, OneRowPerIntervalThatSawATradeStampedWithItsEndAfterItsLastTrade) {
  Tape tape(kSeconds);
  tape.pipeline->on_trade(trade(1000, 10));
  tape.pipeline->on_trade(trade(1500, 11));
  tape.pipeline->on_trade(trade(1999, 12));
  EXPECT_TRUE(tape.log.rows.empty());        // [1000, 2000) is still open
  tape.pipeline->on_trade(trade(2000, 13));  // a trade at the boundary belongs to the next interval
  tape.pipeline->on_trade(trade(5300, 14));  // [3000, 5000) saw nothing: no rows for them
  tape.pipeline->finish();
  const std::vector<SeenRow>& rows = tape.log.rows;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].ts_ms, 2000);
  EXPECT_EQ(rows[0].outputs, (std::vector<double>{3, 12, 1999, 3}));
  EXPECT_EQ(rows[0].last_price, 12);
  EXPECT_EQ(rows[1].ts_ms, 3000);
  EXPECT_EQ(rows[1].outputs, (std::vector<double>{4, 13, 2000, 4}));
  EXPECT_EQ(rows[2].ts_ms, 6000);  // the last interval, emitted by finish
  EXPECT_EQ(rows[2].outputs, (std::vector<double>{5, 14, 5300, 5}));
  EXPECT_EQ(tape.pipeline->trades(), 5u);
  EXPECT_EQ(tape.pipeline->rows(), 3u);
  EXPECT_EQ(tape.pipeline->late_trades(), 0u);
}

TEST(SymbolPipelineTimeMode, IntervalsBeforeTheEpochEndAtTheirUpperMultiple) {
  Tape tape(kSeconds);
  tape.pipeline->on_trade(trade(-1500, 10));  // in [-2000, -1000)
  tape.pipeline->on_trade(trade(-200, 11));   // in [-1000, 0)
  tape.pipeline->finish();
  ASSERT_EQ(tape.log.rows.size(), 2u);
  EXPECT_EQ(tape.log.rows[0].ts_ms, -1000);
  EXPECT_EQ(tape.log.rows[1].ts_ms, 0);
}

TEST(SymbolPipelineTimeMode, AdvanceToClosesAnIntervalOnlyOnceItHasEnded) {
  Tape tape(kSeconds);
  tape.pipeline->advance_to(5000);  // before any trade: nothing to close
  tape.pipeline->on_trade(trade(1100, 10, 2));
  tape.pipeline->advance_to(1999);
  EXPECT_TRUE(tape.log.rows.empty());
  tape.pipeline->advance_to(2000);
  ASSERT_EQ(tape.log.rows.size(), 1u);
  EXPECT_EQ(tape.log.rows[0].ts_ms, 2000);
  EXPECT_EQ(tape.log.rows[0].outputs[3], 2);
  tape.pipeline->advance_to(4500);  // empty intervals: no rows
  tape.pipeline->on_trade(trade(4600, 11));
  tape.pipeline->finish();
  tape.pipeline->finish();  // nothing left to emit
  ASSERT_EQ(tape.log.rows.size(), 2u);
  EXPECT_EQ(tape.log.rows[1].ts_ms, 5000);
  EXPECT_EQ(tape.log.rows[1].outputs, (std::vector<double>{2, 11, 4600, 3}));
}

TEST(SymbolPipelineTimeMode, LateTradesReachTheModelAtTheEarliestTimeStillOpenAndAreCounted) {
  Tape tape(kSeconds);
  tape.pipeline->on_trade(trade(1000, 10));
  tape.pipeline->on_trade(trade(1800, 11));
  tape.pipeline->on_trade(trade(1200, 12, 1, true));  // before 1800: fed at 1800
  tape.pipeline->advance_to(3500);                     // closes [1000, 2000); [3000, 4000) is open
  tape.pipeline->on_trade(trade(2500, 13));            // its interval is closed: fed at 3000
  tape.pipeline->finish();
  const std::vector<SeenRow>& rows = tape.log.rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].ts_ms, 2000);
  EXPECT_EQ(rows[0].outputs, (std::vector<double>{3, 12, 1800, 1}));  // 1 + 1 - 1
  EXPECT_EQ(rows[1].ts_ms, 4000);
  EXPECT_EQ(rows[1].outputs, (std::vector<double>{4, 13, 3000, 2}));
  EXPECT_EQ(tape.pipeline->late_trades(), 2u);
  EXPECT_EQ(tape.pipeline->model().update_errors(), 0u);  // the fixture refuses time going back
}

TEST(SymbolPipelineTimeMode, ARefusedTradeLeavesNaNOutputsInItsRowAndIsCounted) {
  Tape tape(kSeconds);
  tape.pipeline->on_trade(trade(1000, 10));
  tape.pipeline->on_trade(trade(1500, 11, 0));  // zero quantity: refused
  tape.pipeline->on_trade(trade(2100, 12));
  tape.pipeline->finish();
  const std::vector<SeenRow>& rows = tape.log.rows;
  ASSERT_EQ(rows.size(), 2u);
  for (double value : rows[0].outputs) EXPECT_TRUE(std::isnan(value));
  EXPECT_EQ(rows[0].last_price, 11);
  EXPECT_EQ(rows[1].outputs, (std::vector<double>{2, 12, 2100, 2}));
  EXPECT_EQ(tape.pipeline->model().update_errors(), 1u);
}

TEST(SymbolPipelineTickMode, EveryTradeGivesARowAtItsTime) {
  Tape tape(kTicks);
  tape.pipeline->on_trade(trade(1000, 10));
  tape.pipeline->on_trade(trade(1000, 11, 2, true));
  tape.pipeline->on_trade(trade(900, 12));  // late: at the latest time seen
  tape.pipeline->on_trade(trade(1750, 13));
  tape.pipeline->advance_to(99999);  // no-op in tick mode
  tape.pipeline->finish();
  const std::vector<SeenRow>& rows = tape.log.rows;
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].ts_ms, 1000);
  EXPECT_EQ(rows[1].ts_ms, 1000);
  EXPECT_EQ(rows[1].outputs, (std::vector<double>{2, 11, 1000, -1}));
  EXPECT_EQ(rows[2].ts_ms, 1000);
  EXPECT_EQ(rows[3].ts_ms, 1750);
  EXPECT_EQ(rows[3].outputs, (std::vector<double>{4, 13, 1750, 1}));
  EXPECT_EQ(tape.pipeline->late_trades(), 1u);
}

TEST(SymbolPipeline, EverySinkGetsEveryRowInTheOrderAdded) {
  Tape tape(kSeconds);
  RowLog second;
  tape.pipeline->add_sink(&second);
  tape.pipeline->on_trade(trade(1000, 10));
  tape.pipeline->on_trade(trade(2000, 11));
  tape.pipeline->finish();
  ASSERT_EQ(second.rows.size(), 2u);
  EXPECT_EQ(second.rows[1].ts_ms, tape.log.rows[1].ts_ms);
  EXPECT_EQ(second.rows[1].outputs, tape.log.rows[1].outputs);
}

TEST(SymbolPipelineMicrostructure, RowHoldsTheWindowsVwapVolumeAndImbalanceAtTheIntervalsEnd) {
  SymbolPipeline pipeline(SymbolSpec{Symbol("AUSDT"), kSeconds},
                          load_model(MICROSTRUCTURE_PLUGIN, {{"window_s", 60, "60", "", false}}));
  RowLog log;
  pipeline.add_sink(&log);
  pipeline.on_trade(trade(1000, 100, 1));        // taker buy
  pipeline.on_trade(trade(1200, 102, 3, true));  // taker sell
  pipeline.on_trade(trade(1900, 101, 4));        // taker buy
  pipeline.on_trade(trade(2100, 90, 100));       // next interval: not in the first row
  pipeline.finish();
  ASSERT_EQ(log.rows.size(), 2u);
  const ModelInstance& model = pipeline.model();
  const auto out = [&](std::size_t row, const char* name) { return log.rows[row].outputs[model.output_index(name)]; };
  EXPECT_EQ(log.rows[0].ts_ms, 2000);
  EXPECT_DOUBLE_EQ(out(0, "vwap"), (100 * 1 + 102 * 3 + 101 * 4) / 8.0);  // 101.25
  EXPECT_DOUBLE_EQ(out(0, "volume"), 8);
  EXPECT_DOUBLE_EQ(out(0, "order_flow_imbalance"), (5 - 3) / 8.0);
  EXPECT_DOUBLE_EQ(out(0, "trade_intensity_per_s"), 3 / 60.0);
  EXPECT_EQ(log.rows[1].ts_ms, 3000);
  EXPECT_DOUBLE_EQ(out(1, "volume"), 108);
  EXPECT_DOUBLE_EQ(out(1, "vwap"), (810 + 9000) / 108.0);
}

}  // namespace
}  // namespace alphastream
