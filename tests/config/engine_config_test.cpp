#include "config/engine_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <stdlib.h>  // mkdtemp

namespace alphastream {
namespace {

// Every test text below starts on line 1 right after R"(, so the line
// numbers in expected messages can be counted in the source.

// The message of a config that must fail.
std::string error_of(std::string_view yaml) {
  const Result<EngineConfig> config = parse_config(yaml, "backtest.yaml");
  EXPECT_FALSE(config.is_ok()) << "parsed without error:\n" << yaml;
  return config.is_ok() ? std::string() : config.error();
}

EngineConfig parse_ok(std::string_view yaml, const std::string& source = "backtest.yaml") {
  Result<EngineConfig> config = parse_config(yaml, source);
  EXPECT_TRUE(config.is_ok()) << config.error();
  return config.is_ok() ? std::move(config).value() : EngineConfig{};
}

constexpr std::string_view kFull = R"(plugins:
  dir: ../build/plugins
sampling:
  mode: time
  interval_ms: 250
backtest:
  fee_bps: 2.5
  slippage_bps: 0.5
  notional: 25000
pairs:
  - name: simx-simy
    y: simyusdt
    x: SIMXUSDT
    model:
      plugin: ols
      params: {window: 300, robust: true}
    zscore: {window: 120, entry: 1.5, exit: 0.25, stop: 3.5}
  - name: btc_eth.v2
    y: BTCUSDT
    x: ETHUSDT
    model:
      plugin: plugins/libkalman.so
      params:
        delta: 1e-4
        verbose: FALSE
)";

TEST(EngineConfig, FullConfigReadsEveryValue) {
  const EngineConfig c = parse_ok(kFull, "/srv/alphastream/conf/backtest.yaml");
  EXPECT_EQ(c.path, "/srv/alphastream/conf/backtest.yaml");
  EXPECT_EQ(c.plugins_dir, "/srv/alphastream/build/plugins");
  EXPECT_EQ(c.sampling.mode, SamplingConfig::Mode::kTime);
  EXPECT_EQ(c.sampling.interval_ms, 250);
  EXPECT_EQ(c.backtest.fee_bps, 2.5);
  EXPECT_EQ(c.backtest.slippage_bps, 0.5);
  EXPECT_EQ(c.backtest.notional, 25000.0);
  ASSERT_EQ(c.pairs.size(), 2u);

  const PairConfig& a = c.pairs[0];
  EXPECT_EQ(a.name, "simx-simy");
  EXPECT_EQ(a.y, "SIMYUSDT");  // written in lower case
  EXPECT_EQ(a.x, "SIMXUSDT");
  EXPECT_EQ(a.location, "/srv/alphastream/conf/backtest.yaml:11: pairs[0]");
  EXPECT_EQ(a.models[0].plugin, "ols");
  EXPECT_EQ(a.models[0].location, "/srv/alphastream/conf/backtest.yaml:15: pairs[0].model.plugin");
  ASSERT_EQ(a.models[0].params.size(), 2u);
  EXPECT_EQ(a.models[0].params[0].key, "window");
  EXPECT_EQ(a.models[0].params[0].value, 300.0);
  EXPECT_FALSE(a.models[0].params[0].is_bool);
  EXPECT_EQ(a.models[0].params[0].text, "300");
  EXPECT_EQ(a.models[0].params[0].location, "/srv/alphastream/conf/backtest.yaml:16: pairs[0].model.params.window");
  EXPECT_EQ(a.models[0].params[1].key, "robust");
  EXPECT_EQ(a.models[0].params[1].value, 1.0);
  EXPECT_TRUE(a.models[0].params[1].is_bool);
  EXPECT_EQ(a.zscore.window, 120);
  EXPECT_EQ(a.zscore.entry, 1.5);
  EXPECT_EQ(a.zscore.exit, 0.25);
  EXPECT_EQ(a.zscore.stop, 3.5);

  const PairConfig& b = c.pairs[1];
  EXPECT_EQ(b.name, "btc_eth.v2");
  EXPECT_EQ(b.y, "BTCUSDT");
  EXPECT_EQ(b.x, "ETHUSDT");
  EXPECT_EQ(b.location, "/srv/alphastream/conf/backtest.yaml:18: pairs[1]");
  EXPECT_EQ(b.models[0].plugin, "/srv/alphastream/conf/plugins/libkalman.so");
  ASSERT_EQ(b.models[0].params.size(), 2u);
  EXPECT_EQ(b.models[0].params[0].key, "delta");
  EXPECT_EQ(b.models[0].params[0].value, 1e-4);
  EXPECT_EQ(b.models[0].params[0].text, "1e-4");
  EXPECT_EQ(b.models[0].params[0].location, "/srv/alphastream/conf/backtest.yaml:24: pairs[1].model.params.delta");
  EXPECT_EQ(b.models[0].params[1].key, "verbose");
  EXPECT_EQ(b.models[0].params[1].value, 0.0);
  EXPECT_TRUE(b.models[0].params[1].is_bool);
  EXPECT_EQ(b.models[0].params[1].text, "FALSE");
  EXPECT_EQ(b.zscore.window, 100);  // no zscore section: the defaults
}

TEST(EngineConfig, AbsentOptionalKeysTakeTheStructDefaults) {
  const EngineConfig c = parse_ok(R"(pairs:
  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}
)");
  EXPECT_EQ(c.plugins_dir, "");  // the CLI picks its default
  EXPECT_EQ(c.sampling.mode, SamplingConfig::Mode::kTime);
  EXPECT_EQ(c.sampling.interval_ms, 1000);
  EXPECT_EQ(c.backtest.fee_bps, 4.0);
  EXPECT_EQ(c.backtest.slippage_bps, 1.0);
  EXPECT_EQ(c.backtest.notional, 10000.0);
  ASSERT_EQ(c.pairs.size(), 1u);
  EXPECT_TRUE(c.pairs[0].models[0].params.empty());
  EXPECT_EQ(c.pairs[0].zscore.window, 100);
  EXPECT_EQ(c.pairs[0].zscore.entry, 2.0);
  EXPECT_EQ(c.pairs[0].zscore.exit, 0.0);
  EXPECT_FALSE(c.pairs[0].zscore.stop.has_value());  // no stop
}

