#include "core/number_text.h"

#include <bit>
#include <cmath>
#include <cstring>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace alphastream {

namespace {

// "00" to "99".
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The eight digits of value < 10^8 as ASCII bytes in memory order: both
// four-digit halves split into pairs, then digits, side by side in one
// 64-bit word by multiplying with reciprocals (SWAR; no table, no loop).
std::uint64_t eight_digits(std::uint32_t value) {
  static_assert(std::endian::native == std::endian::little, "the first digit is the lowest byte");
  const std::uint64_t merged = (value / 10000) | (static_cast<std::uint64_t>(value % 10000) << 32);
  const std::uint64_t high_pairs = ((merged * 10486) >> 20) & ((0x7FULL << 32) | 0x7FULL);  // n / 100
  const std::uint64_t pairs = ((merged - 100 * high_pairs) << 16) + high_pairs;
  std::uint64_t digits = ((pairs * 103) >> 10) & 0x000F000F000F000FULL;  // n / 10
  digits += (pairs - 10 * digits) << 8;
  return digits + 0x3030303030303030ULL;
}

}  // namespace

char* format_number(char* out, double value) {
  if (std::isnan(value)) return out;
  if (!std::isfinite(value)) return fmt::format_to(out, FMT_COMPILE("{}"), value);
  // fmt's "{}" (Dragonbox's shortest digits, fixed notation for decimal
  // exponents in [-4, 16), else d.ddde+XX), written here without its
  // general machinery (padding, grouping, locale): series.csv's six
  // full-precision columns spent half their time there.
  *out = '-';  // branch-free: the sign of a spread or z-score is a coin toss
  out += std::signbit(value);
  value = std::fabs(value);
  // The shortest digits: significand * 10^exponent, at most 17 digits.
  std::uint64_t significand = 0;
  int exponent = 0;
  // Prices and positions (a third of series.csv) have at most 4 decimals:
  // when value is one below 1e11, where doubles lie closer than 1e-4 so no
  // other decimal of as few digits reads back as value, its digits are
  // those units of 1e-4 without trailing zeros, and Dragonbox is skipped.
  bool short_decimal = false;
  if (value < 1e11) {
    significand = static_cast<std::uint64_t>(value * 1e4 + 0.5);  // checked, not trusted
    short_decimal = static_cast<double>(significand) / 1e4 == value;
  }
  if (short_decimal) {
    exponent = -4;
    for (; exponent < 0 && significand % 10 == 0; ++exponent) significand /= 10;
  } else {
    const auto decimal = fmt::detail::dragonbox::to_decimal(value);
    significand = decimal.significand;
    exponent = decimal.exponent;
  }
  // Its 17 places, leading zeros included, at digits[7, 24), with '0's
  // before and after them for the fixed layouts below (at most 4 before,
  // 15 after), and room so a fixed 24-byte copy from any of those stays
  // inside the array.
  char digits[64];
  std::memcpy(digits, "00000000", 8);
  const std::uint64_t high = significand / 100'000'000;
  const std::uint64_t words[2] = {eight_digits(static_cast<std::uint32_t>(high % 100'000'000)),
                                  eight_digits(static_cast<std::uint32_t>(significand % 100'000'000))};
  digits[7] = static_cast<char>('0' + high / 100'000'000);
  std::memcpy(digits + 8, words, 16);
  std::memcpy(digits + 24, "0000000000000000", 16);
  char* const digits_end = digits + 24;
  const int size = fmt::detail::count_digits(significand);
  const char* first = digits_end - size;
  const auto copy24 = [](char* to, const char* from) { std::memcpy(to, from, 24); };
  const int output_exp = exponent + size - 1;
  if (output_exp < -4 || output_exp >= 16) [[unlikely]] {
    *out++ = first[0];
    if (size > 1) {
      *out++ = '.';
      copy24(out, first + 1);
      out += size - 1;
    }
    *out++ = 'e';
    int shown = output_exp;
    *out++ = shown < 0 ? '-' : '+';
    if (shown < 0) shown = -shown;
    if (shown >= 100) {
      const int top = shown / 100;
      if (top >= 10) *out++ = kDigitPairs[2 * top];
      *out++ = kDigitPairs[2 * top + 1];
      shown %= 100;
    }
    std::memcpy(out, kDigitPairs + 2 * shown, 2);
    return out + 2;
  }
  // 1234e2 -> 123400, 1234e-2 -> 12.34, 1234e-6 -> 0.001234 in one path:
  // copied from where the integral part starts (the '0' before the digits
  // when there is none), the point only before a fraction.
  const int integral = exponent + size;  // digits before the point
  const int lead = integral > 0 ? integral : 1;
  const int fraction = size - integral;
  const char* from = first + integral - lead;
  copy24(out, from);
  out += lead;
  *out = '.';
  out += fraction > 0;
  copy24(out, from + lead);
  return out + (fraction > 0 ? fraction : 0);
}

void append_number(std::vector<char>& out, double value) {
  char buffer[kNumberTextRoom];
  out.insert(out.end(), buffer, format_number(buffer, value));
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  char text[kNumberTextRoom];
  return std::string(text, format_number(text, value));
}

}  // namespace alphastream
