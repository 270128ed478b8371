#include "pipeline/performance.h"

#include <algorithm>
#include <cmath>

#include "pipeline/sampling_interval.h"

namespace alphastream {

void PerformanceTracker::add(const LedgerPoint& point) {
  if (has_pending_) commit(pending_);
  pending_ = point;
  has_pending_ = true;
}

void PerformanceTracker::replace_last(const LedgerPoint& point) {
  if (has_pending_) pending_ = point;
}

void PerformanceTracker::close_day() {
  daily_.push_back({day_ * kMsPerDay, equity_usd_ - day_open_equity_usd_, equity_usd_});
  day_open_equity_usd_ = equity_usd_;
}

void PerformanceTracker::commit(const LedgerPoint& point) {
  // A point is stamped at the end of what it saw (a time-mode interval's
  // end): it belongs to the day of its last millisecond, so the interval
  // that ends at midnight closes its day rather than opening the next.
  const std::int64_t day = interval_end_containing(point.ts_ms - 1, kMsPerDay) / kMsPerDay - 1;
  if (points_ == 0) {
    first_ts_ms_ = point.ts_ms;
    peak_ts_ms_ = point.ts_ms;
    day_ = day;
  }
  // Days without a point close flat; timestamps are bounded by the feed's
  // checks, so the gap is bounded too.
  for (; day_ < day; ++day_) close_day();
  ++points_;
  if (point.position != 0) ++in_position_;
  last_ts_ms_ = point.ts_ms;
  equity_usd_ = point.equity_usd;
  if (equity_usd_ < peak_usd_ || underwater_) {
    longest_drawdown_ms_ = std::max(longest_drawdown_ms_, point.ts_ms - peak_ts_ms_);
  }
  underwater_ = equity_usd_ < peak_usd_;
  if (underwater_) {
    max_drawdown_usd_ = std::max(max_drawdown_usd_, peak_usd_ - equity_usd_);
  } else {
    peak_usd_ = equity_usd_;
    peak_ts_ms_ = point.ts_ms;
  }
}

PerformanceSummary PerformanceTracker::summarize(std::span<const ClosedTrade> trades) const {
  PerformanceTracker done = *this;
  if (done.has_pending_) {
    done.commit(done.pending_);
    done.has_pending_ = false;
  }
  if (done.points_ > 0) done.close_day();

  PerformanceSummary s;
  s.n_trades = trades.size();
  double gross_profit = 0, gross_loss = 0, holding_ms = 0;
  std::size_t wins = 0, losses = 0;
  for (const ClosedTrade& t : trades) {
    s.pnl_usd += t.pnl_usd;
    s.fees_usd += t.fees_usd;
    s.funding_usd += t.funding_usd;
    if (t.pnl_usd > 0) {
      ++wins;
      gross_profit += t.pnl_usd;
    } else if (t.pnl_usd < 0) {
      ++losses;
      gross_loss -= t.pnl_usd;
    }
    holding_ms += static_cast<double>(t.exit_ts_ms - t.entry_ts_ms);
    (t.side > 0 ? s.long_trades : s.short_trades) += 1;
    (t.side > 0 ? s.long_pnl_usd : s.short_pnl_usd) += t.pnl_usd;
  }
  if (!trades.empty()) {
    const double n = static_cast<double>(trades.size());
    s.win_rate = static_cast<double>(wins) / n;
    s.expectancy_usd = s.pnl_usd / n;
    s.avg_holding_ms = holding_ms / n;
    const auto [worst, best] = std::minmax_element(
        trades.begin(), trades.end(), [](const ClosedTrade& a, const ClosedTrade& b) { return a.pnl_usd < b.pnl_usd; });
    s.best_trade_usd = best->pnl_usd;
    s.worst_trade_usd = worst->pnl_usd;
  }
  if (wins > 0) s.avg_win_usd = gross_profit / static_cast<double>(wins);
  if (losses > 0) {
    s.avg_loss_usd = -gross_loss / static_cast<double>(losses);
    s.profit_factor = gross_profit / gross_loss;
  }

  s.notional_usd = notional_usd_;
  s.max_drawdown_usd = done.max_drawdown_usd_;
  s.longest_drawdown_ms = done.longest_drawdown_ms_;
  s.daily = std::move(done.daily_);
  s.days = s.daily.size();
  if (done.points_ == 0) return s;
  s.exposure = static_cast<double>(done.in_position_) / static_cast<double>(done.points_);
  if (!(notional_usd_ > 0)) return s;
  s.total_return = done.equity_usd_ / notional_usd_;
  const double days = static_cast<double>(s.days);
  s.annualised_return = s.total_return * kDaysPerYear / days;
  if (s.max_drawdown_usd > 0) s.calmar = s.annualised_return / (s.max_drawdown_usd / notional_usd_);
  const DailyRatios ratios = daily_ratios(s.daily, notional_usd_);
  s.sharpe = ratios.sharpe;
  s.sortino = ratios.sortino;
  return s;
}

DailyRatios daily_ratios(std::span<const DailyPnl> days, double notional_usd) {
  DailyRatios out;
  if (days.size() < 2 || !(notional_usd > 0)) return out;
  const double n = static_cast<double>(days.size());
  double mean = 0;
  for (const DailyPnl& d : days) mean += d.pnl_usd / notional_usd;
  mean /= n;
  double squares = 0, downside = 0;
  for (const DailyPnl& d : days) {
    const double r = d.pnl_usd / notional_usd;
    squares += (r - mean) * (r - mean);
    if (r < 0) downside += r * r;
  }
  const double std = std::sqrt(squares / (n - 1));
  const double annualise = std::sqrt(kDaysPerYear);
  if (std > 0) out.sharpe = mean / std * annualise;
  if (downside > 0) out.sortino = mean / std::sqrt(downside / n) * annualise;
  return out;
}

PerformanceSummary summarize_performance(std::span<const LedgerPoint> path, std::span<const ClosedTrade> trades,
                                         double notional_usd) {
  PerformanceTracker tracker(notional_usd);
  for (const LedgerPoint& point : path) tracker.add(point);
  return tracker.summarize(trades);
}

}  // namespace alphastream
