#include "report/sweep_report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>

#include "report/html.h"

namespace alphastream {

namespace {

std::string figure(double value, int decimals) {
  return std::isfinite(value) ? format_grouped(value, decimals) : std::string("n/a");
}

// Distinct values in the order they first appear; numeric ones sorted by value.
std::vector<std::string> distinct(const std::vector<SweepReportRow>& rows, std::size_t key) {
  std::vector<std::string> out;
  for (const SweepReportRow& row : rows) {
    if (std::find(out.begin(), out.end(), row.values[key]) == out.end()) out.push_back(row.values[key]);
  }
  const auto number = [](const std::string& text, double& value) {
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return end != text.c_str() && *end == '\0';
  };
  const bool numeric = std::all_of(out.begin(), out.end(), [&](const std::string& v) {
    double ignored = 0;
    return number(v, ignored);
  });
  if (numeric) {
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      double x = 0, y = 0;
      number(a, x);
      number(b, y);
      return x < y;
    });
  }
  return out;
}

// Red for the lowest figure, white midway, green for the highest.
std::string cell_colour(double value, double lo, double hi) {
  if (!std::isfinite(value) || !(hi > lo)) return "#f4f5f7";
  const double t = (value - lo) / (hi - lo);
  const auto mix = [](double a, double b, double f) { return static_cast<int>(std::lround(a + (b - a) * f)); };
  int r = 0, g = 0, b = 0;
  if (t < 0.5) {
    r = mix(214, 255, t * 2), g = mix(96, 255, t * 2), b = mix(77, 255, t * 2);
  } else {
    r = mix(255, 76, (t - 0.5) * 2), g = mix(255, 175, (t - 0.5) * 2), b = mix(255, 80, (t - 0.5) * 2);
  }
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
  return text;
}

// Per pair: the figure over the first two keys, the best over the others.
void append_heatmaps(std::string& out, const SweepReportInput& in) {
  if (in.keys.empty()) return;
  std::vector<std::string> pairs;
  for (const SweepReportRow& row : in.rows) {
    if (std::find(pairs.begin(), pairs.end(), row.pair) == pairs.end()) pairs.push_back(row.pair);
  }
  for (const std::string& pair : pairs) {
    std::vector<SweepReportRow> rows;
    for (const SweepReportRow& row : in.rows) {
      if (row.pair == pair) rows.push_back(row);
    }
    const std::vector<std::string> across = distinct(rows, 0);
    const std::vector<std::string> down = in.keys.size() > 1 ? distinct(rows, 1) : std::vector<std::string>{""};
    std::map<std::pair<std::string, std::string>, double> best;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const SweepReportRow& row : rows) {
      if (!std::isfinite(row.metric)) continue;
      const auto key = std::make_pair(row.values[0], in.keys.size() > 1 ? row.values[1] : std::string());
      const auto found = best.find(key);
      if (found == best.end() || row.metric > found->second) best[key] = row.metric;
      lo = std::min(lo, row.metric);
      hi = std::max(hi, row.metric);
    }
    out += "<section class=\"card heatmap\" data-pair=\"";
    append_html_escaped(out, pair);
    out += "\">\n<h2>";
    append_html_escaped(out, pair + ": " + in.rank_by);
    out += "</h2>\n<p class=\"note\">";
    std::string note = "Columns: " + in.keys[0];
    if (in.keys.size() > 1) note += "; rows: " + in.keys[1];
    if (in.keys.size() > 2) note += "; each cell the best over the other keys";
    append_html_escaped(out, note + ".");
    out += "</p>\n<div class=\"table-scroll\"><table>\n<thead><tr><th></th>";
    for (const std::string& a : across) {
      out += "<th class=\"num\">";
      append_html_escaped(out, a);
      out += "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (const std::string& d : down) {
      out += "<tr><th>";
      append_html_escaped(out, d);
      out += "</th>";
      for (const std::string& a : across) {
        const auto found = best.find({a, d});
        const double value = found == best.end() ? std::nan("") : found->second;
        out += "<td class=\"num\" style=\"background:" + cell_colour(value, lo, hi) + "\">" + figure(value, 2) +
               "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody>\n</table></div>\n</section>\n";
  }
}

void append_ranking(std::string& out, const SweepReportInput& in) {
  out += "<section class=\"card ranking\">\n<h2>Combinations by ";
  append_html_escaped(out, in.rank_by);
  out += "</h2>\n";
  const std::size_t shown = std::min(in.rows.size(), kSweepReportMaxRows);
  if (shown < in.rows.size()) {
    out += "<p class=\"note\">The best " + std::to_string(shown) + " of " + std::to_string(in.rows.size()) +
           "; sweep.csv has them all.</p>\n";
  }
  out += "<div class=\"table-scroll\"><table>\n<thead><tr><th class=\"num\">#</th><th>Pair</th>";
  for (const std::string& key : in.keys) {
    out += "<th>";
    append_html_escaped(out, key);
    out += "</th>";
  }
  out += "<th class=\"num\">";
  append_html_escaped(out, in.rank_by);
  out += "</th><th class=\"num\">Trades</th><th class=\"num\">P&amp;L (USD)</th><th class=\"num\">Sharpe</th>"
         "<th class=\"num\">Max drawdown (USD)</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < shown; ++i) {
    const SweepReportRow& row = in.rows[i];
    out += "<tr><td class=\"num\">" + std::to_string(i + 1) + "</td><td>";
    append_html_escaped(out, row.pair);
    out += "</td>";
    for (const std::string& value : row.values) {
      out += "<td>";
      append_html_escaped(out, value);
      out += "</td>";
    }
    out += "<td class=\"num\">" + figure(row.metric, 3) + "</td><td class=\"num\">" + std::to_string(row.trades) +
           "</td><td class=\"num " + std::string(row.pnl_usd < 0 ? "neg" : "pos") + "\">" + figure(row.pnl_usd, 2) +
           "</td><td class=\"num\">" + figure(row.sharpe, 2) + "</td><td class=\"num\">" +
           figure(row.max_drawdown_usd, 2) + "</td></tr>\n";
  }
  out += "</tbody>\n</table></div>\n</section>\n";
}

