// Model state across a restart, through the plugins' "alphastream.state/1"
// extension. A clean stop saves every model that has the extension, with a
// fingerprint of the journal it had recorded up to then; the next start,
// after its warm-up replay of the journal, restores each model whose saved
// journal is the journal it found, so a model with a long memory (Kalman)
// continues exactly where it stopped instead of from the few hours replayed.
// One file per model in <journal>/model-state/, written whole then renamed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/trade_record.h"

namespace alphastream {

class PipelineBook;

struct ModelStateCounts {
  std::uint64_t saved = 0;      // or restored
  std::uint64_t skipped = 0;    // no extension, or saved for another journal
  std::vector<std::string> problems;  // one line each, for the log
};

// The states of a book's models, taken between events on the models'
// thread: a model without the extension has none.
struct ModelState {
  std::string file_name;
  std::vector<std::uint8_t> bytes;
  bool saved = false;
};
std::vector<ModelState> capture_model_states(PipelineBook& book);

// Writes states into dir, each with the journal it belongs to; a model
// without a state loses any older file.
ModelStateCounts save_model_states(const std::string& dir, const JournalSummary& journal,
                                   const std::vector<ModelState>& states);

// [before the models run] Restores what dir holds for the models of books,
// when it was saved with this journal.
ModelStateCounts restore_model_states(const std::string& dir, const JournalSummary& journal,
                                      const std::vector<PipelineBook*>& books);

}  // namespace alphastream
