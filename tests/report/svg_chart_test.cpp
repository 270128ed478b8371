#include "report/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "report/html.h"
#include "xml_tree.h"

namespace alphastream {
namespace {

using testing::XmlElement;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMar5Ms = 1709596800000;  // 2024-03-05 00:00:00 UTC

std::vector<std::int64_t> seconds_from(std::int64_t start_ms, std::size_t n) {
  std::vector<std::int64_t> ts(n);
  for (std::size_t i = 0; i < n; ++i) ts[i] = start_ms + static_cast<std::int64_t>(i) * 1000;
  return ts;
}

// Parses a chart fragment inside a page; the fragment must be well-formed.
std::unique_ptr<XmlElement> parse_chart(const std::string& fragment) {
  auto root = testing::parse_xml(html_page("chart", fragment));
  EXPECT_TRUE(root) << root.error();
  return root ? std::move(root.value()) : std::make_unique<XmlElement>();
}

// The "x,y" pairs of a polyline's points attribute.
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

// --- nice_ticks -------------------------------------------------------------

TEST(NiceTicks, ZeroToOneStepsByFifths) {
  EXPECT_EQ(nice_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
}

TEST(NiceTicks, PricesAroundOneHundredStepByTwoInsideTheRange) {
  EXPECT_EQ(nice_ticks(97.3, 103.1), (std::vector<double>{98, 100, 102}));
}

TEST(NiceTicks, RangesAcrossZeroIncludeAPlainZero) {
  const std::vector<double> ticks = nice_ticks(-0.37, 0.52);
  EXPECT_EQ(ticks, (std::vector<double>{-0.2, 0, 0.2, 0.4}));
  EXPECT_FALSE(std::signbit(ticks[1]));
}

TEST(NiceTicks, LargeAndTinyRangesUseOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_EQ(nice_ticks(0, 12345), (std::vector<double>{0, 5000, 10000}));
  EXPECT_EQ(nice_ticks(-3.2, 3.2), (std::vector<double>{-2, 0, 2}));  // 1.28 rounds up to 2
  EXPECT_EQ(nice_ticks(0.00011, 0.00019), (std::vector<double>{0.00012, 0.00014, 0.00016, 0.00018}));
}

TEST(NiceTicks, DegenerateRanges) {
  EXPECT_EQ(nice_ticks(5, 5), (std::vector<double>{5}));
  EXPECT_TRUE(nice_ticks(2, 1).empty());
  EXPECT_TRUE(nice_ticks(kNaN, 1).empty());
  EXPECT_TRUE(nice_ticks(0, INFINITY).empty());
}

// Two VWAPs of a two-second replay, 2e-14 apart: once an endless loop, as
// k * step sits past 2^53 where k + 1 == k.
TEST(NiceTicks, ARangeWithinRoundingOfItsValuesGetsOneTick) {
  EXPECT_EQ(nice_ticks(100.00000000000001, 100.00000000000003, 5), std::vector<double>{100.00000000000001});
  EXPECT_EQ(nice_ticks(1e20, 1e20 + 1e6, 5), std::vector<double>{1e20});
}

TEST(TickDecimals, ShowsEveryDigitOfTheStep) {
  EXPECT_EQ(tick_decimals(0.2), 1);
  EXPECT_EQ(tick_decimals(0.05), 2);
  EXPECT_EQ(tick_decimals(2e-5), 5);
  EXPECT_EQ(tick_decimals(1), 0);
  EXPECT_EQ(tick_decimals(5000), 0);
}

// --- time_ticks -------------------------------------------------------------

TEST(TimeTicks, SixHoursAcrossMidnightTickHourlyAndNameEachNewDate) {
  const std::int64_t from = 1709676000000;  // 2024-03-05 22:00:00
  const auto ticks = time_ticks(from, from + 6 * 3'600'000, 8);
  ASSERT_EQ(ticks.size(), 7u);
  const char* labels[] = {"22:00", "23:00", "00:00", "01:00", "02:00", "03:00", "04:00"};
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_EQ(ticks[i].label, labels[i]);
    EXPECT_EQ(ticks[i].ts_ms, from + static_cast<std::int64_t>(i) * 3'600'000);
  }
  EXPECT_EQ(ticks[0].sublabel, "2024-03-05");
  EXPECT_EQ(ticks[1].sublabel, "");
  EXPECT_EQ(ticks[2].sublabel, "2024-03-06");
  EXPECT_EQ(ticks[3].sublabel, "");
}

TEST(TimeTicks, NinetySecondsTickEveryFifteenSecondsWithSeconds) {
  const std::int64_t from = 1709640000500;  // 2024-03-05 12:00:00.500
  const auto ticks = time_ticks(from, from + 90'000, 8);
  std::vector<std::string> labels;
  for (const auto& t : ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"12:00:15", "12:00:30", "12:00:45", "12:01:00",
                                              "12:01:15", "12:01:30"}));
}

TEST(TimeTicks, AMonthTicksWeeklyOnMondays) {
  const std::int64_t jan1 = 1704067200000;  // 2024-01-01, a Monday
  const auto ticks = time_ticks(jan1, 1706659200000 /* 2024-01-31 */, 8);
  std::vector<std::string> labels;
  for (const auto& t : ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"2024-01-01", "2024-01-08", "2024-01-15",
                                              "2024-01-22", "2024-01-29"}));
}

