// Settings of the per-pair pipeline, as read from the `sampling`, `zscore`
// and `backtest` YAML sections.
#pragma once

#include <cstdint>
#include <optional>

namespace alphastream {

struct SamplingConfig {
  enum class Mode { kTime, kTick };
  Mode mode = Mode::kTime;
  std::int64_t interval_ms = 1000;  // time mode only
  // A leg whose last trade is older than this at an observation's time makes
  // no observation: the pair has a break rather than a flat run of stale
  // prices, and a gap of any length costs O(max_stale_ms / interval_ms).
  std::int64_t max_stale_ms = 60'000;

  bool operator==(const SamplingConfig&) const = default;
};

struct ZScoreConfig {
  int window = 100;          // spreads in the rolling mean and sample std (ddof = 1)
  double entry = 2.0;        // enter short above +entry, long below -entry
  double exit = 0.0;         // leave when z crosses back through +/-exit
  std::optional<double> stop{};  // |z| above stop closes; none: no stop

  bool operator==(const ZScoreConfig&) const = default;
};

// The rolling ADF test of the spread (`adf` under a pair).
struct StationarityConfig {
  int window = 0;       // spreads in each test; 0: no rolling test
  int every = 1;        // observations between tests
  // The gate: no new entries while the latest p-value is above; none: no gate.
  std::optional<double> max_pvalue{};
  bool enabled() const { return window > 0; }
  bool gated() const { return enabled() && max_pvalue.has_value(); }

  bool operator==(const StationarityConfig&) const = default;
};

struct CostConfig {
  double fee_bps = 4.0;       // per leg, on traded notional
  double slippage_bps = 1.0;  // per leg, against the trader
  double notional = 10000.0;  // USD of the y leg at entry

  bool operator==(const CostConfig&) const = default;
};

}  // namespace alphastream
