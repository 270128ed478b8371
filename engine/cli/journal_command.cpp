// `alphastream journal --journal PATH`: what a recording holds, symbol by
// symbol, from a scan in key order (read-only, beside a running recorder):
// trades, the span of transact times, the first and last aggregate ids,
// gaps and missing ids, duplicates, and ids that jump beyond --max-id-jump,
// which is how a poisoned record shows. The stored resume point (the highest
// id) is compared with the last id the scan finds plausible: `run` continues
// the live sequence after the plausible one.
#include <cstdio>
#include <algorithm>
#include <ctime>
#include <limits>
#include <map>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "feed/agg_id_sequencer.h"
#include "storage/trade_journal.h"

namespace alphastream::cli {

namespace {

std::string utc(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// One symbol's sequence as the scan sees it.
struct SymbolScan {
  std::uint64_t trades = 0;
  std::int64_t first_ms = 0, last_ms = 0;
  std::int64_t first_id = 0;
  AggIdSequencer sequencer;
  std::uint64_t implausible = 0;  // jumps beyond --max-id-jump, not taken into the sequence
  std::int64_t highest_seen = 0;
};

}  // namespace

void add_journal_options(CLI::App& command, JournalArgs& args) {
  command.add_option("--journal", args.journal, "LMDB journal directory")->required();
  command.add_option("--symbol", args.symbols, "only this symbol (repeatable)");
  command.add_option("--max-id-jump", args.max_id_jump, "an id further above the last one is reported as implausible")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

int run_journal(const JournalArgs& args) {
  auto journal = TradeJournal::open(args.journal);
  if (!journal) {
    spdlog::error("{}", journal.error());
    return kExitBadInput;
  }
  auto summary = journal.value()->summary();
  if (!summary) {
    spdlog::error("{}", summary.error());
    return kExitFailure;
  }
  std::map<std::string, SymbolScan> scans;
  auto scanned = journal.value()->for_each(
      std::numeric_limits<std::int64_t>::min(), TradeJournal::kEndOfTime, [&](const AggTrade& trade) {
        const std::string symbol(trade.symbol.view());
        if (!args.symbols.empty() && std::find(args.symbols.begin(), args.symbols.end(), symbol) == args.symbols.end()) {
          return true;
        }
        SymbolScan& scan = scans[symbol];
        if (scan.trades++ == 0) {
          scan.first_ms = trade.transact_time_ms;
          scan.first_id = trade.agg_trade_id;
        }
        scan.last_ms = trade.transact_time_ms;
        scan.highest_seen = std::max(scan.highest_seen, trade.agg_trade_id);
        // The same rule as the live feed's: a jump no later id follows is no id.
        const bool jump = scan.sequencer.started() && trade.agg_trade_id > scan.sequencer.last_accepted() &&
                          trade.agg_trade_id - scan.sequencer.last_accepted() > args.max_id_jump;
        if (jump || trade.agg_trade_id < 0) {
          ++scan.implausible;
          return true;
        }
        scan.sequencer.observe(trade.agg_trade_id);
        return true;
      });
  if (!scanned) {
    spdlog::error("{}", scanned.error());
    return kExitFailure;
  }
  std::printf("journal %s: %llu trades, %s .. %s\n", args.journal.c_str(),
              static_cast<unsigned long long>(summary->trade_count),
              summary->trade_count ? utc(summary->first_transact_time_ms).c_str() : "-",
              summary->trade_count ? utc(summary->last_transact_time_ms).c_str() : "-");
  bool suspicious = false;
  for (const SymbolSummary& stored : summary->symbols) {
    const std::string symbol(stored.symbol.view());
    const auto found = scans.find(symbol);
    if (found == scans.end()) continue;
    const SymbolScan& scan = found->second;
    const std::int64_t plausible_last = scan.sequencer.started() ? scan.sequencer.last_accepted() : 0;
    std::printf("symbol  %s: %llu trades, %s .. %s, ids %lld .. %lld, %llu gaps (%llu missing ids), %llu "
                "duplicates, %llu implausible ids; resume point stored %lld, plausible %lld\n",
                symbol.c_str(), static_cast<unsigned long long>(scan.trades), utc(scan.first_ms).c_str(),
                utc(scan.last_ms).c_str(), static_cast<long long>(scan.first_id),
                static_cast<long long>(scan.highest_seen), static_cast<unsigned long long>(scan.sequencer.gaps()),
                static_cast<unsigned long long>(scan.sequencer.missing_ids()),
                static_cast<unsigned long long>(scan.sequencer.duplicates()),
                static_cast<unsigned long long>(scan.implausible), static_cast<long long>(stored.last_agg_trade_id),
                static_cast<long long>(plausible_last));
    suspicious |= scan.implausible > 0 || stored.last_agg_trade_id != plausible_last;
  }
  if (suspicious) {
    std::printf("note    a stored resume point above the plausible one comes from an implausible id; `run` "
                "continues the live sequence from the feed's own ids when they lie far below it\n");
  }
  return kExitOk;
}

}  // namespace alphastream::cli
