// A figure in the JSON outputs (summary.json, sweep.json, the screen's
// report): the number, or null where the run does not have it (NaN,
// infinite).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace alphastream {

inline nlohmann::ordered_json number_or_null(double value) {
  if (std::isfinite(value)) return value;
  return nullptr;
}

}  // namespace alphastream
