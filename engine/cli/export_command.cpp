// `alphastream export`: a recorded journal back to data.binance.vision
// aggTrades CSV files, one per symbol, that `alphastream backtest --data`
// reads. Exporting a recording and backtesting it gives what `alphastream
// replay` gives.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "config/service_config.h"
#include "feed/agg_trade_csv_writer.h"
#include "storage/trade_journal.h"

namespace alphastream::cli {
namespace {

struct SymbolFile {
  Symbol symbol;
  std::unique_ptr<AggTradeCsvWriter> writer;
};

// The journal's symbols, or the asked-for ones; an asked-for symbol the
// journal never recorded is bad input.
Result<std::vector<std::string>> selected_symbols(const JournalSummary& summary, const ExportArgs& args,
                                                  const std::string& journal) {
  std::vector<std::string> recorded;
  for (const SymbolSummary& s : summary.symbols) recorded.emplace_back(s.symbol.view());
  if (args.symbols.empty()) return recorded;
  std::vector<std::string> chosen;
  for (const std::string& asked : args.symbols) {
    if (std::find(recorded.begin(), recorded.end(), asked) == recorded.end()) {
      std::string known;
      for (const std::string& name : recorded) known += (known.empty() ? "" : ", ") + name;
      return Status::invalid_input("--symbol " + asked + ": not recorded in " + journal + " (it holds: " +
                                   (known.empty() ? "no trades" : known) + ")");
    }
    if (std::find(chosen.begin(), chosen.end(), asked) == chosen.end()) chosen.push_back(asked);
  }
  return chosen;
}

}  // namespace

void add_export_options(CLI::App& command, ExportArgs& args) {
  command.add_option("--journal", args.journal, "LMDB journal directory written by `alphastream run`")->required();
  add_time_range_options(command, args.range);
  command.add_option("--out", args.out_dir, "directory for <SYMBOL>-aggTrades.csv files")->required();
  command.add_option("--symbol", args.symbols, "export only this symbol (repeatable; default: every one recorded)");
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

int run_export(const ExportArgs& args) {
  const std::optional<TimeRange> range = parse_time_range(args.range);
  if (!range) return kExitBadInput;
  int exit_code = kExitOk;
  auto opened = open_journal(args.journal, exit_code);
  if (!opened) return exit_code;
  auto& journal = opened->journal;
  auto symbols = selected_symbols(opened->summary, args, args.journal);
  if (!symbols) {
    spdlog::error("{}", symbols.error());
    return kExitBadInput;
  }
  std::error_code error;
  std::filesystem::create_directories(args.out_dir, error);
  if (error) {
    spdlog::error("{}: cannot create directory: {}", args.out_dir, error.message());
    return kExitFailure;
  }

  std::vector<SymbolFile> files;
  for (const std::string& name : symbols.value()) {
    const std::string path = (std::filesystem::path(args.out_dir) / (name + "-aggTrades.csv")).string();
    SymbolFile file{Symbol(name), std::make_unique<AggTradeCsvWriter>(path)};
    Status opened = file.writer->open();
    if (opened) opened = file.writer->append_header();
    if (!opened) {
      spdlog::error("{}", opened.message());
      return kExitFailure;
    }
    files.push_back(std::move(file));
  }

  auto cursor = journal->cursor(range->from_ms, range->to_ms);
  if (!cursor) {
    spdlog::error("{}", cursor.error());
    return kExitFailure;
  }
  const bool progress = !args.no_progress && isatty(STDERR_FILENO) != 0;
  const std::uint64_t recorded = opened->summary.trade_count;
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t read = 0;
  AggTrade trade;
  for (;;) {
    auto more = cursor.value()->next(trade);
    if (!more) {
      spdlog::error("{}", more.error());
      return kExitFailure;
    }
    if (!more.value()) break;
    if ((++read & 0xFFFF) == 0 && progress) {
      std::fprintf(stderr, "\rexport  %llu/%llu trades read", static_cast<unsigned long long>(read),
                   static_cast<unsigned long long>(recorded));
    }
    // A handful of symbols: a scan beats a map and allocates nothing.
    for (SymbolFile& file : files) {
      if (!(file.symbol == trade.symbol)) continue;
      if (Status written = file.writer->append(trade); !written) {
        spdlog::error("{}", written.message());
        return kExitFailure;
      }
      break;
    }
  }
  if (progress && read >= 0x10000) std::fputc('\n', stderr);
  cursor.value().reset();  // the snapshot ends before the journal closes

  std::uint64_t exported = 0;
  for (SymbolFile& file : files) {
    if (Status closed = file.writer->close(); !closed) {
      spdlog::error("{}", closed.message());
      return kExitFailure;
    }
    exported += file.writer->rows();
    std::printf("wrote   %s: %zu trades\n", file.writer->path().c_str(), file.writer->rows());
  }
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("done    %llu trades of %zu symbols exported from %s (%llu in range) in %.2f s\n",
              static_cast<unsigned long long>(exported), files.size(), args.journal.c_str(),
              static_cast<unsigned long long>(read), elapsed_s);
  return kExitOk;
}

}  // namespace alphastream::cli
