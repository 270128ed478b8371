// The backtest: historical aggTrade files -> time-ordered merge (a
// TradeStream) -> one PairPipeline per configured pair model and one
// SymbolPipeline per symbol model -> series.csv, trades.csv, summary.json
// and report.html under <out>/<pair>/, series.csv under <out>/symbols/<SYMBOL>/.
#pragma once

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "source/trade_stream.h"
#include "config/engine_config.h"
#include "pipeline/performance.h"
#include "core/funding_rate.h"
#include "core/time_range.h"
#include "core/status.h"

namespace alphastream {

// A data file a run read, as its provenance names it.
struct InputFileDigest {
  std::string symbol;
  std::string path;
  std::uint64_t bytes = 0;
  std::string sha256;  // 64 hex digits; empty when the file could not be hashed
};

// Where a run's results came from, in every pair's summary.json
// ("provenance") and report: enough to tell two runs apart and to run one
// again. Nothing here depends on when or where the run happened, so the
// same run writes the same outputs.
struct RunProvenance {
  std::string engine_version;  // e.g. "0.1.0"
  std::string git_commit;      // `git describe --always --dirty` of the build, or "unknown"
  std::string config_path;     // as given
  std::string config_sha256;
  // The data files (run_backtest hashes them beside the run, through the
  // catalog's digest cache); empty for a journal replay.
  std::vector<InputFileDigest> inputs;
};

struct BacktestOptions {
  EngineConfig config;
  // Upper-case symbol -> its files: each a .csv or .zip, a directory or a
  // glob (find_data_files).
  std::map<std::string, std::vector<std::string>> data_paths;
  TimeRange range;                                // transact times read
  bool allow_symbol_mismatch = false;             // a file named for another symbol is read
  std::string out_dir;
  std::string plugins_dir;                        // resolved: config's, else the CLI default
  // Empty: every configured pair and symbol model. Else those pairs, and
  // the `symbols` entries of their legs only.
  std::vector<std::string> only_pairs;
  bool skip_bad_rows = false;
  std::size_t reorder_window = 65536;
  std::string catalog_dir;  // the binary catalog of imported files (TradeCatalog); empty: none
  // Upper-case symbol -> its fundingRate files (each a file, a directory of
  // <SYMBOL>-fundingRate-* files or a glob): the settlements the pairs with
  // that leg pay or receive while a position is open. A leg without any pays
  // no funding (spot, or funding left out).
  std::map<std::string, std::vector<std::string>> funding_paths;
  // A progress line on stderr (percentage and ETA when the input's size is
  // known): rewritten in place on a terminal, one line every few seconds
  // otherwise; then a final line.
  bool show_progress = false;
  bool progress_terminal = false;
  std::string progress_label = "backtest";
  bool write_outputs = true;                      // false: run the pipeline only (benchmarks)
  bool write_series = true;                       // false: every output but the series.csv files
  // Pipelines (pair models and symbol models) are spread over this many
  // worker threads, each fed every trade from one read of the input while
  // the reading thread reads on, and the pairs' outputs written in parallel
  // too; outputs are the same byte for byte whatever the count. 0: one per
  // core, at most one per pipeline; 1: the pipelines run on the reading
  // thread.
  unsigned threads = 0;
  RunProvenance provenance;
};

struct PairBacktestSummary {
  std::string pair;
  std::string model;
  std::uint64_t observations = 0;
  std::uint64_t stale_drops = 0;       // observations not made: a leg was stale
  std::int64_t longest_break_ms = 0;   // between two observations, across stale drops
  std::uint64_t trades = 0;
  double pnl_usd = 0;
  double sharpe = 0;
  double max_drawdown_usd = 0;
  double adf_pvalue = 0;
  double half_life_obs = 0;
  std::string out_dir;
  PerformanceSummary performance;  // every figure, the daily P&L included
};

struct SymbolBacktestSummary {
  std::string symbol;
  std::string model;               // the model's label
  std::uint64_t trades = 0;        // fed to the model
  std::uint64_t late_trades = 0;   // see SymbolPipeline
  std::uint64_t rows = 0;          // in series.csv
  std::uint64_t model_update_errors = 0;
  std::string out_dir;
};

struct BacktestSummary {
  std::uint64_t trades_read = 0;
  std::vector<std::string> import_summaries;  // one line per symbol
  std::vector<std::string> skipped_rows;      // "path:line: what", the first few per file (--skip-bad-rows)
  std::vector<PairBacktestSummary> pairs;
  std::vector<SymbolBacktestSummary> symbols;  // symbol models, in config order
  double elapsed_s = 0;
};

// A backtest's models and outputs, fed by any TradeStream: the backtest
// gives it merged CSV files, the replay a journal. Everything after the
// stream is deterministic, so the same trades give byte-identical outputs.
class BacktestRunner {
 public:
  // A symbol whose trades the run needs, and who needs it (for messages):
  // "a configured pair" or "a configured symbol model".
  struct NeededSymbol {
    std::string symbol;
    std::string used_by;
  };

  // Creates every model: a bad pair name, plugin or parameter fails here,
  // before any trade is read, as Status::invalid_input.
  static Result<std::unique_ptr<BacktestRunner>> create(const BacktestOptions& options);
  ~BacktestRunner();
  BacktestRunner(const BacktestRunner&) = delete;
  BacktestRunner& operator=(const BacktestRunner&) = delete;

  // Each selected pair's y then x, then the symbol models' symbols, each
  // once: the order in which the CSV merge breaks ties in time.
  const std::vector<NeededSymbol>& symbols() const;

  // The funding settlements of some legs (upper-case symbol -> time-ordered
  // rates), applied by every pair with such a leg. Before run().
  void set_funding(std::map<std::string, std::vector<FundingRate>> funding);

  // Creates the output folders, feeds every trade of the stream to the
  // pipelines of its symbol (trades of other symbols are read and ignored),
  // then writes the outputs (options.threads). inputs, when valid, gives the
  // provenance's input files once the trades are consumed (they are hashed
  // meanwhile). Call once.
  Result<BacktestSummary> run(TradeStream& trades,
                              std::shared_future<std::vector<InputFileDigest>> inputs = {});

 private:
  struct State;
  explicit BacktestRunner(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// BacktestRunner::create, then a CsvTradeStream over options.data_paths for
// runner.symbols(), then run. Errors found before any trade is read (pairs,
// plugins, parameters, a symbol without --data, a --data symbol the config
// does not use, data files that cannot be found or opened, a file named for
// another symbol) are Status::invalid_input.
Result<BacktestSummary> run_backtest(const BacktestOptions& options);

}  // namespace alphastream
