// Per-observation cost of the huber plugin, driven through ModelInstance as
// the engine drives it (dlopened from <build>/plugins), warm started and
// refitting from OLS every window, against the ols plugin in the same run.
// The `iterations` counter is the mean IRLS iterations per window.
//
//   build/perf/bench_huber [--benchmark_min_time=0.2]
// ALPHASTREAM_PLUGINS_DIR overrides where the plugins are found (default:
// ../plugins beside this program's directory). Build the alphastream_huber
// and alphastream_ols targets first.
//
// Two series, both cycled so data stay in cache:
//   btc       x near 1e5 moving by ~1e-2, y = 0.8 x + 2e4 + an AR(1) spread
//             of ~0.03: residuals far below one price unit, the case where
//             statsmodels' deviance criterion (residuals over their
//             variance) often runs IRLS to its 50 iterations;
//   outliers  x near 100, y = 5 + 1.7 x + N(0, 1) with 5% outliers of
//             +-U(20, 50): residuals of a few price units.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "plugin_bench.h"
#include "plugin_host/model_instance.h"
#include "plugin_host/plugin_catalog.h"

namespace {

using alphastream::bench::make_model;

using alphastream::ModelInstance;
using alphastream::ParamSetting;
using alphastream::PluginCatalog;

enum Series { kBtc = 0, kOutliers = 1 };

std::vector<as_observation> generate(Series series) {
  std::vector<as_observation> out(1 << 14);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> uniform(0, 1);
  double x = series == kBtc ? 1e5 : 100, spread = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    double y = 0;
    if (series == kBtc) {
      x += 1e-2 * noise(rng);
      spread = 0.95 * spread + 1e-2 * noise(rng);
      y = 0.8 * x + 2e4 + spread;
    } else {
      x += 0.5 * noise(rng);
      y = 5 + 1.7 * x + noise(rng);
      if (uniform(rng) < 0.05) y += (uniform(rng) < 0.5 ? -1 : 1) * (20 + 30 * uniform(rng));
    }
    out[i] = as_observation{sizeof(as_observation), static_cast<std::int64_t>(i) * 1000, x, y};
  }
  return out;
}

const std::vector<as_observation>& observations(Series series) {
  static const std::vector<as_observation> btc = generate(kBtc);
  static const std::vector<as_observation> outliers = generate(kOutliers);
  return series == kBtc ? btc : outliers;
}

ParamSetting window_setting(benchmark::State& state) {
  return {"window", static_cast<double>(state.range(0)), std::to_string(state.range(0)), ""};
}

// Feeds the series; `iterations_slot` >= 0 adds the mean of that output.
void run(benchmark::State& state, ModelInstance& model, int iterations_slot) {
  const auto& data = observations(static_cast<Series>(state.range(1)));
  const std::size_t window = static_cast<std::size_t>(state.range(0));
  for (std::size_t k = 0; k < window; ++k) model.update(data[k]);  // fill the window first
  std::size_t i = window;
  double iterations = 0;
  for (auto _ : state) {
    model.update(data[i++ & (data.size() - 1)]);
    benchmark::DoNotOptimize(model.outputs().data());
    if (iterations_slot >= 0) iterations += model.outputs()[static_cast<std::size_t>(iterations_slot)];
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(1) == kBtc ? "btc" : "outliers");
  if (iterations_slot >= 0) state.counters["iterations"] = iterations / static_cast<double>(state.iterations());
}

// The baseline: the O(1) rolling OLS plugin through the same host.
void BM_OlsPlugin(benchmark::State& state) {
  const auto model = make_model("ols", {window_setting(state)}, state);
  if (model) run(state, *model, -1);
}

void huber(benchmark::State& state, bool warm_start) {
  const std::vector<ParamSetting> settings = {
      window_setting(state), {"warm_start", warm_start ? 1.0 : 0.0, warm_start ? "true" : "false", "", true}};
  const auto model = make_model("huber", settings, state);
  if (model) run(state, *model, model->output_index("iterations"));
}

// IRLS started from the previous window's answer.
void BM_HuberWarmStart(benchmark::State& state) { huber(state, true); }
// IRLS started from OLS every window: statsmodels' definition, the default.
void BM_HuberColdStart(benchmark::State& state) { huber(state, false); }

void windows_and_series(benchmark::internal::Benchmark* b) {
  for (int series : {kBtc, kOutliers}) {
    for (int window : {100, 500}) b->Args({window, series});
  }
}

BENCHMARK(BM_OlsPlugin)->Apply(windows_and_series);
BENCHMARK(BM_HuberWarmStart)->Apply(windows_and_series);
BENCHMARK(BM_HuberColdStart)->Apply(windows_and_series);

}  // namespace

BENCHMARK_MAIN();
