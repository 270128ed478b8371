#include "report/backtest_report.h"
#include "report/svg_chart.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "xml_tree.h"

namespace alphastream {
namespace {

using testing::XmlElement;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMar5Ms = 1709596800000;  // 2024-03-05 00:00:00 UTC

// A pair observed every second: y tracks 20 x plus a sine spread, z is the
// spread over its amplitude after a 50-observation warm-up, one long and one
// short trade.
ReportInput small_input(std::size_t n = 600) {
  ReportInput in;
  in.pair = "BTCUSDT-ETHUSDT";
  in.y_symbol = "BTCUSDT";
  in.x_symbol = "ETHUSDT";
  in.model = "rolling_ols(window=50)";
  in.entry = 2.0;
  in.exit = 0.5;
  in.stop = 4.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i);
    const double spread = 150 * std::sin(t / 40);
    in.ts_ms.push_back(kMar5Ms + static_cast<std::int64_t>(i) * 1000);
    in.x.push_back(3000 + 0.2 * t);
    in.y.push_back(20 * in.x.back() + spread);
    const bool warm = i >= 50;
    in.alpha.push_back(warm ? 0.0 : kNaN);
    in.beta.push_back(warm ? 20.0 + 0.001 * std::cos(t / 90) : kNaN);
    in.spread.push_back(warm ? spread : kNaN);
    in.zscore.push_back(warm ? spread / 60 : kNaN);
    in.position.push_back(i >= 100 && i < 200 ? 1.0 : i >= 300 && i < 380 ? -1.0 : 0.0);
    in.equity.push_back(10000 + (i >= 200 ? 35.5 : 0) + (i >= 380 ? -12.25 : 0));
  }
  in.trades = {{kMar5Ms + 100'000, kMar5Ms + 200'000, +1, 35.5, "exit"},
               {kMar5Ms + 300'000, kMar5Ms + 380'000, -1, -12.25, "stop"}};
  in.summary = {{"Total PnL (USD)", "23.25"}, {"Sharpe (annualised)", "1.87"}, {"Trades", "2"}};
  return in;
}

std::unique_ptr<XmlElement> parse(const std::string& html) {
  auto root = testing::parse_xml(html);
  EXPECT_TRUE(root) << root.error();
  return root ? std::move(root.value()) : std::make_unique<XmlElement>();
}

const XmlElement* chart(const XmlElement& doc, std::string_view id) {
  const auto figures = doc.find_all("figure", "data-chart", id);
  return figures.size() == 1 ? figures[0] : nullptr;
}

