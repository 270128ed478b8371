// Paper trading of one pair: executes target positions with slippage and
// fees, marks the open position to market, and records closed trades.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "pipeline/signal_machine.h"

namespace alphastream {

enum class ExitReason : std::uint8_t { kExit, kStop, kEnd };

// "exit", "stop" or "end".
std::string_view exit_reason_name(ExitReason reason);

// One round trip. Quantities are signed (positive: bought at entry); prices
// are execution prices, slippage included.
struct ClosedTrade {
  std::int64_t entry_ts_ms = 0;
  std::int64_t exit_ts_ms = 0;
  int side = 0;  // +1 long the spread, -1 short
  double qty_y = 0;
  double qty_x = 0;
  double entry_y = 0;
  double entry_x = 0;
  double exit_y = 0;
  double exit_x = 0;
  double fees_usd = 0;  // entry and exit, both legs
  double funding_usd = 0;  // received (+) or paid (-) at funding settlements while open
  double pnl_usd = 0;   // net of fees and funding
  ExitReason reason = ExitReason::kExit;
};

// The ledger after one observation.
struct LedgerPoint {
  std::int64_t ts_ms = 0;
  // Realised P&L net of all fees paid (the open position's entry fees too),
  // plus the open position marked at the observation's mid prices.
  double equity_usd = 0;
  int position = 0;  // held after this observation's execution
};

// Decisions act from the next observation, never on the prices they were
// made from: the target given with observation t is executed at observation
// t+1's prices. Entry: qty_y = target * notional / y, qty_x = -beta * qty_y,
// with y the mid of the executing observation and beta the one given with
// the decision (fixed for the life of the position; any sign). Each leg
// executes at p * (1 + slippage) when buying, p * (1 - slippage) when
// selling, and pays fee_bps on |qty| * execution price, at entry and at exit.
// A reversal closes and reopens at the same observation's prices.
// Per observation it allocates nothing; closing a trade appends to
// closed_trades() (see reserve_closed_trades).
class PaperLedger {
 public:
  explicit PaperLedger(const CostConfig& costs);

  // Executes the pending target at (x, y), marks to market, then takes
  // target_position, decided on this observation with hedge ratio beta, as
  // the new pending target. action tags why a position is closed: kStop
  // records the close as a stop, anything else as an exit.
  // REQUIRES: x, y finite and positive; target_position in {-1, 0, +1};
  // ts_ms non-decreasing. A non-finite beta with a non-zero target skips the
  // entry (counted in skipped_entries); it is retried at the next
  // observation if the target still asks for it.
  void on_observation(std::int64_t ts_ms, double x, double y, double beta, int target_position,
                      SignalAction action = SignalAction::kNone);

  // A funding settlement while a position is open: each leg pays its
  // quantity x its price x its rate (a long leg pays a positive rate), at
  // the prices given (the observation the settlement falls before). Counted
  // in funding_usd(), the open trade's funding_usd and the equity. No-op
  // without a position.
  void on_funding(double x, double y, double rate_x, double rate_y);

  // End of data: closes an open position at the last observation's prices
  // (slippage and fees apply) with reason kEnd, and updates last_point() to
  // the final equity and position 0; a path recorder should replace its last
  // point with it. A target still pending is dropped. Returns whether a
  // position was closed.
  bool finish();

  const LedgerPoint& last_point() const { return last_point_; }
  int position() const { return position_; }
  double equity_usd() const { return last_point_.equity_usd; }
  // Sum of closed trades' net P&L.
  double realised_pnl_usd() const { return realised_pnl_usd_; }
  // All fees paid, the open position's entry fees included.
  double fees_usd() const { return fees_usd_; }
  // All funding received (+) or paid (-), the open position's included.
  double funding_usd() const { return funding_usd_; }
  std::uint64_t skipped_entries() const { return skipped_entries_; }

  const std::vector<ClosedTrade>& closed_trades() const { return closed_trades_; }
  // For a long-running service: room for n trades before the next allocation,
  // and a way to drain the list without giving the room back.
  void reserve_closed_trades(std::size_t n) { closed_trades_.reserve(n); }
  void clear_closed_trades() { closed_trades_.clear(); }

 private:
  void execute(std::int64_t ts_ms, double x, double y);
  void open(std::int64_t ts_ms, double x, double y, int side, double beta);
  void close(std::int64_t ts_ms, double x, double y, ExitReason reason);
  double execution_price(double mid, double qty) const;
  double equity_at(double x, double y) const;

  double fee_rate_;
  double slippage_rate_;
  double notional_usd_;

  int pending_target_ = 0;
  double pending_beta_ = 0;
  ExitReason pending_reason_ = ExitReason::kExit;

  int position_ = 0;
  ClosedTrade open_{};  // the open position's entry fields

  double last_x_ = 0;
  double last_y_ = 0;
  LedgerPoint last_point_{};

  double realised_pnl_usd_ = 0;
  double fees_usd_ = 0;
  double funding_usd_ = 0;
  std::uint64_t skipped_entries_ = 0;
  std::vector<ClosedTrade> closed_trades_;
};

}  // namespace alphastream
