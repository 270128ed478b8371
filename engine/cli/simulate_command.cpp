#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"

namespace alphastream::cli {

namespace {

// "YYYY-MM-DD" -> Unix ms of that day's UTC midnight.
bool parse_utc_date(const std::string& text, std::int64_t& ms) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return false;
  ms = static_cast<std::int64_t>(timegm(&tm)) * 1000;
  return true;
}

}  // namespace

void add_simulate_options(CLI::App& command, SimulateArgs& args) {
  PairGeneratorConfig& g = args.generator;
  command.add_option("--out", args.out_dir, "directory for <SYMBOL>-aggTrades-<date>.csv files, one per UTC day")
      ->required();
  command.add_option("--x", g.x_symbol, "symbol of the hedge leg x")->capture_default_str();
  command.add_option("--y", g.y_symbol, "symbol of the dependent leg y")->capture_default_str();
  command.add_option("--beta", g.beta, "y = alpha + beta * x + spread")->capture_default_str();
  command.add_option("--alpha", g.alpha, "intercept, USD")->capture_default_str();
  command.add_option("--x-price", g.x_start_price, "starting price of x, USD")->capture_default_str();
  command.add_option("--x-vol", g.x_volatility_per_sqrt_s, "volatility of log x per sqrt(second)")->capture_default_str();
  command.add_option("--spread-theta", g.spread_theta_per_s, "OU mean-reversion speed of the spread, per second")
      ->capture_default_str();
  command.add_option("--spread-sigma", g.spread_sigma_per_sqrt_s, "OU volatility of the spread, USD per sqrt(second)")
      ->capture_default_str();
  command.add_option("--x-rate", g.x_trades_per_s, "Poisson trade rate of x, trades/s")->capture_default_str();
  command.add_option("--y-rate", g.y_trades_per_s, "Poisson trade rate of y, trades/s")->capture_default_str();
  command.add_option("--tick", g.price_tick, "price tick, USD")->capture_default_str();
  command.add_option("--hours", args.hours, "length of the generated period")->capture_default_str()->check(
      CLI::PositiveNumber);
  command.add_option("--start", args.start_date, "first day, YYYY-MM-DD (UTC)")->capture_default_str();
  command.add_option("--seed", g.seed, "random seed; the same seed gives the same files")->capture_default_str();
  command.add_flag("--header", args.header, "write the header line, as newer Binance files have");
  command.add_option("--layout", args.layout, "futures (times in ms) or spot (is_best_match, times in microseconds)")
      ->capture_default_str()
      ->check(CLI::IsMember({"futures", "spot"}));
}

int run_simulate(const SimulateArgs& args) {
  PairGeneratorConfig config = args.generator;
  config.duration_s = args.hours * 3600.0;
  if (!parse_utc_date(args.start_date, config.start_ms)) {
    spdlog::error("--start: expected a date YYYY-MM-DD, got \"{}\"", args.start_date);
    return kExitBadInput;
  }
  Status valid = validate(config);
  if (!valid) {
    spdlog::error("{}", valid.message());
    return kExitBadInput;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.out_dir, ec);
  if (ec) {
    spdlog::error("{}: cannot create: {}", args.out_dir, ec.message());
    return kExitFailure;
  }
  auto written = write_pair_csv(config, args.out_dir, args.header,
                                args.layout == "spot" ? CsvLayout::kSpot : CsvLayout::kFutures);
  if (!written) {
    spdlog::error("{}", written.error());
    return kExitFailure;
  }
  for (const auto* paths : {&written->x_paths, &written->y_paths}) {
    for (const std::string& path : *paths) std::printf("wrote %s\n", path.c_str());
  }
  std::printf("%s/%s: beta %g, alpha %g, %.1f h from %s, seed %llu\n", config.y_symbol.c_str(),
              config.x_symbol.c_str(), config.beta, config.alpha, args.hours, args.start_date.c_str(),
              static_cast<unsigned long long>(config.seed));
  return kExitOk;
}

}  // namespace alphastream::cli
