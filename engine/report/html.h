// Text helpers shared by the HTML reports: escaping, number and UTC time
// formatting (std::to_chars, no locale), and the page frame with its
// stylesheet, so every report looks the same and needs no external file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace alphastream {

// Appends `text` with &, <, >, " and ' replaced by entities; safe inside
// element content and quoted attribute values.
void append_html_escaped(std::string& out, std::string_view text);
std::string html_escape(std::string_view text);

// Appends `value` with exactly `decimals` (0..20) digits after the point
// ("-0" is written "0"); NaN is written "NaN" and infinities "inf"/"-inf".
void append_fixed(std::string& out, double value, int decimals);
std::string format_fixed(double value, int decimals);

// As format_fixed, with a comma every three digits of the integer part
// ("12,345.60"); for axis labels and money.
std::string format_grouped(double value, int decimals);

// "2024-03-05 14:07:09" (UTC). With `with_ms`, ".123" is appended.
std::string format_utc(std::int64_t ts_ms, bool with_ms = false);
// "2024-03-05" (UTC).
std::string format_utc_date(std::int64_t ts_ms);

// A duration in its two largest units: "3d 04h", "2h 05m", "4m 09s", "850ms".
std::string format_duration_ms(std::int64_t duration_ms);

// A complete HTML5 document around `body_html` with the report stylesheet
// inlined, and `script` inline at the end when given; `title` is escaped.
// The result is also well-formed XML.
std::string html_page(std::string_view title, std::string_view body_html, std::string_view script = {});

}  // namespace alphastream
