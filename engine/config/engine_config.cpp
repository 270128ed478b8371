#include "config/engine_config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "config/service_config.h"
#include "config/yaml_reader.h"
#include "core/utf8.h"

namespace alphastream {
namespace {

// The first place in text that YAML does not allow (its c-printable set:
// UTF-8 with no control characters but tab, LF and CR), as 1-based line and
// column, with why. yaml-cpp 0.7's LoadAll never returns on some such bytes
// (fuzz/config_loader found NUL and 0xFF making it yield empty documents
// without end), so the text is checked before it reaches the parser.
struct TextProblem {
  int line = 1;
  int column = 1;
  std::string what;
};
std::optional<TextProblem> find_non_yaml_text(std::string_view text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_sequence_length(text.substr(i));
    const auto hex = [](unsigned char b) {
      constexpr char kDigits[] = "0123456789ABCDEF";
      return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
    };
    if (length == 0) return TextProblem{line, column, "byte " + hex(byte) + " is not UTF-8"};
    if (length == 1 && ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F)) {
      return TextProblem{line, column, "control character " + hex(byte) + " is not allowed in YAML"};
    }
    if (byte == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += length;
  }
  return std::nullopt;
}

// Shortest text that reads back as x, e.g. "2" or "2.5".
std::string format_number(double x) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

// A pair name becomes a folder name and a metric label.
bool is_pair_name(std::string_view name) {
  if (name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
}

// A plugin given as a file rather than an id.
bool is_plugin_path(std::string_view plugin) {
  return plugin.find('/') != std::string_view::npos || plugin.ends_with(".so");
}

void read_plugins(ConfigReader& reader, const YamlValue& section, EngineConfig& config) {
  MapReader map(reader, section, {"dir"});
  if (const auto dir = map.find("dir")) {
    if (const auto text = read_text(reader, *dir, "a directory path")) config.plugins_dir = reader.resolve_path(*text);
  }
}

// A day per interval, a week of staleness, a million filled intervals: far
// beyond any use, well short of any overflow.
constexpr std::int64_t kMaxIntervalMs = 86'400'000;
constexpr std::int64_t kMaxStaleMs = 7 * 86'400'000LL;
constexpr std::int64_t kMaxStaleIntervals = 1'000'000;

void read_sampling(ConfigReader& reader, const YamlValue& section, SamplingConfig& sampling) {
  MapReader map(reader, section, {"mode", "interval_ms", "max_stale_ms"});
  if (const auto mode = map.find("mode")) {
    if (const auto index = read_choice(reader, *mode, {"time", "tick"})) {
      sampling.mode = *index == 0 ? SamplingConfig::Mode::kTime : SamplingConfig::Mode::kTick;
    }
  }
  if (const auto interval = map.find("interval_ms")) {
    if (sampling.mode == SamplingConfig::Mode::kTick) {
      // A tick-mode interval would be silently ignored; say so instead.
      reader.add_error(interval->line, interval->path, "only used when mode is time (mode is tick)");
    } else if (const auto ms = read_positive_integer(reader, *interval, kMaxIntervalMs)) {
      sampling.interval_ms = *ms;
    }
  }
  if (const auto stale = map.find("max_stale_ms")) {
    if (const auto ms = read_positive_integer(reader, *stale, kMaxStaleMs)) {
      const bool time_mode = sampling.mode == SamplingConfig::Mode::kTime;
      // Filling a quiet stretch costs one observation per interval up to the
      // limit: bounded, so no gap can stall a shard.
      if (time_mode && *ms < sampling.interval_ms) {
        reader.add_error(stale->line, stale->path,
                         "must be at least interval_ms (" + std::to_string(sampling.interval_ms) + "), got " +
                             describe(stale->node));
      } else if (time_mode && *ms / sampling.interval_ms > kMaxStaleIntervals) {
        reader.add_error(stale->line, stale->path,
                         "must be at most " + std::to_string(kMaxStaleIntervals) + " intervals (" +
                             std::to_string(kMaxStaleIntervals * sampling.interval_ms) + " ms), got " +
                             describe(stale->node));
      } else {
        sampling.max_stale_ms = *ms;
      }
    }
  }
}

void read_backtest(ConfigReader& reader, const YamlValue& section, CostConfig& costs) {
  MapReader map(reader, section, {"fee_bps", "slippage_bps", "notional"});
  if (const auto v = map.find("fee_bps")) {
    if (const auto x = read_number(reader, *v, NumberRange::kNonNegative)) costs.fee_bps = *x;
  }
  if (const auto v = map.find("slippage_bps")) {
    if (const auto x = read_number(reader, *v, NumberRange::kNonNegative)) costs.slippage_bps = *x;
  }
  if (const auto v = map.find("notional")) {
    if (const auto x = read_number(reader, *v, NumberRange::kPositive)) costs.notional = *x;
  }
}

void read_zscore(ConfigReader& reader, const YamlValue& section, ZScoreConfig& z) {
  MapReader map(reader, section, {"window", "entry", "exit", "stop"});
  if (const auto v = map.find("window")) {
    if (const auto window = read_positive_integer(reader, *v, INT_MAX)) {
      // One spread has no sample standard deviation.
      if (*window < 2) {
        reader.add_error(v->line, v->path, "must be at least 2, got " + describe(v->node));
      } else {
        z.window = static_cast<int>(*window);
      }
    }
  }
  bool entry_valid = true;
  if (const auto v = map.find("entry")) {
    const auto entry = read_number(reader, *v, NumberRange::kPositive);
    entry_valid = entry.has_value();
    if (entry) z.entry = *entry;
  }
  const std::string entry_text = "entry (" + format_number(z.entry) + ")";
  if (const auto v = map.find("exit")) {
    if (const auto exit = read_number(reader, *v, NumberRange::kNonNegative)) {
      if (entry_valid && *exit >= z.entry) {
        reader.add_error(v->line, v->path, "must be below " + entry_text + ", got " + describe(v->node));
      } else {
        z.exit = *exit;
      }
    }
  }
  if (const auto v = map.find("stop")) {
    if (const auto stop = read_number(reader, *v, NumberRange::kPositive)) {
      if (entry_valid && *stop <= z.entry) {
        reader.add_error(v->line, v->path, "must be above " + entry_text + ", got " + describe(v->node));
      } else {
        z.stop = *stop;
      }
    }
  }
}

void read_adf(ConfigReader& reader, const YamlValue& section, StationarityConfig& adf) {
  MapReader map(reader, section, {"window", "every", "max_pvalue"});
  if (const auto v = map.require("window")) {
    if (const auto window = read_positive_integer(reader, *v, INT_MAX)) {
      // Fewer spreads leave the AIC lag search too few rows to mean anything.
      if (*window < kMinAdfWindow) {
        reader.add_error(v->line, v->path,
                         "must be at least " + std::to_string(kMinAdfWindow) + ", got " + describe(v->node));
      } else {
        adf.window = static_cast<int>(*window);
      }
    }
  }
  if (const auto v = map.find("every")) {
    if (const auto every = read_positive_integer(reader, *v, INT_MAX)) adf.every = static_cast<int>(*every);
  }
  if (const auto v = map.find("max_pvalue")) {
    if (const auto p = read_number(reader, *v, NumberRange::kPositive)) {
      if (*p > 1) {
        reader.add_error(v->line, v->path, "must be a p-value in (0, 1], got " + describe(v->node));
      } else {
        adf.max_pvalue = *p;
      }
    }
  }
}

void read_params(ConfigReader& reader, const YamlValue& section, std::vector<ModelParam>& params) {
  for (const YamlEntry& entry : read_entries(reader, section)) {
    const auto value = read_number_or_bool(reader, entry.value);
    if (!value) continue;
    params.push_back({entry.key, value->value, value->is_bool, entry.value.node.Scalar(),
                      reader.location(entry.value.line, entry.value.path)});
  }
}

// Where each pair name was first written, to report duplicates.
struct NameSeen {
  std::string name;
  int line;
};

// A plugin path's label is its file name without "lib" and ".so".
std::string default_label(const std::string& plugin) {
  if (!is_plugin_path(plugin)) return plugin;
  std::string stem = std::filesystem::path(plugin).stem().string();
  if (stem.rfind("lib", 0) == 0) stem.erase(0, 3);
  return stem;
}

void read_model(ConfigReader& reader, const YamlValue& section, ModelConfig& model) {
  MapReader map(reader, section, {"plugin", "params", "name"});
  if (const auto v = map.require("plugin")) {
    if (const auto plugin = read_text(reader, *v, "a plugin id or a path to a .so")) {
      model.plugin = is_plugin_path(*plugin) ? reader.resolve_path(*plugin) : *plugin;
      model.location = reader.location(v->line, v->path);
      model.label = default_label(model.plugin);
    }
  }
  if (const auto v = map.find("name")) {
    if (const auto name = read_text(reader, *v, "a model name")) {
      if (is_pair_name(*name)) {
        model.label = *name;
      } else {
        reader.add_error(v->line, v->path,
                         "expected a name of letters, digits, '_', '.' and '-' other than \".\" and \"..\", got " +
                             describe(v->node));
      }
    }
  }
  if (const auto v = map.find("params")) read_params(reader, *v, model.params);
}

// `model: {...}` or `models: [{...}, ...]`; labels distinct within the pair
// since each model's outputs go to a folder of that name.
void read_models(ConfigReader& reader, MapReader& map, const YamlValue& pair_value, std::vector<ModelConfig>& models) {
  const auto single = map.find("model");
  const auto list = map.find("models");
  if (single && list) {
    reader.add_error(list->line, list->path, "give either 'model' or 'models', not both");
    return;
  }
  if (single) {
    read_model(reader, *single, models.emplace_back());
    return;
  }
  if (!list) {
    reader.add_error(pair_value.line, pair_value.path, "missing required key 'model' (or 'models')");
    return;
  }
  if (list->node.IsSequence() && list->node.size() == 0) {
    reader.add_error(list->line, list->path, "expected at least one model, got an empty list");
    return;
  }
  std::vector<NameSeen> labels;
  for (const YamlValue& element : read_list(reader, *list, "a list of models")) {
    ModelConfig& model = models.emplace_back();
    read_model(reader, element, model);
    if (model.label.empty()) continue;
    const auto first =
        std::find_if(labels.begin(), labels.end(), [&](const NameSeen& n) { return n.name == model.label; });
    if (first != labels.end()) {
      reader.add_error(element.line, element.path,
                       "a second model named \"" + model.label + "\" (first at line " + std::to_string(first->line) +
                           "); give one of them a distinct 'name'");
    } else {
      labels.push_back({model.label, element.line});
    }
  }
}

// Upper-cases the symbol; Binance symbols are letters and digits only.
std::optional<std::string> read_symbol(ConfigReader& reader, const YamlValue& value) {
  auto symbol = read_text(reader, value, "a symbol");
  if (!symbol) return std::nullopt;
  for (char& c : *symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool valid = std::all_of(symbol->begin(), symbol->end(), [](unsigned char c) { return std::isalnum(c); });
  if (valid) return symbol;
  reader.add_error(value.line, value.path, "expected a symbol of letters and digits, got " + describe(value.node));
  return std::nullopt;
}


void read_pair(ConfigReader& reader, const YamlValue& element, std::vector<NameSeen>& names, PairConfig& pair) {
  pair.location = reader.location(element.line, element.path);
  MapReader map(reader, element, {"name", "y", "x", "model", "models", "zscore", "adf"});
  if (const auto v = map.require("name")) {
    if (const auto name = read_text(reader, *v, "a pair name")) {
      const auto first = std::find_if(names.begin(), names.end(), [&](const NameSeen& n) { return n.name == *name; });
      if (!is_pair_name(*name)) {
        reader.add_error(v->line, v->path,
                         "expected a name of letters, digits, '_', '.' and '-' other than \".\" and \"..\", got " +
                             describe(v->node));
      } else if (*name == "symbols") {
        // <out>/symbols/ holds the symbol models' outputs.
        reader.add_error(v->line, v->path, "\"symbols\" is reserved for the symbol models' output folder");
      } else if (first != names.end()) {
        reader.add_error(v->line, v->path,
                         "duplicate pair name \"" + *name + "\" (first at line " + std::to_string(first->line) + ")");
      } else {
        names.push_back({*name, v->line});
        pair.name = *name;
      }
    }
  }
  std::optional<std::string> y, x;
  if (const auto v = map.require("y")) y = read_symbol(reader, *v);
  const auto x_value = map.require("x");
  if (x_value) x = read_symbol(reader, *x_value);
  if (y && x && *y == *x) {
    reader.add_error(x_value->line, x_value->path, "the same symbol as y (\"" + *x + "\"); a pair needs two legs");
  }
  pair.y = y.value_or("");
  pair.x = x.value_or("");
  read_models(reader, map, element, pair.models);
  if (const auto v = map.find("zscore")) read_zscore(reader, *v, pair.zscore);
  if (const auto v = map.find("adf")) read_adf(reader, *v, pair.adf);
}

void read_pairs(ConfigReader& reader, const YamlValue& section, std::vector<PairConfig>& pairs) {
  if (section.node.IsSequence() && section.node.size() == 0) {
    reader.add_error(section.line, section.path, "expected at least one pair, got an empty list");
    return;
  }
  std::vector<NameSeen> names;
  for (const YamlValue& element : read_list(reader, section, "a list of pairs")) {
    read_pair(reader, element, names, pairs.emplace_back());
  }
}

void read_symbol_entry(ConfigReader& reader, const YamlValue& element, std::vector<NameSeen>& seen,
                       SymbolConfig& entry) {
  entry.location = reader.location(element.line, element.path);
  MapReader map(reader, element, {"symbol", "model", "models"});
  if (const auto v = map.require("symbol")) {
    if (const auto symbol = read_symbol(reader, *v)) {
      const auto first = std::find_if(seen.begin(), seen.end(), [&](const NameSeen& n) { return n.name == *symbol; });
      if (first != seen.end()) {
        reader.add_error(v->line, v->path,
                         "duplicate symbol \"" + *symbol + "\" (first at line " + std::to_string(first->line) +
                             "); list a symbol once and give it several 'models'");
      } else {
        seen.push_back({*symbol, v->line});
        entry.symbol = *symbol;
      }
    }
  }
  read_models(reader, map, element, entry.models);
}

void read_symbols(ConfigReader& reader, const YamlValue& section, std::vector<SymbolConfig>& symbols) {
  if (section.node.IsSequence() && section.node.size() == 0) {
    reader.add_error(section.line, section.path,
                     "expected at least one symbol, got an empty list (leave 'symbols' out for none)");
    return;
  }
  std::vector<NameSeen> seen;
  for (const YamlValue& element : read_list(reader, section, "a list of symbols")) {
    read_symbol_entry(reader, element, seen, symbols.emplace_back());
  }
}

// A new top-level section is a key here and a reader above.
void read_document(ConfigReader& reader, const YAML::Node& root, EngineConfig& config) {
  const YamlValue document{root, "", root.Mark().is_null() ? 1 : root.Mark().line + 1};
  MapReader map(reader, document,
                {"plugins", "sampling", "backtest", "pairs", "symbols", "engine", "feed", "bus", "storage", "metrics",
                 "log"});
  if (const auto v = map.find("plugins")) read_plugins(reader, *v, config);
  if (const auto v = map.find("sampling")) read_sampling(reader, *v, config.sampling);
  if (const auto v = map.find("backtest")) read_backtest(reader, *v, config.backtest);
  if (const auto v = map.require("pairs")) read_pairs(reader, *v, config.pairs);
  read_service_sections(reader, map, config.service);
  if (const auto v = map.find("symbols")) read_symbols(reader, *v, config.symbols);
}

}  // namespace

namespace {

// Where each YAML document after the first holds something, found with
// yaml-cpp's event parser: its LoadAll loops until memory runs out on text
// the parser cannot move past (",1" yields empty documents at position 0
// forever; fuzz/config_loader found it), so the documents are walked here
// and a document that starts where the last one did ends the walk.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    content.reset();
  }
  void OnDocumentEnd() override {}
  // A document that is only null (a stray "---" at the end) holds nothing.
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { saw(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { saw(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    saw(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    saw(mark);
  }
  void OnMapEnd() override {}

  YAML::Mark start;
  std::optional<YAML::Mark> content;  // the document's first node that is not null

 private:
  void saw(const YAML::Mark& mark) {
    if (!content) content = mark;
  }
};

struct DocumentScan {
  std::vector<YAML::Mark> extra_documents;  // the first node of each non-empty document after the first
  std::optional<YAML::Mark> stuck_at;       // where the parser stopped moving
};

// Throws YAML::Exception on a syntax error, as YAML::Load does.
DocumentScan scan_documents(std::string_view text) {
  std::istringstream stream{std::string(text)};
  YAML::Parser parser(stream);
  DocumentCounter counter;
  DocumentScan scan;
  int last_start = -1;
  for (int document = 0; parser.HandleNextDocument(counter); ++document) {
    if (counter.start.pos <= last_start) {
      scan.stuck_at = counter.start;
      break;
    }
    last_start = counter.start.pos;
    if (document > 0 && counter.content) scan.extra_documents.push_back(*counter.content);
  }
  return scan;
}

}  // namespace

Result<EngineConfig> parse_config(std::string_view yaml_text, const std::string& source_name) {
  ConfigReader reader(source_name);
  if (const std::optional<TextProblem> problem = find_non_yaml_text(yaml_text)) {
    reader.add_syntax_error(problem->line, problem->column, problem->what + "; expected UTF-8 text");
    return reader.errors();
  }
  YAML::Node document;
  DocumentScan scan;
  try {
    scan = scan_documents(yaml_text);
    if (!scan.stuck_at) document = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    const bool marked = !e.mark.is_null();
    reader.add_syntax_error(marked ? e.mark.line + 1 : 1, marked ? e.mark.column + 1 : 1, "invalid YAML: " + e.msg);
    return reader.errors();
  }
  if (scan.stuck_at) {
    reader.add_syntax_error(scan.stuck_at->line + 1, scan.stuck_at->column + 1,
                            "invalid YAML: nothing here starts a node (a ',' or other indicator out of place?)");
    return reader.errors();
  }
  if (!document.IsDefined() || document.IsNull()) {
    reader.add_error(1, "", "the config is empty; expected a mapping with a 'pairs' list");
    return reader.errors();
  }
  for (const YAML::Mark& mark : scan.extra_documents) {
    reader.add_error(mark.is_null() ? 1 : mark.line + 1, "", "expected one YAML document, found another one here");
  }
  EngineConfig config;
  config.path = source_name;
  read_document(reader, document, config);
  if (reader.has_errors()) return reader.errors();
  return config;
}

Result<std::string> read_config_text(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::error("cannot read config file " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("cannot read config file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::error("cannot read config file " + path + ": " + std::strerror(errno));
  return text.str();
}

Result<EngineConfig> load_config(const std::string& path) {
  auto text = read_config_text(path);
  if (!text) return text.status();
  return parse_config(text.value(), path);
}

}  // namespace alphastream
