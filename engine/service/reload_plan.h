// What a SIGHUP reload changes, decided from the running config and the new
// one alone: no plugin, shard or socket is involved, so every rule is tested
// as a plain function.
#pragma once

#include <string>
#include <vector>

#include "config/engine_config.h"

namespace alphastream {

struct ReloadPlan {
  // Pairs (by name) and symbol model sets (by symbol) to stop, and to start
  // from the new config. A changed entry is in both: it restarts.
  std::vector<std::string> pairs_stopped;
  std::vector<std::string> pairs_started;
  std::vector<std::string> symbols_stopped;
  std::vector<std::string> symbols_started;
  // Service settings that differ but take effect only at the next restart,
  // one line each, e.g. "engine.cores changed; it takes effect at the next restart".
  std::vector<std::string> deferred;

  bool empty() const {
    return pairs_stopped.empty() && pairs_started.empty() && symbols_stopped.empty() && symbols_started.empty();
  }
};

// A pair or symbol entry is kept when its settings are equal; where it was
// written (its line) may move. A change of the settings every pipeline
// shares (sampling, backtest costs) restarts every pair and symbol model.
// The service sections (engine, feed, storage, metrics, log) are never
// applied by a reload; each one that changed is listed in `deferred`.
ReloadPlan plan_reload(const EngineConfig& running, const EngineConfig& next);

// Whether two entries have the same settings, wherever they were written.
bool same_settings(const ModelConfig& a, const ModelConfig& b);
bool same_settings(const PairConfig& a, const PairConfig& b);
bool same_settings(const SymbolConfig& a, const SymbolConfig& b);

}  // namespace alphastream
