// The figures a quant compares runs by, from a run's equity path and its
// closed trades. The path streams past the tracker one point at a time and
// is never kept: memory is one entry per calendar day, so a month of
// one-second observations costs 31 entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "pipeline/paper_ledger.h"

namespace alphastream {

inline constexpr std::int64_t kMsPerDay = 86'400'000;
inline constexpr double kDaysPerYear = 365;  // crypto trades every day

// One UTC calendar day of the run: its P&L (equity at its last point less
// equity at the previous day's, 0 before the first) and its closing equity.
// A point belongs to the day of its stamp's last millisecond (ts_ms - 1): the
// 1 s interval stamped 00:00:00 is the previous day's last. A day without
// observations inside the run is there with 0 P&L.
struct DailyPnl {
  std::int64_t day_start_ms = 0;
  double pnl_usd = 0;
  double equity_usd = 0;
};

// NaN marks a figure that does not exist for the run (e.g. a Sharpe ratio
// from fewer than two days, a profit factor without a losing trade).
struct PerformanceSummary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  // The closed trades.
  std::size_t n_trades = 0;
  double pnl_usd = 0;   // sum of the trades' net P&L
  double fees_usd = 0;  // sum of the trades' fees
  double funding_usd = 0;  // sum of the trades' funding: received (+) or paid (-)
  double win_rate = 0;  // share of trades with pnl_usd > 0; 0 without trades
  double profit_factor = kNaN;  // gross profit / gross loss of the trades
  double expectancy_usd = kNaN;  // mean net P&L per trade
  double avg_win_usd = kNaN;
  double avg_loss_usd = kNaN;    // <= 0
  double best_trade_usd = kNaN;
  double worst_trade_usd = kNaN;
  double avg_holding_ms = kNaN;  // entry to exit
  std::size_t long_trades = 0;   // long the spread
  std::size_t short_trades = 0;
  double long_pnl_usd = 0;
  double short_pnl_usd = 0;

  // The equity path. Returns are P&L over the configured notional (a fixed
  // notional per position, so they add up rather than compound).
  double notional_usd = 0;
  std::size_t days = 0;  // calendar days from the first point to the last
  double total_return = 0;
  double annualised_return = kNaN;  // total_return * 365 / days
  // Mean over sample std (ddof = 1) of the daily returns, times sqrt(365);
  // NaN with fewer than 2 days or no variation.
  double sharpe = kNaN;
  // Mean daily return over the downside deviation sqrt(mean(min(r, 0)^2)),
  // times sqrt(365); NaN with fewer than 2 days or no losing day.
  double sortino = kNaN;
  double calmar = kNaN;  // annualised_return over max drawdown / notional
  // Largest fall of equity from a running peak, in USD, >= 0. Equity starts
  // at 0 before the first point, so a fall from the start counts.
  double max_drawdown_usd = 0;
  // Longest time below a running peak: from the peak's point (the first
  // point for the starting 0) to the point that regains it, or to the last
  // point if none does.
  std::int64_t longest_drawdown_ms = 0;
  double exposure = 0;  // share of points with a position; 0 without points
  std::vector<DailyPnl> daily;
};

// Sharpe and Sortino ratios of daily P&L over a notional, as
// PerformanceSummary defines them; NaN where they do not exist.
struct DailyRatios {
  double sharpe = PerformanceSummary::kNaN;
  double sortino = PerformanceSummary::kNaN;
};
DailyRatios daily_ratios(std::span<const DailyPnl> days, double notional_usd);

class PerformanceTracker {
 public:
  explicit PerformanceTracker(double notional_usd) : notional_usd_(notional_usd) {}

  // One point per observation, ts_ms non-decreasing.
  void add(const LedgerPoint& point);
  // Replaces the last point added: the ledger's closing of a position at the
  // end of data (PaperLedger::finish). No-op before the first point.
  void replace_last(const LedgerPoint& point);

  std::size_t points() const { return points_ + (has_pending_ ? 1 : 0); }
  PerformanceSummary summarize(std::span<const ClosedTrade> trades) const;

 private:
  void commit(const LedgerPoint& point);
  void close_day();

  double notional_usd_;
  // The newest point waits here until the next one, so replace_last never
  // has to undo anything.
  LedgerPoint pending_{};
  bool has_pending_ = false;

  std::size_t points_ = 0;
  std::size_t in_position_ = 0;
  std::int64_t first_ts_ms_ = 0;
  std::int64_t last_ts_ms_ = 0;
  double equity_usd_ = 0;
  double peak_usd_ = 0;
  std::int64_t peak_ts_ms_ = 0;
  bool underwater_ = false;
  double max_drawdown_usd_ = 0;
  std::int64_t longest_drawdown_ms_ = 0;
  std::int64_t day_ = 0;  // of the last point, in days since the epoch
  double day_open_equity_usd_ = 0;
  std::vector<DailyPnl> daily_;  // closed days
};

// The summary of a whole path held in memory (tests, small runs).
PerformanceSummary summarize_performance(std::span<const LedgerPoint> path, std::span<const ClosedTrade> trades,
                                         double notional_usd);

}  // namespace alphastream
