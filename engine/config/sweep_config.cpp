#include "config/sweep_config.h"

#include <algorithm>
#include <regex>

#include <yaml-cpp/yaml.h>

namespace alphastream {

namespace {

constexpr std::string_view kKeysSwept = "model.params.<name>, zscore.<key> or adf.<key>";

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// The pair's model mapping: `model`, or the only entry of `models`.
YAML::Node model_of(YAML::Node pair, const std::string& name, Status& problem) {
  if (pair["model"]) return pair["model"];
  const YAML::Node models = pair["models"];
  if (models && models.IsSequence() && models.size() == 1) return models[0];
  problem = Status::invalid_input("sweep: pair " + name +
                                  " has several models; a sweep varies one (narrow it to one model in a config)");
  return YAML::Node();
}

// Sets key (a dotted path under the pair) to value, written as YAML would.
Status set_key(YAML::Node pair, const std::string& name, const std::string& key, const std::string& value) {
  const std::vector<std::string> path = split(key, '.');
  // reset(), not '=': assigning a yaml-cpp node overwrites what it refers to.
  YAML::Node node;
  node.reset(pair);
  std::size_t first = 0;
  if (path[0] == "model") {
    Status problem;
    node.reset(model_of(pair, name, problem));
    if (!problem) return problem;
    first = 1;
  }
  for (std::size_t i = first; i + 1 < path.size(); ++i) node.reset(node[path[i]]);
  node[path.back()] = YAML::Load(value);
  return Status::ok();
}

// A config reader's message without its "<file>:<line>: " prefix: the
// lines are those of a generated document.
std::string without_location(const std::string& message) {
  static const std::regex prefix(R"(^[^\n]*?:\d+(:\d+)?: )", std::regex::multiline);
  return std::regex_replace(message, prefix, "");
}

}  // namespace

Result<SweepAxis> parse_sweep_axis(std::string_view text) {
  const std::size_t equals = text.find('=');
  const std::string where = "--grid " + std::string(text);
  if (equals == std::string_view::npos || equals == 0) {
    return Status::invalid_input(where + ": expected KEY=V1,V2,... with KEY one of " + std::string(kKeysSwept));
  }
  SweepAxis axis;
  axis.key = std::string(text.substr(0, equals));
  const std::vector<std::string> path = split(axis.key, '.');
  const bool known = (path.size() == 3 && path[0] == "model" && path[1] == "params" && !path[2].empty()) ||
                     (path.size() == 2 && (path[0] == "zscore" || path[0] == "adf") && !path[1].empty());
  if (!known) {
    return Status::invalid_input(where + ": a sweep varies a pair's " + std::string(kKeysSwept) + ", not '" +
                                 axis.key + "'");
  }
  axis.values = split(text.substr(equals + 1), ',');
  for (const std::string& value : axis.values) {
    if (value.empty()) return Status::invalid_input(where + ": an empty value");
    if (value.find_first_of("{}[]:#&*!|>'\"%@`") != std::string::npos) {
      return Status::invalid_input(where + ": '" + value + "' is no plain value");
    }
  }
  return axis;
}

Result<EngineConfig> expand_sweep(const EngineConfig& base, const std::vector<SweepAxis>& axes,
                                  const std::vector<std::string>& pairs, std::vector<SweepVariant>& variants) {
  if (axes.empty()) return Status::invalid_input("sweep: no --grid given");
  std::size_t combinations = 1;
  for (const SweepAxis& axis : axes) {
    const bool repeated = std::count_if(axes.begin(), axes.end(), [&](const SweepAxis& a) { return a.key == axis.key; }) > 1;
    if (repeated) return Status::invalid_input("sweep: --grid " + axis.key + " given twice");
    combinations *= axis.values.size();
    if (combinations > kMaxSweepVariants) {
      return Status::invalid_input("sweep: more than " + std::to_string(kMaxSweepVariants) + " combinations");
    }
  }
  const auto text = read_config_text(base.path);
  if (!text) return Status::invalid_input(text.error());
  YAML::Node document;
  try {
    document = YAML::Load(text.value());
  } catch (const YAML::Exception& e) {
    return Status::invalid_input(base.path + ": " + e.msg);
  }
  const YAML::Node base_pairs = document["pairs"];
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < base.pairs.size(); ++i) {
    if (pairs.empty() || std::find(pairs.begin(), pairs.end(), base.pairs[i].name) != pairs.end()) selected.push_back(i);
  }
  for (const std::string& name : pairs) {
    const bool known = std::any_of(base.pairs.begin(), base.pairs.end(), [&](const PairConfig& p) { return p.name == name; });
    if (!known) return Status::invalid_input("--pair " + name + ": no such pair in " + base.path);
  }
  if (selected.size() * combinations > kMaxSweepVariants) {
    return Status::invalid_input("sweep: more than " + std::to_string(kMaxSweepVariants) + " pair variants");
  }

  EngineConfig expanded = base;
  expanded.pairs.clear();
  expanded.symbols.clear();
  variants.clear();
  std::vector<std::size_t> index(axes.size(), 0);
  for (std::size_t combination = 0; combination < combinations; ++combination) {
    std::vector<std::string> values;
    std::string described;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      values.push_back(axes[a].values[index[a]]);
      described.append(described.empty() ? "" : ", ").append(axes[a].key).append("=").append(values.back());
    }
    // One document per combination: every selected pair, the axes applied.
    YAML::Node variant = YAML::Clone(document);
    variant.remove("symbols");
    YAML::Node variant_pairs(YAML::NodeType::Sequence);
    for (const std::size_t p : selected) {
      YAML::Node pair = YAML::Clone(base_pairs[p]);
      for (std::size_t a = 0; a < axes.size(); ++a) {
        if (Status set = set_key(pair, base.pairs[p].name, axes[a].key, values[a]); !set) return set;
      }
      const std::string name = base.pairs[p].name + ".s" + std::to_string(combination);
      pair["name"] = name;
      variant_pairs.push_back(pair);
      variants.push_back({base.pairs[p].name, name, values});
    }
    variant["pairs"] = variant_pairs;
    YAML::Emitter emitter;
    emitter << variant;
    auto parsed = parse_config(emitter.c_str(), base.path);
    if (!parsed) {
      return Status::invalid_input("sweep: the combination " + described + " is refused:\n" +
                                   without_location(parsed.error()));
    }
    // The plugin host puts a parameter's location before its complaint: name
    // the combination, not a line of the generated document.
    for (PairConfig& pair : parsed->pairs) {
      const std::string where = "sweep: the combination " + described + ": " + pair.name;
      for (ModelConfig& model : pair.models) {
        model.location = where + ".model.plugin";
        for (ModelParam& param : model.params) param.location = where + ".model.params." + param.key;
      }
      expanded.pairs.push_back(std::move(pair));
    }
    // The next combination: the last axis fastest.
    for (std::size_t a = axes.size(); a-- > 0;) {
      if (++index[a] < axes[a].values.size()) break;
      index[a] = 0;
    }
  }
  return expanded;
}

}  // namespace alphastream
