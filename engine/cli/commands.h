// The subcommands of `alphastream`. Each takes its parsed arguments and
// returns the process exit code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alphastream/plugin.h"
#include "backtest/backtest_runner.h"
#include "config/service_config.h"
#include "core/time_range.h"
#include "simulator/pair_trade_generator.h"
#include "storage/trade_journal.h"

namespace alphastream {
struct BacktestSummary;
}

namespace CLI {
class App;
}

namespace alphastream::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the run started and failed (I/O, data)
inline constexpr int kExitBadInput = 2;   // config, arguments or plugin rejected before running

// --from and --to of the commands that read a journal or files: transact
// times, [from, to), each Unix ms or UTC ISO 8601.
// The binary catalog of imported files (source/trade_catalog.h).
struct CatalogArgs {
  std::string dir;  // empty: default_catalog_dir()
  bool off = false;
};

struct TimeRangeArgs {
  std::string from;
  std::string to;
};
struct BacktestArgs {
  std::string config_path;
  std::vector<std::string> data;   // SYMBOL=PATH, repeatable per symbol
  std::vector<std::string> funding;  // SYMBOL=PATH of fundingRate files, repeatable
  std::string out_dir;
  TimeRangeArgs range;
  bool allow_symbol_mismatch = false;
  std::vector<std::string> pairs;
  bool skip_bad_rows = false;
  std::size_t reorder_window = 65536;
  CatalogArgs catalog;
  unsigned threads = 0;
  bool no_progress = false;
  bool no_series = false;  // backtest only
};
// The options a backtest and a sweep share; add_backtest_command_options
// adds the backtest's own (--no-series).
void add_backtest_options(CLI::App& command, BacktestArgs& args);
void add_backtest_command_options(CLI::App& command, BacktestArgs& args);
int run_backtest(const BacktestArgs& args);
// The options args give (config loaded, provenance read); nullopt after
// logging what was wrong.
std::optional<BacktestOptions> backtest_options(const BacktestArgs& args);

struct SweepArgs {
  BacktestArgs backtest;
  std::vector<std::string> grids;  // KEY=V1,V2,...
  std::string rank_by = "sharpe";
  int folds = 0;
};
void add_sweep_options(CLI::App& command, SweepArgs& args);
int run_sweep(const SweepArgs& args);
// The backtest's and the replay's closing report on stdout.
void print_run_summary(const BacktestSummary& summary);

struct SimulateArgs {
  std::string out_dir;
  PairGeneratorConfig generator;
  double hours = 6.0;
  std::string start_date = "2024-01-01";  // UTC midnight of this day
  bool header = false;
  std::string layout = "futures";  // or "spot"
};
void add_simulate_options(CLI::App& command, SimulateArgs& args);
int run_simulate(const SimulateArgs& args);

struct ScreenArgs {
  std::vector<std::string> data;  // SYMBOL=PATH, repeatable per symbol
  TimeRangeArgs range;
  bool allow_symbol_mismatch = false;
  CatalogArgs catalog;
  std::string out_path;           // .csv or .json
  std::int64_t interval_ms = 1000;
  unsigned threads = 0;  // 0: one per core
  std::size_t top_k = 10;
  bool skip_bad_rows = false;
  bool no_progress = false;
};
void add_screen_options(CLI::App& command, ScreenArgs& args);
int run_screen(const ScreenArgs& args);

struct PluginsArgs {
  std::string dir;  // empty: the default plugin directory
};
void add_plugins_options(CLI::App& command, PluginsArgs& args);
int run_plugins(const PluginsArgs& args);

void add_time_range_options(CLI::App& command, TimeRangeArgs& args);

void add_catalog_options(CLI::App& command, CatalogArgs& args);
// The directory to use; empty when off or no default exists.
std::string catalog_dir(const CatalogArgs& args);

// One symbol's --data PATHs, in the order given.
// The provenance of a batch run over config_path: this binary's version and
// commit, the config's path and SHA-256.
RunProvenance run_provenance(const std::string& config_path);

