#include "report/backtest_report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>

#include "report/html.h"
#include "report/svg_chart.h"

namespace alphastream {
namespace {

constexpr const char* kLongColor = "#2f7d4a";
constexpr const char* kShortColor = "#c0392b";
constexpr const char* kExitColor = "#3e4c59";

Status check_input(const ReportInput& in) {
  const std::pair<const char*, const std::vector<double>*> series[] = {
      {"x", &in.x},         {"y", &in.y},           {"alpha", &in.alpha},
      {"beta", &in.beta},   {"spread", &in.spread}, {"zscore", &in.zscore},
      {"position", &in.position}, {"equity", &in.equity}, {"adf_pvalue", &in.adf_pvalue},
      {"drawdown", &in.drawdown}};
  for (const auto& [name, values] : series) {
    if (!values->empty() && values->size() != in.ts_ms.size()) {
      return Status::error("backtest report for " + in.pair + ": series '" + name + "' has " +
                           std::to_string(values->size()) + " values, expected " +
                           std::to_string(in.ts_ms.size()) + " (one per ts_ms)");
    }
  }
  const auto descent = std::is_sorted_until(in.ts_ms.begin(), in.ts_ms.end());
  if (descent != in.ts_ms.end()) {
    return Status::error("backtest report for " + in.pair + ": ts_ms decreases at index " +
                         std::to_string(descent - in.ts_ms.begin()));
  }
  for (const SymbolPanel& panel : in.symbols) {
    const std::string where = "backtest report for " + in.pair + ": symbol panel " + panel.symbol + " (" +
                              panel.model + "): ";
    std::vector<std::pair<std::string_view, std::span<const double>>> panel_series = {
        {"last_price", panel.last_price}};
    for (const auto& [name, values] : panel.outputs) panel_series.emplace_back(name, values);
    for (const auto& [name, values] : panel_series) {
      if (values.size() != panel.ts_ms.size()) {
        return Status::error(where + "series '" + std::string(name) + "' has " + std::to_string(values.size()) +
                             " values, expected " + std::to_string(panel.ts_ms.size()) + " (one per ts_ms)");
      }
    }
    const auto panel_descent = std::is_sorted_until(panel.ts_ms.begin(), panel.ts_ms.end());
    if (panel_descent != panel.ts_ms.end()) {
      return Status::error(where + "ts_ms decreases at index " + std::to_string(panel_descent - panel.ts_ms.begin()));
    }
  }
  return Status::ok();
}

double first_finite(std::span<const double> values) {
  const auto it = std::find_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  return it == values.end() ? std::nan("") : *it;
}

// The value at the last observation at or before ts_ms (NaN if none).
double value_at(const ReportInput& in, std::span<const double> values, std::int64_t ts_ms) {
  if (values.empty()) return std::nan("");
  const auto it = std::upper_bound(in.ts_ms.begin(), in.ts_ms.end(), ts_ms);
  if (it == in.ts_ms.begin()) return std::nan("");
  return values[static_cast<std::size_t>(it - in.ts_ms.begin()) - 1];
}

std::string side_name(int side) { return side > 0 ? "long" : side < 0 ? "short" : "flat"; }

void append_fact(std::string& out, std::string_view term, std::string_view value) {
  out += "<div><dt>";
  append_html_escaped(out, term);
  out += "</dt><dd>";
  append_html_escaped(out, value);
  out += "</dd></div>";
}

void append_header(std::string& out, const ReportInput& in) {
  out += "<header class=\"report-header\">\n<h1>";
  append_html_escaped(out, in.pair);
  out += "</h1>\n<p class=\"subtitle\">Backtest report &#183; y: ";
  append_html_escaped(out, in.y_symbol);
  out += " &#183; x: ";
  append_html_escaped(out, in.x_symbol);
  out += " &#183; hedge model: ";
  append_html_escaped(out, in.model);
  out += "</p>\n<dl class=\"facts\">";
  if (in.ts_ms.empty()) {
    append_fact(out, "Period (UTC)", "no observations");
  } else {
    append_fact(out, "Period (UTC)",
                format_utc(in.ts_ms.front()) + " \u2192 " + format_utc(in.ts_ms.back()));
    append_fact(out, "Duration", format_duration_ms(in.ts_ms.back() - in.ts_ms.front()));
  }
  const std::uint64_t observations = in.observations > 0 ? in.observations : in.ts_ms.size();
  append_fact(out, "Observations", format_grouped(static_cast<double>(observations), 0));
  append_fact(out, "Trades", format_grouped(static_cast<double>(in.trades.size()), 0));
  std::string thresholds = "entry \u00b1" + format_fixed(in.entry, 2) + ", exit \u00b1" +
                           format_fixed(in.exit, 2) + ", stop ";
  thresholds += std::isnan(in.stop) ? "none" : "\u00b1" + format_fixed(in.stop, 2);
  append_fact(out, "Z-score thresholds", thresholds);
  out += "</dl>\n</header>\n";
}

void append_summary(std::string& out, const ReportInput& in) {
  out += "<section class=\"card summary\">\n<h2>Summary</h2>\n";
  if (in.summary.empty()) {
    out += "<p class=\"note\">No summary figures were given.</p>\n</section>\n";
    return;
  }
  out += "<div class=\"summary-grid\">";
  for (const auto& [key, value] : in.summary) {
    out += "<div><span class=\"key\">";
    append_html_escaped(out, key);
    out += "</span><span class=\"value\">";
    append_html_escaped(out, value);
    out += "</span></div>";
  }
  out += "</div>\n</section>\n";
}

void add_series(LineChart& chart, std::string name, std::span<const double> values,
                std::string color, ChartAxis axis = ChartAxis::kLeft) {
  if (values.empty()) return;  // a missing series is left out, not drawn flat
  ChartSeries series;
  series.name = std::move(name);
  series.values = values;
  series.color = std::move(color);
  series.axis = axis;
  chart.series.push_back(std::move(series));
}

LineChart base_chart(const ReportInput& in, std::string id, std::string title, int height_px) {
  LineChart chart;
  chart.id = std::move(id);
  chart.title = std::move(title);
  chart.ts_ms = in.ts_ms;
  chart.frame.height_px = height_px;
  return chart;
}

std::string prices_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "prices", "Prices", 280);
  chart.normalise = true;
  chart.y_label = "rebased (start = 100)";
  chart.subtitle = "each leg rebased to 100 at its first price (one axis)";
  std::string first_prices;
  for (const auto& [symbol, prices] : {std::pair{&in.y_symbol, &in.y}, std::pair{&in.x_symbol, &in.x}}) {
    const double first = first_finite(*prices);
    if (!std::isfinite(first)) continue;
    first_prices += (first_prices.empty() ? "; first prices: " : ", ") + *symbol + " " +
                    format_grouped(first, 2) + " USD";
  }
  chart.subtitle += first_prices;
  add_series(chart, in.y_symbol + " (y)", in.y, "#4e79a7");
  add_series(chart, in.x_symbol + " (x)", in.x, "#f28e2b");
  return svg_line_chart(chart);
}

