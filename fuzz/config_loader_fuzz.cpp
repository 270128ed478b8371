// The YAML config loader on arbitrary text: a config, or errors that each
// name the source and a line; never a crash, never an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/engine_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto config = alphastream::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (!config && config.error().find("fuzz.yaml") == std::string::npos) std::abort();
  if (config && config->pairs.empty()) std::abort();  // `pairs` is required
  return 0;
}
