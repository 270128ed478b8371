// Time-series charts as inline SVG for the HTML reports: no JavaScript, no
// external files. A chart has time on the x axis (UTC tick labels), one or
// two value axes with "nice" ticks, any number of named series (lines, steps,
// areas), horizontal threshold lines, shaded time bands and point markers.
// Long series are decimated per pixel column keeping first, min, max and last,
// so a chart of millions of points stays small and its spikes stay visible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace alphastream {

enum class ChartAxis { kLeft, kRight };

struct ChartSeries {
  std::string name;                 // shown in the legend
  std::span<const double> values;   // one per LineChart::ts_ms; NaN/inf: a gap
  std::string color;                // CSS colour; empty: the next palette colour
  ChartAxis axis = ChartAxis::kLeft;
  bool step = false;                // hold each value until the next time (positions)
  bool fill_to_zero = false;        // shade between the line and zero (drawdowns)
  double stroke_width_px = 1.4;
};

// A horizontal line across the plot, labelled in the right margin (or inside
// the plot at its right end when a right axis takes the margin).
struct ChartThreshold {
  double value = 0;
  std::string label;
  std::string color = "#8a94a6";
  bool dashed = true;
  ChartAxis axis = ChartAxis::kLeft;
};

// A vertical shaded region [from_ms, to_ms], e.g. while a position is open.
// Bands sharing a non-empty legend label get one legend entry.
struct ChartBand {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::string color = "#4e79a7";
  double opacity = 0.12;
  std::string legend;
};

enum class MarkerShape { kTriangleUp, kTriangleDown, kCircle, kCross };

// A point symbol (trade entry or exit); `title` becomes its hover tooltip.
// Markers of one shape and colour are thinned to one per 3 px of x.
struct ChartMarker {
  std::int64_t ts_ms = 0;
  double value = 0;
  MarkerShape shape = MarkerShape::kCircle;
  std::string color = "#1f2933";
  std::string title;
  ChartAxis axis = ChartAxis::kLeft;
};

// Pixel geometry of the SVG (its viewBox); the plot is the inner rectangle.
struct ChartFrame {
  int width_px = 1200;
  int height_px = 250;
  int margin_left_px = 78;
  int margin_right_px = 78;
  int margin_top_px = 12;
  int margin_bottom_px = 40;

  int plot_width_px() const { return width_px - margin_left_px - margin_right_px; }
  int plot_height_px() const { return height_px - margin_top_px - margin_bottom_px; }
};

struct LineChart {
  std::string id;        // unique within the page; used for element ids
  std::string title;
  std::string subtitle;  // e.g. what the axes mean or how series were scaled
  std::string y_label;   // left axis title
  std::string y2_label;  // right axis title (only drawn if a series uses it)
  std::span<const std::int64_t> ts_ms;  // ascending; shared by all series
  std::vector<ChartSeries> series;
  std::vector<ChartThreshold> thresholds;
  std::vector<ChartBand> bands;
  std::vector<ChartMarker> markers;
  // Each series divided by its first finite value and times 100, all on the
  // left axis, so legs of different price levels compare as returns.
  bool normalise = false;
  // Fixed left-axis range; NaN: from the data, thresholds and markers, padded.
  double y_min = std::numeric_limits<double>::quiet_NaN();
  double y_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> y_ticks;  // explicit left-axis ticks; empty: nice_ticks
  int tick_decimals = -1;       // left-axis label decimals; -1: from the tick step
  int columns = 0;              // decimation columns; 0: one per plot pixel
  ChartFrame frame;
};

// Returns a <figure> with a caption (title, subtitle, legend) and an <svg>.
// If no series has a finite value (or there are no times) the figure holds a
// short "no data" message instead; if a series' length differs from ts_ms the
// message says which. Ids, names and labels are HTML-escaped.
std::string svg_line_chart(const LineChart& chart);

// The page script that reads these charts under the pointer: the UTC time
// and (left axis) value at the cursor, and a crosshair at that instant on
// every chart of the page; a drag zooms every chart to the time range it
// covers (the drawn, decimated lines stretched: no detail is added) and a
// double-click shows the whole run again. It uses only what each chart's <svg> says of its
// scales (data-from-ms, data-to-ms, data-x0, data-x1, and data-y-lo,
// data-y-hi, data-y-top, data-y-bottom with a left axis); no network.
extern const std::string_view kChartReadoutScript;

// Ticks at multiples of a 1, 2 or 5 x 10^k step, all inside [lo, hi]: the
// smallest such step that is at least (hi - lo) / target_count.
// 0..1 -> 0, 0.2, ..., 1; 97.3..103.1 -> 98, 100, 102. Empty if lo > hi or
// either is not finite; {lo} if lo == hi.
std::vector<double> nice_ticks(double lo, double hi, int target_count = 5);

// Decimals needed to print ticks `step` apart without losing digits (0.2 -> 1).
int tick_decimals(double step);

struct TimeTick {
  std::int64_t ts_ms;
  std::string label;     // "14:30", "14:30:15", "2024-03-05", "2024-03" or "2024"
  std::string sublabel;  // intraday ticks: the UTC date where it changes, else empty
};

// UTC ticks inside [from_ms, to_ms] at a calendar-friendly step (1 s ... 1 h,
// 1 d, 7 d, months, years): the smallest step giving at most max_ticks ticks.
std::vector<TimeTick> time_ticks(std::int64_t from_ms, std::int64_t to_ms, int max_ticks = 8);

// The points a decimated line keeps: per pixel column and per run of finite
// values, the first, the lowest, the highest and the last (in time order), so
// a column holds at most 4 points and the global min and max always survive.
// A non-finite value ends a segment; a segment never spans a gap.
struct DecimatedLine {
  std::vector<std::size_t> indices;       // into the input, ascending
  std::vector<std::size_t> segment_ends;  // exclusive ends into `indices`
};
// The time span and the decimation columns svg_line_chart uses for a chart
// whose ts_ms runs from first_ms to last_ms (a single time spans a second).
struct ChartSpan {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  int columns = 1;
};
ChartSpan chart_span(std::int64_t first_ms, std::int64_t last_ms, const ChartFrame& frame = {}, int columns = 0);

// REQUIRES: values.size() == ts_ms.size(), ts_ms ascending, columns > 0.
DecimatedLine decimate_min_max(std::span<const std::int64_t> ts_ms,
                               std::span<const double> values, std::int64_t from_ms,
                               std::int64_t to_ms, int columns);

}  // namespace alphastream
