#include "config/yaml_reader.h"

#include "core/nearest_name.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

namespace alphastream {
namespace {

// yaml-cpp marks are 0-based and absent (-1) on nodes it made up.
int line_of(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

// yaml-cpp gives a plain scalar the non-specific tag "?"; quoting gives "!".
bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// What a number or boolean field got, saying why quoted text is not a number.
std::string describe_non_plain(const YAML::Node& node) {
  if (!node.IsScalar() || is_plain_scalar(node)) return describe(node);
  if (node.Tag() == "!") return describe(node) + " (quoted, so text)";
  return describe(node) + " (tagged " + node.Tag() + ")";
}

std::string where(std::string_view path) {
  return path.empty() ? std::string("at the top level") : "in " + std::string(path);
}

std::string_view strip_plus(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  return text;
}

}  // namespace

ConfigReader::ConfigReader(std::string source_name)
    : source_name_(std::move(source_name)), base_dir_(std::filesystem::path(source_name_).parent_path()) {}

void ConfigReader::add_error(int line, std::string_view path, std::string_view problem) {
  std::string message = source_name_ + ":" + std::to_string(line) + ": ";
  if (!path.empty()) message.append(path).append(": ");
  message.append(problem);
  errors_.push_back({line, std::move(message)});
}

void ConfigReader::add_syntax_error(int line, int column, std::string_view problem) {
  errors_.push_back(
      {line, source_name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + std::string(problem)});
}

Status ConfigReader::errors() const {
  std::vector<Error> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Error& a, const Error& b) { return a.line < b.line; });
  std::string text;
  for (const Error& e : sorted) {
    if (!text.empty()) text += '\n';
    text += e.message;
  }
  return Status::error(std::move(text));
}

std::string ConfigReader::location(int line, std::string_view path) const {
  return source_name_ + ":" + std::to_string(line) + ": " + std::string(path);
}

