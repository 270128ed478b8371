// Per-trade cost of the microstructure plugin, driven through ModelInstance
// as the engine drives it (dlopened from <build>/plugins), against a bare
// loop over the same trades and a brute-force recomputation of every output
// over the window on each trade.
//
//   build/perf/bench_microstructure [--benchmark_min_time=0.2]
// ALPHASTREAM_PLUGINS_DIR overrides where libalphastream_microstructure.so
// is found (default: ../plugins beside this program's directory). Build the
// alphastream_microstructure target first.
//
// Arguments: window_s and the bucket width in US cents. The counters give
// the mean trades in the window and the mean buckets between value_area_low
// and value_area_high, which the value-area walk visits on each trade.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "plugin_bench.h"
#include "plugin_host/model_instance.h"
#include "plugin_host/plugin_catalog.h"

namespace {

std::unique_ptr<alphastream::ModelInstance> make_model(double window_s, double bucket, benchmark::State& state) {
  return alphastream::bench::make_model("microstructure", {{"window_s", window_s, "", ""}, {"bucket", bucket, "", ""}},
                                        state);
}

using alphastream::ModelInstance;
using alphastream::ParamSetting;
using alphastream::PluginCatalog;

constexpr std::size_t kTrades = 1 << 16;
constexpr double kMeanIntervalMs = 100;  // ~600 trades in a 60 s window

// BTC-like trades near 1e5 on a 0.1 tick, ~0.5 USD apart, sizes from a
// lognormal. The price path is a bridge that ends where it starts, so the
// trades can be replayed in cycles, each shifted by cycle_ms().
const std::vector<as_trade>& trades() {
  static const std::vector<as_trade> data = [] {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> step(0, 5);
    std::lognormal_distribution<double> size(-3, 1.5);
    std::exponential_distribution<double> interval(1.0 / kMeanIntervalMs);
    std::uniform_int_distribution<int> coin(0, 1);
    std::vector<double> walk(kTrades + 1, 0);
    for (std::size_t i = 1; i <= kTrades; ++i) walk[i] = walk[i - 1] + step(rng);
    std::vector<as_trade> out(kTrades);
    std::int64_t t = 0;
    for (std::size_t i = 0; i < kTrades; ++i) {
      const double ticks = std::round(walk[i] - walk[kTrades] * static_cast<double>(i) / kTrades);
      t += static_cast<std::int64_t>(interval(rng));
      out[i] = as_trade{};
      out[i].struct_size = sizeof(as_trade);
      out[i].price = 1e5 + ticks / 10;
      out[i].quantity = std::max(0.001, std::round(size(rng) * 1000) / 1000);
      out[i].transact_time_ms = t;
      out[i].is_buyer_maker = static_cast<std::uint8_t>(coin(rng));
    }
    return out;
  }();
  return data;
}

std::int64_t cycle_ms() { return trades().back().transact_time_ms + static_cast<std::int64_t>(kMeanIntervalMs); }

// Trade i of the endless replay.
as_trade trade_at(std::size_t i) {
  as_trade t = trades()[i % kTrades];
  t.transact_time_ms += static_cast<std::int64_t>(i / kTrades) * cycle_ms();
  return t;
}

// The floor: building each trade of the replay and consuming it.
void BM_BareLoop(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    const as_trade t = trade_at(i++);
    benchmark::DoNotOptimize(t.price + t.quantity + static_cast<double>(t.transact_time_ms));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareLoop);

// The plugin through the host: one indirect call, O(1) amortised sums,
// O(log max_buckets) profile updates and the value-area walk.
void BM_MicrostructurePlugin(benchmark::State& state) {
  const double window_s = static_cast<double>(state.range(0));
  const double bucket = static_cast<double>(state.range(1)) / 100;
  const auto model = make_model(window_s, bucket, state);
  if (!model) return;
  std::size_t i = 0;
  // Fill one window first, so the timing is the steady state.
  while (trade_at(i).transact_time_ms < window_s * 1000) model->update(trade_at(i++));
  for (auto _ : state) {
    model->update(trade_at(i++));
    benchmark::DoNotOptimize(model->outputs().data());
  }
  state.SetItemsProcessed(state.iterations());
  // Untimed: the mean window and value area over the next 10^4 trades.
  double trades_sum = 0, buckets_sum = 0;
  for (int k = 0; k < 10000; ++k) {
    model->update(trade_at(i++));
    const auto out = model->outputs();
    trades_sum += out[6] * window_s;  // trade_intensity_per_s * window_s
    buckets_sum += std::round((out[12] - out[11]) / bucket);
  }
  state.counters["window_trades"] = trades_sum / 10000;
  state.counters["value_area_buckets"] = buckets_sum / 10000;
}
BENCHMARK(BM_MicrostructurePlugin)->Args({60, 100})->Args({60, 10})->Args({600, 100});

// What the plugin replaces: the window kept in a ring and every output
// recomputed from it on each trade, with a dense profile over the window's
// price range. Buffers are preallocated, so the cost is the recomputation.
class BruteForce {
 public:
  BruteForce(double window_s, double bucket)
      : window_s_(window_s), bucket_(bucket), ring_(1 << 20), profile_(1 << 20) {}

