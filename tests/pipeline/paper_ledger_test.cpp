#include "pipeline/paper_ledger.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace alphastream {
namespace {

CostConfig costs(double fee_bps, double slippage_bps) { return {fee_bps, slippage_bps, 10000.0}; }

// The hand-checked round trip: decided long at t0, executed at t1; exit
// decided at t3, executed at t4. beta at t0 is 0.5; later betas differ, to
// show the hedge ratio is the one from the decision.
std::vector<LedgerPoint> run_round_trip(PaperLedger& ledger) {
  struct Row {
    std::int64_t ts_ms;
    double x, y, beta;
    int target;
    SignalAction action;
  };
  const Row rows[] = {
      {1000, 100, 50, 0.5, +1, SignalAction::kEnterLong},
      {2000, 102, 50, 0.6, +1, SignalAction::kNone},
      {3000, 101, 51, 0.6, +1, SignalAction::kNone},
      {4000, 100, 52, 0.6, 0, SignalAction::kExit},
      {5000, 99, 53, 0.6, 0, SignalAction::kNone},
  };
  std::vector<LedgerPoint> path;
  for (const Row& r : rows) {
    ledger.on_observation(r.ts_ms, r.x, r.y, r.beta, r.target, r.action);
    path.push_back(ledger.last_point());
  }
  return path;
}

TEST(PaperLedger, RoundTripWithFeesOnly) {
  PaperLedger ledger(costs(10, 0));
  const auto path = run_round_trip(ledger);
  // Entry at t1: qty_y = 10000 / 50 = 200, qty_x = -0.5 * 200 = -100, at y 50
  // and x 102. Fees 0.001 * (200 * 50 + 100 * 102) = 20.2.
  // t2 mark: 200 * (51 - 50) - 100 * (101 - 102) = 300; t3: 400 + 200 = 600.
  // Exit at t4: y 53, x 99; gross 200 * 3 - 100 * (99 - 102) = 900; exit
  // fees 0.001 * (200 * 53 + 100 * 99) = 20.5; net 900 - 40.7 = 859.3.
  const double equity[] = {0, -20.2, 279.8, 579.8, 859.3};
  const int position[] = {0, 1, 1, 1, 0};
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(path[i].equity_usd, equity[i], 1e-9) << i;
    EXPECT_EQ(path[i].position, position[i]) << i;
    EXPECT_EQ(path[i].ts_ms, 1000 * (i + 1));
  }
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  const ClosedTrade& t = ledger.closed_trades()[0];
  EXPECT_EQ(t.entry_ts_ms, 2000);
  EXPECT_EQ(t.exit_ts_ms, 5000);
  EXPECT_EQ(t.side, 1);
  EXPECT_DOUBLE_EQ(t.qty_y, 200);
  EXPECT_DOUBLE_EQ(t.qty_x, -100);
  EXPECT_DOUBLE_EQ(t.entry_y, 50);
  EXPECT_DOUBLE_EQ(t.entry_x, 102);
  EXPECT_DOUBLE_EQ(t.exit_y, 53);
  EXPECT_DOUBLE_EQ(t.exit_x, 99);
  EXPECT_NEAR(t.fees_usd, 40.7, 1e-9);
  EXPECT_NEAR(t.pnl_usd, 859.3, 1e-9);
  EXPECT_EQ(t.reason, ExitReason::kExit);
  EXPECT_NEAR(ledger.realised_pnl_usd(), 859.3, 1e-9);
  EXPECT_NEAR(ledger.fees_usd(), 40.7, 1e-9);
  EXPECT_FALSE(ledger.finish());
}

