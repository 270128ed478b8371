#include "pipeline/paper_ledger.h"

#include <algorithm>
#include <cmath>

namespace alphastream {
namespace {

constexpr double kBps = 1e-4;

}  // namespace

std::string_view exit_reason_name(ExitReason reason) {
  switch (reason) {
    case ExitReason::kExit: return "exit";
    case ExitReason::kStop: return "stop";
    case ExitReason::kEnd: return "end";
  }
  return "unknown";
}

PaperLedger::PaperLedger(const CostConfig& costs)
    : fee_rate_(costs.fee_bps * kBps),
      slippage_rate_(costs.slippage_bps * kBps),
      notional_usd_(costs.notional) {}

double PaperLedger::execution_price(double mid, double qty) const {
  if (qty > 0) return mid * (1 + slippage_rate_);
  if (qty < 0) return mid * (1 - slippage_rate_);
  return mid;
}

void PaperLedger::open(std::int64_t ts_ms, double x, double y, int side, double beta) {
  if (!std::isfinite(beta)) {
    ++skipped_entries_;
    return;
  }
  ClosedTrade t;
  t.entry_ts_ms = ts_ms;
  t.side = side;
  t.qty_y = side * notional_usd_ / y;
  t.qty_x = -beta * t.qty_y;
  t.entry_y = execution_price(y, t.qty_y);
  t.entry_x = execution_price(x, t.qty_x);
  t.fees_usd = fee_rate_ * (std::abs(t.qty_y) * t.entry_y + std::abs(t.qty_x) * t.entry_x);
  fees_usd_ += t.fees_usd;
  open_ = t;
  position_ = side;
}

void PaperLedger::close(std::int64_t ts_ms, double x, double y, ExitReason reason) {
  ClosedTrade t = open_;
  t.exit_ts_ms = ts_ms;
  t.exit_y = execution_price(y, -t.qty_y);
  t.exit_x = execution_price(x, -t.qty_x);
  const double exit_fees =
      fee_rate_ * (std::abs(t.qty_y) * t.exit_y + std::abs(t.qty_x) * t.exit_x);
  fees_usd_ += exit_fees;
  t.fees_usd += exit_fees;
  const double gross = t.qty_y * (t.exit_y - t.entry_y) + t.qty_x * (t.exit_x - t.entry_x);
  t.pnl_usd = gross - t.fees_usd + t.funding_usd;
  t.reason = reason;
  realised_pnl_usd_ += t.pnl_usd;
  closed_trades_.push_back(t);
  position_ = 0;
  open_ = ClosedTrade{};
}

void PaperLedger::execute(std::int64_t ts_ms, double x, double y) {
  if (pending_target_ == position_) return;
  if (position_ != 0) close(ts_ms, x, y, pending_reason_);
  if (pending_target_ != 0) open(ts_ms, x, y, pending_target_, pending_beta_);
}

double PaperLedger::equity_at(double x, double y) const {
  if (position_ == 0) return realised_pnl_usd_;
  const double mark = open_.qty_y * (y - open_.entry_y) + open_.qty_x * (x - open_.entry_x);
  return realised_pnl_usd_ - open_.fees_usd + open_.funding_usd + mark;
}

void PaperLedger::on_observation(std::int64_t ts_ms, double x, double y, double beta,
                                 int target_position, SignalAction action) {
  execute(ts_ms, x, y);
  last_x_ = x;
  last_y_ = y;
  last_point_ = LedgerPoint{ts_ms, equity_at(x, y), position_};
  pending_target_ = target_position;
  pending_beta_ = beta;
  pending_reason_ = action == SignalAction::kStop ? ExitReason::kStop : ExitReason::kExit;
}

void PaperLedger::on_funding(double x, double y, double rate_x, double rate_y) {
  if (position_ == 0) return;
  const double paid = -(open_.qty_y * y * rate_y + open_.qty_x * x * rate_x);
  open_.funding_usd += paid;
  funding_usd_ += paid;
}

bool PaperLedger::finish() {
  pending_target_ = 0;
  if (position_ == 0) return false;
  close(last_point_.ts_ms, last_x_, last_y_, ExitReason::kEnd);
  last_point_.equity_usd = realised_pnl_usd_;
  last_point_.position = 0;
  return true;
}

}  // namespace alphastream
