#include "report/svg_chart.h"

#include <algorithm>
#include <charconv>
#include <array>
#include <chrono>
#include <cmath>
#include <set>
#include <tuple>

#include "report/html.h"

namespace alphastream {
namespace {

// Tableau 10: distinct, print-friendly, readable for most colour vision.
constexpr std::array<const char*, 8> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                                 "#b07aa1", "#76b7b2", "#edc948", "#9c755f"};
constexpr const char* kGridColor = "#edf0f4";
constexpr const char* kAxisColor = "#c3cad4";
constexpr const char* kTickTextColor = "#616e7c";

constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

void append_two_digits(std::string& out, unsigned value) {
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

std::string clock_label(std::int64_t ts_ms, bool with_seconds) {
  const std::int64_t in_day = ts_ms - floor_div(ts_ms, kDayMs) * kDayMs;
  std::string out;
  append_two_digits(out, static_cast<unsigned>(in_day / kHourMs));
  out.push_back(':');
  append_two_digits(out, static_cast<unsigned>(in_day / kMinuteMs % 60));
  if (with_seconds) {
    out.push_back(':');
    append_two_digits(out, static_cast<unsigned>(in_day / kSecondMs % 60));
  }
  return out;
}

std::vector<TimeTick> fixed_step_ticks(std::int64_t from_ms, std::int64_t to_ms,
                                       std::int64_t step_ms, std::int64_t origin_ms) {
  std::vector<TimeTick> ticks;
  const std::int64_t first = ceil_div(from_ms - origin_ms, step_ms);
  const std::int64_t last = floor_div(to_ms - origin_ms, step_ms);
  std::string previous_date;
  for (std::int64_t k = first; k <= last; ++k) {
    const std::int64_t ts = origin_ms + k * step_ms;
    TimeTick tick{ts, {}, {}};
    if (step_ms >= kDayMs) {
      tick.label = format_utc_date(ts);
    } else {
      tick.label = clock_label(ts, step_ms < kMinuteMs);
      std::string date = format_utc_date(ts);
      if (date != previous_date) tick.sublabel = date;
      previous_date = std::move(date);
    }
    ticks.push_back(std::move(tick));
  }
  return ticks;
}

// Ticks on the first day of every `step_months`-th month (months counted from
// year 0, so a 3-month step lands on quarters and 12 on years).
std::vector<TimeTick> month_ticks(std::int64_t from_ms, std::int64_t to_ms, int step_months) {
  using namespace std::chrono;
  const auto month_start_ms = [](long long month_index) {
    const year_month_day ymd{year{static_cast<int>(floor_div(month_index, 12))},
                             month{static_cast<unsigned>(month_index - floor_div(month_index, 12) * 12 + 1)},
                             day{1}};
    return std::int64_t{sys_days{ymd}.time_since_epoch().count()} * kDayMs;
  };
  const year_month_day from_date{floor<days>(sys_time<milliseconds>{milliseconds{from_ms}})};
  long long index = static_cast<long long>(int(from_date.year())) * 12 +
                    static_cast<long long>(unsigned(from_date.month())) - 1;
  if (month_start_ms(index) < from_ms) ++index;
  index = ceil_div(index, step_months) * step_months;
  std::vector<TimeTick> ticks;
  for (; month_start_ms(index) <= to_ms; index += step_months) {
    std::string label = format_utc_date(month_start_ms(index));
    label.resize(step_months % 12 == 0 ? 4 : 7);  // "2024" or "2024-03"
    ticks.push_back({month_start_ms(index), std::move(label), {}});
  }
  return ticks;
}

std::int64_t month_tick_count(std::int64_t from_ms, std::int64_t to_ms, int step_months) {
  // Upper bound from the length (a month is at least 28 days), refined exactly
  // only when it is small, so that a 1-month step over centuries is not built.
  const std::int64_t bound = (to_ms - from_ms) / (28 * kDayMs * step_months) + 2;
  if (bound > 64) return bound;
  return static_cast<std::int64_t>(month_ticks(from_ms, to_ms, step_months).size());
}

std::string sanitize_id(std::string_view id) {
  std::string out;
  for (const char c : id) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_';
    out.push_back(keep ? c : '-');
  }
  return out.empty() ? "chart" : out;
}

struct ValueScale {
  double lo = 0, hi = 1;
  double top_px = 0, bottom_px = 1;
  double y(double value) const { return bottom_px - (value - lo) / (hi - lo) * (bottom_px - top_px); }
};

struct TimeScale {
  std::int64_t from_ms = 0, to_ms = 1;
  double left_px = 0, right_px = 1;
  double x(std::int64_t ts_ms) const {
    return left_px + static_cast<double>(ts_ms - from_ms) / static_cast<double>(to_ms - from_ms) *
                         (right_px - left_px);
  }
};

// The data range of one axis, widened by whatever must stay visible.
struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  bool has_data = false;
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    has_data = true;
  }
};

