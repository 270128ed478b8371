// The per-pair backtest report: one self-contained HTML file (inline CSS and
// SVG, one small inline script that reads the charts under the pointer, no
// network) with the prices, hedge ratio, spread, z-score,
// position, equity and drawdown over time, the summary figures and the trades.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
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

// One UTC day of the run (PerformanceTracker's DailyPnl).
struct ReportDay {
  std::int64_t day_start_ms = 0;
  double pnl_usd = 0;
  double equity_usd = 0;
};

// The outputs of a leg's symbol model that the report charts, each drawn only
// when the model has it: VWAP (against the last price), taker imbalance,
// trade intensity and Kyle's lambda, as the `microstructure` plugin names them.
inline constexpr std::array<std::string_view, 4> kSymbolPanelOutputs = {
    "vwap", "order_flow_imbalance", "trade_intensity_per_s", "kyle_lambda"};

// A leg's symbol model over the run, on its own times (one per sampling
// interval that saw a trade of the symbol). Views only: the data must
// outlive rendering. Every series has one value per ts_ms.
struct SymbolPanel {
  std::string symbol;  // e.g. "BTCUSDT"
  std::string model;   // the model's label, e.g. "microstructure"
  std::span<const std::int64_t> ts_ms;  // ascending
  std::span<const double> last_price;   // USD, the interval's last trade
  // (output name, values); names not in kSymbolPanelOutputs are not drawn.
  std::vector<std::pair<std::string, std::span<const double>>> outputs;
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
  // The rolling ADF p-value of the spread (NaN before the first test); empty
  // without `adf`, and then there is no p-value chart.
  std::vector<double> adf_pvalue;
  double adf_max_pvalue = std::numeric_limits<double>::quiet_NaN();  // the entry gate; NaN: none
  double entry = 2.0;               // |z| that opens a position
  double exit = 0.0;                // |z| that closes it
  double stop = std::numeric_limits<double>::quiet_NaN();  // NaN: no stop
  std::vector<std::pair<std::string, std::string>> summary;  // key, formatted value
  std::vector<ReportTrade> trades;   // their P&L histogram is drawn from all of them
  std::vector<ReportDay> daily;      // the daily P&L table; empty: none
  std::vector<std::pair<std::string, std::string>> provenance;  // key, value: the run's origin; empty: none
  double notional_usd = 0;           // daily returns are P&L over it
  std::vector<SymbolPanel> symbols;  // a microstructure panel each, in this order
  // A thinned input (the rows SeriesThinner kept of every series, so every
  // chart is drawn as from the whole): the whole run's observation count,
  // and its drawdown at the kept rows with the deepest point. Left empty,
  // both come from ts_ms and equity.
  std::uint64_t observations = 0;
  std::vector<double> drawdown;
  double worst_drawdown_usd = 0;
  std::int64_t worst_drawdown_ts_ms = 0;
};

// Equity below its running peak, point by point, and the deepest point.
struct RunningDrawdown {
  double peak = -std::numeric_limits<double>::infinity();
  double worst = 0;
  std::int64_t worst_ts_ms = 0;
  // The drawdown at this point; NaN (and no change) for a non-finite equity.
  double next(double equity, std::int64_t ts_ms);
};

// The trades and daily tables list at most this many rows and say how many
// they left out.
inline constexpr std::size_t kReportMaxTradeRows = 500;
inline constexpr std::size_t kReportMaxDayRows = 400;

// Returns the complete HTML document, or an error naming the pair and the
// first series whose length differs from ts_ms, or where ts_ms decreases (a
// symbol panel's series against the panel's own ts_ms).
// Charts decimate long series, so 10^6 observations give well under 2 MB.
Result<std::string> render_backtest_report(const ReportInput& input);

// Renders the report and writes it to `path`, creating missing parent
// directories. Errors name the path and the reason.
Status write_backtest_report(const ReportInput& input, const std::string& path);

}  // namespace alphastream
