#include "report/model_comparison_report.h"

#include <cmath>
#include <fstream>
#include <utility>

#include "report/html.h"
#include "report/svg_chart.h"

namespace alphastream {

namespace {

Status check_input(const ComparisonInput& in) {
  const std::size_t n = in.ts_ms.size();
  for (const ModelTrack& model : in.models) {
    const std::pair<const char*, const std::vector<double>*> series[] = {
        {"beta", &model.beta}, {"zscore", &model.zscore}, {"equity", &model.equity}, {"adf_pvalue", &model.adf_pvalue}};
    for (const auto& [name, values] : series) {
      if (values->size() == n || (values == &model.adf_pvalue && values->empty())) continue;
      return Status::error("model comparison report of " + in.pair + ": model '" + model.label + "': " + name +
                           " has " + std::to_string(values->size()) + " values for " + std::to_string(n) +
                           " observations");
    }
  }
  return Status::ok();
}

// One chart with one line per model, from the member `values` picks.
template <class Pick>
LineChart make_chart(const ComparisonInput& in, std::string id, std::string title, std::string subtitle,
                            std::string y_label, Pick values) {
  LineChart chart;
  chart.id = std::move(id);
  chart.title = std::move(title);
  chart.subtitle = std::move(subtitle);
  chart.y_label = std::move(y_label);
  chart.ts_ms = in.ts_ms;
  for (const ModelTrack& model : in.models) {
    ChartSeries& series = chart.series.emplace_back();
    series.name = model.label;
    series.values = values(model);
  }
  return chart;
}

void append_results_table(std::string& out, const ComparisonInput& in) {
  out += "<section class=\"card\">\n<h2>Models</h2>\n<div class=\"table-scroll\"><table>\n<thead><tr>"
         "<th>Model</th><th class=\"num\">Trades</th><th class=\"num\">PnL (USD)</th>"
         "<th class=\"num\">Sharpe</th><th class=\"num\">Max drawdown (USD)</th></tr></thead>\n<tbody>\n";
  for (const ModelTrack& model : in.models) {
    out += "<tr><td>";
    append_html_escaped(out, model.label);
    out += "</td><td class=\"num\">" + std::to_string(model.trades) + "</td><td class=\"num\">" +
           format_fixed(model.pnl_usd, 2) + "</td><td class=\"num\">" + (std::isnan(model.sharpe) ? std::string("n/a") : format_fixed(model.sharpe, 2)) +
           "</td><td class=\"num\">" + format_fixed(model.max_drawdown_usd, 2) + "</td></tr>\n";
  }
  out += "</tbody></table></div>\n</section>\n";
}

}  // namespace

Result<std::string> render_model_comparison_report(const ComparisonInput& in) {
  if (Status status = check_input(in); !status) return status;
  std::string body;
  body += "<header class=\"report-header\">\n<h1>";
  append_html_escaped(body, in.pair);
  body += "</h1>\n<p>Hedge models compared · y: ";
  append_html_escaped(body, in.y_symbol);
  body += " · x: ";
  append_html_escaped(body, in.x_symbol);
  body += " · each model's own report is in its folder</p>\n</header>\n";
  append_results_table(body, in);
  body += svg_line_chart(make_chart(in, "beta", "Hedge ratio", "beta of each model", "beta",
                                    [](const ModelTrack& m) { return std::span<const double>(m.beta); }));
  LineChart z = make_chart(in, "zscore", "Z-score", "rolling z-score of each model's spread", "z",
                           [](const ModelTrack& m) { return std::span<const double>(m.zscore); });
  for (double level : {in.entry, -in.entry}) {
    ChartThreshold& threshold = z.thresholds.emplace_back();
    threshold.value = level;
    threshold.label = (level > 0 ? "+entry " : "-entry ") + format_fixed(in.entry, 2);
  }
  body += svg_line_chart(z);
  const bool with_adf = !in.models.empty() && !in.models.front().adf_pvalue.empty();
  if (with_adf) {
    body += svg_line_chart(make_chart(in, "adf", "Rolling ADF p-value", "of each model's spread", "p-value",
                                      [](const ModelTrack& m) { return std::span<const double>(m.adf_pvalue); }));
  }
  body += svg_line_chart(make_chart(in, "equity", "Equity", "USD, marked to market after costs", "USD",
                                    [](const ModelTrack& m) { return std::span<const double>(m.equity); }));
  body += "<footer>AlphaStream model comparison.</footer>\n";
  return html_page(in.pair + " model comparison", body);
}

Status write_model_comparison_report(const ComparisonInput& input, const std::string& path) {
  auto html = render_model_comparison_report(input);
  if (!html) return html.status();
  std::ofstream out(path, std::ios::binary);
  out << html.value();
  out.close();
  if (!out) return Status::error(path + ": write failed");
  return Status::ok();
}

}  // namespace alphastream