// Pads the range by 5% each side (a flat line gets room too) unless a bound is fixed.
ValueScale make_scale(const Range& range, double fixed_lo, double fixed_hi, double top_px,
                      double bottom_px) {
  double lo = range.has_data ? range.lo : 0.0, hi = range.has_data ? range.hi : 1.0;
  double pad = (hi - lo) * 0.05;
  if (pad == 0) pad = lo == 0 ? 1.0 : std::abs(lo) * 0.05;
  lo = std::isfinite(fixed_lo) ? fixed_lo : lo - pad;
  hi = std::isfinite(fixed_hi) ? fixed_hi : hi + pad;
  if (!(hi > lo)) hi = lo + 1.0;
  return {lo, hi, top_px, bottom_px};
}

void append_px(std::string& out, double px) { append_fixed(out, px, 1); }

void append_point(std::string& out, double x, double y) {
  append_px(out, x);
  out.push_back(',');
  append_px(out, y);
  out.push_back(' ');
}

std::string tick_label(double value, int decimals, bool grouped) {
  return grouped ? format_grouped(value, decimals) : format_fixed(value, decimals);
}

struct PreparedSeries {
  const ChartSeries* spec;
  std::vector<double> normalised;  // owns the values in normalised mode
  std::span<const double> values;
  std::string color;
  DecimatedLine line;
};

std::string empty_figure(const LineChart& chart, std::string_view reason) {
  std::string out = "<figure class=\"chart chart-empty\" data-chart=\"";
  append_html_escaped(out, chart.id);
  out += "\"><figcaption><span class=\"chart-title\">";
  append_html_escaped(out, chart.title);
  out += "</span></figcaption><p class=\"empty\">";
  append_html_escaped(out, reason);
  out += "</p></figure>\n";
  return out;
}

void append_caption(std::string& out, const LineChart& chart,
                    const std::vector<PreparedSeries>& series, bool has_left) {
  out += "<figcaption><span class=\"chart-title\">";
  append_html_escaped(out, chart.title);
  out += "</span>";
  if (!chart.subtitle.empty()) {
    out += "<span class=\"chart-subtitle\">";
    append_html_escaped(out, chart.subtitle);
    out += "</span>";
  }
  out += "<span class=\"legend\">";
  for (const PreparedSeries& s : series) {
    out += "<span><span class=\"swatch\" style=\"background:";
    append_html_escaped(out, s.color);
    out += "\"></span>";
    append_html_escaped(out, s.spec->name);
    if (s.spec->axis == ChartAxis::kRight && has_left && !chart.normalise) out += " (right axis)";
    out += "</span>";
  }
  std::set<std::string> band_labels;
  for (const ChartBand& band : chart.bands) {
    if (band.legend.empty() || !band_labels.insert(band.legend).second) continue;
    out += "<span><span class=\"swatch band\" style=\"background:";
    append_html_escaped(out, band.color);
    out += "\"></span>";
    append_html_escaped(out, band.legend);
    out += "</span>";
  }
  out += "</span></figcaption>\n";
}

// Grid lines follow the left axis, or the right one when it is alone.
void append_y_axis(std::string& out, const std::vector<double>& ticks, const ValueScale& scale,
                   const ChartFrame& frame, int decimals_override, bool right, bool grid) {
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : std::abs(ticks.empty() ? 1 : ticks[0]);
  const int decimals = decimals_override >= 0 ? decimals_override : tick_decimals(step);
  double largest = 0;
  for (const double t : ticks) largest = std::max(largest, std::abs(t));
  const double left = frame.margin_left_px, right_edge = frame.width_px - frame.margin_right_px;
  out += right ? "<g class=\"y2-axis\"" : "<g class=\"y-axis\"";
  out += " fill=\"";
  out += kTickTextColor;
  out += right ? "\" text-anchor=\"start\">" : "\" text-anchor=\"end\">";
  for (const double t : ticks) {
    const double y = scale.y(t);
    if (y < scale.top_px - 0.5 || y > scale.bottom_px + 0.5) continue;
    if (grid) {
      out += "<line class=\"grid\" x1=\"";
      append_px(out, left);
      out += "\" x2=\"";
      append_px(out, right_edge);
      out += "\" y1=\"";
      append_px(out, y);
      out += "\" y2=\"";
      append_px(out, y);
      out += "\" stroke=\"";
      out += kGridColor;
      out += "\"/>";
    }
    out += "<text class=\"tick\" x=\"";
    append_px(out, right ? right_edge + 8 : left - 8);
    out += "\" y=\"";
    append_px(out, y + 4);
    out += "\">";
    out += tick_label(t, decimals, largest >= 10000);
    out += "</text>";
  }
  out += "</g>\n";
}