std::string hedge_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "hedge", "Hedge ratio", 250);
  chart.subtitle = "beta (left axis) and intercept alpha (right axis) of y = alpha + beta \u00b7 x";
  chart.y_label = "beta";
  chart.y2_label = "alpha";
  add_series(chart, "beta", in.beta, "#4e79a7");
  add_series(chart, "alpha", in.alpha, "#b07aa1", ChartAxis::kRight);
  if (chart.series.size() == 2) chart.series[1].stroke_width_px = 1.0;
  return svg_line_chart(chart);
}

std::string spread_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "spread", "Spread", 230);
  chart.subtitle = "y - alpha - beta \u00b7 x, USD";
  chart.y_label = "USD";
  add_series(chart, "spread", in.spread, "#76b7b2");
  if (!chart.series.empty()) chart.series[0].color = "#2a7f86";
  return svg_line_chart(chart);
}

void add_position_bands(LineChart& chart, const ReportInput& in) {
  for (const ReportTrade& t : in.trades) {
    ChartBand band;
    band.from_ms = t.entry_ts_ms;
    band.to_ms = t.exit_ts_ms;
    band.color = t.side > 0 ? kLongColor : kShortColor;
    band.opacity = 0.08;
    band.legend = t.side > 0 ? "long spread held" : "short spread held";
    chart.bands.push_back(std::move(band));
  }
}