TEST(PaperLedger, RoundTripWithSlippageExecutesAgainstTheTrader) {
  PaperLedger ledger(costs(10, 5));
  const auto path = run_round_trip(ledger);
  // s = 0.0005. Entry: buy y at 50 * 1.0005 = 50.025, sell x at
  // 102 * 0.9995 = 101.949; quantities from the mid: 200 and -100.
  // Entry fees 0.001 * (200 * 50.025 + 100 * 101.949) = 20.1999.
  // t1 mark at mids: 200 * (50 - 50.025) - 100 * (102 - 101.949) = -10.1.
  // t2 mark: 200 * 0.975 - 100 * (101 - 101.949) = 195 + 94.9 = 289.9.
  // Exit: sell y at 53 * 0.9995 = 52.9735, buy x at 99 * 1.0005 = 99.0495.
  // Gross 200 * 2.9485 - 100 * (99.0495 - 101.949) = 589.7 + 289.95 = 879.65.
  // Exit fees 0.001 * (200 * 52.9735 + 100 * 99.0495) = 20.49965.
  EXPECT_NEAR(path[1].equity_usd, -20.1999 - 10.1, 1e-9);
  EXPECT_NEAR(path[2].equity_usd, -20.1999 + 289.9, 1e-9);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  const ClosedTrade& t = ledger.closed_trades()[0];
  EXPECT_DOUBLE_EQ(t.qty_y, 200);
  EXPECT_DOUBLE_EQ(t.qty_x, -100);
  EXPECT_DOUBLE_EQ(t.entry_y, 50.025);
  EXPECT_DOUBLE_EQ(t.entry_x, 101.949);
  EXPECT_DOUBLE_EQ(t.exit_y, 52.9735);
  EXPECT_DOUBLE_EQ(t.exit_x, 99.0495);
  EXPECT_NEAR(t.fees_usd, 20.1999 + 20.49965, 1e-9);
  EXPECT_NEAR(t.pnl_usd, 879.65 - 40.69955, 1e-9);
  EXPECT_NEAR(path[4].equity_usd, 838.95045, 1e-9);
}

TEST(PaperLedger, NegativeBetaHedgesWithALongXLeg) {
  PaperLedger ledger(costs(10, 0));
  ledger.on_observation(1000, 100, 50, -0.5, +1);
  ledger.on_observation(2000, 100, 50, -0.5, +1);
  // qty_y = 200, qty_x = -(-0.5) * 200 = +100: long both legs.
  // Fees 0.001 * (200 * 50 + 100 * 100) = 20.
  EXPECT_NEAR(ledger.equity_usd(), -20, 1e-9);
  ledger.on_observation(3000, 110, 55, -0.5, 0, SignalAction::kExit);
  // Mark: 200 * 5 + 100 * 10 = 2000.
  EXPECT_NEAR(ledger.equity_usd(), 1980, 1e-9);
  ledger.on_observation(4000, 110, 55, -0.5, 0);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  const ClosedTrade& t = ledger.closed_trades()[0];
  EXPECT_DOUBLE_EQ(t.qty_x, 100);
  // Exit fees 0.001 * (200 * 55 + 100 * 110) = 22: net 2000 - 42.
  EXPECT_NEAR(t.pnl_usd, 1958, 1e-9);
}

TEST(PaperLedger, ReversalClosesAndReopensAtTheSamePrices) {
  PaperLedger ledger(costs(10, 0));
  ledger.on_observation(1000, 100, 50, 1.0, -1, SignalAction::kEnterShort);
  // Short at t1: qty_y = -200, qty_x = +200; fees 0.001 * (10000 + 20000) = 30.
  ledger.on_observation(2000, 100, 50, 1.0, +1, SignalAction::kEnterLong);
  EXPECT_EQ(ledger.position(), -1);
  ledger.on_observation(3000, 100, 40, 3.0, +1);
  // Close the short at y 40, x 100: gross -200 * (40 - 50) = 2000; fees
  // 30 + 0.001 * (200 * 40 + 200 * 100) = 58; net 1942. Then long with the
  // beta of the decision (2000: 1.0): qty_y = 10000 / 40 = 250, qty_x = -250,
  // fees 0.001 * (250 * 40 + 250 * 100) = 35.
  EXPECT_EQ(ledger.position(), 1);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  EXPECT_EQ(ledger.closed_trades()[0].side, -1);
  EXPECT_NEAR(ledger.closed_trades()[0].pnl_usd, 1942, 1e-9);
  EXPECT_NEAR(ledger.equity_usd(), 1942 - 35, 1e-9);
  EXPECT_NEAR(ledger.fees_usd(), 58 + 35, 1e-9);
}

