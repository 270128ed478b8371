#include "report/html.h"

#include <gtest/gtest.h>

#include <cmath>

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