std::string zscore_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "zscore", "Z-score", 280);
  chart.subtitle = "rolling z-score of the spread; \u25b2 long entry, \u25bc short entry, \u25cf exit";
  chart.y_label = "z";
  add_series(chart, "z-score", in.zscore, "#4e79a7");
  const auto threshold = [&chart](double value, std::string label, const char* color) {
    if (!std::isfinite(value)) return;
    chart.thresholds.push_back({value, std::move(label), color, true, ChartAxis::kLeft});
  };
  threshold(in.entry, "+entry " + format_fixed(in.entry, 2), "#e8890c");
  threshold(-in.entry, "-entry " + format_fixed(in.entry, 2), "#e8890c");
  threshold(in.exit, (in.exit == 0 ? "exit " : "+exit ") + format_fixed(in.exit, 2), "#59a14f");
  if (in.exit != 0) threshold(-in.exit, "-exit " + format_fixed(in.exit, 2), "#59a14f");
  if (!std::isnan(in.stop)) {
    threshold(in.stop, "+stop " + format_fixed(in.stop, 2), kShortColor);
    threshold(-in.stop, "-stop " + format_fixed(in.stop, 2), kShortColor);
  }
  add_position_bands(chart, in);
  for (const ReportTrade& t : in.trades) {
    const std::string what = side_name(t.side) + " spread, PnL " + format_grouped(t.pnl, 2) + " USD";
    chart.markers.push_back({t.entry_ts_ms, value_at(in, in.zscore, t.entry_ts_ms),
                             t.side > 0 ? MarkerShape::kTriangleUp : MarkerShape::kTriangleDown,
                             t.side > 0 ? kLongColor : kShortColor,
                             "entry " + format_utc(t.entry_ts_ms) + ": " + what, ChartAxis::kLeft});
    chart.markers.push_back({t.exit_ts_ms, value_at(in, in.zscore, t.exit_ts_ms),
                             MarkerShape::kCircle, kExitColor,
                             "exit " + format_utc(t.exit_ts_ms) + " (" + t.exit_reason + "): " + what,
                             ChartAxis::kLeft});
  }
  return svg_line_chart(chart);
}

std::string adf_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "adf", "Rolling ADF p-value", 200);
  chart.subtitle = "p-value of the ADF test of the latest spreads; low: the spread looks stationary";
  chart.y_label = "p-value";
  chart.y_min = 0;
  chart.y_max = 1;
  add_series(chart, "ADF p-value", in.adf_pvalue, "#8e6c8a");
  if (std::isfinite(in.adf_max_pvalue)) {
    chart.subtitle += "; dashed: the gate, no new entries while the p-value is above it";
    chart.thresholds.push_back(
        {in.adf_max_pvalue, "gate " + format_fixed(in.adf_max_pvalue, 2), kShortColor, true, ChartAxis::kLeft});
  }
  return svg_line_chart(chart);
}

std::string position_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "position", "Position", 160);
  chart.subtitle = "+1 long the spread (long y, short beta \u00b7 x), -1 short it, 0 flat";
  chart.y_min = -1.3;
  chart.y_max = 1.3;
  chart.y_ticks = {-1, 0, 1};
  add_series(chart, "position", in.position, "#4e79a7");
  if (!chart.series.empty()) {
    chart.series[0].step = true;
    chart.series[0].fill_to_zero = true;
  }
  return svg_line_chart(chart);
}

