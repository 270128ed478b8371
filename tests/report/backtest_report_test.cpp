#include "report/backtest_report.h"

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

TEST(BacktestReport, SmallRunHasEveryChartAsOneWellFormedSvg) {
  const Result<std::string> html = render_backtest_report(small_input());
  ASSERT_TRUE(html) << html.error();
  auto doc = parse(html.value());
  for (const char* id : {"prices", "hedge", "spread", "zscore", "position", "equity", "drawdown"}) {
    const XmlElement* figure = chart(*doc, id);
    ASSERT_NE(figure, nullptr) << id;
    EXPECT_EQ(figure->find_all("svg").size(), 1u) << id;
  }
  EXPECT_EQ(doc->find_all("svg").size(), 7u);
  EXPECT_EQ(html->find("<script"), std::string::npos);
  // Nothing is fetched: the only URLs are the SVG namespace, one per chart.
  std::size_t urls = 0;
  for (std::size_t at = html->find("http"); at != std::string::npos; at = html->find("http", at + 1)) ++urls;
  EXPECT_EQ(urls, 7u);
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
  EXPECT_EQ(html.find("<script>"), std::string::npos);
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

TEST(BacktestReport, AMissingSeriesLeavesOnlyItsChartEmpty) {
  ReportInput in = small_input(100);
  in.alpha.clear();
  in.spread.clear();
  auto doc = parse(render_backtest_report(in).value());
  EXPECT_EQ(chart(*doc, "hedge")->find_all("polyline").size(), 1u);  // beta alone
  EXPECT_TRUE(chart(*doc, "spread")->find_all("svg").empty());
  EXPECT_EQ(doc->find_all("svg").size(), 6u);
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

}  // namespace
}  // namespace alphastream