TEST(EngineConfig, SectionsWithNothingUnderThemCountAsAbsent) {
  const EngineConfig c = parse_ok(R"(plugins:
sampling:
backtest:
pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model:
      plugin: ols
      params:
    zscore:
)");
  EXPECT_EQ(c.plugins_dir, "");
  EXPECT_EQ(c.sampling.interval_ms, 1000);
  EXPECT_EQ(c.backtest.notional, 10000.0);
  EXPECT_TRUE(c.pairs[0].models[0].params.empty());
  EXPECT_EQ(c.pairs[0].zscore.window, 100);
}

TEST(EngineConfig, TickSamplingNeedsNoInterval) {
  const EngineConfig c = parse_ok(R"(sampling: {mode: tick}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)");
  EXPECT_EQ(c.sampling.mode, SamplingConfig::Mode::kTick);
}

TEST(EngineConfig, ShippedBacktestExampleLoads) {
  const std::string path = std::string(ALPHASTREAM_SOURCE_DIR) + "/config/backtest.yaml";
  const Result<EngineConfig> loaded = load_config(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.error();
  const EngineConfig& c = *loaded;
  EXPECT_EQ(c.plugins_dir, "");
  EXPECT_EQ(c.sampling.mode, SamplingConfig::Mode::kTime);
  EXPECT_EQ(c.sampling.interval_ms, 1000);
  EXPECT_EQ(c.backtest.fee_bps, 4.0);
  EXPECT_EQ(c.backtest.slippage_bps, 1.0);
  EXPECT_EQ(c.backtest.notional, 10000.0);
  ASSERT_EQ(c.pairs.size(), 1u);
  const PairConfig& p = c.pairs[0];
  EXPECT_EQ(p.name, "simx-simy");
  EXPECT_EQ(p.y, "SIMYUSDT");
  EXPECT_EQ(p.x, "SIMXUSDT");
  EXPECT_EQ(p.models[0].plugin, "ols");
  ASSERT_EQ(p.models[0].params.size(), 1u);
  EXPECT_EQ(p.models[0].params[0].key, "window");
  EXPECT_EQ(p.models[0].params[0].value, 3600.0);
  EXPECT_EQ(p.zscore.window, 600);
  EXPECT_EQ(p.zscore.entry, 2.0);
  EXPECT_EQ(p.zscore.exit, 0.0);
  EXPECT_EQ(p.zscore.stop, 4.0);
}

// Relative paths.

TEST(EngineConfigPaths, RelativePluginsDirIsResolvedAgainstTheConfigDirectory) {
  constexpr std::string_view yaml = R"(plugins: {dir: ../plugins/}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ./libmine.so}}]
)";
  const EngineConfig c = parse_ok(yaml, "/etc/alphastream/conf/backtest.yaml");
  EXPECT_EQ(c.plugins_dir, "/etc/alphastream/plugins");
  EXPECT_EQ(c.pairs[0].models[0].plugin, "/etc/alphastream/conf/libmine.so");
}