void append_axis_title(std::string& out, const std::string& label, const ChartFrame& frame,
                       bool right) {
  if (label.empty()) return;
  const double y = frame.margin_top_px + frame.plot_height_px() / 2.0;
  const double x = right ? frame.width_px - 14 : 14;
  out += "<text class=\"axis-title\" text-anchor=\"middle\" fill=\"";
  out += kTickTextColor;
  out += "\" transform=\"translate(";
  append_px(out, x);
  out += ',';
  append_px(out, y);
  out += right ? ") rotate(90)\">" : ") rotate(-90)\">";
  append_html_escaped(out, label);
  out += "</text>\n";
}

void append_x_axis(std::string& out, const TimeScale& scale, const ChartFrame& frame) {
  const double bottom = frame.height_px - frame.margin_bottom_px;
  const int max_ticks = std::max(2, frame.plot_width_px() / 125);
  out += "<g class=\"x-axis\" text-anchor=\"middle\" fill=\"";
  out += kTickTextColor;
  out += "\">";
  for (const TimeTick& tick : time_ticks(scale.from_ms, scale.to_ms, max_ticks)) {
    const double x = scale.x(tick.ts_ms);
    out += "<line class=\"grid\" x1=\"";
    append_px(out, x);
    out += "\" x2=\"";
    append_px(out, x);
    out += "\" y1=\"";
    append_px(out, frame.margin_top_px);
    out += "\" y2=\"";
    append_px(out, bottom + 4);
    out += "\" stroke=\"";
    out += kGridColor;
    out += "\"/><text class=\"tick\" x=\"";
    append_px(out, x);
    out += "\" y=\"";
    append_px(out, bottom + 17);
    out += "\">";
    append_html_escaped(out, tick.label);
    out += "</text>";
    if (!tick.sublabel.empty()) {
      out += "<text class=\"tick-date\" x=\"";
      append_px(out, x);
      out += "\" y=\"";
      append_px(out, bottom + 31);
      out += "\" font-size=\"10\">";
      append_html_escaped(out, tick.sublabel);
      out += "</text>";
    }
  }
  out += "<line class=\"axis\" x1=\"";
  append_px(out, frame.margin_left_px);
  out += "\" x2=\"";
  append_px(out, frame.width_px - frame.margin_right_px);
  out += "\" y1=\"";
  append_px(out, bottom);
  out += "\" y2=\"";
  append_px(out, bottom);
  out += "\" stroke=\"";
  out += kAxisColor;
  out += "\"/></g>\n";
}

void append_bands(std::string& out, const LineChart& chart, const TimeScale& scale,
                  const ChartFrame& frame, const std::string& clip) {
  struct PixelBand {
    double x0, x1;
    const ChartBand* band;
  };
  std::vector<PixelBand> pixels;
  for (const ChartBand& band : chart.bands) {
    const std::int64_t from = std::max(band.from_ms, scale.from_ms);
    const std::int64_t to = std::min(band.to_ms, scale.to_ms);
    if (to < from) continue;
    const double x0 = scale.x(from);
    pixels.push_back({x0, std::max(scale.x(to), x0 + 1.0), &band});  // at least a pixel wide
  }
  // Grouped by look, then by position: bands of one look closer than half a
  // pixel become one rectangle, so thousands of short trades (even alternating
  // long and short) stay a few hundred elements.
  std::stable_sort(pixels.begin(), pixels.end(), [](const PixelBand& a, const PixelBand& b) {
    return std::tie(a.band->color, a.band->opacity, a.x0) < std::tie(b.band->color, b.band->opacity, b.x0);
  });
  std::vector<PixelBand> merged;
  for (const PixelBand& p : pixels) {
    if (!merged.empty() && merged.back().band->color == p.band->color &&
        merged.back().band->opacity == p.band->opacity && p.x0 <= merged.back().x1 + 0.5) {
      merged.back().x1 = std::max(merged.back().x1, p.x1);
    } else {
      merged.push_back(p);
    }
  }
  if (merged.empty()) return;
  out += "<g class=\"bands\" clip-path=\"url(#" + clip + ")\">";
  for (const PixelBand& p : merged) {
    out += "<rect class=\"band\" x=\"";
    append_px(out, p.x0);
    out += "\" y=\"";
    append_px(out, frame.margin_top_px);
    out += "\" width=\"";
    append_px(out, p.x1 - p.x0);
    out += "\" height=\"";
    append_px(out, frame.plot_height_px());
    out += "\" fill=\"";
    append_html_escaped(out, p.band->color);
    out += "\" fill-opacity=\"";
    append_fixed(out, p.band->opacity, 3);
    out += "\"/>";
  }
  out += "</g>\n";
}