// (x, y) pixels of a polyline's points.
std::vector<std::pair<double, double>> points_of(const XmlElement& polyline) {
  std::vector<std::pair<double, double>> out;
  std::istringstream in(polyline.attr("points"));
  std::string pair;
  while (in >> pair) {
    const std::size_t comma = pair.find(',');
    out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return out;
}

// Every point of the named series of a chart, in drawing order.
std::vector<std::pair<double, double>> series_points(const XmlElement& figure, std::string_view series) {
  std::vector<std::pair<double, double>> out;
  const auto groups = figure.find_all("g", "data-series", series);
  EXPECT_EQ(groups.size(), 1u) << series;
  if (groups.size() != 1) return out;
  for (const XmlElement* line : groups[0]->find_all("polyline")) {
    const auto points = points_of(*line);
    out.insert(out.end(), points.begin(), points.end());
  }
  return out;
}

// The index of the evenly spaced observation drawn at pixel x: the default
// frame's plot runs from x = 78 (first) to 1122 (last).
std::size_t index_at(double x, std::size_t n) {
  return static_cast<std::size_t>(std::lround((x - 78) / 1044 * static_cast<double>(n - 1)));
}

TEST(BacktestReport, SmallRunHasEveryChartAsOneWellFormedSvg) {
  const Result<std::string> html = render_backtest_report(small_input());
  ASSERT_TRUE(html) << html.error();
  auto doc = parse(html.value());
  for (const char* id : {"prices", "hedge", "spread", "zscore", "position", "equity", "drawdown"}) {
    const XmlElement* figure = chart(*doc, id);
    ASSERT_NE(figure, nullptr) << id;
    EXPECT_EQ(figure->find_all("svg").size(), 1u) << id;
  }
  EXPECT_EQ(doc->find_all("svg").size(), 8u);  // and the trades' P&L histogram
  // One inline script, the pointer readout; nothing is fetched: the only
  // URLs are the SVG namespace, once per chart and once in the script.
  const std::size_t script = html->find("<script>");
  ASSERT_NE(script, std::string::npos);
  EXPECT_EQ(html->find("<script", script + 1), std::string::npos);
  EXPECT_NE(html->find(std::string(kChartReadoutScript)), std::string::npos);
  std::size_t urls = 0;
  for (std::size_t at = html->find("http"); at != std::string::npos; at = html->find("http", at + 1)) ++urls;
  EXPECT_EQ(urls, 8u);
  EXPECT_EQ(html->find(" src="), std::string::npos);
  EXPECT_EQ(html->find("<link"), std::string::npos);
  // Prices: two legs, no gaps, one line each, scaled to 100 and saying from what.
  EXPECT_EQ(chart(*doc, "prices")->find_all("polyline").size(), 2u);
  EXPECT_NE(chart(*doc, "prices")->all_text().find("first prices: BTCUSDT 60,000.00 USD, ETHUSDT 3,000.00 USD"),
            std::string::npos);
  // Hedge: beta and alpha after the warm-up, one line each, alpha on the right axis.
  EXPECT_EQ(chart(*doc, "hedge")->find_all("polyline").size(), 2u);
  EXPECT_EQ(chart(*doc, "hedge")->find_all("g", "class", "y2-axis").size(), 1u);
  // Position and drawdown are shaded down to zero.
  EXPECT_EQ(chart(*doc, "position")->find_all("polygon", "class", "area").size(), 1u);
  EXPECT_EQ(chart(*doc, "drawdown")->find_all("polygon", "class", "area").size(), 1u);
}

TEST(BacktestReport, ZScoreChartHasAllSixThresholdsAndAMarkerPerEntryAndExit) {
  auto doc = parse(render_backtest_report(small_input()).value());
  const XmlElement* z = chart(*doc, "zscore");
  ASSERT_NE(z, nullptr);
  std::vector<std::string> values;
  for (const XmlElement* line : z->find_all("line", "class", "threshold")) values.push_back(line->attr("data-value"));
  EXPECT_EQ(values, (std::vector<std::string>{"2.000000", "-2.000000", "0.500000", "-0.500000",
                                              "4.000000", "-4.000000"}));
  EXPECT_EQ(z->find_all("path", "class", "marker").size(), 2u);    // two entry triangles
  EXPECT_EQ(z->find_all("circle", "class", "marker").size(), 2u);  // two exits
  EXPECT_EQ(z->find_all("rect", "class", "band").size(), 2u);      // long and short periods
  EXPECT_NE(z->all_text().find("entry 2024-03-05 00:01:40: long spread, PnL 35.50 USD"), std::string::npos);
}

TEST(BacktestReport, HeaderSummaryAndTradesShowTheInput) {
  auto doc = parse(render_backtest_report(small_input()).value());
  const std::string header = doc->find_all("header")[0]->all_text();
  EXPECT_NE(header.find("BTCUSDT-ETHUSDT"), std::string::npos);
  EXPECT_NE(header.find("rolling_ols(window=50)"), std::string::npos);
  EXPECT_NE(header.find("2024-03-05 00:00:00"), std::string::npos);
  EXPECT_NE(header.find("2024-03-05 00:09:59"), std::string::npos);  // 600 one-second observations
  EXPECT_NE(header.find("9m 59s"), std::string::npos);
  const std::string summary = doc->find_all("section", "class", "card summary")[0]->all_text();
  EXPECT_NE(summary.find("Sharpe (annualised)1.87"), std::string::npos);
  const auto rows = doc->find_all("tbody")[0]->find_all("tr");
  ASSERT_EQ(rows.size(), 2u);
  std::vector<std::string> cells;
  for (const auto& td : rows[1]->children) cells.push_back(td->text);
  EXPECT_EQ(cells, (std::vector<std::string>{"2", "short", "2024-03-05 00:05:00", "2024-03-05 00:06:20",
                                             "1m 20s", "-12.25", "23.25", "stop"}));
  EXPECT_EQ(rows[1]->children[5]->attr("class"), "num neg");
}

TEST(BacktestReport, PairNameAndTextsAreHtmlEscaped) {
  ReportInput in = small_input(100);
  in.pair = "<script>alert('x')</script>&";
  in.model = "kalman\"q=1e-5\"";
  in.trades[0].exit_reason = "<b>stop</b>";
  in.summary.push_back({"a<b", "c&d"});
  const std::string html = render_backtest_report(in).value();
  // The one <script> is the report's own readout, after every escaped text.
  EXPECT_EQ(html.find("<script>"), html.rfind("<script>"));
  EXPECT_GT(html.find("<script>"), html.find("</main>"));
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</h1>"), std::string::npos);
  auto doc = parse(html);
  EXPECT_EQ(doc->find_all("h1")[0]->text, in.pair);
  EXPECT_EQ(doc->find_all("title")[0]->text, in.pair + " backtest report");
}

TEST(BacktestReport, NoObservationsGiveAMessageInEveryChart) {
  ReportInput in;
  in.pair = "AAAUSDT-BBBUSDT";
  const Result<std::string> html = render_backtest_report(in);
  ASSERT_TRUE(html) << html.error();
  auto doc = parse(html.value());
  EXPECT_TRUE(doc->find_all("svg").empty());
  EXPECT_EQ(doc->find_all("figure", "class", "chart chart-empty").size(), 7u);
  EXPECT_NE(doc->all_text().find("No trades."), std::string::npos);
  EXPECT_NE(doc->all_text().find("no observations"), std::string::npos);
  EXPECT_EQ(html.value().find("NaN"), std::string::npos);
}

// The readout script maps the pointer back through the scales each chart's
// <svg> states: they must be the ones it was drawn with.
TEST(BacktestReport, EachChartStatesTheScalesItWasDrawnWith) {
  const ReportInput in = small_input();
  auto doc = parse(render_backtest_report(in).value());
  const XmlElement* zscore = chart(*doc, "zscore");
  ASSERT_NE(zscore, nullptr);
  const XmlElement* svg = zscore->find_all("svg")[0];
  EXPECT_EQ(svg->attr("data-x0"), "78.0");
  EXPECT_EQ(svg->attr("data-x1"), "1122.0");
  const double from = std::stod(svg->attr("data-from-ms")), to = std::stod(svg->attr("data-to-ms"));
  EXPECT_LE(from, static_cast<double>(in.ts_ms.front()));
  EXPECT_GE(to, static_cast<double>(in.ts_ms.back()));
  const double lo = std::stod(svg->attr("data-y-lo")), hi = std::stod(svg->attr("data-y-hi"));
  const double top = std::stod(svg->attr("data-y-top")), bottom = std::stod(svg->attr("data-y-bottom"));
  // Every threshold line sits where the stated scale puts its value.
  const auto lines = zscore->find_all("line", "class", "threshold");
  ASSERT_GE(lines.size(), 2u);
  for (const XmlElement* line : lines) {
    const double value = std::stod(line->attr("data-value"));
    EXPECT_NEAR(std::stod(line->attr("y1")), bottom - (value - lo) / (hi - lo) * (bottom - top), 0.06) << value;
  }
}

TEST(BacktestReport, TradePnlHistogramBinsEveryTradeFromTheWorstToTheBest) {
  ReportInput in = small_input();
  // 9 trades: ceil(sqrt(9)) = 5 bins of (10 - -10) / 5 = 4 USD.
  in.trades.clear();
  for (double pnl : {-10.0, -9.0, -1.0, 0.5, 1.0, 1.5, 2.0, 9.0, 10.0}) {
    in.trades.push_back({kMar5Ms, kMar5Ms + 1000, +1, pnl, "exit"});
  }
  auto doc = parse(render_backtest_report(in).value());
  const auto sections = doc->find_all("section", "class", "card histogram");
  ASSERT_EQ(sections.size(), 1u);
  const auto bars = sections[0]->find_all("rect");
  ASSERT_EQ(bars.size(), 4u);  // the bin [-6, -2) is empty
  std::vector<std::string> titles;
  for (const XmlElement* bar : bars) titles.push_back(bar->find_all("title")[0]->all_text());
  EXPECT_EQ(titles[0], "-10.00 to -6.00 USD: 2 trades");
  EXPECT_EQ(titles[1], "-2.00 to 2.00 USD: 4 trades");   // -1, 0.5, 1, 1.5
  EXPECT_EQ(titles[2], "2.00 to 6.00 USD: 1 trades");    // 2
  EXPECT_EQ(titles[3], "6.00 to 10.00 USD: 2 trades");   // 9 and the best, 10, in the last bin
  EXPECT_EQ(bars[0]->attr("fill"), "#c0392b");
  EXPECT_EQ(bars[3]->attr("fill"), "#2f7d4a");
  // The tallest bar fills the plot.
  EXPECT_EQ(bars[1]->attr("height"), "180.0");
  in.trades.resize(1);
  EXPECT_TRUE(parse(render_backtest_report(in).value())->find_all("section", "class", "card histogram").empty());
}

TEST(BacktestReport, DailyTableListsEachUtcDayWithItsReturnOnTheNotional) {
  ReportInput in = small_input();
  in.notional_usd = 10000;
  in.daily = {{kMar5Ms, 35.5, 35.5}, {kMar5Ms + 86'400'000, -12.34, 23.16}};
  auto doc = parse(render_backtest_report(in).value());
  const auto sections = doc->find_all("section", "class", "card daily");
  ASSERT_EQ(sections.size(), 1u);
  const auto rows = sections[0]->find_all("tr");
  ASSERT_EQ(rows.size(), 3u);  // the header and two days
  const auto cells = rows[2]->find_all("td");
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0]->all_text(), "2024-03-06");
  EXPECT_EQ(cells[1]->all_text(), "-12.34");
  EXPECT_EQ(cells[1]->attr("class"), "num neg");
  EXPECT_EQ(cells[2]->all_text(), "-0.123 %");
  EXPECT_EQ(cells[3]->all_text(), "23.16");
  in.daily.clear();
  EXPECT_TRUE(parse(render_backtest_report(in).value())->find_all("section", "class", "card daily").empty());
}