TEST(EngineConfigPaths, AbsolutePluginsDirIsKept) {
  const EngineConfig c = parse_ok(R"(plugins: {dir: /opt/alphastream/plugins}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: /opt/x/libols.so}}]
)",
                                  "/etc/alphastream/backtest.yaml");
  EXPECT_EQ(c.plugins_dir, "/opt/alphastream/plugins");
  EXPECT_EQ(c.pairs[0].models[0].plugin, "/opt/x/libols.so");
}

TEST(EngineConfigPaths, SourceWithoutDirectoryResolvesAgainstTheWorkingDirectory) {
  const EngineConfig c = parse_ok(R"(plugins: {dir: plugins}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)");
  EXPECT_EQ(c.plugins_dir, (std::filesystem::current_path() / "plugins").string());
}

// A scratch directory removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "config_test_XXXXXX").string();
    path_ = mkdtemp(name.data()) ? name : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(EngineConfigPaths, LoadedFileResolvesAgainstItsOwnDirectory) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::filesystem::create_directories(dir.path() / "conf");
  const std::filesystem::path file = dir.path() / "conf" / "live.yaml";
  std::ofstream(file) << "plugins: {dir: ../lib/plugins}\n"
                         "pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]\n";
  const Result<EngineConfig> c = load_config(file.string());
  ASSERT_TRUE(c.is_ok()) << c.error();
  EXPECT_EQ(c->path, file.string());
  EXPECT_EQ(c->plugins_dir, (dir.path() / "lib" / "plugins").string());
}

TEST(EngineConfigPaths, MissingFileIsOneErrorNamingThePath) {
  const Result<EngineConfig> c = load_config("/nonexistent/alphastream/backtest.yaml");
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.error(), "cannot read config file /nonexistent/alphastream/backtest.yaml: No such file or directory");
}

TEST(EngineConfigPaths, DirectoryInsteadOfFileIsRefused) {
  TempDir dir;
  const Result<EngineConfig> c = load_config(dir.path().string());
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.error(), "cannot read config file " + dir.path().string() + ": it is a directory");
}

// Numbers and booleans.

TEST(EngineConfigNumbers, IntegerFieldsTakeIntegralDecimalsAndRefuseFractions) {
  const EngineConfig c = parse_ok(R"(sampling: {interval_ms: 1e3}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {window: 100.0}}]
)");
  EXPECT_EQ(c.sampling.interval_ms, 1000);
  EXPECT_EQ(c.pairs[0].zscore.window, 100);

  EXPECT_EQ(error_of(R"(sampling: {interval_ms: 1_000}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {window: 100.5}}]
)"),
            "backtest.yaml:1: sampling.interval_ms: expected a positive integer, got \"1_000\"\n"
            "backtest.yaml:2: pairs[0].zscore.window: expected a positive integer, got \"100.5\"");
}