// Labels go in the right margin unless a right axis uses it; there they never
// cover the data or the markers.
void append_thresholds(std::string& out, const LineChart& chart, const ValueScale& left,
                       const ValueScale& right, const ChartFrame& frame, bool right_axis_shown) {
  if (chart.thresholds.empty()) return;
  const double x0 = frame.margin_left_px, x1 = frame.width_px - frame.margin_right_px;
  out += "<g class=\"thresholds\">";
  for (const ChartThreshold& t : chart.thresholds) {
    const ValueScale& scale = t.axis == ChartAxis::kRight ? right : left;
    const double y = scale.y(t.value);
    if (!std::isfinite(y) || y < scale.top_px - 0.5 || y > scale.bottom_px + 0.5) continue;
    out += "<line class=\"threshold\" data-value=\"";
    append_fixed(out, t.value, 6);
    out += "\" x1=\"";
    append_px(out, x0);
    out += "\" x2=\"";
    append_px(out, x1);
    out += "\" y1=\"";
    append_px(out, y);
    out += "\" y2=\"";
    append_px(out, y);
    out += "\" stroke=\"";
    append_html_escaped(out, t.color);
    out += t.dashed ? "\" stroke-dasharray=\"5 4\"/>" : "\"/>";
    if (!t.label.empty()) {
      out += "<text class=\"threshold-label\" x=\"";
      append_px(out, right_axis_shown ? x1 - 4 : x1 + 6);
      out += "\" y=\"";
      append_px(out, right_axis_shown ? y - 3 : y + 3.5);
      out += right_axis_shown ? "\" text-anchor=\"end\"" : "\" text-anchor=\"start\"";
      out += " font-size=\"10\" fill=\"";
      append_html_escaped(out, t.color);
      out += "\">";
      append_html_escaped(out, t.label);
      out += "</text>";
    }
  }
  out += "</g>\n";
}

void append_series(std::string& out, const PreparedSeries& s, std::span<const std::int64_t> ts,
                   const TimeScale& time, const ValueScale& scale, const std::string& clip) {
  out += "<g class=\"series\" data-series=\"";
  append_html_escaped(out, s.spec->name);
  out += "\" clip-path=\"url(#" + clip + ")\">";
  const double zero_y = std::clamp(scale.y(0.0), scale.top_px, scale.bottom_px);
  std::string points;
  std::size_t begin = 0;
  for (const std::size_t end : s.line.segment_ends) {
    points.clear();
    const std::size_t first = s.line.indices[begin];
    const std::size_t last = s.line.indices[end - 1];
    if (end - begin == 1) {
      // A lone value between gaps: a short dash, so it is not invisible.
      const double x = time.x(ts[first]), y = scale.y(s.values[first]);
      append_point(points, x - 1.0, y);
      append_point(points, x + 1.0, y);
    }
    for (std::size_t k = begin; k < end && end - begin > 1; ++k) {
      const std::size_t i = s.line.indices[k];
      const double x = time.x(ts[i]);
      if (s.spec->step && k > begin) append_point(points, x, scale.y(s.values[s.line.indices[k - 1]]));
      append_point(points, x, scale.y(s.values[i]));
    }
    points.pop_back();  // the trailing space
    if (s.spec->fill_to_zero) {
      out += "<polygon class=\"area\" fill=\"";
      out += s.color;
      out += "\" fill-opacity=\"0.18\" stroke=\"none\" points=\"";
      out += points;
      out += ' ';
      append_point(out, time.x(ts[last]), zero_y);
      append_point(out, time.x(ts[first]), zero_y);
      out.pop_back();
      out += "\"/>";
    }
    out += "<polyline class=\"line\" fill=\"none\" stroke=\"";
    out += s.color;
    out += "\" stroke-width=\"";
    append_fixed(out, s.spec->stroke_width_px, 2);
    out += "\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"";
    out += points;
    out += "\"/>";
    begin = end;
  }
  out += "</g>\n";
}

