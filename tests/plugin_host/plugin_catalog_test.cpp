#include "plugin_host/plugin_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "fixture_paths.h"

namespace alphastream {
namespace {

using ::alphastream::testing::fixture;
using ::testing::HasSubstr;

TEST(PluginCatalog, IdResolvesInsideTheDirectory) {
  PluginCatalog catalog("/opt/alphastream/plugins");
  EXPECT_EQ(catalog.resolve("ols"), "/opt/alphastream/plugins/libalphastream_ols.so");
}

TEST(PluginCatalog, PathsAreUsedAsGiven) {
  PluginCatalog catalog("/opt/alphastream/plugins");
  EXPECT_EQ(catalog.resolve("./build/libmine.so"), "./build/libmine.so");
  EXPECT_EQ(catalog.resolve("libmine.so"), "libmine.so");
  EXPECT_EQ(catalog.resolve("/abs/kalman"), "/abs/kalman");
}

TEST(PluginCatalog, ListLoadsEveryLibraryAndKeepsEachError) {
  PluginCatalog catalog(FIXTURE_DIR);
  auto listing = catalog.list();
  ASSERT_TRUE(listing.is_ok()) << listing.error();
  // 4 good + 13 broken variants + 1 text file, sorted by file name.
  ASSERT_EQ(listing->size(), 18u);
  int loaded = 0;
  for (const auto& entry : *listing) {
    if (entry.library.is_ok()) {
      ++loaded;
    } else {
      EXPECT_THAT(entry.library.error(), HasSubstr(entry.path + ": "));
    }
  }
  EXPECT_EQ(loaded, 4);
  EXPECT_EQ((*listing)[0].path, fixture("abi_major"));
  EXPECT_FALSE((*listing)[0].library.is_ok());
}

TEST(PluginCatalog, MissingDirectoryIsAnError) {
  auto listing = PluginCatalog("/nonexistent/plugins").list();
  ASSERT_FALSE(listing.is_ok());
  EXPECT_THAT(listing.error(), HasSubstr("/nonexistent/plugins: cannot read the plugins directory"));
}

TEST(PluginCatalog, DescribeListsParametersAndOutputs) {
  auto library = PluginCatalog(FIXTURE_DIR).load(fixture("c_ratio"));
  ASSERT_TRUE(library.is_ok()) << library.error();
  EXPECT_EQ(describe((*library)->descriptor()),
            "c_ratio 0.1.0 - C ratio model (pair model)\n"
            "  running ratio of sums, written in C\n"
            "  parameters:\n"
            "    scale (double, default 1, min 0, max 10): multiplies beta\n"
            "    warmup (int, default 2, min 0, max 1000): observations before beta is given\n"
            "    fail_create (bool, default false): create fails when true\n"
            "  outputs:\n"
            "    beta: scale * sum(y) / sum(x)\n"
            "    alpha: always 0\n"
            "    count: observations seen\n");
}

}  // namespace
}  // namespace alphastream