std::string equity_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "equity", "Equity", 250);
  chart.y_label = "USD";
  const double start = first_finite(in.equity);
  chart.subtitle = "USD, marked to market after costs; dashed: the starting equity";
  add_series(chart, "equity", in.equity, "#4e79a7");
  if (std::isfinite(start)) chart.thresholds.push_back({start, "start", "#8a94a6", true, ChartAxis::kLeft});
  return svg_line_chart(chart);
}

std::string drawdown_chart(const ReportInput& in) {
  LineChart chart = base_chart(in, "drawdown", "Drawdown", 200);
  chart.y_label = "USD";
  std::vector<double> computed;
  RunningDrawdown running;
  if (in.drawdown.empty()) {
    computed.reserve(in.equity.size());
    for (std::size_t i = 0; i < in.equity.size(); ++i) computed.push_back(running.next(in.equity[i], in.ts_ms[i]));
  } else {
    running.worst = in.worst_drawdown_usd;
    running.worst_ts_ms = in.worst_drawdown_ts_ms;
  }
  const std::vector<double>& drawdown = in.drawdown.empty() ? computed : in.drawdown;
  const double worst = running.worst;
  const std::int64_t worst_ts = running.worst_ts_ms;
  chart.subtitle = "USD below the running peak of equity";
  if (worst < 0) {
    chart.subtitle += "; deepest " + format_grouped(worst, 2) + " USD at " + format_utc(worst_ts) + " UTC";
  }
  add_series(chart, "drawdown", drawdown, "#e15759");
  if (!chart.series.empty()) chart.series[0].fill_to_zero = true;
  return svg_line_chart(chart);
}

// The named output's values, or nullptr when the model has no such output.
const std::span<const double>* panel_output(const SymbolPanel& panel, std::string_view name) {
  for (const auto& [output, values] : panel.outputs) {
    if (output == name) return &values;
  }
  return nullptr;
}

LineChart panel_chart(const SymbolPanel& panel, const std::string& id_prefix, std::string_view id,
                      std::string title, int height_px) {
  LineChart chart;
  chart.id = id_prefix + "-" + std::string(id);
  chart.title = panel.symbol + ": " + std::move(title);
  chart.ts_ms = panel.ts_ms;
  chart.frame.height_px = height_px;
  return chart;
}

