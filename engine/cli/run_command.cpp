// `alphastream run` (the live service) and `alphastream replay` (a recorded
// journal through the backtest's outputs).
#include <unistd.h>

#include <limits>
#include <tuple>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backtest/backtest_runner.h"
#include "cli/commands.h"
#include "config/engine_config.h"
#include "source/journal_trade_stream.h"
#include "source/trade_catalog.h"
#include "service/live_service.h"

namespace alphastream::cli {

void add_run_options(CLI::App& command, RunArgs& args) {
  command.add_option("--config", args.config_path, "YAML config (see config/alphastream.yaml)")->required();
  command.add_option("--run-for", args.run_for_s, "stop as on SIGTERM after this many seconds (0: run until a signal)")
      ->check(CLI::NonNegativeNumber);
  command.add_flag("--stay-up", args.stay_up,
                   "feed.source replay or csv: after the last trade, stay up (for /metrics) until a signal or "
                   "--run-for");
}

int run_service(const RunArgs& args) {
  auto config = load_config(args.config_path);
  if (!config) {
    spdlog::error("invalid config:\n{}", config.error());
    return kExitBadInput;
  }
  apply_config_logging(config->service.log);
  ServiceOptions options;
  options.plugins_dir = config->plugins_dir.empty() ? default_plugins_dir() : config->plugins_dir;
  options.config = std::move(config.value());
  options.version = ALPHASTREAM_VERSION;
  options.run_for = std::chrono::milliseconds(static_cast<std::int64_t>(args.run_for_s * 1000));
  options.stay_up_after_source = args.stay_up;
  const Status status = alphastream::run_service(options);
  if (!status) {
    spdlog::error("{}", status.message());
    return status.is_invalid_input() ? kExitBadInput : kExitFailure;
  }
  return kExitOk;
}

void add_time_range_options(CLI::App& command, TimeRangeArgs& args) {
  command.add_option("--from", args.from, "first transact time, inclusive: Unix ms or UTC like 2026-11-25T10:00:00Z");
  command.add_option("--to", args.to, "end transact time, exclusive");
}

void add_catalog_options(CLI::App& command, CatalogArgs& args) {
  command.add_option("--catalog", args.dir,
                     "where imported files are kept in binary, so the next run over them skips the text (default: " +
                         (default_catalog_dir().empty() ? std::string("none") : default_catalog_dir()) + ")");
  command.add_flag("--no-catalog", args.off, "parse every file, read and write no catalog");
}

std::string catalog_dir(const CatalogArgs& args) {
  if (args.off) return {};
  return args.dir.empty() ? default_catalog_dir() : args.dir;
}

std::optional<TimeRange> parse_time_range(const TimeRangeArgs& args) {
  TimeRange range;
  for (const auto& [flag, text, out] : {std::tuple{"--from", &args.from, &range.from_ms},
                                        std::tuple{"--to", &args.to, &range.to_ms}}) {
    if (text->empty()) continue;
    const auto ms = parse_utc_time_ms(*text);
    if (!ms) {
      spdlog::error("{} {}: expected Unix milliseconds or a UTC time like 2026-11-25T10:00:00Z", flag, *text);
      return std::nullopt;
    }
    *out = *ms;
  }
  return range;
}

void add_replay_options(CLI::App& command, ReplayArgs& args) {
  command.add_option("--config", args.config_path, "YAML config; its pairs and symbol models are replayed")
      ->required();
  command.add_option("--journal", args.journal, "LMDB journal directory (default: the config's storage.lmdb.path)");
  add_time_range_options(command, args.range);
  command.add_option("--out", args.out_dir, "output directory, laid out like the backtest's")->required();
  command.add_option("--pair", args.pairs, "replay only this pair (repeatable)");
  command.add_option("--threads", args.threads,
                     "threads for the pipelines and the reports; 0: one per core (outputs do not depend on it)")
      ->capture_default_str();
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

int run_replay(const ReplayArgs& args) {
  auto config = load_config(args.config_path);
  if (!config) {
    spdlog::error("invalid config:\n{}", config.error());
    return kExitBadInput;
  }
  apply_config_logging(config->service.log);
  const std::optional<TimeRange> range = parse_time_range(args.range);
  if (!range) return kExitBadInput;
  const std::string journal = args.journal.empty() ? config->service.storage.lmdb_path : args.journal;
  if (journal.empty()) {
    spdlog::error("no journal: give --journal or set storage.lmdb.path in {}", args.config_path);
    return kExitBadInput;
  }

  {
    // Nothing to replay is bad input, said with what the journal holds.
    int exit_code = kExitOk;
    const auto opened = open_journal(journal, exit_code);
    if (!opened) return exit_code;
    const JournalSummary& held = opened->summary;
    if (held.trade_count == 0) {
      spdlog::error("{}: the journal holds no trade", journal);
      return kExitBadInput;
    }
    if (range->to_ms <= held.first_transact_time_ms || range->from_ms > held.last_transact_time_ms) {
      spdlog::error("{}: nothing recorded in the --from/--to range; the journal covers {} .. {} ({} trades; "
                    "`alphastream journal --journal {}` for each symbol)",
                    journal, utc(held.first_transact_time_ms), utc(held.last_transact_time_ms), held.trade_count,
                    journal);
      return kExitBadInput;
    }
  }

  BacktestOptions options;
  options.plugins_dir = config->plugins_dir.empty() ? default_plugins_dir() : config->plugins_dir;
  options.config = std::move(config.value());
  options.out_dir = args.out_dir;
  options.only_pairs = args.pairs;
  options.show_progress = !args.no_progress;
  options.threads = args.threads;
  options.progress_terminal = isatty(STDERR_FILENO) != 0;
  options.progress_label = "replay";
  options.provenance = run_provenance(args.config_path);
  auto runner = BacktestRunner::create(options);
  if (!runner) {
    spdlog::error("{}", runner.error());
    return kExitBadInput;
  }
  auto stream = JournalTradeStream::open(journal, range->from_ms, range->to_ms);
  if (!stream) {
    spdlog::error("{}", stream.error());
    return kExitBadInput;
  }
  auto summary = runner.value()->run(*stream.value());
  if (!summary) {
    spdlog::error("{}", summary.error());
    return kExitFailure;
  }
  print_run_summary(summary.value());
  return kExitOk;
}

}  // namespace alphastream::cli
