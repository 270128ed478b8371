// `alphastream journal --journal PATH [--repair]`: what a recording holds,
// symbol by symbol, from a scan in key order (read-only, beside a running
// recorder): trades, the span of transact times, the first and last
// aggregate ids, gaps and missing ids, duplicates, and implausible ids,
// judged by the live feed's rule (IdJumpGuard: a jump beyond --max-id-jump
// that the symbol's next id does not continue), which is how a poisoned
// record shows. The stored resume point (the highest id) is compared with
// the last plausible one. --repair then drops the implausible records and
// rewrites the resume points; it needs the service stopped.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "feed/agg_id_sequencer.h"
#include "feed/id_jump_guard.h"
#include "storage/journal_repair.h"
#include "storage/trade_journal.h"

namespace alphastream::cli {

std::string utc(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

namespace {

struct Record {
  TradeKey key;
  std::int64_t id = 0;
};

// One symbol's sequence as the scan sees it.
struct SymbolScan {
  std::uint64_t trades = 0;
  std::int64_t first_ms = 0, last_ms = 0;
  std::int64_t first_id = 0;
  AggIdSequencer sequencer;
  IdJumpGuard<Record> jump_guard;
  std::vector<Record> implausible;  // not taken into the sequence
  std::int64_t highest_seen = 0;
};

// Scans the journal; false (logged) on a read error.
bool scan_journal(const TradeJournal& journal, const JournalArgs& args, std::map<std::string, SymbolScan>& scans) {
  auto cursor = journal.cursor(std::numeric_limits<std::int64_t>::min(), TradeJournal::kEndOfTime);
  if (!cursor) {
    spdlog::error("{}", cursor.error());
    return false;
  }
  AggTrade trade;
  Result<bool> more = cursor.value()->next(trade);
  for (; more && *more; more = cursor.value()->next(trade)) {
    const std::string symbol(trade.symbol.view());
    if (!args.symbols.empty() && std::find(args.symbols.begin(), args.symbols.end(), symbol) == args.symbols.end()) {
      continue;
    }
    SymbolScan& scan = scans[symbol];
    if (scan.trades++ == 0) {
      scan.first_ms = trade.transact_time_ms;
      scan.first_id = trade.agg_trade_id;
    }
    scan.last_ms = trade.transact_time_ms;
    scan.highest_seen = std::max(scan.highest_seen, trade.agg_trade_id);
    const Record record{{trade.transact_time_ms, cursor.value()->sequence()}, trade.agg_trade_id};
    if (trade.agg_trade_id < 0) {
      scan.implausible.push_back(record);
      continue;
    }
    const auto step = scan.jump_guard.next(scan.sequencer, trade.agg_trade_id, record, args.max_id_jump);
    if (step.released) scan.sequencer.observe(step.released->id);
    if (step.refused) scan.implausible.push_back(*step.refused);
    if (step.take) scan.sequencer.observe(trade.agg_trade_id);
  }
  if (!more) {
    spdlog::error("{}", more.error());
    return false;
  }
  // A jump no later id followed is no id.
  for (auto& [symbol, scan] : scans) {
    if (const auto left = scan.jump_guard.finish()) scan.implausible.push_back(*left);
  }
  return true;
}

int repair(const JournalArgs& args, const std::map<std::string, SymbolScan>& scans) {
  std::vector<TradeKey> drop;
  for (const auto& [symbol, scan] : scans) {
    for (const Record& record : scan.implausible) drop.push_back(record.key);
  }
  if (drop.empty()) {
    std::printf("repair  nothing to drop\n");
    return kExitOk;
  }
  const Result<JournalRepair> repaired = drop_journal_records(args.journal, drop);
  if (!repaired) {
    spdlog::error("repair: {} (stop the service that records into it first)", repaired.error());
    return kExitFailure;
  }
  std::printf("repair  dropped %llu records\n", static_cast<unsigned long long>(repaired->dropped));
  for (const SymbolSummary& before : repaired->before) {
    const auto after = std::find_if(repaired->after.begin(), repaired->after.end(),
                                    [&](const SymbolSummary& s) { return s.symbol == before.symbol; });
    if (after == repaired->after.end()) {
      std::printf("repair  %s: no trade left\n", std::string(before.symbol.view()).c_str());
    } else if (after->trade_count != before.trade_count || after->last_agg_trade_id != before.last_agg_trade_id) {
      std::printf("repair  %s: %llu -> %llu trades, resume point %lld -> %lld\n",
                  std::string(before.symbol.view()).c_str(), static_cast<unsigned long long>(before.trade_count),
                  static_cast<unsigned long long>(after->trade_count), static_cast<long long>(before.last_agg_trade_id),
                  static_cast<long long>(after->last_agg_trade_id));
    }
  }
  return kExitOk;
}

}  // namespace

void add_journal_options(CLI::App& command, JournalArgs& args) {
  command.add_option("--journal", args.journal, "LMDB journal directory")->required();
  command.add_option("--symbol", args.symbols, "only this symbol (repeatable)");
  command.add_option("--max-id-jump", args.max_id_jump,
                     "an id further above the last one that the next id does not continue is implausible")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_flag("--repair", args.repair,
                   "drop the implausible records and rewrite the resume points (stop the service first)");
}

std::optional<OpenedJournal> open_journal(const std::string& path, int& exit_code) {
  auto journal = TradeJournal::open(path);
  if (!journal) {
    spdlog::error("{}", journal.error());
    exit_code = kExitBadInput;
    return std::nullopt;
  }
  auto summary = journal.value()->summary();
  if (!summary) {
    spdlog::error("{}", summary.error());
    exit_code = kExitFailure;
    return std::nullopt;
  }
  return OpenedJournal{std::move(journal.value()), std::move(summary.value())};
}

int run_journal(const JournalArgs& args) {
  std::map<std::string, SymbolScan> scans;
  {
    int exit_code = kExitOk;
    auto opened = open_journal(args.journal, exit_code);
    if (!opened) return exit_code;
    auto& journal = opened->journal;
    const JournalSummary* summary = &opened->summary;
    if (!scan_journal(*journal, args, scans)) return kExitFailure;
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
                  "duplicates, %zu implausible ids; resume point stored %lld, plausible %lld\n",
                  symbol.c_str(), static_cast<unsigned long long>(scan.trades), utc(scan.first_ms).c_str(),
                  utc(scan.last_ms).c_str(), static_cast<long long>(scan.first_id),
                  static_cast<long long>(scan.highest_seen), static_cast<unsigned long long>(scan.sequencer.gaps()),
                  static_cast<unsigned long long>(scan.sequencer.missing_ids()),
                  static_cast<unsigned long long>(scan.sequencer.duplicates()), scan.implausible.size(),
                  static_cast<long long>(stored.last_agg_trade_id), static_cast<long long>(plausible_last));
      constexpr std::size_t kListed = 20;
      for (std::size_t i = 0; i < std::min(kListed, scan.implausible.size()); ++i) {
        const Record& record = scan.implausible[i];
        std::printf("        %s: implausible id %lld at %s (sequence %llu)\n", symbol.c_str(),
                    static_cast<long long>(record.id), utc(record.key.transact_time_ms).c_str(),
                    static_cast<unsigned long long>(record.key.sequence));
      }
      if (scan.implausible.size() > kListed) {
        std::printf("        %s: and %zu more\n", symbol.c_str(), scan.implausible.size() - kListed);
      }
      suspicious |= !scan.implausible.empty() || stored.last_agg_trade_id != plausible_last;
    }
    if (suspicious && !args.repair) {
      std::printf("note    a stored resume point above the plausible one comes from an implausible id; `run` "
                  "continues the live sequence from the feed's own ids when they lie far below it; "
                  "`alphastream journal --repair` drops such records (with the service stopped)\n");
    }
  }  // closed: this process may open the journal only once at a time
  return args.repair ? repair(args, scans) : kExitOk;
}

}  // namespace alphastream::cli