// A leg's symbol model: a heading and one chart per output it has.
void append_symbol_panel(std::string& out, const SymbolPanel& panel, const std::string& id_prefix) {
  out += "<section class=\"microstructure\" data-symbol=\"";
  append_html_escaped(out, panel.symbol);
  out += "\" data-model=\"";
  append_html_escaped(out, panel.model);
  out += "\">\n<section class=\"card\">\n<h2>";
  append_html_escaped(out, panel.symbol + " microstructure");
  out += "</h2>\n<p class=\"note\">";
  append_html_escaped(out, "Symbol model " + panel.model + ", fed every trade of " + panel.symbol +
                               "; one point per sampling interval with a trade, after its last trade.");
  out += "</p>\n";
  const std::span<const double>* vwap = panel_output(panel, "vwap");
  const std::span<const double>* imbalance = panel_output(panel, "order_flow_imbalance");
  const std::span<const double>* intensity = panel_output(panel, "trade_intensity_per_s");
  const std::span<const double>* kyle_lambda = panel_output(panel, "kyle_lambda");
  if (!vwap && !imbalance && !intensity && !kyle_lambda) {
    out += "<p class=\"note\">The model has none of the outputs charted here (vwap, order_flow_imbalance, "
           "trade_intensity_per_s, kyle_lambda).</p>\n";
  }
  out += "</section>\n";
  if (vwap) {
    LineChart chart = panel_chart(panel, id_prefix, "vwap", "VWAP and last price", 250);
    chart.subtitle = "volume-weighted average price over the model's window, and the last trade price";
    chart.y_label = "USD";
    add_series(chart, "last price", panel.last_price, "#9aa5b1");
    add_series(chart, "VWAP", *vwap, "#4e79a7");
    if (chart.series.size() == 2) chart.series[0].stroke_width_px = 1.0;
    out += svg_line_chart(chart);
  }
  if (imbalance) {
    LineChart chart = panel_chart(panel, id_prefix, "imbalance", "Taker imbalance", 200);
    chart.subtitle = "(taker buy - taker sell) / volume over the model's window; +1: every taker bought";
    chart.y_min = -1;
    chart.y_max = 1;
    chart.y_label = "imbalance";
    chart.y_ticks = {-1, -0.5, 0, 0.5, 1};
    add_series(chart, "taker imbalance", *imbalance, "#59a14f");
    chart.thresholds.push_back({0.0, "", "#8a94a6", true, ChartAxis::kLeft});
    out += svg_line_chart(chart);
  }
  if (intensity) {
    LineChart chart = panel_chart(panel, id_prefix, "intensity", "Trade intensity", 200);
    chart.subtitle = "trades per second over the model's window";
    chart.y_label = "trades/s";
    add_series(chart, "trade intensity", *intensity, "#f28e2b");
    out += svg_line_chart(chart);
  }
  if (kyle_lambda) {
    LineChart chart = panel_chart(panel, id_prefix, "kyle-lambda", "Kyle's lambda", 200);
    chart.subtitle = "price impact: USD of price change per unit of signed taker quantity, over the model's window";
    chart.y_label = "USD / unit";
    add_series(chart, "Kyle lambda", *kyle_lambda, "#b07aa1");
    out += svg_line_chart(chart);
  }
  out += "</section>\n";
}

// "micro-<symbol>", with "-<model>" when the symbol has several panels.
void append_symbol_panels(std::string& out, const ReportInput& in) {
  for (const SymbolPanel& panel : in.symbols) {
    const auto same_symbol = std::count_if(in.symbols.begin(), in.symbols.end(),
                                           [&](const SymbolPanel& p) { return p.symbol == panel.symbol; });
    const std::string id_prefix = "micro-" + panel.symbol + (same_symbol > 1 ? "-" + panel.model : "");
    append_symbol_panel(out, panel, id_prefix);
  }
}

void append_money_cell(std::string& out, double usd) {
  out += usd > 0 ? "<td class=\"num pos\">" : usd < 0 ? "<td class=\"num neg\">" : "<td class=\"num\">";
  out += format_grouped(usd, 2);
  out += "</td>";
}

void append_trades(std::string& out, const ReportInput& in) {
  out += "<section class=\"card trades\">\n<h2>Trades</h2>\n";
  if (in.trades.empty()) {
    out += "<p class=\"note\">No trades.</p>\n</section>\n";
    return;
  }
  const std::size_t rows = std::min(in.trades.size(), kReportMaxTradeRows);
  if (rows < in.trades.size()) {
    out += "<p class=\"note\">Showing the first " + format_grouped(static_cast<double>(rows), 0) +
           " of " + format_grouped(static_cast<double>(in.trades.size()), 0) +
           " trades; the summary covers all of them.</p>\n";
  }
  out += "<div class=\"table-scroll\"><table>\n<thead><tr><th class=\"num\">#</th><th>Side</th>"
         "<th>Entry (UTC)</th><th>Exit (UTC)</th><th class=\"num\">Held</th>"
         "<th class=\"num\">PnL (USD)</th><th class=\"num\">Cumulative PnL (USD)</th>"
         "<th>Exit reason</th></tr></thead>\n<tbody>\n";
  double cumulative = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    const ReportTrade& t = in.trades[i];
    cumulative += t.pnl;
    out += "<tr><td class=\"num\">" + std::to_string(i + 1) + "</td><td>" + side_name(t.side) +
           "</td><td>" + format_utc(t.entry_ts_ms) + "</td><td>" + format_utc(t.exit_ts_ms) +
           "</td><td class=\"num\">" + format_duration_ms(t.exit_ts_ms - t.entry_ts_ms) + "</td>";
    append_money_cell(out, t.pnl);
    append_money_cell(out, cumulative);
    out += "<td>";
    append_html_escaped(out, t.exit_reason);
    out += "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n</section>\n";
}