void append_marker_shape(std::string& out, const ChartMarker& m, double x, double y) {
  constexpr double r = 4.0;
  const auto path = [&](std::initializer_list<std::pair<double, double>> pts) {
    out += "<path class=\"marker\" d=\"M";
    bool first = true;
    for (const auto& [dx, dy] : pts) {
      if (!first) out += " L";
      first = false;
      append_px(out, x + dx);
      out.push_back(',');
      append_px(out, y + dy);
    }
    out += " Z\" fill=\"";
    append_html_escaped(out, m.color);
    out += "\" stroke=\"#ffffff\" stroke-width=\"0.8\">";
  };
  switch (m.shape) {
    case MarkerShape::kTriangleUp: path({{0, -r}, {r, r * 0.8}, {-r, r * 0.8}}); break;
    case MarkerShape::kTriangleDown: path({{0, r}, {r, -r * 0.8}, {-r, -r * 0.8}}); break;
    case MarkerShape::kCircle:
      out += "<circle class=\"marker\" cx=\"";
      append_px(out, x);
      out += "\" cy=\"";
      append_px(out, y);
      out += "\" r=\"3\" fill=\"";
      append_html_escaped(out, m.color);
      out += "\" stroke=\"#ffffff\" stroke-width=\"0.8\">";
      break;
    case MarkerShape::kCross:
      out += "<path class=\"marker\" d=\"M";
      append_point(out, x - r * 0.8, y - r * 0.8);
      out += 'L';
      append_point(out, x + r * 0.8, y + r * 0.8);
      out += 'M';
      append_point(out, x - r * 0.8, y + r * 0.8);
      out += 'L';
      append_px(out, x + r * 0.8);
      out += ',';
      append_px(out, y - r * 0.8);
      out += "\" fill=\"none\" stroke-width=\"1.6\" stroke=\"";
      append_html_escaped(out, m.color);
      out += "\">";
      break;
  }
  out += "<title>";
  append_html_escaped(out, m.title);
  out += m.shape == MarkerShape::kCircle ? "</title></circle>" : "</title></path>";
}

void append_markers(std::string& out, const LineChart& chart, const TimeScale& time,
                    const ValueScale& left, const ValueScale& right, const std::string& clip) {
  if (chart.markers.empty()) return;
  std::set<std::tuple<int, std::string, int, long long>> seen;
  out += "<g class=\"markers\" clip-path=\"url(#" + clip + ")\">";
  for (const ChartMarker& m : chart.markers) {
    if (m.ts_ms < time.from_ms || m.ts_ms > time.to_ms || !std::isfinite(m.value)) continue;
    const ValueScale& scale = m.axis == ChartAxis::kRight ? right : left;
    const double x = time.x(m.ts_ms), y = scale.y(m.value);
    // A marker is ~9 px wide: one per 3 px of its shape and colour is enough.
    const auto column = static_cast<long long>(std::floor((x - time.left_px) / 3.0));
    if (!seen.emplace(static_cast<int>(m.shape), m.color, static_cast<int>(m.axis), column).second) continue;
    append_marker_shape(out, m, x, y);
  }
  out += "</g>\n";
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target_count) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) return {};
  // A range within rounding of its values (two VWAPs 2e-14 apart) has no
  // ticks worth printing, and k * step could not even step through it:
  // past 2^53 a double's k + 1 == k.
  if (hi - lo <= 1e-12 * std::max(std::abs(lo), std::abs(hi))) return {lo};
  const double raw = (hi - lo) / std::max(target_count, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * magnitude;
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw * (1 - 1e-9)) {
      step = m * magnitude;
      break;
    }
  }
  const int decimals = tick_decimals(step);
  const double scale = std::pow(10.0, decimals);
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  if (!(last - first < 1000)) return {lo, hi};
  std::vector<double> ticks;
  for (double k = first; k <= last; ++k) {
    double tick = k * step;
    if (decimals > 0) tick = std::round(tick * scale) / scale;  // 0.6, not 0.6000000000000001
    ticks.push_back(tick == 0 ? 0.0 : tick);
  }
  return ticks;
}

int tick_decimals(double step) {
  if (!(step > 0) || !std::isfinite(step)) return 0;
  return std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 12);
}

std::vector<TimeTick> time_ticks(std::int64_t from_ms, std::int64_t to_ms, int max_ticks) {
  if (to_ms < from_ms) return {};
  max_ticks = std::max(max_ticks, 1);
  constexpr std::int64_t kMondayOriginMs = 4 * kDayMs;  // 1970-01-05 was a Monday
  constexpr std::array<std::int64_t, 20> kFixedStepsMs = {
      kSecondMs,      2 * kSecondMs,  5 * kSecondMs,  10 * kSecondMs, 15 * kSecondMs,
      30 * kSecondMs, kMinuteMs,      2 * kMinuteMs,  5 * kMinuteMs,  10 * kMinuteMs,
      15 * kMinuteMs, 30 * kMinuteMs, kHourMs,        2 * kHourMs,    3 * kHourMs,
      6 * kHourMs,    12 * kHourMs,   kDayMs,         2 * kDayMs,     7 * kDayMs};
  for (const std::int64_t step : kFixedStepsMs) {
    const std::int64_t origin = step == 7 * kDayMs ? kMondayOriginMs : 0;
    const std::int64_t count =
        floor_div(to_ms - origin, step) - ceil_div(from_ms - origin, step) + 1;
    if (count <= max_ticks) return fixed_step_ticks(from_ms, to_ms, step, origin);
  }
  for (const int months : {1, 3, 6, 12, 24, 60, 120, 240, 600, 1200}) {
    if (month_tick_count(from_ms, to_ms, months) <= max_ticks) {
      return month_ticks(from_ms, to_ms, months);
    }
  }
  return {};
}

