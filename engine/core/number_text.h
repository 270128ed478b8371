// Doubles as text, one way everywhere: the shortest decimal that reads back
// as the same double (fmt's "{}": fixed notation for decimal exponents in
// [-4, 16), else d.ddde+XX; "inf", "-inf"), in series.csv and every other
// output, report and message.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace alphastream {

// The longest text format_number writes ("-2.2250738585072014e-308").
inline constexpr std::size_t kMaxNumberText = 32;
// The room format_number needs at out: it copies digits in fixed-size
// blocks past the text's end (a fixed copy is a few moves; a sized one, a
// memcpy call), and the caller's next write overwrites them.
inline constexpr std::size_t kNumberTextRoom = 64;

// Writes `value` at out (nothing for NaN); returns the end.
// REQUIRES: kNumberTextRoom bytes at out.
char* format_number(char* out, double value);

// Appends `value` as format_number writes it.
void append_number(std::vector<char>& out, double value);

// `value` as format_number writes it, "nan" for NaN: for messages.
std::string number_text(double value);

}  // namespace alphastream