void append_walk_forward(std::string& out, const SweepReportInput& in) {
  if (in.walk_forward.empty()) return;
  out += "<section class=\"card walk-forward\">\n<h2>Walk-forward</h2>\n<p class=\"note\">";
  append_html_escaped(out, "Each fold runs the combination with the best " + in.rank_by +
                               " over the fold before it; best in hindsight is what the best combination made "
                               "over the same days.");
  out += "</p>\n<div class=\"table-scroll\"><table>\n<thead><tr><th>Pair</th><th class=\"num\">Fold</th>"
         "<th>Days (UTC)</th><th>Chosen</th><th class=\"num\">In-sample</th><th class=\"num\">P&amp;L (USD)</th>"
         "<th class=\"num\">Best in hindsight (USD)</th></tr></thead>\n<tbody>\n";
  double total = 0, hindsight = 0;
  for (const SweepReportStep& step : in.walk_forward) {
    total += step.out_pnl_usd;
    hindsight += step.best_out_pnl_usd;
    std::string chosen;
    for (std::size_t k = 0; k < in.keys.size() && k < step.values.size(); ++k) {
      chosen.append(chosen.empty() ? "" : ", ").append(in.keys[k]).append("=").append(step.values[k]);
    }
    out += "<tr><td>";
    append_html_escaped(out, step.pair);
    out += "</td><td class=\"num\">" + std::to_string(step.fold) + "</td><td>" + format_utc_date(step.out_from_ms) +
           " \u2192 " + format_utc_date(step.out_to_ms - 1) + "</td><td>";
    append_html_escaped(out, chosen);
    out += "</td><td class=\"num\">" + figure(step.in_sample_metric, 3) + "</td><td class=\"num\">" +
           figure(step.out_pnl_usd, 2) + "</td><td class=\"num\">" + figure(step.best_out_pnl_usd, 2) + "</td></tr>\n";
  }
  out += "<tr><th colspan=\"5\">Total</th><td class=\"num\">" + figure(total, 2) + "</td><td class=\"num\">" +
         figure(hindsight, 2) + "</td></tr>\n</tbody>\n</table></div>\n</section>\n";
}

}  // namespace

std::string render_sweep_report(const SweepReportInput& input) {
  std::string body = "<header class=\"report-header\">\n<h1>Parameter sweep</h1>\n<p class=\"subtitle\">";
  std::string keys;
  for (const std::string& key : input.keys) keys.append(keys.empty() ? "" : ", ").append(key);
  append_html_escaped(body, std::to_string(input.rows.size()) + " runs over " + keys + ", ranked by " + input.rank_by);
  body += "</p>\n</header>\n";
  append_heatmaps(body, input);
  append_walk_forward(body, input);
  append_ranking(body, input);
  body += "<footer>AlphaStream parameter sweep. Every combination ran over the same trades, read once.</footer>\n";
  return html_page("Parameter sweep", body);
}

Status write_sweep_report(const SweepReportInput& input, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::error(path + ": cannot create: " + std::strerror(errno));
  const std::string html = render_sweep_report(input);
  out.write(html.data(), static_cast<std::streamsize>(html.size()));
  out.close();
  if (!out) return Status::error(path + ": write failed");
  return Status::ok();
}

}  // namespace alphastream
