// Per-observation cost of the kalman plugin against the ols plugin (window
// 100) in the same run, both driven through ModelInstance as the engine
// drives them (dlopened from <build>/plugins), and a bare loop as the floor.
//
//   build/perf/bench_kalman [--benchmark_min_time=0.2]
// ALPHASTREAM_PLUGINS_DIR overrides where the libraries are found (default:
// ../plugins beside this program's directory). Build alphastream_kalman and
// alphastream_ols first.
#include <benchmark/benchmark.h>

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

using alphastream::bench::observations;

using alphastream::bench::make_model;

using alphastream::ModelInstance;
using alphastream::ParamSetting;
using alphastream::PluginCatalog;


void run(ModelInstance& model, benchmark::State& state) {
  const auto& data = observations();
  std::size_t i = 0;
  for (auto _ : state) {
    model.update(data[i++ & (data.size() - 1)]);
    benchmark::DoNotOptimize(model.outputs().data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The floor: reading each observation and consuming it.
void BM_BareLoop(benchmark::State& state) {
  const auto& data = observations();
  std::size_t i = 0;
  for (auto _ : state) {
    const as_observation& obs = data[i++ & (data.size() - 1)];
    benchmark::DoNotOptimize(obs.x + obs.y);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareLoop);

// The baseline: the rolling OLS plugin, window 100.
void BM_OlsPlugin(benchmark::State& state) {
  const auto model = make_model("ols", {{"window", 100, "100", ""}}, state);
  if (model) run(*model, state);
}
BENCHMARK(BM_OlsPlugin);

// The kalman plugin at its defaults: one update in long double, two
// divisions and a square root (see plugins/kalman/kalman_filter.h).
void BM_KalmanPlugin(benchmark::State& state) {
  const auto model = make_model("kalman", {}, state);
  if (model) run(*model, state);
}
BENCHMARK(BM_KalmanPlugin);

}  // namespace

BENCHMARK_MAIN();
