// Per-observation cost of the ols plugin, driven through ModelInstance as
// the engine drives it (dlopened from <build>/plugins), against a bare loop
// over the same observations and a naive O(window) two-pass refit.
//
//   build/perf/bench_ols [--benchmark_min_time=0.2]
// ALPHASTREAM_PLUGINS_DIR overrides where libalphastream_ols.so is found
// (default: ../plugins beside this program's directory). Build the
// alphastream_ols target first.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
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

std::unique_ptr<alphastream::ModelInstance> make_ols(int window, benchmark::State& state) {
  return alphastream::bench::make_model("ols", {{"window", static_cast<double>(window), std::to_string(window), ""}},
                                        state);
}

using alphastream::ModelInstance;
using alphastream::ParamSetting;
using alphastream::PluginCatalog;


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

// The ols plugin through the host: one indirect call and the O(1) update.
void BM_OlsPlugin(benchmark::State& state) {
  const auto model = make_ols(static_cast<int>(state.range(0)), state);
  if (!model) return;
  const auto& data = observations();
  std::size_t i = 0;
  for (auto _ : state) {
    model->update(data[i++ & (data.size() - 1)]);
    benchmark::DoNotOptimize(model->outputs().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OlsPlugin)->Arg(100)->Arg(1000);

// What the plugin replaces: a two-pass fit over the whole window on every
// observation, from a ring buffer of the same size.
void BM_NaiveRefit(benchmark::State& state) {
  const std::size_t window = static_cast<std::size_t>(state.range(0));
  std::vector<double> xs(window), ys(window);
  const auto& data = observations();
  for (std::size_t k = 0; k < window; ++k) {
    xs[k] = data[k].x;
    ys[k] = data[k].y;
  }
  std::size_t i = window, slot = 0;
  for (auto _ : state) {
    const as_observation& obs = data[i++ & (data.size() - 1)];
    xs[slot] = obs.x;
    ys[slot] = obs.y;
    slot = slot + 1 == window ? 0 : slot + 1;
    double mx = 0, my = 0;
    for (std::size_t k = 0; k < window; ++k) {
      mx += xs[k];
      my += ys[k];
    }
    mx /= static_cast<double>(window);
    my /= static_cast<double>(window);
    double sxx = 0, sxy = 0;
    for (std::size_t k = 0; k < window; ++k) {
      sxx += (xs[k] - mx) * (xs[k] - mx);
      sxy += (xs[k] - mx) * (ys[k] - my);
    }
    const double beta = sxy / sxx;
    benchmark::DoNotOptimize(beta);
    benchmark::DoNotOptimize(my - beta * mx);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NaiveRefit)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
