// Whole-pipeline throughput, as ratios to parse-only measured in the same
// process. Two inputs:
//
// --input csv (the default): generates a cointegrated pair as Binance CSV
// files, then times (1) parse-only: both files through the CSV reader, and
// (2) the backtest pipeline (reader, time merge, alignment, ols plugin,
// z-score, signals, ledger; no output files) over the same files.
//
// --input frames: the same kind of pair as Binance aggTrade websocket frames
// in memory, timed through (1) parse-only: AggTradeParser, as the I/O reactor
// runs it; (2) parse, then a PairPipeline with ols; (3) with kalman; (4) with
// huber; (5) a SymbolPipeline with microstructure on each leg; (6) all four
// together on one thread, as one shard runs them. Every configuration starts
// from fresh models and runs over the same frames, --repeat times,
// interleaved so that a change of load on the machine reaches them all; each
// figure is the median. Exits 1 when a run's own checks fail (a frame not
// parsed, a pipeline that saw no trades).
//
//   pipeline_throughput [--input csv|frames] [--trades N] [--mode tick|time]
//                       [--repeat R] [--plugins DIR] [--work-dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agg_trade_frames.h"
#include "backtest/backtest_runner.h"
#include "book/model_factory.h"
#include "feed/agg_trade_csv.h"
#include "feed/agg_trade_parser.h"
#include "simulator/pair_trade_generator.h"
#include "pipeline/pair_pipeline.h"
#include "pipeline/symbol_pipeline.h"

