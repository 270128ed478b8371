#include "report/html.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "xml_tree.h"

namespace alphastream {
namespace {

TEST(HtmlEscape, ReplacesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("<a href='x'>Tom & \"Jerry\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;Tom &amp; &quot;Jerry&quot;&lt;/a&gt;");
  EXPECT_EQ(html_escape("BTCUSDT-ETHUSDT"), "BTCUSDT-ETHUSDT");
}

TEST(FormatFixed, RoundsToTheDecimalsAndNeverShowsNegativeZero) {
  EXPECT_EQ(format_fixed(3.14159, 2), "3.14");
  EXPECT_EQ(format_fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(format_fixed(-2.5, 0), "-2");  // ties go to even, as std::to_chars does
  EXPECT_EQ(format_fixed(12.0, 0), "12");
  EXPECT_EQ(format_fixed(std::nan(""), 2), "NaN");
}

TEST(FormatFixed, WritesWhatStdToCharsWritesForMillionsOfValues) {
  // append_fixed rounds most values itself; the bytes must be to_chars'.
  const auto reference = [](double value, int decimals) {
    char buffer[400];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    std::string text(buffer, result.ptr);
    if (text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
    return text;
  };
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int decimals = 0; decimals <= 8; ++decimals) {
    for (int exponent = -8; exponent <= 12; ++exponent) {
      const double scale = std::pow(10.0, exponent);
      for (int i = 0; i < 10'000; ++i) {
        const double value = unit(random) * scale;
        ASSERT_EQ(format_fixed(value, decimals), reference(value, decimals)) << value << " " << decimals;
        // Ties and near-ties of the rounding: k + 0.5 units, and a step off.
        const double tie = (std::round(value * std::pow(10.0, decimals)) + 0.5) / std::pow(10.0, decimals);
        for (const double near : {tie, std::nextafter(tie, 0.0), std::nextafter(tie, 1e300)}) {
          ASSERT_EQ(format_fixed(near, decimals), reference(near, decimals)) << near << " " << decimals;
        }
      }
    }
  }
  EXPECT_EQ(format_fixed(0.05, 1), "0.1");   // 0.05000000000000000277
  EXPECT_EQ(format_fixed(0.15, 1), "0.1");   // 0.14999999999999999445
  EXPECT_EQ(format_fixed(0.25, 1), "0.2");   // an exact tie: to even
  EXPECT_EQ(format_fixed(-0.04, 1), "0.0");
  EXPECT_EQ(format_fixed(-1234.56, 1), "-1234.6");
}

TEST(FormatGrouped, PutsACommaEveryThreeIntegerDigits) {
  EXPECT_EQ(format_grouped(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(format_grouped(-1234.5, 1), "-1,234.5");
  EXPECT_EQ(format_grouped(999.0, 0), "999");
  EXPECT_EQ(format_grouped(100000.0, 0), "100,000");
  EXPECT_EQ(format_grouped(-0.25, 2), "-0.25");
}

TEST(FormatUtc, WritesCalendarDateAndClockInUtc) {
  // 1709647629123 ms = 2024-03-05T14:07:09.123Z (python: datetime.fromtimestamp(.., utc)).
  EXPECT_EQ(format_utc(1709647629123), "2024-03-05 14:07:09");
  EXPECT_EQ(format_utc(1709647629123, true), "2024-03-05 14:07:09.123");
  EXPECT_EQ(format_utc(1709647629005, true), "2024-03-05 14:07:09.005");
  EXPECT_EQ(format_utc_date(1709647629123), "2024-03-05");
  EXPECT_EQ(format_utc(0), "1970-01-01 00:00:00");
  EXPECT_EQ(format_utc(-1000), "1969-12-31 23:59:59");
}

TEST(FormatDuration, ShowsTheTwoLargestUnits) {
  EXPECT_EQ(format_duration_ms(850), "850ms");
  EXPECT_EQ(format_duration_ms(9'000), "9s");
  EXPECT_EQ(format_duration_ms(4 * 60'000 + 9'000), "4m 09s");
  EXPECT_EQ(format_duration_ms(2 * 3'600'000 + 5 * 60'000 + 59'000), "2h 05m");
  EXPECT_EQ(format_duration_ms(3 * 86'400'000LL + 4 * 3'600'000), "3d 04h");
  EXPECT_EQ(format_duration_ms(-90'000), "-1m 30s");
}

TEST(HtmlPage, IsWellFormedXmlWithTheTitleEscaped) {
  const std::string page = html_page("A<B & C", "<p>body</p>\n");
  auto root = testing::parse_xml(page);
  ASSERT_TRUE(root) << root.error();
  EXPECT_EQ(root.value()->name, "html");
  const auto titles = root.value()->find_all("title");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_EQ(titles[0]->text, "A<B & C");
  EXPECT_NE(page.find("<title>A&lt;B &amp; C</title>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(XmlTree, RejectsWhatABrowserWouldForgiveButXmlNot) {
  EXPECT_FALSE(testing::parse_xml("<a><b></a></b>"));
  EXPECT_FALSE(testing::parse_xml("<a x=1></a>"));
  EXPECT_FALSE(testing::parse_xml("<a>Tom & Jerry</a>"));
  EXPECT_FALSE(testing::parse_xml("<a><br></a>"));
  EXPECT_TRUE(testing::parse_xml("<!DOCTYPE html><a x='1'><br/>&amp;&#183;</a>"));
}

}  // namespace
}  // namespace alphastream