ChartSpan chart_span(std::int64_t first_ms, std::int64_t last_ms, const ChartFrame& frame, int columns) {
  return {first_ms, last_ms > first_ms ? last_ms : first_ms + kSecondMs,
          columns > 0 ? columns : std::max(1, frame.plot_width_px())};
}

DecimatedLine decimate_min_max(std::span<const std::int64_t> ts_ms,
                               std::span<const double> values, std::int64_t from_ms,
                               std::int64_t to_ms, int columns) {
  DecimatedLine out;
  const double span_ms = to_ms > from_ms ? static_cast<double>(to_ms - from_ms) : 1.0;
  const std::size_t n = std::min(ts_ms.size(), values.size());
  bool in_run = false;
  long long column = 0;
  std::size_t first = 0, lowest = 0, highest = 0, last = 0;
  const auto flush = [&] {
    std::array<std::size_t, 4> kept = {first, lowest, highest, last};
    std::sort(kept.begin(), kept.end());
    const auto end = std::unique(kept.begin(), kept.end());
    out.indices.insert(out.indices.end(), kept.begin(), end);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    if (!std::isfinite(v)) {
      if (in_run) {
        flush();
        out.segment_ends.push_back(out.indices.size());
        in_run = false;
      }
      continue;
    }
    const double position = static_cast<double>(ts_ms[i] - from_ms) / span_ms * columns;
    const long long c = std::clamp(static_cast<long long>(std::floor(position)), 0LL,
                                   static_cast<long long>(columns) - 1);
    if (in_run && c == column) {
      if (v < values[lowest]) lowest = i;
      if (v > values[highest]) highest = i;
      last = i;
      continue;
    }
    if (in_run) flush();
    in_run = true;
    column = c;
    first = lowest = highest = last = i;
  }
  if (in_run) {
    flush();
    out.segment_ends.push_back(out.indices.size());
  }
  return out;
}

namespace {
// A scale bound in shortest round-trip form.
std::string fmt_scale(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}
}  // namespace

