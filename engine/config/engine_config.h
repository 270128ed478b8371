// The engine's YAML configuration: which pairs to trade, with which hedge
// model, and the sampling, signal and cost settings around them.
//
//   plugins:   {dir: ../build/plugins}      # optional
//   sampling:  {mode: time, interval_ms: 1000, max_stale_ms: 60000}
//   backtest:  {fee_bps: 4.0, slippage_bps: 1.0, notional: 10000}
//   pairs:
//     - name: simx-simy
//       y: SIMYUSDT
//       x: SIMXUSDT
//       model: {plugin: ols, params: {window: 100}}
//       zscore: {window: 100, entry: 2.0, exit: 0.0, stop: 4.0}
//       adf: {window: 500, every: 10, max_pvalue: 0.05}   # optional
//   symbols:                                # optional
//     - symbol: SIMXUSDT
//       model: {plugin: microstructure, params: {window_s: 60}}
//
// config/backtest.yaml is a commented example. Required: `pairs`, and in
// each pair `name`, `y`, `x` and `model.plugin`. Any other key may be left
// out and takes the initial value of its field below; a section with nothing
// under it (`backtest:`) counts as left out. Unknown keys are errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/service_config.h"
#include "core/status.h"
#include "config/pipeline_config.h"

namespace alphastream {

// One `model.params` entry as written; the plugin host checks it against the
// plugin's descriptor (known key, type, bounds).
struct ModelParam {
  std::string key;
  double value = 0;      // a boolean reads as 1.0 or 0.0
  bool is_bool = false;  // written as true/false rather than as a number
  std::string text;      // the value as written, for messages
  std::string location;  // "<file>:<line>: pairs[i].model.params.<key>", the prefix for messages
};

struct ModelConfig {
  // A plugin id, or, when the config gave a path (one containing '/' or
  // ending in ".so"), that path made absolute against the config's directory.
  std::string plugin;
  std::vector<ModelParam> params;  // in document order, keys distinct
  std::string location;            // "<file>:<line>: pairs[i].model.plugin"
  // Names the model's outputs (folder, column and metric label): `name`, else
  // the plugin id, else the plugin file's stem without "lib".
  std::string label;
};

// The smallest rolling ADF window a config may ask for.
inline constexpr int kMinAdfWindow = 20;

struct PairConfig {
  std::string name;  // distinct among pairs; [A-Za-z0-9_.-]+, not "." or ".."
  std::string y;     // the dependent leg's symbol, upper-cased; differs from x
  std::string x;     // the hedge leg's symbol, upper-cased
  // `model: {...}`, or several on the same pair with `models: [...]`, each
  // run as its own pipeline; labels distinct.
  std::vector<ModelConfig> models;
  ZScoreConfig zscore;   // window >= 2, entry > 0, 0 <= exit < entry, stop > entry or NaN
  StationarityConfig adf;  // `adf: {window, every, max_pvalue}`; window >= kMinAdfWindow, 0 < max_pvalue <= 1
  std::string location;  // "<file>:<line>: pairs[i]"
};

// One `symbols` entry: models fed with every trade of one symbol.
struct SymbolConfig {
  std::string symbol;  // upper-cased; distinct among `symbols` entries
  // `model: {...}` or `models: [...]`, as under a pair; labels distinct.
  std::vector<ModelConfig> models;
  std::string location;  // "<file>:<line>: symbols[i]"
};

struct EngineConfig {
  std::string path;         // the source name given to the loader
  std::string plugins_dir;  // absolute, or empty when the config names none
  SamplingConfig sampling;  // interval_ms > 0; given only in time mode
  CostConfig backtest;      // fee_bps >= 0, slippage_bps >= 0, notional > 0
  std::vector<PairConfig> pairs;  // at least one
  std::vector<SymbolConfig> symbols;  // optional; when given, at least one
  ServiceConfig service;              // engine, feed, storage, metrics: the live service only
};

// Reads and validates the config file at `path`. On error the message holds
// every problem found, one per line, each as
// "<path>:<line>: <key path>: <what>", e.g.
//   backtest.yaml:14: pairs[0].zscore.window: expected a positive integer, got "-3"
// A missing or unreadable file is one error naming the path.
Result<EngineConfig> load_config(const std::string& path);

// The text of the config file at path; an error names it.
Result<std::string> read_config_text(const std::string& path);

// As load_config, for YAML already in memory. source_name stands for the
// file in messages, and relative paths in the config are resolved against
// its directory (the working directory when it has none).
Result<EngineConfig> parse_config(std::string_view yaml_text, const std::string& source_name);

}  // namespace alphastream
