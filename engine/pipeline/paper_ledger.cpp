#include "pipeline/paper_ledger.h"

#include <map>

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

// The median of the gaps between consecutive points, from their counts: the
// same as sorting every gap, with memory for the distinct ones only.
double median_gap_ms(const std::map<std::int64_t, std::uint64_t>& gap_counts, std::uint64_t gaps) {
  const std::uint64_t mid = gaps / 2;
  std::uint64_t seen = 0;
  std::int64_t lower = 0;
  for (const auto& [gap, count] : gap_counts) {
    if (seen + count > mid) {
      // The mid-th (0-based) gap is `gap`; with an even count the one below
      // it is the (mid-1)-th: the same gap, or the largest of the ones before.
      const double upper = static_cast<double>(gap);
      if (gaps % 2 == 1) return upper;
      return (static_cast<double>(seen == mid ? lower : gap) + upper) / 2;
    }
    seen += count;
    lower = gap;
  }
  return 0;
}

double sharpe_of(const LedgerPathReplay& replay, std::size_t points, std::int64_t first_ts, std::int64_t last_ts) {
  if (points < 3) return 0;
  const std::size_t n = points - 1;  // equity changes
  double mean = 0;
  std::map<std::int64_t, std::uint64_t> gap_counts;
  bool started = false;
  LedgerPoint previous;
  replay([&](const LedgerPoint& p) {
    if (started) {
      mean += p.equity_usd - previous.equity_usd;
      ++gap_counts[p.ts_ms - previous.ts_ms];
    }
    started = true;
    previous = p;
  });
  mean /= static_cast<double>(n);
  double ss = 0;
  started = false;
  replay([&](const LedgerPoint& p) {
    if (started) {
      const double dev = (p.equity_usd - previous.equity_usd) - mean;
      ss += dev * dev;
    }
    started = true;
    previous = p;
  });
  const double std = std::sqrt(ss / static_cast<double>(n - 1));
  if (!(std > 0)) return 0;
  double gap_ms = median_gap_ms(gap_counts, n);
  if (gap_ms <= 0) gap_ms = static_cast<double>(last_ts - first_ts) / static_cast<double>(n);
  if (!(gap_ms > 0)) return 0;
  return mean / std * std::sqrt(kMsPerYear / gap_ms);
}

}  // namespace

PerformanceSummary summarize_performance(std::span<const LedgerPoint> path,
                                         std::span<const ClosedTrade> trades) {
  return summarize_performance(
      [path](const std::function<void(const LedgerPoint&)>& visit) {
        for (const LedgerPoint& point : path) visit(point);
      },
      trades);
}

PerformanceSummary summarize_performance(const LedgerPathReplay& replay, std::span<const ClosedTrade> trades) {
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
  std::size_t points = 0;
  std::int64_t first_ts = 0, last_ts = 0;
  replay([&](const LedgerPoint& p) {
    if (points == 0) first_ts = p.ts_ms;
    last_ts = p.ts_ms;
    ++points;
    peak = std::max(peak, p.equity_usd);
    s.max_drawdown_usd = std::max(s.max_drawdown_usd, peak - p.equity_usd);
    if (p.position != 0) ++in_position;
  });
  if (points > 0) s.exposure = static_cast<double>(in_position) / static_cast<double>(points);
  s.sharpe = sharpe_of(replay, points, first_ts, last_ts);
  return s;
}

}  // namespace alphastream
