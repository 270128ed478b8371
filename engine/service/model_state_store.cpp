#include "service/model_state_store.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "book/pipeline_book.h"

namespace alphastream {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'A', 'S', 'M', 'S', 'T', 'A', 'T', '1'};
// A state file is a model's bytes, far below this; more is not one.
constexpr std::uintmax_t kMaxStateFileBytes = 256 << 20;

// "pair-<name>-<label>.state", "symbol-<SYMBOL>-<label>.state"; characters a
// file name should not carry become '_'.
std::string file_name(std::string_view kind, std::string_view owner, std::string_view label) {
  std::string name = std::string(kind) + "-" + std::string(owner) + "-" + std::string(label);
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.';
    if (!plain) c = '_';
  }
  return name + ".state";
}

// What a saved state must match: the journal's extent when it was saved.
struct Fingerprint {
  std::uint64_t trade_count;
  std::uint64_t next_sequence;
  std::int64_t last_transact_time_ms;
};

Fingerprint fingerprint(const JournalSummary& journal) {
  return {journal.trade_count, journal.next_sequence, journal.last_transact_time_ms};
}

// Every model of the books with its file name.
template <class F>
void for_each_model(const std::vector<PipelineBook*>& books, F f) {
  for (PipelineBook* book : books) {
    for (const PairModelRun& run : book->pairs()) {
      f(file_name("pair", run.pipeline->spec().name, run.label), run.pipeline->model());
    }
    for (const SymbolModelRun& run : book->symbol_models()) {
      f(file_name("symbol", run.pipeline->spec().symbol.view(), run.label), run.pipeline->model());
    }
  }
}

}  // namespace

std::vector<ModelState> capture_model_states(PipelineBook& book) {
  std::vector<ModelState> states;
  std::vector<PipelineBook*> books = {&book};
  for_each_model(books, [&](const std::string& name, ModelInstance& model) {
    ModelState& state = states.emplace_back();
    state.file_name = name;
    auto bytes = model.save_state();
    if (!bytes) return;  // a model without the extension replays trades only
    state.bytes = std::move(bytes.value());
    state.saved = true;
  });
  return states;
}

ModelStateCounts save_model_states(const std::string& dir, const JournalSummary& journal,
                                   const std::vector<ModelState>& states) {
  ModelStateCounts counts;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    counts.problems.push_back(dir + ": cannot create: " + ec.message());
    return counts;
  }
  const Fingerprint print = fingerprint(journal);
  for (const ModelState& state : states) {
    const fs::path path = fs::path(dir) / state.file_name;
    if (!state.saved) {
      ++counts.skipped;
      fs::remove(path, ec);
      continue;
    }
    const fs::path temp = path.string() + ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(kMagic, sizeof kMagic);
      out.write(reinterpret_cast<const char*>(&print), sizeof print);
      out.write(reinterpret_cast<const char*>(state.bytes.data()), static_cast<std::streamsize>(state.bytes.size()));
      out.close();
      if (!out) {
        counts.problems.push_back(temp.string() + ": write failed");
        fs::remove(temp, ec);
        continue;
      }
    }
    fs::rename(temp, path, ec);
    if (ec) {
      counts.problems.push_back(path.string() + ": " + ec.message());
      continue;
    }
    ++counts.saved;
  }
  return counts;
}

ModelStateCounts restore_model_states(const std::string& dir, const JournalSummary& journal,
                                      const std::vector<PipelineBook*>& books) {
  ModelStateCounts counts;
  const Fingerprint print = fingerprint(journal);
  for_each_model(books, [&](const std::string& name, ModelInstance& model) {
    const fs::path path = fs::path(dir) / name;
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) return;  // nothing saved for this model
    if (size < sizeof kMagic + sizeof(Fingerprint) || size > kMaxStateFileBytes) {
      counts.problems.push_back(path.string() + ": not a saved model state (" + std::to_string(size) + " bytes)");
      return;
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Fingerprint saved{};
    if (file.size() != size || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
      counts.problems.push_back(path.string() + ": not a saved model state");
      return;
    }
    std::memcpy(&saved, file.data() + sizeof kMagic, sizeof saved);
    if (saved.trade_count != print.trade_count || saved.next_sequence != print.next_sequence ||
        saved.last_transact_time_ms != print.last_transact_time_ms) {
      // Trades were recorded after it was saved (a crash, another writer):
      // the model keeps the state its warm-up replay built.
      ++counts.skipped;
      return;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(file.data()) + sizeof kMagic + sizeof saved;
    Status restored = model.restore_state({bytes, file.size() - sizeof kMagic - sizeof saved});
    if (!restored) {
      counts.problems.push_back(path.string() + ": " + restored.message());
      return;
    }
    ++counts.saved;
  });
  return counts;
}

}  // namespace alphastream
