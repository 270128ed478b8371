// The per-pair backtest report: one self-contained HTML file (inline CSS and
// SVG, no scripts, no network) with the prices, hedge ratio, spread, z-score,
// position, equity and drawdown over time, the summary figures and the trades.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace alphastream {

struct ReportTrade {
  std::int64_t entry_ts_ms = 0;
  std::int64_t exit_ts_ms = 0;
  int side = 0;        // +1: long the spread (long y, short beta x); -1: short it
  double pnl = 0;      // USD, after costs
  std::string exit_reason;  // e.g. "exit", "stop", "end of data"
};

// One value per observation in every series, all aligned with ts_ms; a series
// may also be empty (its chart then says there is no data). NaN marks values
// not yet defined (warm-up) and draws as a gap.
struct ReportInput {
  std::string pair;      // e.g. "BTCUSDT-ETHUSDT"
  std::string y_symbol;  // the dependent leg
  std::string x_symbol;  // the hedge leg
  std::string model;     // hedge-ratio model, e.g. "rolling_ols(window=500)"
  std::vector<std::int64_t> ts_ms;  // ascending, UTC epoch milliseconds
  std::vector<double> x, y;         // leg prices, USD
  std::vector<double> alpha, beta;  // spread = y - alpha - beta * x
  std::vector<double> spread;
  std::vector<double> zscore;
  std::vector<double> position;     // -1, 0, +1 (in spread units)
  std::vector<double> equity;       // USD, marked to market
  double entry = 2.0;               // |z| that opens a position
  double exit = 0.0;                // |z| that closes it
  double stop = std::numeric_limits<double>::quiet_NaN();  // NaN: no stop
  std::vector<std::pair<std::string, std::string>> summary;  // key, formatted value
  std::vector<ReportTrade> trades;
};

// The trades table lists at most this many rows and says how many it left out.
inline constexpr std::size_t kReportMaxTradeRows = 500;

// Returns the complete HTML document, or an error naming the pair and the
// first series whose length differs from ts_ms, or where ts_ms decreases.
// Charts decimate long series, so 10^6 observations give well under 2 MB.
Result<std::string> render_backtest_report(const ReportInput& input);

// Renders the report and writes it to `path`, creating missing parent
// directories. Errors name the path and the reason.
Status write_backtest_report(const ReportInput& input, const std::string& path);

}  // namespace alphastream
