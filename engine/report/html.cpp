#include "report/html.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace alphastream {
namespace {

void append_two_digits(std::string& out, unsigned value) {
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

void append_int(std::string& out, long long value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

struct UtcFields {
  int year;
  unsigned month, day, hour, minute, second, millisecond;
};

UtcFields utc_fields(std::int64_t ts_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> time{milliseconds{ts_ms}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  return {int(date.year()), unsigned(date.month()), unsigned(date.day()),
          static_cast<unsigned>(clock.hours().count()),
          static_cast<unsigned>(clock.minutes().count()),
          static_cast<unsigned>(clock.seconds().count()),
          static_cast<unsigned>(clock.subseconds().count())};
}

void append_date(std::string& out, const UtcFields& f) {
  append_int(out, f.year);
  out.push_back('-');
  append_two_digits(out, f.month);
  out.push_back('-');
  append_two_digits(out, f.day);
}

// Kept short and neutral: system fonts, light cards, tabular numbers.
constexpr std::string_view kStylesheet = R"css(
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --card: #ffffff; --page: #f5f7fa;
  --pos: #2f7d4a; --neg: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Lato, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1260px; margin: 0 auto; padding: 24px 20px 40px; }
header.report-header { margin-bottom: 16px; }
h1 { font-size: 24px; margin: 0 0 4px; font-weight: 600; letter-spacing: 0.2px; }
h2 { font-size: 16px; margin: 0 0 10px; font-weight: 600; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.facts div { display: flex; flex-direction: column; }
.facts dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.6px; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
section.card, figure.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 14px 16px 8px; margin: 0 0 16px; }
figure.chart figcaption { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 2px; }
figure.chart .chart-title { font-weight: 600; font-size: 15px; }
figure.chart .chart-subtitle { color: var(--muted); font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-left: auto; font-size: 12px; color: var(--muted); }
.legend .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 5px; border-radius: 1px; }
.legend .swatch.band { height: 10px; opacity: 0.5; }
svg.chart-svg { display: block; width: 100%; height: auto; }
p.empty { color: var(--muted); font-style: italic; padding: 24px 0; margin: 0; text-align: center; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; background: #fafbfc; position: sticky; top: 0; }
td.num, th.num { text-align: right; }
td.pos { color: var(--pos); }
td.neg { color: var(--neg); }
.readout { position: absolute; background: #1f2933; color: #fff; padding: 2px 6px; border-radius: 3px;
  font-size: 12px; pointer-events: none; white-space: nowrap; }
line.crosshair { stroke: #52606d; stroke-width: 1; stroke-dasharray: 3 3; pointer-events: none; }
rect.selection { fill: #4e79a7; fill-opacity: 0.15; pointer-events: none; }
svg.chart-svg polyline, svg.chart-svg path { vector-effect: non-scaling-stroke; }
.summary-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 0 28px; }
.summary-grid div { display: flex; justify-content: space-between; gap: 12px; padding: 5px 0; border-bottom: 1px solid var(--line); }
.summary-grid .key { color: var(--muted); }
.summary-grid .value { font-weight: 600; font-variant-numeric: tabular-nums; text-align: right; }
.table-scroll { max-height: 560px; overflow: auto; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 4px; }
footer { color: var(--muted); font-size: 11px; text-align: center; margin-top: 20px; }
)css";

}  // namespace

void append_html_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_html_escaped(out, text);
  return out;
}

void append_fixed(std::string& out, double value, int decimals) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "inf" : "-inf";
    return;
  }
  // Most of a report's numbers are chart coordinates of one decimal: scaled
  // to an integer when that is exact enough to round it as std::to_chars
  // does (the product's error, < 1e-7 below 1e9, is far from a tie's 1e-6
  // margin), else to_chars itself, about ten times slower.
  if (decimals >= 0 && decimals <= 6) {
    constexpr double kScale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    const double scaled = value * kScale[decimals];
    if (std::fabs(scaled) < 1e9) {
      const double floor = std::floor(scaled);
      const double fraction = scaled - floor;
      if (std::fabs(fraction - 0.5) > 1e-6) {
        auto units = static_cast<std::int64_t>(floor) + (fraction > 0.5 ? 1 : 0);
        if (units < 0) {
          out += '-';
          units = -units;
        }
        const auto scale = static_cast<std::int64_t>(kScale[decimals]);
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, units / scale).ptr;
        if (decimals > 0) {
          *end++ = '.';
          const std::int64_t fraction_units = units % scale;
          for (std::int64_t place = scale / 10; place > 0; place /= 10) *end++ = static_cast<char>('0' + fraction_units / place % 10);
        }
        out.append(digits, end);
        return;
      }
    }
  }
  char buffer[352];  // the longest fixed double (309 digits) plus up to 20 decimals
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value,
                                    std::chars_format::fixed, std::clamp(decimals, 0, 20));
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  // A value that rounds to zero must not show as "-0.0".
  if (text.front() == '-' && text.find_first_not_of("-0.") == std::string_view::npos) {
    text.remove_prefix(1);
  }
  out += text;
}