TEST(EngineConfigNumbers, WindowBeyondIntIsRefusedWithTheLimit) {
  EXPECT_EQ(error_of(R"(pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {window: 3000000000}}]
)"),
            "backtest.yaml:1: pairs[0].zscore.window: expected a positive integer no larger than 2147483647, "
            "got \"3000000000\"");
}

TEST(EngineConfigNumbers, QuotedNumbersAndInfinityAreNotNumbers) {
  EXPECT_EQ(error_of(R"(backtest:
  fee_bps: "4"
  slippage_bps: .inf
  notional: 1e999
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: '300'}}}]
)"),
            "backtest.yaml:2: backtest.fee_bps: expected a number >= 0, got \"4\" (quoted, so text)\n"
            "backtest.yaml:3: backtest.slippage_bps: expected a number >= 0, got \".inf\"\n"
            "backtest.yaml:4: backtest.notional: expected a positive number, got \"1e999\"\n"
            "backtest.yaml:5: pairs[0].model.params.window: expected a number or a boolean, got \"300\" "
            "(quoted, so text)");
}

TEST(EngineConfigNumbers, ParamsTakeNumbersAndYaml12BooleansOnly) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model:
      plugin: ols
      params:
        robust: yes
        lags: [1, 2]
        window:
)"),
            "backtest.yaml:8: pairs[0].model.params.robust: expected a number or a boolean, got \"yes\"\n"
            "backtest.yaml:9: pairs[0].model.params.lags: expected a number or a boolean, got a list\n"
            "backtest.yaml:10: pairs[0].model.params.window: expected a number or a boolean, got nothing");
}

// One error each, with its exact message.

TEST(EngineConfigErrors, MisspeltKeyGetsTheNearestKnownKeyAsSuggestion) {
  EXPECT_EQ(error_of(R"(sampling:
  mode: time
backtest:
  fee_bps: 4.0

  # costs
  slipage_bps: 1.0
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:7: unknown key 'slipage_bps' in backtest (did you mean 'slippage_bps'?)");
}

TEST(EngineConfigErrors, UnknownKeyFarFromEveryKnownKeyGetsNoSuggestion) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    colour: red
    model: {plugin: ols}
)"),
            "backtest.yaml:5: unknown key 'colour' in pairs[0]");
}

TEST(EngineConfigErrors, UnknownTopLevelKeyIsNamedAsSuch) {
  EXPECT_EQ(error_of(R"(pair:
  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}
)"),
            "backtest.yaml:1: unknown key 'pair' at the top level (did you mean 'pairs'?)\n"
            "backtest.yaml:1: missing required key 'pairs'");
}

