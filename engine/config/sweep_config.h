// A parameter sweep's configs: a base config's pairs, once per combination
// of the values given for some of their keys (`alphastream sweep --grid
// KEY=V1,V2,...`), as one config whose pairs are the variants. Every variant
// is read by the same reader as a config file, so a value a file could not
// hold is refused with the same words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/engine_config.h"
#include "core/status.h"

namespace alphastream {

// One --grid: a pair's key (model.params.<name>, zscore.<key> or adf.<key>)
// and its values, as written.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// The combinations a sweep may hold; more is a typo in a grid, not a study.
inline constexpr std::size_t kMaxSweepVariants = 100'000;

// "KEY=V1,V2,...": errors (Status::invalid_input) name the text.
Result<SweepAxis> parse_sweep_axis(std::string_view text);

// One pair under one combination: `<base pair>.s<n>` in the expanded config.
struct SweepVariant {
  std::string base_pair;
  std::string name;
  std::vector<std::string> values;  // one per axis, in axis order
};

// The selected pairs of `base` (every pair when `pairs` is empty), each once
// per combination (the last axis varying fastest), as `base`'s config with
// those pairs only and no symbol models. Errors (Status::invalid_input) name
// the axis or the combination and what the config reader said of it.
Result<EngineConfig> expand_sweep(const EngineConfig& base, const std::vector<SweepAxis>& axes,
                                  const std::vector<std::string>& pairs, std::vector<SweepVariant>& variants);

}  // namespace alphastream
