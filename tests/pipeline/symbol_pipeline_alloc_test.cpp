// Proves SymbolPipeline's per-trade path allocates nothing once constructed,
// with the shipped microstructure model. Replaces the global operator new to
// count calls, so it stays on its own.
#include <cstdint>

#include <gtest/gtest.h>

#include "counting_new.h"

#include "pipeline/symbol_pipeline.h"

namespace alphastream {
namespace {

class CountingSink : public SymbolRowSink {
 public:
  void on_row(const SymbolRow& row) override {
    ++rows;
    sum += row.outputs[0] == row.outputs[0] ? row.outputs[0] : 0;
  }
  std::uint64_t rows = 0;
  double sum = 0;
};

TEST(SymbolPipelineAllocation, TradesRowsAndClockAllocateNothing) {
  auto library = PluginLibrary::load(MICROSTRUCTURE_PLUGIN);
  ASSERT_TRUE(library) << library.error();
  const ParamSetting settings[] = {{"window_s", 5, "5", "", false}, {"max_trades", 1000, "1000", "", false}};
  auto model = ModelInstance::create(library.value(), settings, "alloc");
  ASSERT_TRUE(model) << model.error();
  SymbolPipeline pipeline(SymbolSpec{Symbol("AUSDT"), SamplingConfig{SamplingConfig::Mode::kTime, 100}},
                          std::move(model.value()));
  CountingSink sink;
  pipeline.add_sink(&sink);

  AggTrade trade;
  trade.symbol = Symbol("AUSDT");
  std::int64_t t = 1'717'200'000'000;
  const std::uint64_t before = ::alphastream::testing::allocation_count();
  for (int i = 0; i < 20000; ++i) {
    t += 7 + (i % 5) * 30;
    trade.agg_trade_id = i + 1;
    trade.price = 3000.0 + (i % 40);
    trade.quantity = 0.5 + (i % 3);
    trade.transact_time_ms = i % 97 == 0 ? t - 500 : t;  // a late trade now and then
    trade.is_buyer_maker = i % 2 == 0;
    pipeline.on_trade(trade);
    if (i % 1000 == 0) pipeline.advance_to(t + 50);
  }
  pipeline.finish();
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
  EXPECT_GT(sink.rows, 20000u / 4);
  EXPECT_GT(pipeline.late_trades(), 100u);
  EXPECT_EQ(pipeline.model().update_errors(), 0u);
}

}  // namespace
}  // namespace alphastream