TEST(EngineConfigErrors, SamplingModeOutsideTheChoicesListsThem) {
  EXPECT_EQ(error_of(R"(sampling:
  interval_ms: 1000
  mode: tik
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:3: sampling.mode: expected one of time, tick, got \"tik\"");
}

TEST(EngineConfigErrors, IntervalIsRefusedInTickModeAndMustBePositive) {
  EXPECT_EQ(error_of(R"(sampling: {mode: tick, interval_ms: 1000}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:1: sampling.interval_ms: only used when mode is time (mode is tick)");
  EXPECT_EQ(error_of(R"(sampling: {mode: time, interval_ms: 0}
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:1: sampling.interval_ms: expected a positive integer, got \"0\"");
}

TEST(EngineConfigErrors, CostsMustBeNonNegativeAndNotionalPositive) {
  EXPECT_EQ(error_of(R"(backtest:
  fee_bps: -1
  slippage_bps: 0
  notional: 0
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:2: backtest.fee_bps: expected a number >= 0, got \"-1\"\n"
            "backtest.yaml:4: backtest.notional: expected a positive number, got \"0\"");
}

TEST(EngineConfigErrors, NegativeZScoreWindowIsNotAPositiveInteger) {
  EXPECT_EQ(error_of(R"(sampling:
  mode: time
  interval_ms: 1000
backtest:
  fee_bps: 4.0
  slippage_bps: 1.0
  notional: 10000
pairs:
  - name: simx-simy
    y: SIMYUSDT
    x: SIMXUSDT
    model: {plugin: ols}
    zscore:
      window: -3
)"),
            "backtest.yaml:14: pairs[0].zscore.window: expected a positive integer, got \"-3\"");
}

TEST(EngineConfigErrors, ZScoreWindowOfOneHasNoStandardDeviation) {
  EXPECT_EQ(error_of(R"(pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {window: 1}}]
)"),
            "backtest.yaml:1: pairs[0].zscore.window: must be at least 2, got \"1\"");
}

TEST(EngineConfigErrors, ZScoreThresholdsMustBeOrdered) {
  EXPECT_EQ(error_of(R"(pairs:
  - {name: a, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {entry: 0}}
  - {name: b, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {exit: -0.5}}
  - {name: c, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {entry: 1.5, exit: 1.5, stop: 1.5}}
  - {name: d, y: AUSDT, x: BUSDT, model: {plugin: ols}, zscore: {stop: 2}}
)"),
            "backtest.yaml:2: pairs[0].zscore.entry: expected a positive number, got \"0\"\n"
            "backtest.yaml:3: pairs[1].zscore.exit: expected a number >= 0, got \"-0.5\"\n"
            "backtest.yaml:4: pairs[2].zscore.exit: must be below entry (1.5), got \"1.5\"\n"
            "backtest.yaml:4: pairs[2].zscore.stop: must be above entry (1.5), got \"1.5\"\n"
            "backtest.yaml:5: pairs[3].zscore.stop: must be above entry (2), got \"2\"");
}

TEST(EngineConfigErrors, MissingRequiredKeyNamesThePairAndItsLine) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: a
    y: AUSDT
    x: BUSDT
    model: {plugin: ols}
  - name: b
    y: CUSDT
    model: {}
)"),
            "backtest.yaml:6: pairs[1]: missing required key 'x'\n"
            "backtest.yaml:8: pairs[1].model: missing required key 'plugin'");
}

TEST(EngineConfigErrors, DuplicatePairNamesNameBothLines) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: simx-simy
    y: SIMYUSDT
    x: SIMXUSDT
    model: {plugin: ols}
  - name: simx-simy
    y: SIMYUSDT
    x: SIMXUSDT
    model: {plugin: kalman}
)"),
            "backtest.yaml:6: pairs[1].name: duplicate pair name \"simx-simy\" (first at line 2)");
}

TEST(EngineConfigErrors, PairNamesMustBeSafeFolderNames) {
  EXPECT_EQ(error_of(R"(pairs:
  - {name: a b, y: AUSDT, x: BUSDT, model: {plugin: ols}}
  - {name: .., y: AUSDT, x: BUSDT, model: {plugin: ols}}
  - {name: x/y, y: AUSDT, x: BUSDT, model: {plugin: ols}}
)"),
            "backtest.yaml:2: pairs[0].name: expected a name of letters, digits, '_', '.' and '-' other than \".\" "
            "and \"..\", got \"a b\"\n"
            "backtest.yaml:3: pairs[1].name: expected a name of letters, digits, '_', '.' and '-' other than \".\" "
            "and \"..\", got \"..\"\n"
            "backtest.yaml:4: pairs[2].name: expected a name of letters, digits, '_', '.' and '-' other than \".\" "
            "and \"..\", got \"x/y\"");
}

TEST(EngineConfigErrors, LegsMustBeTwoDifferentSymbols) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: simxusdt
    x: SIMXUSDT
    model: {plugin: ols}
  - name: q
    y: SIMX-USDT
    x: ""
    model: {plugin: ols}
)"),
            "backtest.yaml:4: pairs[0].x: the same symbol as y (\"SIMXUSDT\"); a pair needs two legs\n"
            "backtest.yaml:7: pairs[1].y: expected a symbol of letters and digits, got \"SIMX-USDT\"\n"
            "backtest.yaml:8: pairs[1].x: expected a symbol, got \"\"");
}