std::string format_fixed(double value, int decimals) {
  std::string out;
  append_fixed(out, value, decimals);
  return out;
}

std::string format_grouped(double value, int decimals) {
  const std::string plain = format_fixed(value, decimals);
  if (!std::isfinite(value)) return plain;
  const std::size_t sign = plain.front() == '-' ? 1 : 0;
  const std::size_t point = plain.find('.');
  const std::size_t int_end = point == std::string::npos ? plain.size() : point;
  std::string out = plain.substr(0, sign);
  for (std::size_t i = sign; i < int_end; ++i) {
    if (i > sign && (int_end - i) % 3 == 0) out.push_back(',');
    out.push_back(plain[i]);
  }
  out.append(plain, int_end, std::string::npos);
  return out;
}

std::string format_utc(std::int64_t ts_ms, bool with_ms) {
  const UtcFields f = utc_fields(ts_ms);
  std::string out;
  append_date(out, f);
  out.push_back(' ');
  append_two_digits(out, f.hour);
  out.push_back(':');
  append_two_digits(out, f.minute);
  out.push_back(':');
  append_two_digits(out, f.second);
  if (with_ms) {
    out.push_back('.');
    out.push_back(static_cast<char>('0' + f.millisecond / 100));
    append_two_digits(out, f.millisecond % 100);
  }
  return out;
}

std::string format_utc_date(std::int64_t ts_ms) {
  std::string out;
  append_date(out, utc_fields(ts_ms));
  return out;
}

std::string format_duration_ms(std::int64_t duration_ms) {
  const std::int64_t magnitude = std::llabs(duration_ms);
  std::string out = duration_ms < 0 ? "-" : "";
  if (magnitude < 1000) {
    append_int(out, magnitude);
    out += "ms";
    return out;
  }
  const std::int64_t total_s = magnitude / 1000;
  const std::int64_t d = total_s / 86400, h = total_s / 3600 % 24, m = total_s / 60 % 60,
                     s = total_s % 60;
  auto pair = [&out](std::int64_t major, const char* major_unit, std::int64_t minor,
                     const char* minor_unit) {
    append_int(out, major);
    out += major_unit;
    out.push_back(' ');
    append_two_digits(out, static_cast<unsigned>(minor));
    out += minor_unit;
  };
  if (d > 0) {
    pair(d, "d", h, "h");
  } else if (h > 0) {
    pair(h, "h", m, "m");
  } else if (m > 0) {
    pair(m, "m", s, "s");
  } else {
    append_int(out, s);
    out += "s";
  }
  return out;
}

std::string html_page(std::string_view title, std::string_view body_html, std::string_view script) {
  std::string out;
  out.reserve(body_html.size() + kStylesheet.size() + 512);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>";
  append_html_escaped(out, title);
  out += "</title>\n<style>";
  out += kStylesheet;
  out += "</style>\n</head>\n<body>\n<main>\n";
  out += body_html;
  out += "</main>\n";
  if (!script.empty()) {
    // CDATA: the page stays well-formed XML whatever the script holds.
    out += "<script>//<![CDATA[\n";
    out += script;
    out += "\n//]]></script>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace alphastream