struct DataArg {
  std::string symbol;  // upper-cased like config symbols
  std::vector<std::string> paths;
};
// Every --data SYMBOL=PATH, grouped by symbol in the order symbols first
// appear; nullopt after logging the item that is not SYMBOL=PATH.
std::optional<std::vector<DataArg>> parse_data_args(const std::vector<std::string>& data);
// The range, unbounded where a flag was not given; nullopt after logging the
// flag that is not a time.
std::optional<TimeRange> parse_time_range(const TimeRangeArgs& args);

struct RunArgs {
  std::string config_path;
  double run_for_s = 0;
  bool stay_up = false;
};
void add_run_options(CLI::App& command, RunArgs& args);
int run_service(const RunArgs& args);

struct ReplayArgs {
  std::string config_path;
  std::string journal;  // empty: the config's storage.lmdb.path
  TimeRangeArgs range;
  std::string out_dir;
  std::vector<std::string> pairs;
  unsigned threads = 0;
  bool no_progress = false;
};
void add_replay_options(CLI::App& command, ReplayArgs& args);
int run_replay(const ReplayArgs& args);

// A journal opened for reading and its summary. Errors are logged: a path
// that holds no journal is bad input (exit_code kExitBadInput), a summary
// that cannot be read a failure (kExitFailure).
struct OpenedJournal {
  std::unique_ptr<TradeJournal> journal;
  JournalSummary summary;
};
std::optional<OpenedJournal> open_journal(const std::string& path, int& exit_code);
// Unix ms as "2026-11-20T10:00:00Z".
std::string utc(std::int64_t ms);

struct ExportArgs {
  std::string journal;
  TimeRangeArgs range;
  std::string out_dir;
  std::vector<std::string> symbols;  // empty: every recorded symbol
  bool no_progress = false;
};
void add_export_options(CLI::App& command, ExportArgs& args);
// Writes <out_dir>/<SYMBOL>-aggTrades.csv (with header) for each symbol.
int run_export(const ExportArgs& args);

struct DownloadArgs {
  std::string market = "um";     // um, cm or spot
  std::vector<std::string> symbols;
  std::string from;              // YYYY-MM-DD, included
  std::string to;                // YYYY-MM-DD, included
  std::string dir;
  unsigned parallel = 4;
  std::string base_url = "https://data.binance.vision";
  std::string ca_file;
  bool no_progress = false;
};
void add_download_options(CLI::App& command, DownloadArgs& args);
int run_download(const DownloadArgs& args);

struct JournalArgs {
  std::string journal;
  std::vector<std::string> symbols;  // empty: every recorded symbol
  std::int64_t max_id_jump = 10'000'000;
  bool repair = false;  // drop the implausible records, rewrite the resume points
};
void add_journal_options(CLI::App& command, JournalArgs& args);
// What a journal holds, per symbol, from a scan: counts, times, ids, gaps,
// duplicates, implausible id jumps, and the resume point `run` would use;
// with repair, the implausible records are dropped (the service stopped).
int run_journal(const JournalArgs& args);

struct CheckConfigArgs {
  std::string config_path;
  bool skip_bind = false;
};
void add_check_config_options(CLI::App& command, CheckConfigArgs& args);
int run_check_config(const CheckConfigArgs& args);

// The default logger: stderr, at level, as "text" or "json" lines.
void configure_logging(const std::string& level, const std::string& format);
// As above, from the command line; *_given: the flag was on it (and so wins
// over a config's `log` section).
void configure_logging(const std::string& level, const std::string& format, bool level_given, bool format_given);
// Applies a loaded config's `log` section where the command line gave no flag.
void apply_config_logging(const LogConfig& log);

// Writes a plugin's log line through spdlog.
void log_plugin_line(as_log_level level, std::string_view plugin, std::string_view context, std::string_view message);

// <dir of this executable>/plugins when it exists (the build tree), else the
// installed <prefix>/lib/alphastream/plugins.
std::string default_plugins_dir();

}  // namespace alphastream::cli