TEST(BacktestReport, AMissingSeriesLeavesOnlyItsChartEmpty) {
  ReportInput in = small_input(100);
  in.alpha.clear();
  in.spread.clear();
  auto doc = parse(render_backtest_report(in).value());
  EXPECT_EQ(chart(*doc, "hedge")->find_all("polyline").size(), 1u);  // beta alone
  EXPECT_TRUE(chart(*doc, "spread")->find_all("svg").empty());
  EXPECT_EQ(doc->find_all("svg").size(), 7u);
}

TEST(BacktestReport, ASeriesOfTheWrongLengthIsAnErrorNamingIt) {
  ReportInput in = small_input(100);
  in.beta.pop_back();
  const Result<std::string> html = render_backtest_report(in);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error(),
            "backtest report for BTCUSDT-ETHUSDT: series 'beta' has 99 values, expected 100 (one per ts_ms)");
}

TEST(BacktestReport, TimeGoingBackwardsIsAnErrorNamingTheIndex) {
  ReportInput in = small_input(100);
  in.ts_ms[42] = in.ts_ms[40];  // earlier than ts_ms[41]
  const Result<std::string> html = render_backtest_report(in);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error(), "backtest report for BTCUSDT-ETHUSDT: ts_ms decreases at index 42");
}

TEST(BacktestReport, TradesTableStopsAtFiveHundredRowsAndSaysSo) {
  ReportInput in = small_input(100);
  in.trades.clear();
  for (int i = 0; i < 700; ++i) {
    in.trades.push_back({kMar5Ms + i * 100, kMar5Ms + i * 100 + 50, i % 2 ? 1 : -1, 1.0, "exit"});
  }
  auto doc = parse(render_backtest_report(in).value());
  EXPECT_EQ(doc->find_all("tbody")[0]->find_all("tr").size(), 500u);
  EXPECT_NE(doc->all_text().find("Showing the first 500 of 700 trades"), std::string::npos);
}

