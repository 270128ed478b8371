// format_number writes fmt's "{}" of a double itself: the same bytes as
// fmt for every kind of value (checked against fmt over millions), nothing
// for NaN, and no more than kMaxNumberText bytes; number_text the same as a
// string, "nan" for NaN.
#include "core/number_text.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <fmt/format.h>

namespace alphastream {
namespace {

std::string ours(double value) {
  char buffer[kNumberTextRoom];
  char* end = format_number(buffer, value);
  EXPECT_LE(static_cast<std::size_t>(end - buffer), kMaxNumberText) << fmt::format("{}", value);
  return std::string(buffer, end);
}

void expect_as_fmt(double value) { ASSERT_EQ(ours(value), fmt::format("{}", value)) << std::bit_cast<std::uint64_t>(value); }

TEST(FormatNumber, WritesWhatFmtWritesForHandPickedValues) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kMin = std::numeric_limits<double>::min();
  constexpr double kDenorm = std::numeric_limits<double>::denorm_min();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const double value :
       {0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 99.98, 169.98, 100.0, 1e15, 9999999999999998.0, 1e16, 1.5e16, 1e17,
        123456789012345678.0, 1e21, 1e22, 1e100, 1e-4, 1.2345e-4, 9.9999e-5, 1e-5, 1.5e-5, 1e-7, 0.001234,
        0.30000000000000004, 1.4925524488053517, -0.00012345678901234567, 2.2250738585072014e-308, kMax, -kMax,
        kMin, kDenorm, -kDenorm, 1e308, 1e-308, 1e-320, 123e200, 4.35, 1234567.0, 12345678901234567890.0,
        kInf, -kInf}) {
    expect_as_fmt(value);
  }
  EXPECT_EQ(ours(std::nan("")), "");
  EXPECT_EQ(ours(1e16), "1e+16");
  EXPECT_EQ(ours(1e-5), "1e-05");
  EXPECT_EQ(ours(0.0001), "0.0001");
  EXPECT_EQ(ours(1e300), "1e+300");
  EXPECT_EQ(ours(-2.5e-310), "-2.5e-310");
}

TEST(FormatNumber, WritesWhatFmtWritesForMillionsOfValues) {
  std::mt19937_64 random(20261205);
  // Any bit pattern (every exponent, denormals, both signs)...
  for (int i = 0; i < 1'000'000; ++i) {
    const double value = std::bit_cast<double>(random());
    if (std::isnan(value)) continue;
    expect_as_fmt(value);
  }
  // ...and the values a series holds: prices of a few decimals, ratios and
  // z-scores near 1, integers, each around every power of ten of the
  // fixed/exponent switch.
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int exponent = -8; exponent <= 20; ++exponent) {
    const double scale = std::pow(10.0, exponent);
    for (int i = 0; i < 20'000; ++i) {
      const double value = unit(random) * scale;
      expect_as_fmt(value);
      expect_as_fmt(std::round(value * 100) / 100);
      expect_as_fmt(std::round(value * 1e4) / 1e4);  // format_number's short path...
      expect_as_fmt(std::round(value * 1e5) / 1e5);  // ...and one decimal past it
      expect_as_fmt(std::nextafter(scale, 0.0));
      expect_as_fmt(std::nextafter(scale, kMaxNumberText * 1e300));
    }
  }
}

TEST(FormatNumber, WritesWhatFmtWritesForDecimalsAroundItsShortPathsEdges) {
  // Every count of 1e-4 units up to 20,000 and their negatives: 0, 0.0001,
  // ..., 2 (trailing zeros of every length).
  for (int units = 0; units <= 20'000; ++units) {
    expect_as_fmt(units / 1e4);
    expect_as_fmt(-units / 1e4);
  }
  // Around 1e11, where the short path stops: counts of 1e-4 either side.
  for (std::int64_t units = 999'999'999'990'000; units <= 1'000'000'000'010'000; ++units) {
    expect_as_fmt(static_cast<double>(units) / 1e4);
  }
  for (double value = std::nextafter(1e11, 0.0), steps = 0; steps < 1000; ++steps) {
    expect_as_fmt(value);
    value = std::nextafter(value, 2e11);
  }
  // Below 1e-4, where fmt switches to exponent notation: never short.
  expect_as_fmt(0.00005);
  expect_as_fmt(0.00009999);
  expect_as_fmt(0.0001);
  expect_as_fmt(0.00011);
}

TEST(NumberText, IsFormatNumbersTextAndNanForNan) {
  EXPECT_EQ(number_text(0.1), "0.1");
  EXPECT_EQ(number_text(100.0), "100");
  EXPECT_EQ(number_text(1e6), "1000000");
  EXPECT_EQ(number_text(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(number_text(1e20), "1e+20");
  EXPECT_EQ(number_text(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(number_text(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(number_text(std::nan("")), "nan");
}

}  // namespace
}  // namespace alphastream
