#include "pipeline/signal_machine.h"

#include <gtest/gtest.h>

#include <limits>

namespace alphastream {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ZScoreConfig defaults() { return ZScoreConfig{}; }  // entry 2, exit 0, no stop

ZScoreConfig with_stop(double stop) {
  ZScoreConfig c;
  c.stop = stop;
  return c;
}

void expect_decision(SignalDecision d, SignalAction action, int target) {
  EXPECT_EQ(d.action, action);
  EXPECT_EQ(d.target_position, target);
}

TEST(SignalMachine, FlatEntersShortStrictlyAboveEntry) {
  SignalMachine m(defaults());
  expect_decision(m.on_z(2.0), SignalAction::kNone, 0);
  expect_decision(m.on_z(2.01), SignalAction::kEnterShort, -1);
  EXPECT_EQ(m.position(), -1);
}

TEST(SignalMachine, FlatEntersLongStrictlyBelowMinusEntry) {
  SignalMachine m(defaults());
  expect_decision(m.on_z(-2.0), SignalAction::kNone, 0);
  expect_decision(m.on_z(-2.01), SignalAction::kEnterLong, +1);
}

TEST(SignalMachine, ShortExitsWhenZFallsToExit) {
  SignalMachine m(defaults());
  m.on_z(2.5);
  expect_decision(m.on_z(3.0), SignalAction::kNone, -1);  // no stop configured
  expect_decision(m.on_z(0.01), SignalAction::kNone, -1);
  expect_decision(m.on_z(0.0), SignalAction::kExit, 0);
  expect_decision(m.on_z(-1.0), SignalAction::kNone, 0);
}

TEST(SignalMachine, LongExitsWhenZRisesToMinusExit) {
  ZScoreConfig c;
  c.exit = 0.5;
  SignalMachine m(c);
  m.on_z(-2.5);
  expect_decision(m.on_z(-0.51), SignalAction::kNone, +1);
  expect_decision(m.on_z(-0.5), SignalAction::kExit, 0);
}

TEST(SignalMachine, ShortWithNonZeroExitLeavesAtPlusExit) {
  ZScoreConfig c;
  c.exit = 0.5;
  SignalMachine m(c);
  m.on_z(2.5);
  expect_decision(m.on_z(0.51), SignalAction::kNone, -1);
  expect_decision(m.on_z(0.5), SignalAction::kExit, 0);
}

TEST(SignalMachine, NaNZKeepsThePosition) {
  SignalMachine m(defaults());
  expect_decision(m.on_z(kNaN), SignalAction::kNone, 0);
  m.on_z(-3);
  expect_decision(m.on_z(kNaN), SignalAction::kNone, +1);
}

TEST(SignalMachine, ExitAndOppositeEntryOnOneZIsAReversal) {
  SignalMachine m(defaults());
  m.on_z(2.5);
  expect_decision(m.on_z(-2.5), SignalAction::kEnterLong, +1);
  expect_decision(m.on_z(2.5), SignalAction::kEnterShort, -1);
}

TEST(SignalMachine, StopClosesAndBlocksTheStoppedSideUntilZIsBackInsideEntry) {
  SignalMachine m(with_stop(4.0));
  m.on_z(2.5);
  expect_decision(m.on_z(4.0), SignalAction::kNone, -1);  // stop needs |z| > stop
  expect_decision(m.on_z(4.5), SignalAction::kStop, 0);
  EXPECT_EQ(m.blocked_side(), -1);
  expect_decision(m.on_z(3.0), SignalAction::kNone, 0);  // short entry blocked
  expect_decision(m.on_z(2.0), SignalAction::kNone, 0);  // |z| = entry: still blocked
  EXPECT_EQ(m.blocked_side(), -1);
  expect_decision(m.on_z(1.9), SignalAction::kNone, 0);
  EXPECT_EQ(m.blocked_side(), 0);
  expect_decision(m.on_z(2.5), SignalAction::kEnterShort, -1);
}

TEST(SignalMachine, StopLeavesTheOtherSideOpen) {
  SignalMachine m(with_stop(4.0));
  m.on_z(-2.5);
  expect_decision(m.on_z(-4.5), SignalAction::kStop, 0);
  EXPECT_EQ(m.blocked_side(), +1);
  expect_decision(m.on_z(-3.0), SignalAction::kNone, 0);
  expect_decision(m.on_z(2.5), SignalAction::kEnterShort, -1);
}

TEST(SignalMachine, StopAppliesToAnyLargeZEvenInTheProfitableDirection) {
  // Short from +2.5, z swings to -5: |z| > stop wins over exit and reversal.
  SignalMachine m(with_stop(4.0));
  m.on_z(2.5);
  expect_decision(m.on_z(-5.0), SignalAction::kStop, 0);
  EXPECT_EQ(m.blocked_side(), -1);
}

TEST(SignalMachine, NoEntryBeyondTheStop) {
  SignalMachine m(with_stop(4.0));
  expect_decision(m.on_z(5.0), SignalAction::kNone, 0);
  expect_decision(m.on_z(-4.5), SignalAction::kNone, 0);
  expect_decision(m.on_z(4.0), SignalAction::kEnterShort, -1);
}

TEST(SignalMachine, AClosedGateBlocksEntriesButNotExitsOrStops) {
  SignalMachine m(with_stop(4.0));
  expect_decision(m.on_z(2.5, false), SignalAction::kNone, 0);
  expect_decision(m.on_z(-2.5, false), SignalAction::kNone, 0);
  expect_decision(m.on_z(2.5, true), SignalAction::kEnterShort, -1);
  // Gate shut while short: the exit still happens, the reversal does not.
  expect_decision(m.on_z(-2.5, false), SignalAction::kExit, 0);
  expect_decision(m.on_z(-2.5, true), SignalAction::kEnterLong, +1);
  expect_decision(m.on_z(-4.5, false), SignalAction::kStop, 0);
}

}  // namespace
}  // namespace alphastream
