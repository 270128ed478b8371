// The ADF test as the backtest summary, Engle-Granger and the rolling gate run
// it (constant, AIC search up to Schwert's max_lag), on 1 s observations:
// regressions factored in blocks of kAdfBlockRows rows ("blocked") against
// one block holding the whole design ("whole": the algorithm before blocks,
// the same results bit for bit, O(n max_lag) memory).
//
//   build/perf/bench_adf [--benchmark_filter=FullSample]
//
// BM_AdfFullSample builds the workspace and runs it, as adf_test does, and
// reports the peak RSS above the series (peak_rss_MB, from VmHWM after
// resetting it through /proc/self/clear_refs; -1 where that is refused). A
// whole-design month (2.6e6 rows, max_lag 152) needs ~3.2 GB and minutes, so
// only the blocked month is registered. BM_AdfRollingWindow times run() alone
// on a window the size of a rolling test's, the workspace built beforehand.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "process_memory.h"
#include "stats/adf.h"

namespace {

using alphastream::AdfWorkspace;

constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kWeek = 7 * kDay;
constexpr std::int64_t kMonth = 30 * kDay;

// A mean-reverting spread, AR(1) with phi 0.99, one value per second.
const std::vector<double>& spread(std::size_t n) {
  static std::vector<double> s;
  if (s.size() < n) {
    std::mt19937_64 rng(17);
    std::normal_distribution<double> noise;
    s.resize(static_cast<std::size_t>(kMonth));
    double v = 0;
    for (double& x : s) x = (v = 0.99 * v + noise(rng));
  }
  return s;
}

// Rows per block for the benchmark's second argument: 0 whole, 1 blocked.
std::size_t block_rows(const benchmark::State& state, std::size_t n) {
  return state.range(1) == 0 ? n : alphastream::kAdfBlockRows;
}

void BM_AdfFullSample(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s(spread(n).data(), n);
  const bool peak_known = alphastream::testing::reset_peak_rss();
  const long rss_before = alphastream::testing::proc_status_kb("VmRSS");
  int used_lag = -1;
  double stat = 0;
  for (auto _ : state) {
    AdfWorkspace workspace(n, {}, block_rows(state, n));
    if (!workspace.run(s)) {
      state.SkipWithError("the ADF test failed");
      return;
    }
    used_lag = workspace.result().used_lag;
    stat = workspace.result().stat;
  }
  const long peak_kb = alphastream::testing::proc_status_kb("VmHWM");
  state.counters["peak_rss_MB"] = peak_known ? static_cast<double>(peak_kb - rss_before) / 1024 : -1;
  state.counters["used_lag"] = used_lag;
  state.counters["stat"] = stat;
  state.SetLabel(state.range(1) == 0 ? "whole" : "blocked");
}
BENCHMARK(BM_AdfFullSample)
    ->ArgNames({"n", "blocked"})
    ->Args({kDay, 0})
    ->Args({kDay, 1})
    ->Args({kWeek, 0})
    ->Args({kWeek, 1})
    ->Args({kMonth, 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_AdfRollingWindow(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::span<const double> s(spread(n).data(), n);
  AdfWorkspace workspace(n, {}, block_rows(state, n));
  for (auto _ : state) {
    if (!workspace.run(s)) {
      state.SkipWithError("the ADF test failed");
      return;
    }
    benchmark::DoNotOptimize(workspace.result().stat);
  }
  state.SetLabel(state.range(1) == 0 ? "whole" : "blocked");
}
BENCHMARK(BM_AdfRollingWindow)
    ->ArgNames({"window", "blocked"})
    ->Args({500, 1})  // one block either way
    ->Args({3'600, 0})
    ->Args({3'600, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