const std::string_view kChartReadoutScript = R"js((function () {
  var NS = 'http://www.w3.org/2000/svg';
  var charts = Array.prototype.slice.call(document.querySelectorAll('svg.chart-svg[data-from-ms]'));
  if (!charts.length) return;
  var tip = document.createElement('div');
  tip.className = 'readout';
  tip.hidden = true;
  document.body.appendChild(tip);
  // The time range shown; null: the whole run, as drawn.
  var zoom = null;
  function utc(ms) { return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'); }
  function span(d) { return zoom || { from: +d.fromMs, to: +d.toMs }; }
  function timeAt(d, x) { var s = span(d); return s.from + (x - +d.x0) / (+d.x1 - +d.x0) * (s.to - s.from); }
  function xAt(d, t) { var s = span(d); return +d.x0 + (t - s.from) / (s.to - s.from) * (+d.x1 - +d.x0); }
  function local(svg, event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }
  function overlay(svg, name, tag) {
    if (!svg[name]) {
      var d = svg.dataset, box = svg.viewBox.baseVal;
      var node = document.createElementNS(NS, tag);
      node.setAttribute('class', name);
      node.setAttribute(tag === 'line' ? 'y1' : 'y', d.yTop || 0);
      if (tag === 'line') node.setAttribute('y2', d.yBottom || box.height);
      else node.setAttribute('height', (d.yBottom || box.height) - (d.yTop || 0));
      node.style.display = 'none';
      svg.appendChild(node);
      svg[name] = node;
    }
    return svg[name];
  }
  // The drawn layers get an inner group to scale, so their clip stays put.
  charts.forEach(function (svg) {
    svg.layers = [];
    ['series', 'bands'].forEach(function (cls) {
      Array.prototype.forEach.call(svg.querySelectorAll('g.' + cls), function (g) {
        var inner = document.createElementNS(NS, 'g');
        while (g.firstChild) inner.appendChild(g.firstChild);
        g.appendChild(inner);
        svg.layers.push(inner);
      });
    });
  });
  function apply() {
    charts.forEach(function (svg) {
      var d = svg.dataset, from = +d.fromMs, to = +d.toMs, x0 = +d.x0, x1 = +d.x1;
      var k = zoom ? (to - from) / (zoom.to - zoom.from) : 1;
      var shift = zoom ? x0 - (x0 + (zoom.from - from) / (to - from) * (x1 - x0)) * k : 0;
      svg.layers.forEach(function (g) {
        if (zoom) g.setAttribute('transform', 'matrix(' + k + ' 0 0 1 ' + shift + ' 0)');
        else g.removeAttribute('transform');
      });
      // Axis labels and markers are of the whole run: hidden while zoomed.
      Array.prototype.forEach.call(svg.querySelectorAll('g.x-axis, g.markers'), function (g) {
        g.style.display = zoom ? 'none' : '';
      });
      var figure = svg.parentNode, note = figure.querySelector('.zoom-note');
      if (!note) {
        note = document.createElement('p');
        note.className = 'note zoom-note';
        figure.appendChild(note);
      }
      note.textContent = zoom ? 'Zoomed to ' + utc(zoom.from) + ' \u2192 ' + utc(zoom.to) +
                                '; double-click a chart for the whole run.' : '';
      note.hidden = !zoom;
    });
  }
  function hide() {
    tip.hidden = true;
    charts.forEach(function (svg) { if (svg.crosshair) svg.crosshair.style.display = 'none'; });
  }
  var drag = null;  // {svg, x}: a press on a chart, to select a time range
  charts.forEach(function (svg) {
    var d = svg.dataset;
    svg.addEventListener('mousedown', function (event) {
      var at = local(svg, event);
      if (at.x >= +d.x0 && at.x <= +d.x1) drag = { svg: svg, x: at.x };
      event.preventDefault();
    });
    svg.addEventListener('mousemove', function (event) {
      var at = local(svg, event);
      var x0 = +d.x0, x1 = +d.x1;
      if (at.x < x0 || at.x > x1) { hide(); return; }
      var t = timeAt(d, at.x);
      var text = utc(Math.round(t));
      if (d.yLo !== undefined && at.y >= +d.yTop && at.y <= +d.yBottom) {
        var v = +d.yLo + (+d.yBottom - at.y) / (+d.yBottom - +d.yTop) * (+d.yHi - +d.yLo);
        text += ' \u00b7 ' + v.toPrecision(6);
      }
      charts.forEach(function (other) {
        var line = overlay(other, 'crosshair', 'line'), x = xAt(other.dataset, t);
        if (x < +other.dataset.x0 || x > +other.dataset.x1) { line.style.display = 'none'; return; }
        line.setAttribute('x1', x);
        line.setAttribute('x2', x);
        line.style.display = '';
      });
      if (drag && drag.svg === svg) {
        var box = overlay(svg, 'selection', 'rect');
        box.setAttribute('x', Math.min(drag.x, at.x));
        box.setAttribute('width', Math.abs(at.x - drag.x));
        box.style.display = '';
      }
      tip.textContent = text;
      tip.hidden = false;
      tip.style.left = (event.pageX + 12) + 'px';
      tip.style.top = (event.pageY + 12) + 'px';
    });
    svg.addEventListener('mouseup', function (event) {
      if (!drag || drag.svg !== svg) return;
      var at = local(svg, event), a = timeAt(d, Math.min(drag.x, at.x)), b = timeAt(d, Math.max(drag.x, at.x));
      var wide = Math.abs(at.x - drag.x) > 4;  // a drag, not a click
      if (svg.selection) svg.selection.style.display = 'none';
      drag = null;
      if (wide && b - a > 1000) { zoom = { from: a, to: b }; apply(); }
    });
    svg.addEventListener('dblclick', function () { zoom = null; apply(); });
    svg.addEventListener('mouseleave', function () { hide(); });
  });
  document.addEventListener('mouseup', function () {
    if (drag && drag.svg.selection) drag.svg.selection.style.display = 'none';
    drag = null;
  });
})();)js";

