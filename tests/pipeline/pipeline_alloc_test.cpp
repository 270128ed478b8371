// Proves the pipeline's per-event calls allocate nothing once constructed.
// This binary replaces the global operator new to count calls, so it stays
// on its own.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "counting_new.h"

#include "pipeline/pair_aligner.h"
#include "pipeline/paper_ledger.h"
#include "pipeline/rolling_zscore.h"
#include "pipeline/signal_machine.h"

namespace alphastream {
namespace {

TEST(PipelineAllocation, AlignZScoreSignalAndLedgerAllocateNothingPerEvent) {
  PairAligner time_aligner(SamplingConfig{SamplingConfig::Mode::kTime, 100});
  PairAligner tick_aligner(SamplingConfig{SamplingConfig::Mode::kTick, 100});
  RollingZScore zscore(20);
  ZScoreConfig zc;
  zc.entry = 1.0;
  zc.stop = 3.0;
  SignalMachine signal(zc);
  PaperLedger ledger(CostConfig{});
  ledger.reserve_closed_trades(10000);  // room for every trade of the run

  std::uint64_t observations = 0;
  auto on_observation = [&](const Observation& o) {
    ++observations;
    const double beta = 0.05;
    const double z = zscore.push(o.y - beta * o.x);
    const SignalDecision d = signal.on_z(z);
    ledger.on_observation(o.ts_ms, o.x, o.y, beta, d.target_position, d.action);
  };

  const std::uint64_t before = ::alphastream::testing::allocation_count();
  std::int64_t t = 1'717'200'000'000;
  for (int i = 0; i < 20000; ++i) {
    t += 7 + (i % 5) * 30;  // gaps of empty intervals now and then
    // A sawtooth spread, so the signal enters, exits and stops.
    const double wobble = (i % 40) < 20 ? (i % 40) : 40 - (i % 40);
    const Leg leg = i % 2 == 0 ? Leg::kX : Leg::kY;
    const double price = leg == Leg::kX ? 3000.0 + wobble : 150.0 + 0.2 * wobble * (i % 3);
    time_aligner.on_trade(leg, t, price, on_observation);
    tick_aligner.on_trade(leg, t, price, [](const Observation&) {});
    if (i % 1000 == 0) time_aligner.advance_to(t + 50, on_observation);
  }
  time_aligner.flush(on_observation);
  ledger.finish();
  EXPECT_EQ(::alphastream::testing::allocation_count(), before);
  EXPECT_GT(observations, 20000u / 2);
  EXPECT_GT(ledger.closed_trades().size(), 10u);  // the run did trade
  EXPECT_LT(ledger.closed_trades().size(), 10000u);
}

}  // namespace
}  // namespace alphastream