void append_daily(std::string& out, const ReportInput& in) {
  if (in.daily.empty()) return;
  out += "<section class=\"card daily\">\n<h2>Daily P&amp;L</h2>\n<p class=\"note\">UTC days";
  if (in.notional_usd > 0) out += "; return on the notional of " + format_grouped(in.notional_usd, 0) + " USD";
  out += ".</p>\n";
  const std::size_t rows = std::min(in.daily.size(), kReportMaxDayRows);
  if (rows < in.daily.size()) {
    out += "<p class=\"note\">Showing the first " + format_grouped(static_cast<double>(rows), 0) + " of " +
           format_grouped(static_cast<double>(in.daily.size()), 0) + " days; the summary covers all of them.</p>\n";
  }
  out += "<div class=\"table-scroll\"><table>\n<thead><tr><th>Day (UTC)</th><th class=\"num\">P&amp;L (USD)</th>"
         "<th class=\"num\">Return</th><th class=\"num\">Equity (USD)</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const ReportDay& day = in.daily[i];
    out += "<tr><td>" + format_utc_date(day.day_start_ms) + "</td>";
    append_money_cell(out, day.pnl_usd);
    out += "<td class=\"num\">";
    out += in.notional_usd > 0 ? format_fixed(100 * day.pnl_usd / in.notional_usd, 3) + " %" : "n/a";
    out += "</td>";
    append_money_cell(out, day.equity_usd);
    out += "</tr>\n";
  }
  out += "</tbody>\n</table></div>\n</section>\n";
}

void append_provenance(std::string& out, const ReportInput& in) {
  if (in.provenance.empty()) return;
  out += "<section class=\"card provenance\">\n<h2>Provenance</h2>\n<dl class=\"facts\">";
  for (const auto& [key, value] : in.provenance) append_fact(out, key, value);
  out += "</dl>\n</section>\n";
}