  void update(const as_trade& t, double* out) {
    ring_[(head_ + count_++) & kMask] = t;
    while (static_cast<double>(t.transact_time_ms - ring_[head_].transact_time_ms) >= window_s_ * 1000) {
      head_ = (head_ + 1) & kMask;
      --count_;
    }
    double volume = 0, notional = 0, buy = 0, return_sq = 0, mx = 0, my = 0;
    std::int64_t min_k = std::numeric_limits<std::int64_t>::max(), max_k = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < count_; ++i) {
      const as_trade& a = at(i);
      volume += a.quantity;
      notional += a.price * a.quantity;
      if (!a.is_buyer_maker) buy += a.quantity;
      const auto k = static_cast<std::int64_t>(std::floor(a.price / bucket_));
      min_k = std::min(min_k, k);
      max_k = std::max(max_k, k);
      if (i == 0) continue;
      const double move = a.price - at(i - 1).price;
      const double r = std::log1p(move / at(i - 1).price);
      return_sq += r * r;
      mx += signed_qty(a);
      my += move;
    }
    const double pairs = static_cast<double>(count_ - 1);
    mx /= pairs;
    my /= pairs;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 1; i < count_; ++i) {
      const double dx = signed_qty(at(i)) - mx;
      sxx += dx * dx;
      sxy += dx * ((at(i).price - at(i - 1).price) - my);
    }
    const std::size_t span = static_cast<std::size_t>(max_k - min_k) + 1;
    std::fill(profile_.begin(), profile_.begin() + static_cast<std::ptrdiff_t>(span), 0.0);
    for (std::size_t i = 0; i < count_; ++i) {
      profile_[static_cast<std::size_t>(static_cast<std::int64_t>(std::floor(at(i).price / bucket_)) - min_k)] +=
          at(i).quantity;
    }
    std::size_t poc = 0;
    for (std::size_t k = 1; k < span; ++k) {
      if (profile_[k] > profile_[poc]) poc = k;
    }
    std::size_t low = poc, high = poc;
    double covered = profile_[poc];
    while (covered < 0.7 * volume && (low > 0 || high + 1 < span)) {
      const double down = low > 0 ? profile_[low - 1] : -1, up = high + 1 < span ? profile_[high + 1] : -1;
      if (up > down) {
        covered += profile_[++high];
      } else {
        covered += profile_[--low];
      }
    }
    out[0] = notional / volume;
    out[1] = (2 * buy - volume) / volume;
    out[2] = std::sqrt(return_sq);
    out[3] = sxy / sxx;
    out[4] = static_cast<double>(static_cast<std::int64_t>(poc) + min_k);
    out[5] = static_cast<double>(low) - static_cast<double>(high);
  }

 private:
  static constexpr std::size_t kMask = (1 << 20) - 1;
  const as_trade& at(std::size_t i) const { return ring_[(head_ + i) & kMask]; }
  static double signed_qty(const as_trade& a) { return a.is_buyer_maker ? -a.quantity : a.quantity; }

  double window_s_, bucket_;
  std::vector<as_trade> ring_;
  std::vector<double> profile_;
  std::size_t head_ = 0, count_ = 0;
};

void BM_BruteForce(benchmark::State& state) {
  const double window_s = static_cast<double>(state.range(0));
  BruteForce brute(window_s, static_cast<double>(state.range(1)) / 100);
  double out[6];
  std::size_t i = 0;
  while (trade_at(i).transact_time_ms < window_s * 1000) brute.update(trade_at(i++), out);
  for (auto _ : state) {
    brute.update(trade_at(i++), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BruteForce)->Args({60, 100})->Args({60, 10})->Args({600, 100});

}  // namespace

BENCHMARK_MAIN();
