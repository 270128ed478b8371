#include "book/model_factory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace alphastream {
namespace {

// The shipped plugins, built beside each other under <build>/plugins.
ModelConfig model(const std::string& plugin, std::vector<ModelParam> params = {}) {
  ModelConfig config;
  config.plugin = plugin;
  config.params = std::move(params);
  config.location = "backtest.yaml:7: pairs[0].model.plugin";
  config.label = plugin;
  return config;
}

TEST(ModelFactory, CreatesAPairAndASymbolModelWithTheirParameters) {
  ModelFactory factory(PLUGIN_DIR);
  auto ols = factory.create(model("ols", {{"window", 50, false, "50", "backtest.yaml:8: window"}}), AS_MODEL_PAIR,
                            "pairs[0] (p/ols)");
  ASSERT_TRUE(ols) << ols.error();
  EXPECT_EQ(std::string(ols.value()->descriptor().id), "ols");
  ASSERT_EQ(ols.value()->param_values().size(), 1u);
  EXPECT_EQ(ols.value()->param_values()[0], 50.0);
  EXPECT_EQ(ols.value()->context(), "pairs[0] (p/ols)");

  auto micro = factory.create(model("microstructure"), AS_MODEL_SYMBOL, "symbols[0] (AUSDT/microstructure)");
  ASSERT_TRUE(micro) << micro.error();
  EXPECT_EQ(micro.value()->descriptor().kind, static_cast<std::uint32_t>(AS_MODEL_SYMBOL));
  EXPECT_GE(micro.value()->output_index("vwap"), 0);
}

TEST(ModelFactory, TwoModelsOfOnePluginShareItsLibrary) {
  ModelFactory factory(PLUGIN_DIR);
  auto first = factory.create(model("ols"), AS_MODEL_PAIR, "a");
  auto second = factory.create(model("ols"), AS_MODEL_PAIR, "b");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(&first.value()->library(), &second.value()->library());
}

TEST(ModelFactory, APairGivenASymbolModelAndTheReverseAreRefused) {
  ModelFactory factory(PLUGIN_DIR);
  auto pair = factory.create(model("microstructure"), AS_MODEL_PAIR, "pairs[0] (p/microstructure)");
  ASSERT_FALSE(pair);
  EXPECT_TRUE(pair.status().is_invalid_input());
  EXPECT_EQ(pair.error(),
            "backtest.yaml:7: pairs[0].model.plugin: plugin 'microstructure' is a symbol model; a pair needs a pair "
            "model");
  auto symbol = factory.create(model("ols"), AS_MODEL_SYMBOL, "symbols[0] (AUSDT/ols)");
  ASSERT_FALSE(symbol);
  EXPECT_TRUE(symbol.status().is_invalid_input());
  EXPECT_EQ(symbol.error(),
            "backtest.yaml:7: pairs[0].model.plugin: plugin 'ols' is a pair model; a symbol needs a symbol model");
}

TEST(ModelFactory, AMissingPluginNamesTheFileItLookedFor) {
  ModelFactory factory(PLUGIN_DIR);
  auto missing = factory.create(model("nope"), AS_MODEL_PAIR, "pairs[0] (p/nope)");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.status().is_invalid_input());
  EXPECT_EQ(missing.error(), "backtest.yaml:7: pairs[0].model.plugin: " + std::string(PLUGIN_DIR) +
                                 "/libalphastream_nope.so: plugin library not found; installed: huber kalman "
                                 "microstructure ols");
  // A near miss is named.
  EXPECT_NE(factory.create(model("olss"), AS_MODEL_PAIR, "x").error().find(
                "plugin library not found (did you mean 'ols'?); installed: huber kalman microstructure ols"),
            std::string::npos);
  // Asked again, it says the same rather than finding an empty cache entry.
  EXPECT_EQ(factory.create(model("nope"), AS_MODEL_PAIR, "x").error(), missing.error());
}

TEST(ModelFactory, ALibraryNamedByIdMustDeclareThatId) {
  // ols's library under another id's file name.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("model_factory_test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(std::filesystem::path(PLUGIN_DIR) / "libalphastream_ols.so",
                             dir / "libalphastream_olsx.so", std::filesystem::copy_options::overwrite_existing);
  ModelFactory factory(dir.string());
  auto renamed = factory.create(model("olsx"), AS_MODEL_PAIR, "x");
  ASSERT_FALSE(renamed);
  EXPECT_TRUE(renamed.status().is_invalid_input());
  EXPECT_NE(renamed.error().find("libalphastream_olsx.so declares the id 'ols', not 'olsx': a plugin named by id is "
                                 "libalphastream_<id>.so for the id it declares (rename it libalphastream_ols.so and "
                                 "write plugin: ols, or name it by path)"),
            std::string::npos)
      << renamed.error();
  // By path, the file name does not matter.
  EXPECT_TRUE(factory.create(model((dir / "libalphastream_olsx.so").string()), AS_MODEL_PAIR, "x"));
  EXPECT_EQ(PluginCatalog::config_name((dir / "libalphastream_olsx.so").string(), "ols"),
            (dir / "libalphastream_olsx.so").string());
  EXPECT_EQ(PluginCatalog::config_name(std::string(PLUGIN_DIR) + "/libalphastream_ols.so", "ols"), "ols");
  std::filesystem::remove_all(dir);
}

TEST(ModelFactory, BadParametersAreInvalidInputAtTheirOwnLocation) {
  ModelFactory factory(PLUGIN_DIR);
  auto bad = factory.create(model("ols", {{"window", 2, false, "2", "backtest.yaml:8: pairs[0].model.params.window"}}),
                            AS_MODEL_PAIR, "pairs[0] (p/ols)");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.status().is_invalid_input());
  EXPECT_EQ(bad.error(),
            "backtest.yaml:8: pairs[0].model.params.window: plugin 'ols' parameter 'window' must be in [3, 1000000], "
            "got \"2\"");
}

}  // namespace
}  // namespace alphastream
