// Whole-pipeline throughput: generates a cointegrated pair as Binance CSV
// files, then times (1) parse-only: both files through the CSV reader, and
// (2) the backtest pipeline (reader, time merge, alignment, ols plugin,
// z-score, signals, ledger; no output files) over the same files, in the
// same process. Prints one row per figure and the ratio to parse-only.
//
//   pipeline_throughput [--trades N] [--mode tick|time] [--plugins DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "backtest/backtest_runner.h"
#include "feed/agg_trade_csv.h"
#include "feed/pair_trade_generator.h"

namespace {

using namespace alphastream;
namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<std::uint64_t> parse_only(const std::string& path, const std::string& symbol) {
  CsvImportOptions options;
  options.symbol = Symbol(symbol);
  auto reader = AggTradeCsvReader::open(path, options);
  if (!reader) return reader.status();
  AggTrade trade;
  std::uint64_t count = 0;
  double checksum = 0;
  while (true) {
    auto more = reader.value()->next(trade);
    if (!more) return more.status();
    if (!more.value()) break;
    checksum += trade.price;
    ++count;
  }
  if (checksum < 0) std::puts("");  // keeps the loop from being optimised away
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AlphaStream whole-pipeline throughput"};
  std::uint64_t trades = 10'000'000;
  std::string mode = "tick";
  std::string plugins_dir = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "plugins").string();
  std::string work_dir = (fs::temp_directory_path() / "alphastream-throughput").string();
  app.add_option("--trades", trades, "trades to generate across both legs");
  app.add_option("--mode", mode, "sampling mode")->check(CLI::IsMember({"tick", "time"}));
  app.add_option("--plugins", plugins_dir, "plugin directory");
  app.add_option("--work-dir", work_dir, "where the generated CSV files go");
  CLI11_PARSE(app, argc, argv);

  PairGeneratorConfig generator;
  generator.x_trades_per_s = 5;
  generator.y_trades_per_s = 5;
  generator.duration_s = static_cast<double>(trades) / (generator.x_trades_per_s + generator.y_trades_per_s);
  fs::create_directories(work_dir);
  std::string x_path, y_path;
  auto start = std::chrono::steady_clock::now();
  Status written = write_pair_csv(generator, work_dir, false, &x_path, &y_path);
  if (!written) {
    std::fprintf(stderr, "%s\n", written.message().c_str());
    return 1;
  }
  std::printf("%-28s %12.2f s\n", "generate_csv", seconds_since(start));

  start = std::chrono::steady_clock::now();
  auto x_count = parse_only(x_path, generator.x_symbol);
  auto y_count = parse_only(y_path, generator.y_symbol);
  if (!x_count || !y_count) {
    std::fprintf(stderr, "%s\n", (!x_count ? x_count.error() : y_count.error()).c_str());
    return 1;
  }
  const double parse_s = seconds_since(start);
  const double total_trades = static_cast<double>(x_count.value() + y_count.value());

  BacktestOptions options;
  options.config.sampling.mode = mode == "tick" ? SamplingConfig::Mode::kTick : SamplingConfig::Mode::kTime;
  PairConfig pair;
  pair.name = "throughput";
  pair.y = generator.y_symbol;
  pair.x = generator.x_symbol;
  ModelConfig& model = pair.models.emplace_back();
  model.plugin = "ols";
  model.label = "ols";
  options.config.pairs.push_back(pair);
  options.data_paths[generator.x_symbol] = x_path;
  options.data_paths[generator.y_symbol] = y_path;
  options.plugins_dir = plugins_dir;
  options.write_outputs = false;
  start = std::chrono::steady_clock::now();
  auto result = run_backtest(options);
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().c_str());
    return 1;
  }
  const double pipeline_s = seconds_since(start);
  const double observations = static_cast<double>(result->pairs.at(0).observations);

  std::printf("%-28s %12.0f trades/s (%0.f trades, %.2f s)\n", "parse_only", total_trades / parse_s, total_trades, parse_s);
  std::printf("%-28s %12.0f trades/s\n", "pipeline", total_trades / pipeline_s);
  std::printf("%-28s %12.0f observations/s (%0.f observations, mode %s, %.2f s)\n", "pipeline", observations / pipeline_s,
              observations, mode.c_str(), pipeline_s);
  std::printf("%-28s %12.3f (pipeline time / parse-only time)\n", "ratio_to_parse_only", pipeline_s / parse_s);
  return 0;
}
