#include "config/yaml_reader.h"
#include "core/nearest_name.h"

#include <gtest/gtest.h>

namespace alphastream {
namespace {

TEST(EditDistance, CountsInsertsDeletesAndSubstitutions) {
  EXPECT_EQ(edit_distance("slippage_bps", "slippage_bps"), 0u);
  EXPECT_EQ(edit_distance("slipage_bps", "slippage_bps"), 1u);  // one insert
  EXPECT_EQ(edit_distance("windows", "window"), 1u);            // one delete
  EXPECT_EQ(edit_distance("mode", "node"), 1u);                 // one substitution
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "exit"), 4u);
}

TEST(ParseNumber, ReadsPlainDecimalsOnly) {
  EXPECT_EQ(parse_number("4"), 4.0);
  EXPECT_EQ(parse_number("-0.25"), -0.25);
  EXPECT_EQ(parse_number("+1.5"), 1.5);
  EXPECT_EQ(parse_number("1e-4"), 1e-4);
  EXPECT_EQ(parse_number("2.5E3"), 2500.0);
  EXPECT_EQ(parse_number(""), std::nullopt);
  EXPECT_EQ(parse_number("+"), std::nullopt);
  EXPECT_EQ(parse_number("+-1"), std::nullopt);
  EXPECT_EQ(parse_number("1_000"), std::nullopt);
  EXPECT_EQ(parse_number("0x10"), std::nullopt);
  EXPECT_EQ(parse_number("4 bps"), std::nullopt);
  EXPECT_EQ(parse_number("inf"), std::nullopt);
  EXPECT_EQ(parse_number(".inf"), std::nullopt);
  EXPECT_EQ(parse_number("nan"), std::nullopt);
  EXPECT_EQ(parse_number("1e999"), std::nullopt);
}

TEST(ParseInteger, TakesIntegralSpellingsAndRefusesFractions) {
  EXPECT_EQ(parse_integer("100"), 100);
  EXPECT_EQ(parse_integer("+100"), 100);
  EXPECT_EQ(parse_integer("-3"), -3);
  EXPECT_EQ(parse_integer("100.0"), 100);
  EXPECT_EQ(parse_integer("1e2"), 100);
  EXPECT_EQ(parse_integer("9223372036854775807"), INT64_MAX);  // plain digits keep every bit
  EXPECT_EQ(parse_integer("100.5"), std::nullopt);
  EXPECT_EQ(parse_integer("1e300"), std::nullopt);  // integral, but not exactly representable
  EXPECT_EQ(parse_integer("ten"), std::nullopt);
}

TEST(ParseBool, AcceptsYaml12SpellingsOnly) {
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("True"), true);
  EXPECT_EQ(parse_bool("TRUE"), true);
  EXPECT_EQ(parse_bool("false"), false);
  EXPECT_EQ(parse_bool("False"), false);
  EXPECT_EQ(parse_bool("FALSE"), false);
  EXPECT_EQ(parse_bool("yes"), std::nullopt);
  EXPECT_EQ(parse_bool("on"), std::nullopt);
  EXPECT_EQ(parse_bool("1"), std::nullopt);
}

TEST(ConfigReader, ErrorsComeOutInLineOrderWhateverOrderTheyWereFound) {
  ConfigReader reader("a.yaml");
  EXPECT_FALSE(reader.has_errors());
  reader.add_error(9, "pairs[0].x", "late");
  reader.add_error(2, "", "early");
  reader.add_error(9, "pairs[0].y", "late but found second");
  reader.add_syntax_error(4, 7, "middle");
  ASSERT_TRUE(reader.has_errors());
  EXPECT_EQ(reader.errors().message(),
            "a.yaml:2: early\n"
            "a.yaml:4:7: middle\n"
            "a.yaml:9: pairs[0].x: late\n"
            "a.yaml:9: pairs[0].y: late but found second");
}

TEST(ConfigReader, ResolvesRelativePathsAgainstTheSourceDirectory) {
  const ConfigReader reader("/srv/alphastream/conf/live.yaml");
  EXPECT_EQ(reader.resolve_path("../plugins/"), "/srv/alphastream/plugins");
  EXPECT_EQ(reader.resolve_path("./lib/./x.so"), "/srv/alphastream/conf/lib/x.so");
  EXPECT_EQ(reader.resolve_path("/opt/plugins"), "/opt/plugins");
  EXPECT_EQ(reader.resolve_path("/"), "/");
}

TEST(MapReader, ReportsUnknownKeysMissingKeysAndNonMappings) {
  ConfigReader reader("a.yaml");
  const YAML::Node root = YAML::Load("storage:\n  pth: /tmp\n  size_mb: 1\nfeed: [1]\n");
  MapReader top(reader, {root, "", 1}, {"storage", "feed"});
  const auto storage = top.find("storage");
  ASSERT_TRUE(storage);
  EXPECT_EQ(storage->path, "storage");
  EXPECT_EQ(storage->line, 2);
  MapReader section(reader, *storage, {"path", "size_mb"});
  EXPECT_FALSE(section.require("path"));
  EXPECT_EQ(section.find("size_mb")->node.Scalar(), "1");
  MapReader feed(reader, *top.find("feed"), {"url"});
  EXPECT_FALSE(feed.require("url"));  // already reported as not a mapping
  EXPECT_FALSE(top.find("metrics"));
  EXPECT_EQ(reader.errors().message(),
            "a.yaml:2: unknown key 'pth' in storage (did you mean 'path'?)\n"
            "a.yaml:2: storage: missing required key 'path'\n"
            "a.yaml:4: feed: expected a mapping, got a list");
}

}  // namespace
}  // namespace alphastream
