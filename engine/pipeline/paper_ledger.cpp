#include "pipeline/paper_ledger.h"

#include <algorithm>
#include <cmath>

namespace alphastream {
namespace {

constexpr double kBps = 1e-4;
constexpr double kMsPerYear = 365.0 * 24 * 3600 * 1000;

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
  t.pnl_usd = gross - t.fees_usd;
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
  return realised_pnl_usd_ - open_.fees_usd + mark;
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

bool PaperLedger::finish() {
  pending_target_ = 0;
  if (position_ == 0) return false;
  close(last_point_.ts_ms, last_x_, last_y_, ExitReason::kEnd);
  last_point_.equity_usd = realised_pnl_usd_;
  last_point_.position = 0;
  return true;
}

namespace {

double median_gap_ms(std::span<const LedgerPoint> path) {
  std::vector<std::int64_t> gaps;
  gaps.reserve(path.size() - 1);
  for (std::size_t i = 1; i < path.size(); ++i) gaps.push_back(path[i].ts_ms - path[i - 1].ts_ms);
  const std::size_t mid = gaps.size() / 2;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(mid), gaps.end());
  const double upper = static_cast<double>(gaps[mid]);
  if (gaps.size() % 2 == 1) return upper;
  const double lower = static_cast<double>(
      *std::max_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(mid)));
  return (lower + upper) / 2;
}

double sharpe_of(std::span<const LedgerPoint> path) {
  if (path.size() < 3) return 0;
  const std::size_t n = path.size() - 1;  // equity changes
  double mean = 0;
  for (std::size_t i = 1; i < path.size(); ++i) mean += path[i].equity_usd - path[i - 1].equity_usd;
  mean /= static_cast<double>(n);
  double ss = 0;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const double dev = (path[i].equity_usd - path[i - 1].equity_usd) - mean;
    ss += dev * dev;
  }
  const double std = std::sqrt(ss / static_cast<double>(n - 1));
  if (!(std > 0)) return 0;
  double gap_ms = median_gap_ms(path);
  if (gap_ms <= 0) {
    gap_ms = static_cast<double>(path.back().ts_ms - path.front().ts_ms) / static_cast<double>(n);
  }
  if (!(gap_ms > 0)) return 0;
  return mean / std * std::sqrt(kMsPerYear / gap_ms);
}

}  // namespace

PerformanceSummary summarize_performance(std::span<const LedgerPoint> path,
                                         std::span<const ClosedTrade> trades) {
  PerformanceSummary s;
  s.n_trades = trades.size();
  std::size_t wins = 0;
  for (const ClosedTrade& t : trades) {
    s.pnl_usd += t.pnl_usd;
    s.fees_usd += t.fees_usd;
    if (t.pnl_usd > 0) ++wins;
  }
  if (!trades.empty()) s.win_rate = static_cast<double>(wins) / static_cast<double>(trades.size());

  double peak = 0;
  std::size_t in_position = 0;
  for (const LedgerPoint& p : path) {
    peak = std::max(peak, p.equity_usd);
    s.max_drawdown_usd = std::max(s.max_drawdown_usd, peak - p.equity_usd);
    if (p.position != 0) ++in_position;
  }
  if (!path.empty()) s.exposure = static_cast<double>(in_position) / static_cast<double>(path.size());
  s.sharpe = sharpe_of(path);
  return s;
}

}  // namespace alphastream
