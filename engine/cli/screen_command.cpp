// `alphastream screen`: ranks every pair of the given symbols by the
// Engle-Granger cointegration test on the time-mode grid.
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "source/symbol_files.h"
#include "screen/pair_screen.h"
#include "screen/screen_report.h"
#include "screen/universe_grid.h"

namespace alphastream::cli {

namespace {

// Reads the symbols' files in parallel, one symbol per task.
Result<std::vector<IntervalCloses>> read_universe(const std::vector<DataArg>& data,
                                                  const std::vector<std::vector<DataFile>>& files,
                                                  const TimeRange& range, const ScreenArgs& args, unsigned threads) {
  std::vector<Result<IntervalCloses>> read(data.size(), Status::error("not read"));
  std::atomic<std::size_t> next{0};
  {
    std::vector<std::jthread> workers;
    for (unsigned w = 0; w < std::min<std::size_t>(threads, data.size()); ++w) {
      workers.emplace_back([&] {
        for (std::size_t i = next.fetch_add(1); i < data.size(); i = next.fetch_add(1)) {
          CsvImportOptions options;
          options.symbol = Symbol(data[i].symbol);
          options.skip_bad_rows = args.skip_bad_rows;
          options.catalog_dir = catalog_dir(args.catalog);
          auto stream = SymbolFileStream::open(files[i], options, range);
          if (!stream) {
            read[i] = stream.status();
            continue;
          }
          read[i] = read_interval_closes(data[i].symbol, *stream.value(), args.interval_ms);
        }
      });
    }
  }
  std::vector<IntervalCloses> out;
  for (auto& r : read) {
    if (!r) return r.status();
    out.push_back(std::move(r.value()));
  }
  return out;
}

}  // namespace

void add_screen_options(CLI::App& command, ScreenArgs& args) {
  command.add_option("--data", args.data,
                     "SYMBOL=PATH: a Binance aggTrades .csv or .zip (daily or monthly), a directory of them or a glob; "
                     "repeatable, also per symbol; the first symbol listed is y on a tie")
      ->required();
  add_time_range_options(command, args.range);
  command.add_flag("--allow-symbol-mismatch", args.allow_symbol_mismatch,
                   "read a file whose name says another symbol than its --data symbol");
  command.add_option("--out", args.out_path, "ranked report: FILE.csv or FILE.json")->required();
  command.add_option("--interval-ms", args.interval_ms, "grid interval (time-mode sampling)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_option("--threads", args.threads, "worker threads; 0: one per core")->capture_default_str();
  command.add_option("--top", args.top_k, "pairs shown on stdout")->capture_default_str();
  command.add_flag("--skip-bad-rows", args.skip_bad_rows, "skip and count malformed rows instead of stopping");
  add_catalog_options(command, args.catalog);
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

int run_screen(const ScreenArgs& args) {
  auto data = parse_data_args(args.data);
  if (!data) return kExitBadInput;
  if (data->size() < 2) {
    spdlog::error("screen needs at least 2 symbols (--data SYMBOL=PATH, repeated), got {}", data->size());
    return kExitBadInput;
  }
  const std::optional<TimeRange> range = parse_time_range(args.range);
  if (!range) return kExitBadInput;
  const std::string& out = args.out_path;
  const bool known_format = (out.size() > 4 && out.compare(out.size() - 4, 4, ".csv") == 0) ||
                            (out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0);
  if (!known_format) {
    spdlog::error("--out {}: the report name must end in .csv or .json", out);
    return kExitBadInput;
  }
  std::vector<std::vector<DataFile>> files;
  for (const DataArg& arg : *data) {
    auto found = find_data_files(arg.symbol, arg.paths, args.allow_symbol_mismatch);
    if (!found) {
      spdlog::error("--data {}: {}", arg.symbol, found.error());
      return kExitBadInput;
    }
    files.push_back(std::move(found.value()));
  }
  const unsigned threads = args.threads != 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());

  auto closes = read_universe(*data, files, *range, args, threads);
  if (!closes) {
    spdlog::error("{}", closes.error());
    return kExitFailure;
  }
  for (const IntervalCloses& c : *closes) {
    for (const std::string& line : c.import_summary) std::fprintf(stderr, "import  %s\n", line.c_str());
  }
  auto grid = UniverseGrid::build(std::move(closes.value()), args.interval_ms);
  if (!grid) {
    spdlog::error("{}", grid.error());
    return kExitFailure;
  }

  ScreenOptions options;
  options.threads = threads;
  const bool progress = !args.no_progress && isatty(STDERR_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  if (progress) {
    options.on_progress = [started](std::size_t done, std::size_t total) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\rscreen  %zu/%zu pairs, %.1f pairs/s", done, total, s > 0 ? done / s : 0.0);
      if (done == total) std::fputc('\n', stderr);
    };
  }
  const ScreenRun run = screen_pairs(*grid, options);
  Status written = write_screen_report(out, *grid, run.pairs, args.interval_ms);
  if (!written) {
    spdlog::error("{}", written.message());
    return kExitFailure;
  }
  std::fputs(format_top_pairs(*grid, run.pairs, args.top_k).c_str(), stdout);
  std::size_t failed = 0, below_5pct = 0;
  for (const PairScreenResult& p : run.pairs) {
    failed += p.error.empty() ? 0 : 1;
    below_5pct += p.error.empty() && p.coint.pvalue < 0.05 ? 1 : 0;
  }
  std::printf("done    %zu symbols, %zu rows, %zu pairs (%zu with p < 0.05, %zu failed) in %.2f s on %u threads "
              "(%.1f pairs/s) -> %s\n",
              grid->symbol_count(), grid->row_count(), run.pairs.size(), below_5pct, failed, run.elapsed_s,
              run.threads, run.elapsed_s > 0 ? static_cast<double>(run.pairs.size()) / run.elapsed_s : 0.0,
              out.c_str());
  return kExitOk;
}

}  // namespace alphastream::cli