// The trades' net P&L in equal bins from the worst to the best, losses red.
void append_pnl_histogram(std::string& out, const ReportInput& in) {
  if (in.trades.size() < 2) return;
  const auto [lo_it, hi_it] = std::minmax_element(in.trades.begin(), in.trades.end(),
                                                  [](const ReportTrade& a, const ReportTrade& b) { return a.pnl < b.pnl; });
  const double lo = lo_it->pnl, hi = hi_it->pnl;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return;
  const std::size_t bins = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(in.trades.size())))), 5, 40);
  const double width = (hi - lo) / static_cast<double>(bins);
  std::vector<std::size_t> counts(bins, 0);
  for (const ReportTrade& t : in.trades) {
    const auto bin = static_cast<std::size_t>((t.pnl - lo) / width);
    ++counts[std::min(bin, bins - 1)];
  }
  const std::size_t most = *std::max_element(counts.begin(), counts.end());
  constexpr double kWidth = 900, kHeight = 220, kLeft = 50, kBottom = 30, kTop = 10;
  const double plot_w = kWidth - kLeft - 10, plot_h = kHeight - kBottom - kTop;
  out += "<section class=\"card histogram\">\n<h2>Trade P&amp;L distribution</h2>\n<p class=\"note\">" +
         format_grouped(static_cast<double>(in.trades.size()), 0) + " trades in " + std::to_string(bins) +
         " bins of " + format_grouped(width, 2) + " USD, net of costs.</p>\n";
  out += "<svg class=\"chart-svg\" viewBox=\"0 0 900 220\" role=\"img\" aria-label=\"trade P&amp;L histogram\">\n";
  for (std::size_t b = 0; b < bins; ++b) {
    if (counts[b] == 0) continue;
    const double from = lo + width * static_cast<double>(b);
    const double h = plot_h * static_cast<double>(counts[b]) / static_cast<double>(most);
    out += "<rect x=\"";
    append_fixed(out, kLeft + plot_w * static_cast<double>(b) / static_cast<double>(bins) + 1, 1);
    out += "\" y=\"";
    append_fixed(out, kTop + plot_h - h, 1);
    out += "\" width=\"";
    append_fixed(out, plot_w / static_cast<double>(bins) - 2, 1);
    out += "\" height=\"";
    append_fixed(out, h, 1);
    out += std::string("\" fill=\"") + (from + width / 2 < 0 ? kShortColor : kLongColor) + "\"><title>" +
           format_grouped(from, 2) + " to " + format_grouped(from + width, 2) + " USD: " +
           std::to_string(counts[b]) + " trades</title></rect>\n";
  }
  const auto label = [&](double x, const std::string& text, const char* anchor) {
    out += "<text x=\"";
    append_fixed(out, x, 1);
    out += std::string("\" y=\"215\" font-size=\"12\" text-anchor=\"") + anchor + "\">" + text + "</text>\n";
  };
  label(kLeft, format_grouped(lo, 2), "start");
  label(kLeft + plot_w, format_grouped(hi, 2), "end");
  if (lo < 0 && hi > 0) {
    const double zero = kLeft + plot_w * (-lo) / (hi - lo);
    out += "<line x1=\"";
    append_fixed(out, zero, 1);
    out += "\" x2=\"";
    append_fixed(out, zero, 1);
    out += "\" y1=\"10\" y2=\"200\" stroke=\"#8a94a6\" stroke-dasharray=\"4 3\"/>\n";
    label(zero, "0", "middle");
  }
  out += "<text x=\"5\" y=\"20\" font-size=\"12\">" + std::to_string(most) + "</text>\n</svg>\n</section>\n";
}

}  // namespace

double RunningDrawdown::next(double equity, std::int64_t ts_ms) {
  if (!std::isfinite(equity)) return std::nan("");
  peak = std::max(peak, equity);
  const double drawdown = equity - peak;
  if (drawdown < worst) {
    worst = drawdown;
    worst_ts_ms = ts_ms;
  }
  return drawdown;
}

Result<std::string> render_backtest_report(const ReportInput& input) {
  if (Status status = check_input(input); !status) return status;
  std::string body;
  body.reserve(256 * 1024);
  append_header(body, input);
  append_summary(body, input);
  body += prices_chart(input);
  body += hedge_chart(input);
  body += spread_chart(input);
  body += zscore_chart(input);
  if (!input.adf_pvalue.empty()) body += adf_chart(input);
  body += position_chart(input);
  body += equity_chart(input);
  body += drawdown_chart(input);
  append_symbol_panels(body, input);
  append_daily(body, input);
  append_pnl_histogram(body, input);
  append_trades(body, input);
  append_provenance(body, input);
  body += "<footer>AlphaStream backtest report. Long series are drawn from each pixel "
          "column's first, lowest, highest and last value; the pointer reads the time and value under it, "
          "with the same instant marked on every chart; hover a trade marker for its details."
          "</footer>\n";
  return html_page(input.pair + " backtest report", body, kChartReadoutScript);
}

Status write_backtest_report(const ReportInput& input, const std::string& path) {
  Result<std::string> html = render_backtest_report(input);
  if (!html) return html.status();
  const std::filesystem::path file(path);
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    return Status::error("cannot create directory " + file.parent_path().string() + " for report: " +
                         error.message());
  }
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  if (!stream) return Status::error("cannot open " + path + " for writing: " + std::strerror(errno));
  stream.write(html->data(), static_cast<std::streamsize>(html->size()));
  stream.close();
  if (!stream) return Status::error("cannot write report to " + path + ": " + std::strerror(errno));
  return Status::ok();
}

}  // namespace alphastream