TEST(BacktestReport, WriteCreatesTheDirectoryAndWritesTheRenderedPage) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("alphastream_report_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "BTCUSDT-ETHUSDT" / "report.html").string();
  const ReportInput in = small_input();
  const Status status = write_backtest_report(in, path);
  ASSERT_TRUE(status) << status.message();
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), render_backtest_report(in).value());
  std::filesystem::remove_all(dir);
}

TEST(BacktestReport, WriteIntoAPathUnderAFileFailsNamingIt) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("alphastream_report_blocker_" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  const Status status = write_backtest_report(small_input(10), (file / "report.html").string());
  ASSERT_FALSE(status);
  EXPECT_NE(status.message().find(file.string()), std::string::npos) << status.message();
  std::filesystem::remove(file);
}

TEST(BacktestReport, AMillionObservationsStayUnderTwoMegabytes) {
  const std::size_t n = 1'000'000;
  ReportInput in;
  in.pair = "BTCUSDT-ETHUSDT";
  in.y_symbol = "BTCUSDT";
  in.x_symbol = "ETHUSDT";
  in.model = "kalman";
  std::mt19937 rng(3);
  std::normal_distribution<double> step(0, 1);
  double x = 3000, s = 0, equity = 10000;
  for (std::size_t i = 0; i < n; ++i) {
    x += step(rng) * 0.5;
    s = 0.999 * s + step(rng);
    in.ts_ms.push_back(kMar5Ms + static_cast<std::int64_t>(i) * 1000);
    in.x.push_back(x);
    in.y.push_back(20 * x + s);
    in.alpha.push_back(step(rng) * 0.01);
    in.beta.push_back(20 + step(rng) * 0.001);
    in.spread.push_back(s);
    in.zscore.push_back(s / 20);
    in.position.push_back(s > 40 ? -1 : s < -40 ? 1 : 0);  // flips often: worst case for steps
    equity += step(rng);
    in.equity.push_back(equity);
  }
  for (int i = 0; i < 20'000; ++i) {
    in.trades.push_back({kMar5Ms + i * 50'000LL, kMar5Ms + i * 50'000LL + 20'000, i % 2 ? 1 : -1, 1.5, "exit"});
  }
  const auto start = std::chrono::steady_clock::now();
  const Result<std::string> html = render_backtest_report(in);
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(html) << html.error();
  RecordProperty("render_seconds", std::to_string(elapsed_s));
  RecordProperty("html_bytes", std::to_string(html->size()));
  std::printf("1e6 observations: %zu bytes in %.3f s\n", html->size(), elapsed_s);
  EXPECT_LT(html->size(), 2'000'000u);
  auto doc = parse(html.value());
  EXPECT_EQ(doc->find_all("svg").size(), 7u);
}

// --- rolling ADF ---------------------------------------------------------------

// A p-value every observation after a 100-observation warm-up: a slow
// triangle wave between 0 and 0.5.
ReportInput with_adf(double max_pvalue) {
  ReportInput in = small_input();
  for (std::size_t i = 0; i < in.ts_ms.size(); ++i) {
    in.adf_pvalue.push_back(i < 100 ? kNaN : 0.5 * std::fabs(std::sin(static_cast<double>(i) / 60)));
  }
  in.adf_max_pvalue = max_pvalue;
  return in;
}

TEST(BacktestReportAdf, PValueChartDrawsEveryTestOnAZeroToOneScaleWithTheGateLine) {
  const ReportInput in = with_adf(0.05);
  auto doc = parse(render_backtest_report(in).value());
  const XmlElement* adf = chart(*doc, "adf");
  ASSERT_NE(adf, nullptr);
  EXPECT_EQ(doc->find_all("svg").size(), 9u);
  // 200 px high: the plot runs from y = 12 (p = 1) to y = 160 (p = 0).
  const auto gate = adf->find_all("line", "class", "threshold");
  ASSERT_EQ(gate.size(), 1u);
  EXPECT_EQ(gate[0]->attr("data-value"), "0.050000");
  EXPECT_EQ(gate[0]->attr("y1"), "152.6");  // 160 - 148 * 0.05
  EXPECT_NE(adf->all_text().find("gate 0.05"), std::string::npos);
  const auto points = series_points(*adf, "ADF p-value");
  ASSERT_EQ(points.size(), 500u);  // one per test, none during the warm-up
  for (const auto& [x, y] : points) {
    const std::size_t i = index_at(x, in.ts_ms.size());
    ASSERT_GE(i, 100u);
    EXPECT_NEAR(y, 160 - 148 * in.adf_pvalue[i], 0.051) << "observation " << i;
  }
}

TEST(BacktestReportAdf, WithoutAGateThereIsNoGateLineAndWithoutAdfNoChart) {
  auto gated = parse(render_backtest_report(with_adf(kNaN)).value());
  ASSERT_NE(chart(*gated, "adf"), nullptr);
  EXPECT_TRUE(chart(*gated, "adf")->find_all("line", "class", "threshold").empty());
  auto plain = parse(render_backtest_report(small_input()).value());
  EXPECT_EQ(chart(*plain, "adf"), nullptr);
}

TEST(BacktestReportAdf, APValueSeriesOfTheWrongLengthIsAnErrorNamingIt) {
  ReportInput in = with_adf(0.05);
  in.adf_pvalue.pop_back();
  const Result<std::string> html = render_backtest_report(in);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error(),
            "backtest report for BTCUSDT-ETHUSDT: series 'adf_pvalue' has 599 values, expected 600 (one per ts_ms)");
}

// --- microstructure panels ------------------------------------------------------

// A leg's symbol model sampled every 5 s: price drifts up by 1 USD a row,
// VWAP lags it by 2 USD, the imbalance swings between -0.8 and 0.8,
// intensity and lambda ramp.
struct PanelData {
  std::vector<std::int64_t> ts_ms;
  std::vector<double> last_price, vwap, imbalance, intensity, kyle_lambda;

  explicit PanelData(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i);
      ts_ms.push_back(kMar5Ms + static_cast<std::int64_t>(i) * 5000);
      last_price.push_back(60000 + t);
      vwap.push_back(i < 3 ? kNaN : 60000 + t - 2);
      imbalance.push_back(0.8 * std::sin(t / 7));
      intensity.push_back(2 + 0.05 * t);
      kyle_lambda.push_back(i < 10 ? kNaN : 0.001 * t);
    }
  }

  SymbolPanel panel(std::string symbol, std::string model, bool all_outputs = true) const {
    SymbolPanel p{std::move(symbol), std::move(model), ts_ms, last_price, {}};
    p.outputs.emplace_back("vwap", vwap);
    if (!all_outputs) return p;
    p.outputs.emplace_back("volume", intensity);  // not charted
    p.outputs.emplace_back("order_flow_imbalance", imbalance);
    p.outputs.emplace_back("trade_intensity_per_s", intensity);
    p.outputs.emplace_back("kyle_lambda", kyle_lambda);
    return p;
  }
};

