// Loading the microstructure plugin, building trades, and the brute-force
// recomputation over the window that the plugin is checked against.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugin_host/model_instance.h"

namespace alphastream::testing {

// Output slots of the microstructure descriptor.
enum MicroOutput {
  kVwap,
  kVolume,
  kNotional,
  kTakerBuy,
  kTakerSell,
  kImbalance,
  kIntensity,
  kMeanSize,
  kRealizedVol,
  kKyleLambda,
  kPoc,
  kValueAreaLow,
  kValueAreaHigh,
  kCapacityEvictions,
  kMicroOutputCount
};

struct MicroParams {
  double window_s = 60;
  double bucket = 1;
  double value_area = 0.7;
  double max_trades = 100000;
  double max_buckets = 4096;
};

inline std::unique_ptr<ModelInstance> make_micro(const MicroParams& p = {}) {
  auto library = PluginLibrary::load(MICROSTRUCTURE_PLUGIN_PATH);
  EXPECT_TRUE(library.is_ok()) << library.error();
  if (!library) return nullptr;
  const std::vector<ParamSetting> settings = {
      {"window_s", p.window_s, "", ""},     {"bucket", p.bucket, "", ""},
      {"value_area", p.value_area, "", ""}, {"max_trades", p.max_trades, "", ""},
      {"max_buckets", p.max_buckets, "", ""},
  };
  auto model = ModelInstance::create(*library, settings, "test");
  EXPECT_TRUE(model.is_ok()) << model.error();
  return model ? std::move(*model) : nullptr;
}

// The taker's side; a taker sell is is_buyer_maker = 1.
enum Side { kBuy, kSell };

inline as_trade trade(std::int64_t time_ms, double price, double quantity, Side side) {
  as_trade t{};
  t.struct_size = sizeof(as_trade);
  t.price = price;
  t.quantity = quantity;
  t.transact_time_ms = time_ms;
  t.is_buyer_maker = side == kSell ? 1 : 0;
  return t;
}

// Every output recomputed from scratch over the window ending at trades[newest],
// in long double; profile decisions use the same double bucket index as the
// plugin. kyle_scale = (sqrt(sum y^2) + |slope| sqrt(sum x^2)) / sqrt(sxx),
// with sxx centred and the other sums not, is the slope's condition: a
// double deviation y - mean_y rounds by ~1e-16 of |y|, not of its spread,
// so a window whose price moves are all nearly equal (0.1 USD ticks that are
// 0.1 +- 1e-11 as doubles) has a large scale against a tiny spread.
struct Reference {
  long double out[kMicroOutputCount];
  long double kyle_scale;
  std::size_t window_trades;
};

inline Reference brute_force(const std::vector<as_trade>& trades, std::size_t newest, const MicroParams& p) {
  constexpr long double kNaN = std::numeric_limits<long double>::quiet_NaN();
  Reference r{};
  std::fill(std::begin(r.out), std::end(r.out), kNaN);
  r.kyle_scale = kNaN;
  const double window_ms = p.window_s * 1000.0;
  const std::int64_t now = trades[newest].transact_time_ms;
  std::size_t first = newest;
  while (first > 0 && static_cast<double>(now - trades[first - 1].transact_time_ms) < window_ms) --first;
  const std::size_t n = newest + 1 - first;
  r.window_trades = n;

  long double volume = 0, notional = 0, buy = 0, sell = 0, return_sq = 0;
  std::map<std::int64_t, long double> profile;
  for (std::size_t i = first; i <= newest; ++i) {
    const as_trade& t = trades[i];
    volume += t.quantity;
    notional += static_cast<long double>(t.price) * t.quantity;
    (t.is_buyer_maker ? sell : buy) += t.quantity;
    profile[static_cast<std::int64_t>(std::floor(t.price / p.bucket))] += t.quantity;
    if (i > first) {
      const long double lr = std::log(static_cast<long double>(t.price) / trades[i - 1].price);
      return_sq += lr * lr;
    }
  }
  r.out[kVolume] = volume;
  r.out[kNotional] = notional;
  r.out[kTakerBuy] = buy;
  r.out[kTakerSell] = sell;
  r.out[kIntensity] = n / static_cast<long double>(p.window_s);
  r.out[kMeanSize] = volume / n;
  r.out[kCapacityEvictions] = 0;
  if (n >= 2) r.out[kRealizedVol] = std::sqrt(return_sq);

  if (n >= 3) {
    const std::size_t pairs = n - 1;
    long double mx = 0, my = 0;
    auto x_of = [&](std::size_t i) -> long double {
      return trades[i].is_buyer_maker ? -trades[i].quantity : trades[i].quantity;
    };
    auto y_of = [&](std::size_t i) -> long double {
      return static_cast<long double>(trades[i].price) - trades[i - 1].price;
    };
    for (std::size_t i = first + 1; i <= newest; ++i) {
      mx += x_of(i);
      my += y_of(i);
    }
    mx /= pairs;
    my /= pairs;
    long double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = first + 1; i <= newest; ++i) {
      sxx += (x_of(i) - mx) * (x_of(i) - mx);
      sxy += (x_of(i) - mx) * (y_of(i) - my);
      syy += (y_of(i) - my) * (y_of(i) - my);
    }
    if (sxx > 0) {
      const long double slope = sxy / sxx;
      long double sum_xx = 0, sum_yy = 0;
      for (std::size_t i = first + 1; i <= newest; ++i) {
        sum_xx += x_of(i) * x_of(i);
        sum_yy += y_of(i) * y_of(i);
      }
      r.out[kKyleLambda] = slope;
      r.kyle_scale = std::sqrt(sum_yy / sxx) + std::fabs(slope) * std::sqrt(sum_xx / sxx);
    }
  }

  if (volume > 0) {
    r.out[kVwap] = notional / volume;
    r.out[kImbalance] = (buy - sell) / (buy + sell);
    std::int64_t poc = profile.begin()->first;
    for (const auto& [k, v] : profile) {
      if (v > profile[poc]) poc = k;  // strict: a tie keeps the lower price
    }
    const std::int64_t min_k = profile.begin()->first, max_k = profile.rbegin()->first;
    auto at = [&](std::int64_t k) -> long double {
      auto it = profile.find(k);
      return it == profile.end() ? 0 : it->second;
    };
    std::int64_t low = poc, high = poc;
    long double covered = at(poc);
    // In double, as the plugin forms it, so an exact grid of quantities makes
    // the same stop decision.
    const long double target = p.value_area * static_cast<double>(volume);
    while (covered < target && (low > min_k || high < max_k)) {
      const long double down = low > min_k ? at(low - 1) : -1;
      const long double up = high < max_k ? at(high + 1) : -1;
      if (up > down) {
        covered += at(++high);
      } else {
        covered += at(--low);
      }
    }
    r.out[kPoc] = (poc + 0.5L) * p.bucket;
    r.out[kValueAreaLow] = static_cast<long double>(low) * p.bucket;
    r.out[kValueAreaHigh] = static_cast<long double>(high + 1) * p.bucket;
  }
  return r;
}

inline double relative_error(double got, long double want) {
  if (want == 0) return static_cast<double>(std::fabs(static_cast<long double>(got)));
  return static_cast<double>(std::fabs((static_cast<long double>(got) - want) / want));
}

}  // namespace alphastream::testing