TEST(EngineConfigErrors, PairsMustBeANonEmptyList) {
  EXPECT_EQ(error_of("sampling: {mode: time}\npairs: []\n"),
            "backtest.yaml:2: pairs: expected at least one pair, got an empty list");
  EXPECT_EQ(error_of("pairs:\n"), "backtest.yaml:1: pairs: expected a list of pairs, got nothing");
  EXPECT_EQ(error_of("pairs: {name: p}\n"), "backtest.yaml:1: pairs: expected a list of pairs, got a mapping");
  EXPECT_EQ(error_of("sampling: {mode: time}\n"), "backtest.yaml:1: missing required key 'pairs'");
}

TEST(EngineConfigErrors, ModelMustBeAMappingWithAPlugin) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: ols
  - name: q
    y: AUSDT
    x: BUSDT
)"),
            "backtest.yaml:5: pairs[0].model: expected a mapping, got \"ols\"\n"
            "backtest.yaml:6: pairs[1]: missing required key 'model' (or 'models')");
}

TEST(EngineConfigErrors, RepeatedKeyNamesTheFirstOne) {
  EXPECT_EQ(error_of(R"(backtest:
  fee_bps: 4
  fee_bps: 5
pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 1, window: 2}}}]
)"),
            "backtest.yaml:3: duplicate key 'fee_bps' in backtest (first at line 2)\n"
            "backtest.yaml:4: duplicate key 'window' in pairs[0].model.params (first at line 4)");
}