// Checks that the points of `series` sit on one linear value scale with the
// values: the scale is fitted on the first and last point of `reference`.
void expect_on_one_scale(const XmlElement& figure, std::string_view reference, std::span<const double> ref_values,
                         std::string_view series, std::span<const double> values) {
  const auto ref = series_points(figure, reference);
  ASSERT_GE(ref.size(), 2u);
  const std::size_t n = ref_values.size();
  const double v0 = ref_values[index_at(ref.front().first, n)], v1 = ref_values[index_at(ref.back().first, n)];
  const double px_per_unit = (ref.back().second - ref.front().second) / (v1 - v0);
  const auto points = series_points(figure, series);
  std::size_t finite = 0;
  for (double v : values) finite += std::isfinite(v) ? 1 : 0;
  EXPECT_EQ(points.size(), finite) << series;
  for (const auto& [x, y] : points) {
    const double v = values[index_at(x, n)];
    EXPECT_NEAR(y, ref.front().second + (v - v0) * px_per_unit, 0.11) << series << " at x " << x;
  }
}

TEST(BacktestReportMicrostructure, ALegsPanelChartsVwapAgainstLastPriceImbalanceIntensityAndLambda) {
  const PanelData data(150);
  ReportInput in = small_input();
  in.symbols.push_back(data.panel("BTCUSDT", "microstructure"));
  auto doc = parse(render_backtest_report(in).value());
  const auto sections = doc->find_all("section", "class", "microstructure");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0]->attr("data-symbol"), "BTCUSDT");
  EXPECT_EQ(sections[0]->attr("data-model"), "microstructure");
  EXPECT_EQ(sections[0]->find_all("svg").size(), 4u);
  EXPECT_EQ(doc->find_all("svg").size(), 12u);

  const XmlElement* prices = chart(*doc, "micro-BTCUSDT-vwap");
  ASSERT_NE(prices, nullptr);
  expect_on_one_scale(*prices, "last price", data.last_price, "last price", data.last_price);
  expect_on_one_scale(*prices, "last price", data.last_price, "VWAP", data.vwap);
  // VWAP sits 2 USD below the price: below it on the page, i.e. larger y.
  EXPECT_GT(series_points(*prices, "VWAP").back().second, series_points(*prices, "last price").back().second);

  // Imbalance: a fixed -1..1 scale, 200 px high, y = 12 (+1) to 160 (-1).
  const XmlElement* imbalance = chart(*doc, "micro-BTCUSDT-imbalance");
  ASSERT_NE(imbalance, nullptr);
  const auto points = series_points(*imbalance, "taker imbalance");
  ASSERT_EQ(points.size(), 150u);
  for (const auto& [x, y] : points) {
    EXPECT_NEAR(y, 86 - 74 * data.imbalance[index_at(x, 150)], 0.051);
  }
  EXPECT_EQ(imbalance->find_all("line", "class", "threshold")[0]->attr("y1"), "86.0");  // the zero line

  const XmlElement* intensity = chart(*doc, "micro-BTCUSDT-intensity");
  ASSERT_NE(intensity, nullptr);
  expect_on_one_scale(*intensity, "trade intensity", data.intensity, "trade intensity", data.intensity);
  const XmlElement* lambda = chart(*doc, "micro-BTCUSDT-kyle-lambda");
  ASSERT_NE(lambda, nullptr);
  expect_on_one_scale(*lambda, "Kyle lambda", data.kyle_lambda, "Kyle lambda", data.kyle_lambda);
  // The panel's own times: 150 rows 5 s apart end at 00:12:25.
  EXPECT_NE(lambda->all_text().find("00:12"), std::string::npos);
}

