// A synthetic cointegrated pair of aggTrade streams for demos, tests and
// benchmarks. The model, in continuous time t (seconds from start_ms):
//   x(t) = x_start_price * exp(sigma_x W(t) - sigma_x^2 t / 2)   (positive, driftless)
//   ds   = -spread_theta_per_s * s dt + spread_sigma_per_sqrt_s dB,  s(0) = 0
//   y(t) = alpha + beta * x(t) + s(t)
// Each leg trades at the times of its own Poisson process; a trade prints
// the model price at that instant rounded to price_tick. Both processes are
// advanced exactly between events (no Euler error). Output depends only on
// the config: the random draws are computed here from std::mt19937_64's
// integers, not by std::*_distribution (whose output differs by stdlib).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "feed/agg_trade_csv.h"

namespace alphastream {

struct PairGeneratorConfig {
  std::string x_symbol = "SIMXUSDT";
  std::string y_symbol = "SIMYUSDT";
  double x_start_price = 100.0;
  double beta = 1.5;
  double alpha = 20.0;
  // Volatility of log x: 1e-4 per sqrt(s) is ~56% a year, a typical alt coin.
  double x_volatility_per_sqrt_s = 1e-4;
  // The spread reverts with a half-life of ln 2 / 0.005 = 139 s; its
  // stationary standard deviation is sigma / sqrt(2 theta) = 0.5.
  double spread_theta_per_s = 0.005;
  double spread_sigma_per_sqrt_s = 0.05;
  double x_trades_per_s = 5;
  double y_trades_per_s = 5;
  double price_tick = 0.01;
  double mean_quantity = 1.0;  // exponential, rounded to 0.001, at least 0.001
  std::int64_t start_ms = 1704067200000;  // 2024-01-01T00:00:00Z
  double duration_s = 3600;
  std::uint64_t seed = 1;
};

// Returns an error naming the first field out of range (prices, tick,
// quantity and duration positive; rates, volatilities and theta not
// negative; symbols non-empty and at most Symbol::kMaxSize characters).
Status validate(const PairGeneratorConfig& config);

class PairTradeGenerator {
 public:
  static constexpr std::int64_t kFirstAggTradeId = 1'000'000;
  static constexpr std::int64_t kFirstTradeId = 5'000'000;

  // REQUIRES: validate(config).is_ok()
  explicit PairTradeGenerator(PairGeneratorConfig config);

  // Stores the next trade of either leg, in transact_time order (x first on
  // a tie), and returns true; returns false once the next trade would fall
  // after duration_s. Allocates nothing.
  bool next(AggTrade& out);

  const PairGeneratorConfig& config() const { return config_; }

 private:
  struct Leg {
    Symbol symbol;
    double trades_per_s = 0;
    double next_time_s = 0;  // infinity for a leg that never trades
    std::int64_t next_agg_id = kFirstAggTradeId;
    std::int64_t next_trade_id = kFirstTradeId;
  };

  double uniform();      // [0, 1), 53 random bits
  double exponential();  // mean 1, by inverse CDF
  double normal();       // standard, by Box-Muller
  double round_to_tick(double price) const;
  void advance_model_to(double time_s);
  void fill_trade(Leg& leg, double model_price, AggTrade& out);

  const PairGeneratorConfig config_;
  std::mt19937_64 rng_;
  double spare_normal_ = 0;
  bool has_spare_normal_ = false;
  // Ticks per unit price when the tick is 1/k: dividing an integer count
  // by k gives the double nearest the decimal price, so it prints short.
  double ticks_per_unit_ = 0;

  double model_time_s_ = 0;
  double log_x_ = 0;  // log(x / x_start_price)
  double spread_ = 0;
  Leg x_;
  Leg y_;
};

// The files write_pair_csv wrote, one per UTC day with trades, in date order.
struct PairCsvFiles {
  std::vector<std::string> x_paths;
  std::vector<std::string> y_paths;
};

// Writes the whole run of config as data.binance.vision publishes it: for
// each leg, one <dir>/<SYMBOL>-aggTrades-<YYYY-MM-DD>.csv per UTC day that
// has trades (the ids run on across days), in the futures layout or the
// spot one (times in microseconds; the sub-millisecond digits are the agg
// id's last three, so the milliseconds equal the futures files'), creating
// dir if needed. Prices use the shortest form that reads back to the same
// double. Returns an error naming the file that could not be written.
Result<PairCsvFiles> write_pair_csv(const PairGeneratorConfig& config, const std::string& dir, bool with_header,
                                    CsvLayout layout = CsvLayout::kFutures);

}  // namespace alphastream
