// series.csv's number formatting: format_number against fmt's "{}"
// (the same shortest round-trip text, through fmt's general writer) and
// Dragonbox's digits alone (the floor both share), on values shaped like a
// series' columns: prices of two decimals, betas, spreads and z-scores of
// either sign, r-squared in [0, 1).
//
//   build/perf/bench_series_csv [--benchmark_min_time=0.2]
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "backtest/series_csv_writer.h"

namespace {

const std::vector<double>& series_values() {
  static const std::vector<double> values = [] {
    std::mt19937_64 random(42);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> unit;
    std::vector<double> out;
    for (int row = 0; row < 100'000; ++row) {
      out.push_back(std::round((100.0 + normal(random)) * 100) / 100);  // x
      out.push_back(std::round((170.0 + normal(random)) * 100) / 100);  // y
      out.push_back(300.0 * normal(random));                            // alpha
      out.push_back(-1.5 + 0.1 * normal(random));                       // beta
      out.push_back(0.1 * normal(random));                              // spread
      out.push_back(normal(random));                                    // z-score
      out.push_back(unit(random));                                      // r-squared
    }
    return out;
  }();
  return values;
}

// Writes every value, comma-separated, with write(out, value) -> end.
template <typename Write>
void write_all(benchmark::State& state, Write write) {
  const auto& values = series_values();
  std::vector<char> text(values.size() * (alphastream::kMaxNumberText + 1) + alphastream::kNumberTextRoom);
  for (auto _ : state) {
    char* out = text.data();
    for (double value : values) {
      out = write(out, value);
      *out++ = ',';
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}

void BM_FormatNumber(benchmark::State& state) { write_all(state, alphastream::format_number); }
BENCHMARK(BM_FormatNumber);

// The baseline: fmt's own writer of the same text.
void BM_FmtFormatTo(benchmark::State& state) {
  write_all(state, [](char* out, double value) { return fmt::format_to(out, FMT_COMPILE("{}"), value); });
}
BENCHMARK(BM_FmtFormatTo);

// The floor: the shortest digits alone, no text.
void BM_DragonboxDigitsOnly(benchmark::State& state) {
  const auto& values = series_values();
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (double value : values) {
      const auto decimal = fmt::detail::dragonbox::to_decimal(std::fabs(value));
      sum += decimal.significand + static_cast<std::uint64_t>(decimal.exponent);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_DragonboxDigitsOnly);

}  // namespace

BENCHMARK_MAIN();