TEST(EngineConfigErrors, YamlSyntaxErrorGivesLineAndColumn) {
  // yaml-cpp notices the unclosed list where the next line stops it.
  EXPECT_EQ(error_of(R"(sampling:
  mode: [time
pairs: []
)"),
            "backtest.yaml:3:6: invalid YAML: end of sequence flow not found");
  // A key indented less than its siblings.
  EXPECT_EQ(error_of("backtest:\n  fee_bps: 4\n slippage_bps: 1\n"), "backtest.yaml:3:2: invalid YAML: end of map not found");
}

// fuzz/config_loader: NUL and 0xFF bytes sent yaml-cpp's LoadAll into an
// endless run of empty documents, until the process ran out of memory. Text
// YAML does not allow is refused first, at its line and column.
TEST(EngineConfigErrors, BytesThatAreNotYamlTextAreRefusedWhereTheyAre) {
  using namespace std::string_literals;
  EXPECT_EQ(error_of("pairs:\n  - {\xff\xff\xff: 1}\n"), "backtest.yaml:2:6: byte 0xFF is not UTF-8; expected UTF-8 text");
  EXPECT_EQ(error_of("# s\u00e9ance\npairs: [\0]\n"s),
            "backtest.yaml:2:9: control character 0x00 is not allowed in YAML; expected UTF-8 text");
  EXPECT_EQ(error_of("pairs:\x1b[]\n"), "backtest.yaml:1:7: control character 0x1B is not allowed in YAML; expected UTF-8 text");
  // Tabs, CR LF line ends and UTF-8 (here in a comment) are text.
  EXPECT_EQ(error_of("# caf\u00e9\r\npairs:\t[]\r\n"), "backtest.yaml:2: pairs: expected at least one pair, got an empty list");
}

// fuzz/config_loader: on ",1" yaml-cpp's LoadAll yields empty documents at
// position 0 forever. The walk over documents notices it stopped moving.
TEST(EngineConfigErrors, TextTheParserCannotMovePastIsAnErrorNotAnEndlessLoop) {
  EXPECT_EQ(error_of(",1"), "backtest.yaml:1:1: invalid YAML: nothing here starts a node (a ',' or other indicator out of place?)");
  EXPECT_EQ(error_of("pairs: []\n,1\n"), "backtest.yaml:2:1: invalid YAML: end of map not found");
}

TEST(EngineConfigErrors, EmptyFileAndExtraDocumentsAreRefusedButATrailingMarkerIsNot) {
  EXPECT_EQ(error_of("# nothing yet\n"), "backtest.yaml:1: the config is empty; expected a mapping with a 'pairs' list");
  EXPECT_EQ(error_of(R"(pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
---
pairs: [{name: q, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
)"),
            "backtest.yaml:3: expected one YAML document, found another one here");
  EXPECT_EQ(error_of("- pairs\n"), "backtest.yaml:1: expected a mapping, got a list");
  const EngineConfig trailing_marker = parse_ok("pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]\n---\n");
  EXPECT_EQ(trailing_marker.pairs.size(), 1u);
}

TEST(EngineConfigErrors, EveryErrorInTheFileIsReportedInLineOrder) {
  // Sections out of the usual order: messages still follow the file.
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: {plugin: ols}
    zscore: {window: -3, entry: 2, exit: 3}
  - name: p
    y: AUSDT
backtest:
  fee_bps: -4
  notionl: 100
sampling:
  mode: tik
)"),
            "backtest.yaml:6: pairs[0].zscore.window: expected a positive integer, got \"-3\"\n"
            "backtest.yaml:6: pairs[0].zscore.exit: must be below entry (2), got \"3\"\n"
            "backtest.yaml:7: pairs[1].name: duplicate pair name \"p\" (first at line 2)\n"
            "backtest.yaml:7: pairs[1]: missing required key 'x'\n"
            "backtest.yaml:7: pairs[1]: missing required key 'model' (or 'models')\n"
            "backtest.yaml:10: backtest.fee_bps: expected a number >= 0, got \"-4\"\n"
            "backtest.yaml:11: unknown key 'notionl' in backtest (did you mean 'notional'?)\n"
            "backtest.yaml:13: sampling.mode: expected one of time, tick, got \"tik\"");
}

TEST(EngineConfigAdf, RollingAdfAndItsGateAreRead) {
  const EngineConfig c = parse_ok(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: {plugin: ols}
    adf: {window: 500, every: 10, max_pvalue: 0.05}
)");
  ASSERT_EQ(c.pairs.size(), 1u);
  EXPECT_EQ(c.pairs[0].adf.window, 500);
  EXPECT_EQ(c.pairs[0].adf.every, 10);
  EXPECT_EQ(c.pairs[0].adf.max_pvalue, 0.05);
  EXPECT_TRUE(c.pairs[0].adf.gated());
}

TEST(EngineConfigAdf, WithoutAdfThereIsNoRollingTest) {
  const EngineConfig c = parse_ok(R"(pairs:
  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}
)");
  EXPECT_FALSE(c.pairs[0].adf.enabled());
  EXPECT_FALSE(c.pairs[0].adf.gated());
}

TEST(EngineConfigAdf, BadValuesNameTheKeyAndLine) {
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: {plugin: ols}
    adf: {window: 10, max_pvalue: 1.5}
)"),
            "backtest.yaml:6: pairs[0].adf.window: must be at least 20, got \"10\"\n"
            "backtest.yaml:6: pairs[0].adf.max_pvalue: must be a p-value in (0, 1], got \"1.5\"");
  EXPECT_EQ(error_of(R"(pairs:
  - name: p
    y: AUSDT
    x: BUSDT
    model: {plugin: ols}
    adf: {every: 5}
)"),
            "backtest.yaml:6: pairs[0].adf: missing required key 'window'");
}

// --- symbols ------------------------------------------------------------------

