#include "plugin_host/plugin_library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "fixture_paths.h"
#include "plugin_host/model_instance.h"

namespace alphastream {
namespace {

using ::alphastream::testing::fixture;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string load_error(const std::string& path) {
  auto library = PluginLibrary::load(path);
  EXPECT_FALSE(library.is_ok()) << path << " loaded";
  return library.is_ok() ? "" : library.error();
}

TEST(PluginLibrary, PlainCPluginLoadsWithItsDescriptor) {
  auto library = PluginLibrary::load(fixture("c_ratio"));
  ASSERT_TRUE(library.is_ok()) << library.error();
  const PluginLibrary& lib = **library;
  EXPECT_EQ(lib.path(), fixture("c_ratio"));
  EXPECT_STREQ(lib.descriptor().id, "c_ratio");
  EXPECT_STREQ(lib.descriptor().version, "0.1.0");
  EXPECT_EQ(lib.descriptor().kind, AS_MODEL_PAIR);
  ASSERT_EQ(lib.param_count(), 3u);
  EXPECT_STREQ(lib.param(0).name, "scale");
  EXPECT_STREQ(lib.param(1).name, "warmup");
  EXPECT_STREQ(lib.param(2).name, "fail_create");
  ASSERT_EQ(lib.output_count(), 3u);
  EXPECT_STREQ(lib.output(0).name, "beta");
  EXPECT_STREQ(lib.output(2).name, "count");
}

TEST(PluginLibrary, MissingFileIsNamed) {
  EXPECT_EQ(load_error("/nonexistent/libalphastream_nope.so"),
            "/nonexistent/libalphastream_nope.so: plugin library not found");
}

TEST(PluginLibrary, TextFileIsRefusedWithDlopensReason) {
  const std::string error = load_error(fixture("not_a_library"));
  EXPECT_THAT(error, StartsWith(fixture("not_a_library") + ": cannot load plugin library: "));
  EXPECT_THAT(error, HasSubstr("invalid ELF header"));
}

TEST(PluginLibrary, LibraryWithoutEntrySymbolIsNotAPlugin) {
  EXPECT_EQ(load_error(fixture("no_entry")),
            fixture("no_entry") + ": not an AlphaStream plugin: no symbol 'alphastream_plugin_entry'");
}

TEST(PluginLibrary, OtherAbiMajorIsRefused) {
  EXPECT_EQ(load_error(fixture("abi_major")),
            fixture("abi_major") + ": built for plugin ABI 2.0, this host supports 1.0 to 1.1");
}

TEST(PluginLibrary, NewerAbiMinorIsRefused) {
  EXPECT_EQ(load_error(fixture("abi_minor")),
            fixture("abi_minor") + ": needs plugin ABI 1.99, this host supports 1.0 to 1.1");
}

TEST(PluginLibrary, EntryShorterThanVersionOneIsRefused) {
  EXPECT_EQ(load_error(fixture("small_entry")),
            fixture("small_entry") + ": entry struct_size is 8, expected at least " +
                std::to_string(offsetof(as_plugin_entry, get_extension)));
}

TEST(PluginLibrary, PairModelWithoutBetaOutputIsRefused) {
  EXPECT_EQ(load_error(fixture("no_beta")), fixture("no_beta") + ": pair model declares no output named 'beta'");
}

TEST(PluginLibrary, PairModelWithoutUpdatePairIsRefused) {
  EXPECT_EQ(load_error(fixture("no_update")), fixture("no_update") + ": pair model has no update_pair");
}

TEST(PluginLibrary, DuplicateParameterNameIsRefused) {
  EXPECT_EQ(load_error(fixture("duplicate_param")),
            fixture("duplicate_param") + ": parameter 2 'scale': name declared twice");
}

TEST(PluginLibrary, DefaultOutsideBoundsIsRefused) {
  EXPECT_EQ(load_error(fixture("default_out_of_bounds")),
            fixture("default_out_of_bounds") + ": parameter 0 'scale': default 20 is outside [0, 10]");
}

TEST(PluginLibrary, UnknownKindIsRefused) {
  EXPECT_EQ(load_error(fixture("bad_kind")),
            fixture("bad_kind") + ": descriptor kind 7 is neither AS_MODEL_PAIR (1) nor AS_MODEL_SYMBOL (2)");
}

TEST(PluginLibrary, EveryDescriptorProblemIsListedAtOnce) {
  const std::string path = fixture("several_problems");
  EXPECT_EQ(load_error(path), path + ": parameter 0 'scale': default 20 is outside [0, 10]\n" +
                                  path + ": parameter 2 'scale': name declared twice\n" +
                                  path + ": pair model declares no output named 'beta'");
}

TEST(PluginLibrary, NullDescriptorIsRefused) {
  EXPECT_EQ(load_error(fixture("null_descriptor")), fixture("null_descriptor") + ": entry.descriptor() returned NULL");
}

TEST(PluginLibrary, DescriptorShorterThanVersionOneIsRefused) {
  EXPECT_EQ(load_error(fixture("small_descriptor")),
            fixture("small_descriptor") + ": descriptor struct_size is 16, expected at least " +
                std::to_string(sizeof(as_model_descriptor)));
}

TEST(PluginLibrary, DuplicateOutputNameIsRefused) {
  EXPECT_EQ(load_error(fixture("duplicate_output")),
            fixture("duplicate_output") + ": output 2 'alpha': name declared twice");
}

// A corrupt count is refused before the array it describes is read: here
// one real element each, declared as 1000 and 4 billion (ASan would report
// the read past them).
TEST(PluginLibrary, ImplausibleParameterAndOutputCountsAreRefusedBeforeReading) {
  const as_param_descriptor param{sizeof(as_param_descriptor), "window", AS_PARAM_INT, 5, 1, 10, ""};
  const as_output_descriptor output{sizeof(as_output_descriptor), "beta", ""};
  as_model_descriptor d{sizeof(as_model_descriptor), "corrupt", "Corrupt", "1.0.0", "", AS_MODEL_PAIR,
                        &param, 1000, &output, 4'000'000'000u};
  EXPECT_THAT(check_descriptor(d),
              ::testing::ElementsAre("descriptor declares 1000 parameters, more than the 256 a model may have",
                                     "descriptor declares 4000000000 outputs, more than the 256 a model may have"));
  d.param_count = 1;
  d.output_count = 1;
  EXPECT_THAT(check_descriptor(d), ::testing::ElementsAre("pair model declares no output named 'alpha'"));
}

// params[0].struct_size is the stride of the walk over the array: a huge or
// misaligned one is refused before element 1 is read (fuzz/descriptor_checker
// found the walk reading far past the array).
TEST(PluginLibrary, AStrideThatIsTooLargeOrMisalignedIsRefusedBeforeTheWalk) {
  as_param_descriptor params[2] = {{sizeof(as_param_descriptor), "window", AS_PARAM_INT, 5, 1, 10, ""},
                                   {sizeof(as_param_descriptor), "scale", AS_PARAM_DOUBLE, 1, 0, 2, ""}};
  const as_output_descriptor outputs[2] = {{sizeof(as_output_descriptor), "beta", ""},
                                           {sizeof(as_output_descriptor), "alpha", ""}};
  const as_model_descriptor d{sizeof(as_model_descriptor), "strided", "Strided", "1.0.0", "", AS_MODEL_PAIR,
                              params, 2, outputs, 2};
  EXPECT_THAT(check_descriptor(d), ::testing::IsEmpty());
  const std::string expected = "a multiple of 8 from " + std::to_string(sizeof(as_param_descriptor)) + " to 1024";
  for (const std::uint32_t size : {0x7fffff00u, 1032u, static_cast<std::uint32_t>(sizeof(as_param_descriptor) + 1)}) {
    params[0].struct_size = size;
    EXPECT_THAT(check_descriptor(d), ::testing::ElementsAre("params[0].struct_size is " + std::to_string(size) +
                                                            ", expected " + expected));
  }
}

TEST(PluginLibrary, PathIsKeptNormalisedForMessages) {
  auto library = PluginLibrary::load(std::string(FIXTURE_DIR) + "/../fixtures/libfixture_c_ratio.so");
  ASSERT_TRUE(library.is_ok()) << library.error();
  EXPECT_EQ((*library)->path(), fixture("c_ratio"));
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

// Issue 10: the ABI grows by minor versions without breaking either side.
// The same C plugin built against the released 1.0 header loads in this
// host, with no extensions; one that needs 1.1 loads too (old_host, a 1.0
// host, refuses it: see tests/plugin_host/CMakeLists.txt).
TEST(PluginAbi, APluginBuiltAgainstTheOneZeroHeaderLoadsWithoutExtensions) {
  const std::string path = std::string(FIXTURE_DIR) + "/abi/libfixture_sdk_1_0.so";
  auto library = PluginLibrary::load(path);
  ASSERT_TRUE(library) << library.error();
  EXPECT_EQ(library.value()->entry().struct_size, offsetof(as_plugin_entry, get_extension));
  EXPECT_EQ(library.value()->entry().abi.minor, 0u);
  EXPECT_EQ(library.value()->extension(AS_EXT_STATE), nullptr);
  auto model = ModelInstance::create(library.value(), {}, "old");
  ASSERT_TRUE(model) << model.error();
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(model.value()->update(as_observation{sizeof(as_observation), i * 1000, 2.0, 4.0 * i}));
  }
  EXPECT_EQ(model.value()->outputs()[0], 4.0);  // scale * sum(y) / sum(x) = 24 / 6
  EXPECT_EQ(model.value()->save_state().error(), "plugin 'c_ratio' has no state extension (alphastream.state/1)");
}

TEST(PluginAbi, APluginThatNeedsOneOneLoadsInThisHost) {
  auto library = PluginLibrary::load(std::string(FIXTURE_DIR) + "/abi/libfixture_needs_1_1.so");
  ASSERT_TRUE(library) << library.error();
  EXPECT_EQ(library.value()->entry().abi.minor, 1u);
  EXPECT_EQ(library.value()->entry().struct_size, sizeof(as_plugin_entry));
}

}  // namespace
}  // namespace alphastream

namespace alphastream {
namespace {

std::vector<std::string> g_host_lines;
void keep_line(as_log_level level, std::string_view plugin, std::string_view context, std::string_view message) {
  if (level == AS_LOG_WARN) g_host_lines.push_back(std::string(plugin) + " " + std::string(context) + ": " + std::string(message));
}

// Issue 13, finding 10: a plugin loaded from a directory everyone can write
// to runs whatever anyone put there. Said once per directory, as a warning.
TEST(PluginLibraryWarnings, ADirectoryOthersCanWriteIsWarnedOnceAndASafeOneNot) {
  const auto root = std::filesystem::temp_directory_path() / ("plugin_dirs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "open");
  std::filesystem::create_directories(root / "safe");
  std::filesystem::copy_file(fixture("c_ratio"), root / "open" / "libfixture_c_ratio.so");
  std::filesystem::copy_file(fixture("c_ratio"), root / "safe" / "libfixture_c_ratio.so");
  std::filesystem::permissions(root / "open", std::filesystem::perms::all);
  std::filesystem::permissions(root / "safe", std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_read |
                                                  std::filesystem::perms::others_exec);
  std::filesystem::permissions(root / "safe" / "libfixture_c_ratio.so",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                   std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  set_plugin_log_sink(&keep_line);
  g_host_lines.clear();
  ASSERT_TRUE(PluginLibrary::load((root / "safe" / "libfixture_c_ratio.so").string()));
  EXPECT_TRUE(g_host_lines.empty()) << g_host_lines.front();
  const std::string open_library = (root / "open" / "libfixture_c_ratio.so").string();
  ASSERT_TRUE(PluginLibrary::load(open_library));
  ASSERT_TRUE(PluginLibrary::load(open_library));
  set_plugin_log_sink(nullptr);
  ASSERT_EQ(g_host_lines.size(), 1u);
  EXPECT_EQ(g_host_lines[0], "c_ratio " + open_library + ": " + (root / "open").string() +
                                 " is writable by every user (mode 0777): whoever can write there can run code in "
                                 "this process");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace alphastream
