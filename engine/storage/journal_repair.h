// Repairs a recording that holds records it should not (a poisoned
// aggregate id that became a symbol's resume point): the chosen records are
// dropped and every symbol's summary (trade count, time span, resume point)
// is recomputed from what is left, in one write transaction, so an
// interruption leaves the journal as it was. Sequence numbers are never
// reused. Which records to drop is the caller's decision (`alphastream
// journal --repair` applies the live feed's id-jump rule).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/trade_record.h"

namespace alphastream {

struct JournalRepair {
  std::uint64_t dropped = 0;          // records removed
  std::vector<SymbolSummary> before;  // as stored, by symbol name
  std::vector<SymbolSummary> after;   // as rewritten; a symbol left with no trade has none
};

// Drops the records with these keys (a key that is not there is skipped)
// and rewrites the summaries. Takes recorder.lock, so it is refused while a
// recorder (a running service) has the journal, and this process must not
// have it open otherwise.
Result<JournalRepair> drop_journal_records(const std::string& path, const std::vector<TradeKey>& keys);

}  // namespace alphastream
