#include "service/reload_plan.h"

#include <algorithm>
#include <tuple>

namespace alphastream {

namespace {

bool same_settings(const ModelParam& a, const ModelParam& b) {
  return std::tie(a.key, a.value, a.is_bool) == std::tie(b.key, b.value, b.is_bool);
}

template <typename T>
bool same_settings(const std::vector<T>& a, const std::vector<T>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const T& p, const T& q) { return same_settings(p, q); });
}

// Appends the keys of entries in `from` whose key is absent from `to`, or
// whose settings differ (or all of them, when everything restarts).
template <typename Entry, typename Key>
void changed(const std::vector<Entry>& from, const std::vector<Entry>& to, Key key, bool everything,
             std::vector<std::string>& out) {
  for (const Entry& entry : from) {
    const auto other =
        std::find_if(to.begin(), to.end(), [&](const Entry& candidate) { return key(candidate) == key(entry); });
    if (everything || other == to.end() || !same_settings(entry, *other)) out.push_back(key(entry));
  }
}

}  // namespace

bool same_settings(const ModelConfig& a, const ModelConfig& b) {
  return a.plugin == b.plugin && a.label == b.label && same_settings(a.params, b.params);
}

bool same_settings(const PairConfig& a, const PairConfig& b) {
  return std::tie(a.name, a.y, a.x, a.zscore, a.adf) == std::tie(b.name, b.y, b.x, b.zscore, b.adf) &&
         same_settings(a.models, b.models);
}

bool same_settings(const SymbolConfig& a, const SymbolConfig& b) {
  return a.symbol == b.symbol && same_settings(a.models, b.models);
}

ReloadPlan plan_reload(const EngineConfig& running, const EngineConfig& next) {
  ReloadPlan plan;
  const bool everything = running.sampling != next.sampling || running.backtest != next.backtest;
  auto pair_name = [](const PairConfig& pair) { return pair.name; };
  auto symbol_name = [](const SymbolConfig& symbol) { return symbol.symbol; };
  changed(running.pairs, next.pairs, pair_name, everything, plan.pairs_stopped);
  changed(next.pairs, running.pairs, pair_name, everything, plan.pairs_started);
  changed(running.symbols, next.symbols, symbol_name, everything, plan.symbols_stopped);
  changed(next.symbols, running.symbols, symbol_name, everything, plan.symbols_started);

  const ServiceConfig& a = running.service;
  const ServiceConfig& b = next.service;
  const std::pair<const char*, bool> sections[] = {
      {"engine", a.engine != b.engine}, {"feed", a.feed != b.feed},  {"storage", a.storage != b.storage},
      {"metrics", a.metrics != b.metrics}, {"log", a.log != b.log}, {"plugins.dir", running.plugins_dir != next.plugins_dir},
  };
  for (const auto& [section, differs] : sections) {
    if (differs) plan.deferred.push_back(std::string(section) + " changed; it takes effect at the next restart");
  }
  return plan;
}

}  // namespace alphastream
