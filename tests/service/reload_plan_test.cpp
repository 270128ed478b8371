#include "service/reload_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace alphastream {
namespace {

using Names = std::vector<std::string>;

EngineConfig config_of(const std::string& yaml) {
  auto parsed = parse_config(yaml, "live.yaml");
  EXPECT_TRUE(parsed) << parsed.error();
  return parsed.value();
}

const char* const kRunning = R"(
sampling: {mode: time, interval_ms: 1000}
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20}}
  - {name: c-d, y: CUSDT, x: DUSDT, model: {plugin: ols}}
symbols:
  - {symbol: AUSDT, model: {plugin: microstructure}}
)";

TEST(ReloadPlan, TheSameConfigChangesNothingEvenWhenItsLinesMove) {
  const EngineConfig running = config_of(kRunning);
  const EngineConfig moved = config_of(std::string("\n\n# a comment\n") + kRunning);
  ASSERT_NE(running.pairs[0].location, moved.pairs[0].location);
  const ReloadPlan plan = plan_reload(running, moved);
  EXPECT_TRUE(plan.empty());
  EXPECT_TRUE(plan.deferred.empty());
}

TEST(ReloadPlan, AnAddedPairStartsAndARemovedOneStops) {
  const EngineConfig running = config_of(kRunning);
  const EngineConfig next = config_of(R"(
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20}}
  - {name: e-f, y: EUSDT, x: FUSDT, model: {plugin: ols}}
symbols:
  - {symbol: AUSDT, model: {plugin: microstructure}}
)");
  const ReloadPlan plan = plan_reload(running, next);
  EXPECT_EQ(plan.pairs_stopped, Names{"c-d"});
  EXPECT_EQ(plan.pairs_started, Names{"e-f"});
  EXPECT_TRUE(plan.symbols_stopped.empty());
  EXPECT_TRUE(plan.symbols_started.empty());
}

// Each setting of a pair restarts that pair alone.
TEST(ReloadPlan, AChangedPairSettingRestartsThatPairOnly) {
  const EngineConfig running = config_of(kRunning);
  const std::vector<std::string> changes = {
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 31}}, zscore: {window: 20}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: kalman}, zscore: {window: 20}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, name: other, params: {window: 30}}, zscore: {window: 20}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 21}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20, entry: 2.5}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20, exit: 0.5}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20, stop: 4}}",
      "{name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20}, "
      "adf: {window: 100}}",
      "{name: a-b, y: BUSDT, x: AUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20}}",
      "{name: a-b, y: AUSDT, x: BUSDT, models: [{plugin: ols, params: {window: 30}}, {plugin: kalman}], "
      "zscore: {window: 20}}",
  };
  for (const std::string& pair : changes) {
    const EngineConfig next = config_of("pairs:\n  - " + pair +
                                        "\n  - {name: c-d, y: CUSDT, x: DUSDT, model: {plugin: ols}}\n"
                                        "symbols:\n  - {symbol: AUSDT, model: {plugin: microstructure}}\n");
    const ReloadPlan plan = plan_reload(running, next);
    EXPECT_EQ(plan.pairs_stopped, Names{"a-b"}) << pair;
    EXPECT_EQ(plan.pairs_started, Names{"a-b"}) << pair;
    EXPECT_TRUE(plan.symbols_stopped.empty() && plan.symbols_started.empty()) << pair;
  }
}

TEST(ReloadPlan, SymbolModelSetsStartStopAndRestartBySymbol) {
  const EngineConfig running = config_of(kRunning);
  const std::string pairs = R"(
pairs:
  - {name: a-b, y: AUSDT, x: BUSDT, model: {plugin: ols, params: {window: 30}}, zscore: {window: 20}}
  - {name: c-d, y: CUSDT, x: DUSDT, model: {plugin: ols}}
)";
  const ReloadPlan moved =
      plan_reload(running, config_of(pairs + "symbols:\n  - {symbol: BUSDT, model: {plugin: microstructure}}\n"));
  EXPECT_EQ(moved.symbols_stopped, Names{"AUSDT"});
  EXPECT_EQ(moved.symbols_started, Names{"BUSDT"});
  const ReloadPlan changed = plan_reload(
      running,
      config_of(pairs + "symbols:\n  - {symbol: AUSDT, model: {plugin: microstructure, params: {window_s: 30}}}\n"));
  EXPECT_EQ(changed.symbols_stopped, Names{"AUSDT"});
  EXPECT_EQ(changed.symbols_started, Names{"AUSDT"});
  EXPECT_TRUE(changed.pairs_stopped.empty());
  const ReloadPlan removed = plan_reload(running, config_of(pairs));
  EXPECT_EQ(removed.symbols_stopped, Names{"AUSDT"});
  EXPECT_TRUE(removed.symbols_started.empty());
}