TEST(EngineConfigSymbols, SymbolModelsAreReadLikePairModels) {
  const EngineConfig c = parse_ok(R"(pairs:
  - {name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}
symbols:
  - symbol: ausdt
    model: {plugin: microstructure, params: {window_s: 30, bucket: 0.5}}
  - symbol: CUSDT
    models:
      - {plugin: microstructure}
      - {plugin: microstructure, name: fast, params: {window_s: 5}}
)");
  ASSERT_EQ(c.symbols.size(), 2u);
  const SymbolConfig& a = c.symbols[0];
  EXPECT_EQ(a.symbol, "AUSDT");  // upper-cased, like pair legs
  EXPECT_EQ(a.location, "backtest.yaml:4: symbols[0]");
  ASSERT_EQ(a.models.size(), 1u);
  EXPECT_EQ(a.models[0].plugin, "microstructure");
  EXPECT_EQ(a.models[0].label, "microstructure");
  EXPECT_EQ(a.models[0].location, "backtest.yaml:5: symbols[0].model.plugin");
  ASSERT_EQ(a.models[0].params.size(), 2u);
  EXPECT_EQ(a.models[0].params[0].key, "window_s");
  EXPECT_EQ(a.models[0].params[0].value, 30.0);
  EXPECT_EQ(a.models[0].params[1].key, "bucket");
  EXPECT_EQ(a.models[0].params[1].value, 0.5);
  EXPECT_EQ(a.models[0].params[0].location, "backtest.yaml:5: symbols[0].model.params.window_s");
  const SymbolConfig& c2 = c.symbols[1];
  EXPECT_EQ(c2.symbol, "CUSDT");
  ASSERT_EQ(c2.models.size(), 2u);
  EXPECT_EQ(c2.models[0].label, "microstructure");
  EXPECT_EQ(c2.models[1].label, "fast");
  EXPECT_EQ(c2.models[1].params[0].location, "backtest.yaml:9: symbols[1].models[1].params.window_s");
}

TEST(EngineConfigSymbols, WithoutSymbolsThereAreNone) {
  const EngineConfig c = parse_ok("pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]\n");
  EXPECT_TRUE(c.symbols.empty());
}

TEST(EngineConfigSymbols, PairsStayRequiredWhenSymbolsAreGiven) {
  EXPECT_EQ(error_of("symbols: [{symbol: AUSDT, model: {plugin: microstructure}}]\n"),
            "backtest.yaml:1: missing required key 'pairs'");
}

TEST(EngineConfigSymbols, ASymbolIsListedOnce) {
  EXPECT_EQ(error_of(R"(pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
symbols:
  - {symbol: AUSDT, model: {plugin: microstructure}}
  - {symbol: ausdt, model: {plugin: microstructure, name: other}}
)"),
            "backtest.yaml:4: symbols[1].symbol: duplicate symbol \"AUSDT\" (first at line 3); list a symbol once "
            "and give it several 'models'");
}

TEST(EngineConfigSymbols, EntryErrorsNameTheKeyAndLine) {
  EXPECT_EQ(error_of(R"(pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]
symbols:
  - {symbol: A-USDT, model: {plugin: microstructure}}
  - {symbol: BUSDT}
  - symbol: CUSDT
    model: {plugin: microstructure}
    models: [{plugin: microstructure}]
  - {model: {plugin: microstructure}, window: 3}
  - symbol: DUSDT
    models:
      - {plugin: microstructure}
      - {plugin: microstructure}
)"),
            "backtest.yaml:3: symbols[0].symbol: expected a symbol of letters and digits, got \"A-USDT\"\n"
            "backtest.yaml:4: symbols[1]: missing required key 'model' (or 'models')\n"
            "backtest.yaml:7: symbols[2].models: give either 'model' or 'models', not both\n"
            "backtest.yaml:8: unknown key 'window' in symbols[3]\n"
            "backtest.yaml:8: symbols[3]: missing required key 'symbol'\n"
            "backtest.yaml:12: symbols[4].models[1]: a second model named \"microstructure\" (first at line 11); "
            "give one of them a distinct 'name'");
}

TEST(EngineConfigSymbols, SymbolsMustBeANonEmptyList) {
  const std::string pairs = "pairs: [{name: p, y: AUSDT, x: BUSDT, model: {plugin: ols}}]\n";
  EXPECT_EQ(error_of(pairs + "symbols: []\n"),
            "backtest.yaml:2: symbols: expected at least one symbol, got an empty list (leave 'symbols' out for "
            "none)");
  EXPECT_EQ(error_of(pairs + "symbols: {symbol: AUSDT}\n"),
            "backtest.yaml:2: symbols: expected a list of symbols, got a mapping");
}

}  // namespace
}  // namespace alphastream
