// Paths of the fixture plugins built by tests/plugin_host/CMakeLists.txt.
#pragma once

#include <string>

namespace alphastream::testing {

// "<build>/tests/plugin_host/fixtures/libfixture_<name>.so"
inline std::string fixture(const std::string& name) {
  return std::string(FIXTURE_DIR) + "/libfixture_" + name + ".so";
}

}  // namespace alphastream::testing