// The sampling and the costs are every pipeline's: a change restarts them all.
TEST(ReloadPlan, ASharedPipelineSettingRestartsEveryPairAndSymbolModel) {
  const EngineConfig running = config_of(kRunning);
  for (const std::string& shared :
       {std::string("sampling: {mode: time, interval_ms: 500}"), std::string("sampling: {mode: tick}"),
        std::string("backtest: {fee_bps: 2.0}"), std::string("backtest: {slippage_bps: 0}"),
        std::string("backtest: {notional: 5000}")}) {
    std::string yaml = kRunning;
    const std::string sampling = "sampling: {mode: time, interval_ms: 1000}";
    yaml.replace(yaml.find(sampling), sampling.size(), shared.rfind("sampling", 0) == 0 ? shared : sampling + "\n" + shared);
    const ReloadPlan plan = plan_reload(running, config_of(yaml));
    EXPECT_EQ(plan.pairs_stopped, (Names{"a-b", "c-d"})) << shared;
    EXPECT_EQ(plan.pairs_started, (Names{"a-b", "c-d"})) << shared;
    EXPECT_EQ(plan.symbols_stopped, Names{"AUSDT"}) << shared;
    EXPECT_EQ(plan.symbols_started, Names{"AUSDT"}) << shared;
  }
}

// The feed, shards, storage, metrics and logs stay as started; each changed
// section is named once so the operator knows a restart is needed.
TEST(ReloadPlan, ServiceSectionsAreDeferredToTheNextRestartOneLineEach) {
  const EngineConfig running = config_of(kRunning);
  const std::vector<std::pair<std::string, std::string>> sections = {
      {"engine: {cores: 2}", "engine changed; it takes effect at the next restart"},
      {"feed: {source: simulator}", "feed changed; it takes effect at the next restart"},
      {"storage: {lmdb: {path: /tmp/j}}", "storage changed; it takes effect at the next restart"},
      {"metrics: {listen: \"127.0.0.1:9999\"}", "metrics changed; it takes effect at the next restart"},
      {"log: {level: debug}", "log changed; it takes effect at the next restart"},
      {"plugins: {dir: /opt/plugins}", "plugins.dir changed; it takes effect at the next restart"},
  };
  for (const auto& [section, line] : sections) {
    const ReloadPlan plan = plan_reload(running, config_of(section + "\n" + kRunning));
    EXPECT_TRUE(plan.empty()) << section;
    EXPECT_EQ(plan.deferred, Names{line}) << section;
  }
}

TEST(ReloadPlan, SettingsCompareByValueNotByWhereTheyWereWritten) {
  const EngineConfig a = config_of(kRunning);
  EngineConfig b = a;
  b.pairs[0].location = "elsewhere.yaml:99: pairs[7]";
  b.pairs[0].models[0].location = "elsewhere.yaml:99: pairs[7].model.plugin";
  b.pairs[0].models[0].params[0].location = "elsewhere.yaml:99";
  b.pairs[0].models[0].params[0].text = "3e1";
  EXPECT_TRUE(same_settings(a.pairs[0], b.pairs[0]));
  b.pairs[0].models[0].params[0].value = 30.5;
  EXPECT_FALSE(same_settings(a.pairs[0], b.pairs[0]));
  EXPECT_TRUE(same_settings(a.symbols[0], a.symbols[0]));
}

}  // namespace
}  // namespace alphastream