std::string svg_line_chart(const LineChart& chart) {
  const std::span<const std::int64_t> ts = chart.ts_ms;
  if (ts.empty()) return empty_figure(chart, "No data: there are no observations to plot.");
  if (chart.series.empty()) return empty_figure(chart, "No data: the chart has no series.");
  std::vector<PreparedSeries> series;
  series.reserve(chart.series.size());
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const ChartSeries& spec = chart.series[k];
    if (spec.values.size() != ts.size()) {
      return empty_figure(chart, "Cannot draw: series '" + spec.name + "' has " +
                                     std::to_string(spec.values.size()) + " values for " +
                                     std::to_string(ts.size()) + " times.");
    }
    PreparedSeries s{&spec, {}, spec.values,
                     spec.color.empty() ? kPalette[k % kPalette.size()] : spec.color, {}};
    if (chart.normalise) {
      const auto base = std::find_if(spec.values.begin(), spec.values.end(),
                                     [](double v) { return std::isfinite(v) && v != 0; });
      s.normalised.resize(spec.values.size());
      const double factor = base == spec.values.end() ? std::nan("") : 100.0 / *base;
      for (std::size_t i = 0; i < spec.values.size(); ++i) s.normalised[i] = spec.values[i] * factor;
      s.values = s.normalised;
    }
    series.push_back(std::move(s));
  }

  const ChartFrame& frame = chart.frame;
  const ChartSpan span = chart_span(ts.front(), ts.back(), frame, chart.columns);
  const std::int64_t from_ms = span.from_ms;
  const std::int64_t to_ms = span.to_ms;
  const int columns = span.columns;
  Range left_range, right_range;
  bool has_left = false, has_right = false;
  for (PreparedSeries& s : series) {
    s.line = decimate_min_max(ts, s.values, from_ms, to_ms, columns);
    const bool right = s.spec->axis == ChartAxis::kRight && !chart.normalise;
    (right ? has_right : has_left) = true;
    Range& range = right ? right_range : left_range;
    for (const std::size_t i : s.line.indices) range.add(s.values[i]);  // min and max are kept
    if (s.spec->fill_to_zero && !s.line.indices.empty()) range.add(0.0);
  }
  if (!left_range.has_data && !right_range.has_data) {
    return empty_figure(chart, "No data: every value is missing (NaN), e.g. still in warm-up.");
  }
  for (const ChartThreshold& t : chart.thresholds) {
    (t.axis == ChartAxis::kRight && !chart.normalise ? right_range : left_range).add(t.value);
  }
  for (const ChartMarker& m : chart.markers) {
    (m.axis == ChartAxis::kRight && !chart.normalise ? right_range : left_range).add(m.value);
  }

  const double top = frame.margin_top_px, bottom = frame.height_px - frame.margin_bottom_px;
  const ValueScale left = make_scale(left_range, chart.y_min, chart.y_max, top, bottom);
  const ValueScale right = make_scale(right_range, std::nan(""), std::nan(""), top, bottom);
  const TimeScale time{from_ms, to_ms, static_cast<double>(frame.margin_left_px),
                       static_cast<double>(frame.width_px - frame.margin_right_px)};
  const int target_ticks = std::clamp(frame.plot_height_px() / 32, 3, 10);  // ~one per 32 px
  const std::string clip = "clip-" + sanitize_id(chart.id);

  std::string out;
  out.reserve(64 * 1024);
  out += "<figure class=\"chart\" data-chart=\"";
  append_html_escaped(out, chart.id);
  out += "\">\n";
  append_caption(out, chart, series, has_left);
  out += "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
  out += std::to_string(frame.width_px) + ' ' + std::to_string(frame.height_px);
  out += "\" width=\"" + std::to_string(frame.width_px) + "\" height=\"" +
         std::to_string(frame.height_px) + "\"";
  out += " font-family=\"-apple-system, 'Segoe UI', Roboto, Lato, 'DejaVu Sans', Arial, sans-serif\"";
  // The scales, for the page's readout script.
  out += " data-from-ms=\"" + std::to_string(from_ms) + "\" data-to-ms=\"" + std::to_string(to_ms) + "\" data-x0=\"";
  append_px(out, time.left_px);
  out += "\" data-x1=\"";
  append_px(out, time.right_px);
  out += "\"";
  if (has_left) {
    out += " data-y-lo=\"";
    out += fmt_scale(left.lo);
    out += "\" data-y-hi=\"";
    out += fmt_scale(left.hi);
    out += "\" data-y-top=\"";
    append_px(out, left.top_px);
    out += "\" data-y-bottom=\"";
    append_px(out, left.bottom_px);
    out += "\"";
  }
  out += " font-size=\"11\" role=\"img\">\n<defs><clipPath id=\"" + clip + "\"><rect x=\"";
  append_px(out, frame.margin_left_px);
  out += "\" y=\"";
  append_px(out, top - 1);
  out += "\" width=\"";
  append_px(out, frame.plot_width_px());
  out += "\" height=\"";
  append_px(out, frame.plot_height_px() + 2);
  out += "\"/></clipPath></defs>\n";

  append_bands(out, chart, time, frame, clip);
  if (has_left) {
    const std::vector<double> ticks =
        chart.y_ticks.empty() ? nice_ticks(left.lo, left.hi, target_ticks) : chart.y_ticks;
    append_y_axis(out, ticks, left, frame, chart.tick_decimals, false, true);
    append_axis_title(out, chart.y_label, frame, false);
  }
  if (has_right) {
    append_y_axis(out, nice_ticks(right.lo, right.hi, target_ticks), right, frame, -1, true,
                  !has_left);
    append_axis_title(out, chart.y2_label, frame, true);
  }
  append_x_axis(out, time, frame);
  append_thresholds(out, chart, left, right, frame, has_right);
  for (const PreparedSeries& s : series) {
    const bool on_right = s.spec->axis == ChartAxis::kRight && !chart.normalise;
    append_series(out, s, ts, time, on_right ? right : left, clip);
  }
  append_markers(out, chart, time, left, right, clip);
  out += "</svg>\n</figure>\n";
  return out;
}

}  // namespace alphastream
