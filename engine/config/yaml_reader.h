// Reading a YAML config by hand, section by section, with every problem
// reported as "<file>:<line>: <key path>: <what>" and all problems of a file
// collected before any is returned. Section readers (engine_config.cpp and
// the ones to come) are written against these helpers only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"

namespace alphastream {

// The file being read: its name for messages, its directory for relative
// paths, and the problems found so far.
class ConfigReader {
 public:
  // source_name is used verbatim in messages; relative paths in the file
  // are resolved against its directory (the working directory when it has
  // none).
  explicit ConfigReader(std::string source_name);

  // Records "<file>:<line>: <path>: <problem>", or "<file>:<line>: <problem>"
  // when path is empty. line is 1-based.
  void add_error(int line, std::string_view path, std::string_view problem);
  // Records "<file>:<line>:<column>: <problem>" (a YAML syntax error).
  void add_syntax_error(int line, int column, std::string_view problem);

  bool has_errors() const { return !errors_.empty(); }
  // Every recorded problem, ordered by line (ties in recording order), one
  // per line of the message.
  // REQUIRES: has_errors()
  Status errors() const;

  // "<file>:<line>: <path>": the prefix a later stage (e.g. the plugin host)
  // puts before its own complaint about this value.
  std::string location(int line, std::string_view path) const;

  // An absolute, lexically normal path without a trailing '/': `path`
  // itself when absolute, otherwise joined to the source file's directory.
  std::string resolve_path(std::string_view path) const;

 private:
  struct Error {
    int line;
    std::string message;
  };
  std::string source_name_;
  std::filesystem::path base_dir_;
  std::vector<Error> errors_;
};

// A value in the document with where it was written.
struct YamlValue {
  YAML::Node node;
  std::string path;  // key path, e.g. "pairs[0].zscore.window"; "" for the root
  int line = 1;      // 1-based; an empty value (`key:`) takes its key's line
};

// Key paths for messages: "backtest.fee_bps" ("pairs" under the root) and
// "pairs[2]".
std::string child_path(std::string_view parent, std::string_view key);
std::string element_path(std::string_view parent, std::size_t index);

// One key of a mapping as written.
struct YamlEntry {
  std::string key;
  int key_line = 1;
  YamlValue value;
};

// The entries of a mapping in document order, each key once. Reports a
// value that is not a mapping ("expected a mapping"), keys that are lists
// or mappings, and repeated keys (naming the first one's line). An empty
// value (`section:`) reads as an empty mapping.
std::vector<YamlEntry> read_entries(ConfigReader& reader, const YamlValue& map);

// The elements of a list, each with its path ("pairs[2]") and line. Reports
// a value that is not a list as "expected <expected>, got ...".
std::vector<YamlValue> read_list(ConfigReader& reader, const YamlValue& list, std::string_view expected);

// A mapping whose keys are known in advance. Construction reports everything
// read_entries does, plus each unknown key, with the nearest known key as a
// suggestion when it is within edit distance 2.
class MapReader {
 public:
  MapReader(ConfigReader& reader, const YamlValue& map, std::initializer_list<std::string_view> known_keys);

  // The value of `key`, or nullopt when absent.
  std::optional<YamlValue> find(std::string_view key) const;
  // As find(), but an absent key is reported as missing. Reports nothing when
  // the value was not a mapping at all (that was already reported).
  std::optional<YamlValue> require(std::string_view key);

 private:
  ConfigReader& reader_;
  YamlValue map_;
  bool is_mapping_ = false;
  std::vector<YamlEntry> entries_;
};

// "<what the value is>" for messages: "\"tik\"" for text, "nothing" for an
// empty value, "a list", "a mapping".
std::string describe(const YAML::Node& node);

// Numbers and booleans must be written plain: a quoted "100" is text.
// A number is decimal, optionally signed, with an optional fraction and
// exponent; it must be finite (.inf and .nan are refused), so 1_000 or 0x10
// are not numbers. A boolean is YAML 1.2's true/True/TRUE/false/False/FALSE
// (not yes/no/on/off).
std::optional<double> parse_number(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
// An integer field takes any spelling of an integral value (100, +100,
// 100.0, 1e2) and refuses a fraction (100.5). Values beyond 2^53 must be
// written as plain digits.
std::optional<std::int64_t> parse_integer(std::string_view text);

// Value readers: each returns nullopt after reporting
// "<path>: expected <...>, got <describe(value)>".
// Text is any non-empty scalar, quoted or not.
std::optional<std::string> read_text(ConfigReader& reader, const YamlValue& value, std::string_view expected);
// REQUIRES: 1 <= max
std::optional<std::int64_t> read_positive_integer(ConfigReader& reader, const YamlValue& value,
                                                  std::int64_t max = INT64_MAX);
struct NumberOrBool {
  double value = 0;  // a boolean reads as 1.0 or 0.0
  bool is_bool = false;
};
std::optional<NumberOrBool> read_number_or_bool(ConfigReader& reader, const YamlValue& value);
// true or false; a number is "expected true or false, got <number>".
std::optional<bool> read_bool(ConfigReader& reader, const YamlValue& value);
enum class NumberRange { kAny, kNonNegative, kPositive };
std::optional<double> read_number(ConfigReader& reader, const YamlValue& value, NumberRange range);
// The index of the value in `choices`.
std::optional<std::size_t> read_choice(ConfigReader& reader, const YamlValue& value,
                                       std::initializer_list<std::string_view> choices);

}  // namespace alphastream