TEST(BacktestReportMicrostructure, MissingOutputsAreSkippedAndAModelWithNoneSaysSo) {
  const PanelData data(40);
  ReportInput in = small_input();
  in.symbols.push_back(data.panel("BTCUSDT", "vwap_only", false));
  SymbolPanel bare{"ETHUSDT", "tape", data.ts_ms, data.last_price, {{"trades", data.intensity}}};
  in.symbols.push_back(bare);
  auto doc = parse(render_backtest_report(in).value());
  const auto sections = doc->find_all("section", "class", "microstructure");
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0]->find_all("svg").size(), 1u);
  EXPECT_NE(chart(*doc, "micro-BTCUSDT-vwap"), nullptr);
  EXPECT_EQ(chart(*doc, "micro-BTCUSDT-imbalance"), nullptr);
  EXPECT_TRUE(sections[1]->find_all("svg").empty());
  EXPECT_NE(sections[1]->all_text().find("The model has none of the outputs charted here"), std::string::npos);
}

TEST(BacktestReportMicrostructure, TwoModelsOfOneSymbolGetChartIdsNamingTheModel) {
  const PanelData data(40);
  ReportInput in = small_input();
  in.symbols.push_back(data.panel("BTCUSDT", "slow"));
  in.symbols.push_back(data.panel("BTCUSDT", "fast"));
  in.symbols.push_back(data.panel("ETHUSDT", "microstructure"));
  auto doc = parse(render_backtest_report(in).value());
  EXPECT_NE(chart(*doc, "micro-BTCUSDT-slow-vwap"), nullptr);
  EXPECT_NE(chart(*doc, "micro-BTCUSDT-fast-vwap"), nullptr);
  EXPECT_NE(chart(*doc, "micro-ETHUSDT-vwap"), nullptr);
}

TEST(BacktestReportMicrostructure, APanelSeriesOfTheWrongLengthIsAnErrorNamingThePanel) {
  const PanelData data(40);
  ReportInput in = small_input();
  SymbolPanel panel = data.panel("BTCUSDT", "microstructure");
  panel.outputs[2].second = panel.outputs[2].second.first(39);
  in.symbols.push_back(panel);
  const Result<std::string> html = render_backtest_report(in);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error(),
            "backtest report for BTCUSDT-ETHUSDT: symbol panel BTCUSDT (microstructure): series "
            "'order_flow_imbalance' has 39 values, expected 40 (one per ts_ms)");
}

}  // namespace
}  // namespace alphastream