TEST(TimeTicks, TwoYearsTickOnQuarters) {
  const auto ticks = time_ticks(1673740800000 /* 2023-01-15 */, 1735603200000 /* 2024-12-31 */, 8);
  std::vector<std::string> labels;
  for (const auto& t : ticks) labels.push_back(t.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"2023-04", "2023-07", "2023-10", "2024-01",
                                              "2024-04", "2024-07", "2024-10"}));
  EXPECT_EQ(ticks[3].ts_ms, 1704067200000);  // 2024-01-01 00:00 exactly
}

TEST(TimeTicks, ReversedRangeHasNoTicks) { EXPECT_TRUE(time_ticks(2000, 1000).empty()); }

// --- decimate_min_max ---------------------------------------------------------

TEST(DecimateMinMax, NoisySeriesKeepsItsGlobalMinimumAndMaximum) {
  const std::size_t n = 100'000;
  const auto ts = seconds_from(kMar5Ms, n);
  std::vector<double> v(n);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1);
  for (double& x : v) x = noise(rng);
  v[12'345] = -1000;  // one-sample dip and spike: invisible if every k-th point were kept
  v[54'321] = 1000;
  const DecimatedLine line = decimate_min_max(ts, v, ts.front(), ts.back(), 100);
  EXPECT_LE(line.indices.size(), 400u);
  EXPECT_GE(line.indices.size(), 200u);  // every column keeps at least its first and last
  ASSERT_EQ(line.segment_ends, (std::vector<std::size_t>{line.indices.size()}));
  EXPECT_TRUE(std::is_sorted(line.indices.begin(), line.indices.end()));
  EXPECT_NE(std::find(line.indices.begin(), line.indices.end(), 12'345u), line.indices.end());
  EXPECT_NE(std::find(line.indices.begin(), line.indices.end(), 54'321u), line.indices.end());
  EXPECT_EQ(line.indices.front(), 0u);
  EXPECT_EQ(line.indices.back(), n - 1);
}

TEST(DecimateMinMax, NonFiniteValuesEndSegmentsAndAreNeverKept) {
  std::vector<double> v(40, kNaN);  // warm-up: 0..9 NaN
  for (int i = 10; i < 30; ++i) v[i] = i;
  v[20] = INFINITY;  // a hole in the middle
  const auto ts = seconds_from(kMar5Ms, v.size());
  const DecimatedLine line = decimate_min_max(ts, v, ts.front(), ts.back(), 1000);
  // Fewer points than columns: every finite point is kept, in two runs.
  std::vector<std::size_t> expected;
  for (std::size_t i = 10; i < 30; ++i) {
    if (i != 20) expected.push_back(i);
  }
  EXPECT_EQ(line.indices, expected);
  EXPECT_EQ(line.segment_ends, (std::vector<std::size_t>{10, 19}));
}

TEST(DecimateMinMax, AllMissingGivesNothing) {
  const std::vector<double> v(5, kNaN);
  const auto ts = seconds_from(kMar5Ms, v.size());
  const DecimatedLine line = decimate_min_max(ts, v, ts.front(), ts.back(), 10);
  EXPECT_TRUE(line.indices.empty());
  EXPECT_TRUE(line.segment_ends.empty());
}

// --- svg_line_chart -----------------------------------------------------------

LineChart z_chart(const std::vector<std::int64_t>& ts, const std::vector<double>& z) {
  LineChart chart;
  chart.id = "z";
  chart.title = "Z-score";
  chart.ts_ms = ts;
  chart.series.push_back({"z-score", z, "", ChartAxis::kLeft, false, false, 1.4});
  return chart;
}

TEST(SvgLineChart, WarmUpAndAHoleDrawOnePolylinePerRun) {
  std::vector<double> z(100);
  for (std::size_t i = 0; i < z.size(); ++i) z[i] = std::sin(0.1 * static_cast<double>(i));
  for (int i = 0; i < 20; ++i) z[i] = kNaN;
  z[60] = kNaN;
  const auto ts = seconds_from(kMar5Ms, z.size());
  auto doc = parse_chart(svg_line_chart(z_chart(ts, z)));
  ASSERT_EQ(doc->find_all("svg").size(), 1u);
  const auto groups = doc->find_all("g", "data-series", "z-score");
  ASSERT_EQ(groups.size(), 1u);
  const auto lines = groups[0]->find_all("polyline");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(points_of(*lines[0]).size(), 40u);  // indices 20..59
  EXPECT_EQ(points_of(*lines[1]).size(), 39u);  // indices 61..99
}

TEST(SvgLineChart, ThresholdsAndValuesSitAtTheirPixelsOnAFixedScale) {
  const auto ts = seconds_from(kMar5Ms, 3);
  const std::vector<double> z = {-4, 0, 4};
  LineChart chart = z_chart(ts, z);
  chart.y_min = -4;
  chart.y_max = 4;
  chart.thresholds = {{2.0, "+entry", "#e8890c", true, ChartAxis::kLeft},
                      {-2.0, "-entry", "#e8890c", true, ChartAxis::kLeft}};
  // Default frame: plot from y = 12 (value 4) to y = 250 - 40 = 210 (value -4),
  // 198 px for 8 units; x from 78 to 1200 - 78 = 1122.
  auto doc = parse_chart(svg_line_chart(chart));
  const auto lines = doc->find_all("line", "class", "threshold");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]->attr("y1"), "61.5");   // 12 + 198 * (4 - 2) / 8
  EXPECT_EQ(lines[1]->attr("y1"), "160.5");  // 12 + 198 * (4 + 2) / 8
  EXPECT_EQ(lines[0]->attr("x1"), "78.0");
  EXPECT_EQ(lines[0]->attr("x2"), "1122.0");
  const auto points = points_of(*doc->find_all("polyline")[0]);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0], (std::pair<double, double>{78.0, 210.0}));
  EXPECT_EQ(points[1], (std::pair<double, double>{600.0, 111.0}));
  EXPECT_EQ(points[2], (std::pair<double, double>{1122.0, 12.0}));
  const std::string labels = doc->find_all("g", "class", "thresholds")[0]->all_text();
  EXPECT_NE(labels.find("+entry"), std::string::npos);
}

TEST(SvgLineChart, TwoAxesGetTwoTickColumnsAndALegendEntryEach) {
  const auto ts = seconds_from(kMar5Ms, 50);
  std::vector<double> beta(50), alpha(50);
  for (std::size_t i = 0; i < 50; ++i) {
    beta[i] = 0.05 + 0.001 * static_cast<double>(i);
    alpha[i] = 100.0 - static_cast<double>(i);
  }
  LineChart chart;
  chart.id = "hedge";
  chart.title = "Hedge ratio";
  chart.ts_ms = ts;
  chart.series.push_back({"beta", beta, "", ChartAxis::kLeft, false, false, 1.4});
  chart.series.push_back({"alpha", alpha, "", ChartAxis::kRight, false, false, 1.0});
  auto doc = parse_chart(svg_line_chart(chart));
  ASSERT_EQ(doc->find_all("g", "class", "y-axis").size(), 1u);
  ASSERT_EQ(doc->find_all("g", "class", "y2-axis").size(), 1u);
  const std::string right_ticks = doc->find_all("g", "class", "y2-axis")[0]->all_text();
  EXPECT_NE(right_ticks.find("60"), std::string::npos);
  const std::string legend = doc->find_all("span", "class", "legend")[0]->all_text();
  EXPECT_NE(legend.find("beta"), std::string::npos);
  EXPECT_NE(legend.find("alpha (right axis)"), std::string::npos);
  // Each series spans its own axis from bottom to top (5% padding each side).
  const auto beta_points = points_of(*doc->find_all("g", "data-series", "beta")[0]->find_all("polyline")[0]);
  const auto alpha_points = points_of(*doc->find_all("g", "data-series", "alpha")[0]->find_all("polyline")[0]);
  EXPECT_NEAR(beta_points.front().second, 210 - 198 * 0.05 / 1.1, 0.06);
  EXPECT_NEAR(alpha_points.front().second, 12 + 198 * 0.05 / 1.1, 0.06);
}

TEST(SvgLineChart, NormalisedSeriesStartTogetherAtOneHundred) {
  const auto ts = seconds_from(kMar5Ms, 3);
  const std::vector<double> btc = {kNaN, 60000, 66000};  // +10%
  const std::vector<double> eth = {3000, 3000, 2700};     // -10%
  LineChart chart;
  chart.id = "prices";
  chart.ts_ms = ts;
  chart.normalise = true;
  chart.series.push_back({"BTC", btc, "", ChartAxis::kLeft, false, false, 1.4});
  chart.series.push_back({"ETH", eth, "", ChartAxis::kRight, false, false, 1.4});
  auto doc = parse_chart(svg_line_chart(chart));
  const auto b = points_of(*doc->find_all("g", "data-series", "BTC")[0]->find_all("polyline")[0]);
  const auto e = points_of(*doc->find_all("g", "data-series", "ETH")[0]->find_all("polyline")[0]);
  ASSERT_EQ(b.size(), 2u);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(b[0].second, e[1].second);  // both 100 at the second observation
  EXPECT_NEAR(b[0].second, 111.0, 0.06);  // 100 is the middle of 90..110
  EXPECT_TRUE(doc->find_all("g", "class", "y2-axis").empty());  // one shared axis
  EXPECT_NE(doc->find_all("g", "class", "y-axis")[0]->all_text().find("100"), std::string::npos);
}

TEST(SvgLineChart, StepSeriesHoldEachValueUntilTheNextTime) {
  const auto ts = seconds_from(kMar5Ms, 4);
  const std::vector<double> position = {0, 1, 1, -1};
  LineChart chart;
  chart.id = "position";
  chart.ts_ms = ts;
  chart.y_min = -1;
  chart.y_max = 1;
  chart.series.push_back({"position", position, "", ChartAxis::kLeft, true, true, 1.4});
  auto doc = parse_chart(svg_line_chart(chart));
  const auto points = points_of(*doc->find_all("polyline")[0]);
  ASSERT_EQ(points.size(), 7u);  // 4 values, 3 risers
  EXPECT_EQ(points[1].second, points[0].second);  // horizontal to the second time
  EXPECT_EQ(points[1].first, points[2].first);    // then vertical
  EXPECT_EQ(doc->find_all("polygon", "class", "area").size(), 1u);
}

TEST(SvgLineChart, ManyMarkersInOnePixelColumnDrawOnce) {
  const auto ts = seconds_from(kMar5Ms, 100'000);
  const std::vector<double> z(ts.size(), 0.5);
  LineChart chart = z_chart(ts, z);
  for (int i = 0; i < 50; ++i) {
    chart.markers.push_back({kMar5Ms + i * 1000, 0.5, MarkerShape::kTriangleUp, "#2f7d4a", "entry", ChartAxis::kLeft});
  }
  chart.markers.push_back({kMar5Ms + 50'000'000, 0.5, MarkerShape::kCircle, "#333", "exit", ChartAxis::kLeft});
  auto doc = parse_chart(svg_line_chart(chart));
  EXPECT_EQ(doc->find_all("path", "class", "marker").size(), 1u);
  EXPECT_EQ(doc->find_all("circle", "class", "marker").size(), 1u);
}

TEST(SvgLineChart, NamesAndIdsAreEscaped) {
  const auto ts = seconds_from(kMar5Ms, 2);
  const std::vector<double> v = {1, 2};
  LineChart chart;
  chart.id = "a\"b";
  chart.title = "<b>&";
  chart.ts_ms = ts;
  chart.series.push_back({"x<y>&'z'", v, "", ChartAxis::kLeft, false, false, 1.4});
  const std::string html = svg_line_chart(chart);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  auto doc = parse_chart(html);
  EXPECT_EQ(doc->find_all("g", "data-series", "x<y>&'z'").size(), 1u);
  EXPECT_EQ(doc->find_all("span", "class", "chart-title")[0]->text, "<b>&");
}

TEST(SvgLineChart, NoTimesOrOnlyNaNGiveAMessageInsteadOfAChart) {
  LineChart empty;
  empty.id = "empty";
  empty.title = "Spread";
  auto doc = parse_chart(svg_line_chart(empty));
  EXPECT_TRUE(doc->find_all("svg").empty());
  ASSERT_EQ(doc->find_all("p", "class", "empty").size(), 1u);
  EXPECT_NE(doc->find_all("p", "class", "empty")[0]->text.find("no observations"), std::string::npos);

  const auto ts = seconds_from(kMar5Ms, 10);
  const std::vector<double> nan(10, kNaN);
  doc = parse_chart(svg_line_chart(z_chart(ts, nan)));
  EXPECT_TRUE(doc->find_all("svg").empty());
  EXPECT_NE(doc->find_all("p", "class", "empty")[0]->text.find("NaN"), std::string::npos);
}

TEST(SvgLineChart, ASeriesOfTheWrongLengthIsNamedNotDrawn) {
  const auto ts = seconds_from(kMar5Ms, 10);
  const std::vector<double> short_series(9, 1.0);
  LineChart chart = z_chart(ts, short_series);
  auto doc = parse_chart(svg_line_chart(chart));
  EXPECT_TRUE(doc->find_all("svg").empty());
  EXPECT_EQ(doc->find_all("p", "class", "empty")[0]->text,
            "Cannot draw: series 'z-score' has 9 values for 10 times.");
}

TEST(SvgLineChart, AMillionPointsBecomeAFewThousandWithTheSpikeOnTop) {
  const std::size_t n = 1'000'000;
  const auto ts = seconds_from(kMar5Ms, n);
  std::vector<double> v(n);
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1);
  for (double& x : v) x = noise(rng);
  v[777'777] = 50;
  const std::string html = svg_line_chart(z_chart(ts, v));
  EXPECT_LT(html.size(), 150'000u);
  auto doc = parse_chart(html);
  const auto points = points_of(*doc->find_all("polyline")[0]);
  EXPECT_LE(points.size(), 4u * 1044u);
  double top = 1e9;
  for (const auto& p : points) top = std::min(top, p.second);
  EXPECT_NEAR(top, 12 + 198 * 0.05 / 1.1, 0.06);  // the spike is the highest point, just under the padding
}

}  // namespace
}  // namespace alphastream