TEST(PaperLedger, FinishClosesAnOpenPositionAtTheLastPricesWithReasonEnd) {
  PaperLedger ledger(costs(0, 10));
  ledger.on_observation(1000, 100, 50, 1.0, -1);
  ledger.on_observation(2000, 100, 50, 1.0, -1);
  ledger.on_observation(3000, 100, 50, 1.0, 0);  // exit decided, never executed
  // Short 200 y at 50 * 0.999 = 49.95, long 200 x at 100 * 1.001 = 100.1;
  // marked at unchanged mids: -200 * 0.05 + 200 * -0.1 = -30.
  EXPECT_NEAR(ledger.equity_usd(), -30, 1e-9);
  EXPECT_TRUE(ledger.finish());
  // Closed at 3000: buy y at 50.05, sell x at 99.9: -200 * 0.1 + 200 * -0.2 = -60.
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  const ClosedTrade& t = ledger.closed_trades()[0];
  EXPECT_EQ(t.reason, ExitReason::kEnd);
  EXPECT_EQ(t.exit_ts_ms, 3000);
  EXPECT_DOUBLE_EQ(t.exit_y, 50.05);
  EXPECT_DOUBLE_EQ(t.exit_x, 99.9);
  EXPECT_NEAR(t.pnl_usd, -60, 1e-9);
  EXPECT_EQ(ledger.last_point().ts_ms, 3000);
  EXPECT_EQ(ledger.last_point().position, 0);
  EXPECT_NEAR(ledger.last_point().equity_usd, -60, 1e-9);
  EXPECT_FALSE(ledger.finish());
}

TEST(PaperLedger, StopDecisionIsRecordedAsTheExitReason) {
  PaperLedger ledger(costs(0, 0));
  ledger.on_observation(1000, 100, 50, 1.0, -1, SignalAction::kEnterShort);
  ledger.on_observation(2000, 100, 50, 1.0, 0, SignalAction::kStop);
  ledger.on_observation(3000, 100, 50, 1.0, 0);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  EXPECT_EQ(ledger.closed_trades()[0].reason, ExitReason::kStop);
  EXPECT_EQ(exit_reason_name(ExitReason::kStop), "stop");
}

TEST(PaperLedger, EntryWithNonFiniteBetaIsSkippedAndRetried) {
  PaperLedger ledger(costs(0, 0));
  ledger.on_observation(1000, 100, 50, std::numeric_limits<double>::quiet_NaN(), +1);
  ledger.on_observation(2000, 100, 50, 0.5, +1);
  EXPECT_EQ(ledger.position(), 0);
  EXPECT_EQ(ledger.skipped_entries(), 1u);
  ledger.on_observation(3000, 100, 50, 0.7, +1);
  EXPECT_EQ(ledger.position(), 1);
  ASSERT_TRUE(ledger.finish());
  EXPECT_DOUBLE_EQ(ledger.closed_trades()[0].qty_x, -100);  // beta 0.5, from 2000
}

TEST(PaperLedger, FundingIsPaidOnTheOpenPositionAtEachSettlement) {
  PaperLedger ledger(costs(0, 0));  // notional 10,000
  ledger.on_funding(50, 100, 0.001, 0.0002);  // no position: nothing
  EXPECT_EQ(ledger.funding_usd(), 0);
  ledger.on_observation(1000, 50, 100, 2.0, +1, SignalAction::kEnterLong);
  ledger.on_observation(2000, 50, 100, 2.0, +1);  // long: qty_y = 100, qty_x = -200
  // y long pays 100 x 101 x 0.0002 = 2.02; x short receives 200 x 50 x 0.001 = 10.
  ledger.on_funding(50, 101, 0.001, 0.0002);
  EXPECT_NEAR(ledger.funding_usd(), 7.98, 1e-12);
  ledger.on_observation(3000, 50, 101, 2.0, +1);
  // Marked: y +100 x 1 = 100, x flat; plus the funding received.
  EXPECT_NEAR(ledger.equity_usd(), 107.98, 1e-9);
  ledger.on_observation(4000, 50, 101, 2.0, 0, SignalAction::kExit);
  ledger.on_observation(5000, 50, 101, 2.0, 0);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  const ClosedTrade& trade = ledger.closed_trades()[0];
  EXPECT_NEAR(trade.funding_usd, 7.98, 1e-12);
  EXPECT_NEAR(trade.pnl_usd, 100 + 7.98, 1e-9);  // no fees, no slippage
  EXPECT_NEAR(ledger.equity_usd(), 107.98, 1e-9);
  ledger.on_funding(50, 101, 0.001, 0.0002);  // flat again: nothing
  EXPECT_NEAR(ledger.funding_usd(), 7.98, 1e-12);
}

TEST(PaperLedger, RoundTripPathEndsAtTheTradesNetPnl) {
  PaperLedger ledger(costs(10, 0));
  const auto path = run_round_trip(ledger);
  ASSERT_EQ(ledger.closed_trades().size(), 1u);
  EXPECT_NEAR(ledger.closed_trades()[0].pnl_usd, path.back().equity_usd, 1e-9);
}

}  // namespace
}  // namespace alphastream