std::string ConfigReader::resolve_path(std::string_view path) const {
  std::filesystem::path p(path);
  if (p.is_relative()) p = base_dir_ / p;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(p, ec);
  if (!ec) p = std::move(absolute);
  p = p.lexically_normal();
  // "dir/" normalises to "dir/"; callers compare and print directories without it.
  if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  return p.string();
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string element_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::vector<YamlEntry> read_entries(ConfigReader& reader, const YamlValue& map) {
  std::vector<YamlEntry> entries;
  if (!map.node.IsDefined() || map.node.IsNull()) return entries;
  if (!map.node.IsMap()) {
    reader.add_error(map.line, map.path, "expected a mapping, got " + describe(map.node));
    return entries;
  }
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    const int key_line = line_of(it->first, map.line);
    if (!it->first.IsScalar()) {
      reader.add_error(key_line, map.path, "expected text as a key, got " + describe(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    auto first = std::find_if(entries.begin(), entries.end(), [&](const YamlEntry& e) { return e.key == key; });
    if (first != entries.end()) {
      reader.add_error(key_line, "",
                       "duplicate key '" + key + "' " + where(map.path) + " (first at line " +
                           std::to_string(first->key_line) + ")");
      continue;
    }
    const YAML::Node value = it->second;
    const int value_line = value.IsNull() ? key_line : line_of(value, key_line);
    entries.push_back({key, key_line, {value, child_path(map.path, key), value_line}});
  }
  return entries;
}

std::vector<YamlValue> read_list(ConfigReader& reader, const YamlValue& list, std::string_view expected) {
  std::vector<YamlValue> elements;
  if (!list.node.IsSequence()) {
    reader.add_error(list.line, list.path, "expected " + std::string(expected) + ", got " + describe(list.node));
    return elements;
  }
  for (auto it = list.node.begin(); it != list.node.end(); ++it) {
    const YAML::Node element = *it;
    elements.push_back({element, element_path(list.path, elements.size()), line_of(element, list.line)});
  }
  return elements;
}

MapReader::MapReader(ConfigReader& reader, const YamlValue& map, std::initializer_list<std::string_view> known_keys)
    : reader_(reader), map_(map) {
  is_mapping_ = !map.node.IsDefined() || map.node.IsNull() || map.node.IsMap();
  entries_ = read_entries(reader, map);
  for (const YamlEntry& entry : entries_) {
    if (std::find(known_keys.begin(), known_keys.end(), entry.key) != known_keys.end()) continue;
    const std::string_view nearest =
        nearest_name(entry.key, std::span<const std::string_view>(known_keys.begin(), known_keys.size()));
    std::string problem = "unknown key '" + entry.key + "' " + where(map.path);
    if (!nearest.empty()) problem += " (did you mean '" + std::string(nearest) + "'?)";
    reader.add_error(entry.key_line, "", problem);
  }
}

std::optional<YamlValue> MapReader::find(std::string_view key) const {
  for (const YamlEntry& entry : entries_) {
    if (entry.key == key) return entry.value;
  }
  return std::nullopt;
}

std::optional<YamlValue> MapReader::require(std::string_view key) {
  std::optional<YamlValue> value = find(key);
  if (!value && is_mapping_) reader_.add_error(map_.line, map_.path, "missing required key '" + std::string(key) + "'");
  return value;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "\"" + node.Scalar() + "\"";
}

std::optional<double> parse_number(std::string_view text) {
  text = strip_plus(text);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  // from_chars also reads "inf" and "nan"; a config has no use for either.
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  const std::string_view digits = strip_plus(text);
  std::int64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (ec == std::errc() && ptr == end) return value;
  // Larger magnitudes cannot be told apart from their neighbours as doubles.
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  const std::optional<double> number = parse_number(text);
  if (!number || std::trunc(*number) != *number || std::fabs(*number) > kMaxExact) return std::nullopt;
  return static_cast<std::int64_t>(*number);
}

std::optional<std::string> read_text(ConfigReader& reader, const YamlValue& value, std::string_view expected) {
  if (value.node.IsScalar() && !value.node.Scalar().empty()) return value.node.Scalar();
  reader.add_error(value.line, value.path, "expected " + std::string(expected) + ", got " + describe(value.node));
  return std::nullopt;
}

std::optional<std::int64_t> read_positive_integer(ConfigReader& reader, const YamlValue& value, std::int64_t max) {
  std::optional<std::int64_t> n;
  if (is_plain_scalar(value.node)) n = parse_integer(value.node.Scalar());
  if (n && *n >= 1 && *n <= max) return n;
  std::string expected = "expected a positive integer";
  if (n && *n > max) expected += " no larger than " + std::to_string(max);
  reader.add_error(value.line, value.path, expected + ", got " + describe_non_plain(value.node));
  return std::nullopt;
}

std::optional<NumberOrBool> read_number_or_bool(ConfigReader& reader, const YamlValue& value) {
  if (is_plain_scalar(value.node)) {
    if (const std::optional<bool> b = parse_bool(value.node.Scalar())) return NumberOrBool{*b ? 1.0 : 0.0, true};
    if (const std::optional<double> x = parse_number(value.node.Scalar())) return NumberOrBool{*x, false};
  }
  reader.add_error(value.line, value.path, "expected a number or a boolean, got " + describe_non_plain(value.node));
  return std::nullopt;
}

std::optional<bool> read_bool(ConfigReader& reader, const YamlValue& value) {
  const std::optional<NumberOrBool> b = read_number_or_bool(reader, value);
  if (!b) return std::nullopt;
  if (b->is_bool) return b->value != 0;
  reader.add_error(value.line, value.path, "expected true or false, got " + describe(value.node));
  return std::nullopt;
}

std::optional<double> read_number(ConfigReader& reader, const YamlValue& value, NumberRange range) {
  std::optional<double> x;
  if (is_plain_scalar(value.node)) x = parse_number(value.node.Scalar());
  if (x && range == NumberRange::kAny) return x;
  if (x && range == NumberRange::kNonNegative && *x >= 0) return x;
  if (x && range == NumberRange::kPositive && *x > 0) return x;
  const char* expected = range == NumberRange::kAny           ? "a number"
                         : range == NumberRange::kNonNegative ? "a number >= 0"
                                                              : "a positive number";
  reader.add_error(value.line, value.path,
                   "expected " + std::string(expected) + ", got " + describe_non_plain(value.node));
  return std::nullopt;
}

std::optional<std::size_t> read_choice(ConfigReader& reader, const YamlValue& value,
                                       std::initializer_list<std::string_view> choices) {
  if (value.node.IsScalar()) {
    const auto it = std::find(choices.begin(), choices.end(), value.node.Scalar());
    if (it != choices.end()) return static_cast<std::size_t>(it - choices.begin());
  }
  std::string expected = "expected one of ";
  for (auto it = choices.begin(); it != choices.end(); ++it) {
    if (it != choices.begin()) expected += ", ";
    expected += *it;
  }
  reader.add_error(value.line, value.path, expected + ", got " + describe(value.node));
  return std::nullopt;
}

}  // namespace alphastream