namespace {

using namespace alphastream;
namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// A generated pair at 5 trades/s a leg, long enough for `trades` trades.
PairGeneratorConfig pair_for(std::uint64_t trades) {
  PairGeneratorConfig generator;
  generator.x_trades_per_s = 5;
  generator.y_trades_per_s = 5;
  generator.duration_s = static_cast<double>(trades) / (generator.x_trades_per_s + generator.y_trades_per_s);
  return generator;
}

// Every trade of one leg's daily files, read and dropped.
Result<std::uint64_t> parse_csv_only(const std::vector<std::string>& paths, const std::string& symbol) {
  CsvImportOptions options;
  options.symbol = Symbol(symbol);
  std::uint64_t count = 0;
  double checksum = 0;
  for (const std::string& path : paths) {
    auto reader = AggTradeCsvReader::open(path, options);
    if (!reader) return reader.status();
    AggTrade trade;
    while (true) {
      auto more = reader.value()->next(trade);
      if (!more) return more.status();
      if (!more.value()) break;
      checksum += trade.price;
      ++count;
    }
  }
  if (checksum < 0) std::puts("");  // keeps the loop from being optimised away
  return count;
}

int run_csv(std::uint64_t trades, const std::string& mode, const std::string& plugins_dir,
            const std::string& work_dir) {
  const PairGeneratorConfig generator = pair_for(trades);
  fs::create_directories(work_dir);
  auto start = std::chrono::steady_clock::now();
  auto written = write_pair_csv(generator, work_dir, false);
  if (!written) {
    std::fprintf(stderr, "%s\n", written.error().c_str());
    return 1;
  }
  std::printf("%-28s %12.2f s\n", "generate_csv", seconds_since(start));

  start = std::chrono::steady_clock::now();
  auto x_count = parse_csv_only(written->x_paths, generator.x_symbol);
  auto y_count = parse_csv_only(written->y_paths, generator.y_symbol);
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
  options.data_paths[generator.x_symbol] = written->x_paths;
  options.data_paths[generator.y_symbol] = written->y_paths;
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

// What one frames configuration runs after the parse.
struct FrameConfiguration {
  const char* name;
  std::vector<const char*> pair_models;  // each its own PairPipeline on the pair
  bool microstructure = false;           // a SymbolPipeline on each leg
};

// The pipelines of one timed pass, built fresh so every pass starts cold.
struct FramePipelines {
  std::vector<std::unique_ptr<PairPipeline>> pairs;
  std::vector<std::unique_ptr<SymbolPipeline>> symbols;  // x leg, then y leg
};

Result<FramePipelines> build(const FrameConfiguration& configuration, const PairGeneratorConfig& generator,
                             SamplingConfig sampling, ModelFactory& factory) {
  FramePipelines out;
  for (const char* plugin : configuration.pair_models) {
    ModelConfig model{plugin, {}, std::string("pipeline_throughput: ") + plugin, plugin};
    auto created = factory.create(model, AS_MODEL_PAIR, model.location);
    if (!created) return created.status();
    PairSpec spec;
    spec.name = "throughput";
    spec.y = Symbol(generator.y_symbol);
    spec.x = Symbol(generator.x_symbol);
    spec.sampling = sampling;
    out.pairs.push_back(std::make_unique<PairPipeline>(std::move(spec), std::move(created.value())));
  }
  if (!configuration.microstructure) return out;
  for (const std::string& symbol : {generator.x_symbol, generator.y_symbol}) {
    ModelConfig model{"microstructure", {}, "pipeline_throughput: microstructure " + symbol, "microstructure"};
    auto created = factory.create(model, AS_MODEL_SYMBOL, model.location);
    if (!created) return created.status();
    out.symbols.push_back(
        std::make_unique<SymbolPipeline>(SymbolSpec{Symbol(symbol), sampling}, std::move(created.value())));
  }
  return out;
}

// Parses every frame and feeds the pipelines; returns the seconds taken, or
// an error when a check fails.
Result<double> run_pass(const bench::FrameSet& frames, const Symbol& x_symbol, FramePipelines& pipelines) {
  AggTradeParser parser;
  AggTrade trade;
  double checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (!parser.parse(frames.frame(i), trade)) continue;  // counted by the parser, checked below
    checksum += trade.price;
    const bool is_x = trade.symbol == x_symbol;
    const Leg leg = is_x ? Leg::kX : Leg::kY;
    for (auto& pair : pipelines.pairs) pair->on_trade(leg, trade);
    if (!pipelines.symbols.empty()) pipelines.symbols[is_x ? 0 : 1]->on_trade(trade);
  }
  for (auto& pair : pipelines.pairs) pair->finish();
  for (auto& symbol : pipelines.symbols) symbol->finish();
  const double elapsed_s = seconds_since(start);
  if (checksum < 0) std::puts("");  // keeps the loop from being optimised away

  if (parser.parsed_count() != frames.size()) {
    return Status::error("parsed " + std::to_string(parser.parsed_count()) + " of " + std::to_string(frames.size()) +
                         " frames");
  }
  for (const auto& pair : pipelines.pairs) {
    if (pair->observations() == 0) return Status::error(pair->model().context() + ": no observations");
  }
  std::uint64_t symbol_trades = 0;
  for (const auto& symbol : pipelines.symbols) symbol_trades += symbol->trades();
  if (!pipelines.symbols.empty() && symbol_trades != frames.size()) {
    return Status::error("the symbol pipelines saw " + std::to_string(symbol_trades) + " of " +
                         std::to_string(frames.size()) + " trades");
  }
  return elapsed_s;
}

int run_frames(std::uint64_t trades, const std::string& mode, const std::string& plugins_dir, int repeat) {
  const PairGeneratorConfig generator = pair_for(trades);
  auto start = std::chrono::steady_clock::now();
  const bench::FrameSet frames = bench::generate_frames({generator}, trades);
  std::printf("%-28s %12.2f s (%zu frames, %.1f MB, mode %s, median of %d)\n", "generate_frames", seconds_since(start),
              frames.size(), static_cast<double>(frames.bytes()) / 1e6, mode.c_str(), repeat);
  if (frames.size() == 0) {
    std::fprintf(stderr, "no frames generated\n");
    return 1;
  }

  SamplingConfig sampling;
  sampling.mode = mode == "tick" ? SamplingConfig::Mode::kTick : SamplingConfig::Mode::kTime;
  const std::vector<FrameConfiguration> configurations = {
      {"parse_only", {}, false},
      {"parse+ols", {"ols"}, false},
      {"parse+kalman", {"kalman"}, false},
      {"parse+huber", {"huber"}, false},
      {"parse+microstructure", {}, true},
      {"parse+all_four", {"ols", "kalman", "huber"}, true},
  };
  ModelFactory factory(plugins_dir);
  const Symbol x_symbol(generator.x_symbol);
  std::vector<std::vector<double>> seconds(configurations.size());
  for (int round = 0; round < repeat; ++round) {
    for (std::size_t c = 0; c < configurations.size(); ++c) {
      auto pipelines = build(configurations[c], generator, sampling, factory);
      if (!pipelines) {
        std::fprintf(stderr, "%s\n", pipelines.error().c_str());
        return 1;
      }
      auto elapsed_s = run_pass(frames, x_symbol, pipelines.value());
      if (!elapsed_s) {
        std::fprintf(stderr, "%s: %s\n", configurations[c].name, elapsed_s.error().c_str());
        return 1;
      }
      seconds[c].push_back(elapsed_s.value());
    }
  }

  const double parse_s = median(seconds[0]);
  const double total = static_cast<double>(frames.size());
  for (std::size_t c = 0; c < configurations.size(); ++c) {
    const double s = median(seconds[c]);
    std::printf("%-28s %12.0f trades/s  %8.3f x parse-only time  (min %.3f s, max %.3f s)\n", configurations[c].name,
                total / s, s / parse_s, *std::min_element(seconds[c].begin(), seconds[c].end()),
                *std::max_element(seconds[c].begin(), seconds[c].end()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AlphaStream whole-pipeline throughput"};
  std::string input = "csv";
  std::uint64_t trades = 0;
  std::string mode = "tick";
  int repeat = 3;
  std::string plugins_dir = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "plugins").string();
  std::string work_dir = (fs::temp_directory_path() / "alphastream-throughput").string();
  app.add_option("--input", input, "csv: files through the backtest; frames: websocket frames through the models")
      ->check(CLI::IsMember({"csv", "frames"}));
  app.add_option("--trades", trades, "trades to generate across both legs (default 10^7 csv, 10^6 frames)")
      ->check(CLI::PositiveNumber);
  app.add_option("--mode", mode, "sampling mode")->check(CLI::IsMember({"tick", "time"}));
  app.add_option("--repeat", repeat, "frames: timed passes per configuration (the median is shown)")
      ->check(CLI::PositiveNumber);
  app.add_option("--plugins", plugins_dir, "plugin directory");
  app.add_option("--work-dir", work_dir, "csv: where the generated CSV files go");
  CLI11_PARSE(app, argc, argv);

  if (input == "csv") return run_csv(trades ? trades : 10'000'000, mode, plugins_dir, work_dir);
  return run_frames(trades ? trades : 1'000'000, mode, plugins_dir, repeat);
}
