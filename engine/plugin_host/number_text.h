// Numbers in plugin messages and descriptions, written as a user would.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace alphastream {

// The shortest decimal that reads back as v: "0.1", "100", "1000000",
// "1e+20", "inf".
inline std::string number_text(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char text[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(text, sizeof(text), "%.0f", v);
    return text;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof(text), "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  return text;
}

}  // namespace alphastream
