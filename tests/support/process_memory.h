// This process's memory as Linux reports it, for tests and benchmarks that
// bound what a computation adds.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace alphastream::testing {

// A kB figure of /proc/self/status ("VmRSS", "VmHWM"), or -1.
inline long proc_status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// Sets VmHWM back to the current RSS (Linux >= 4.0), so that the peak of
// what follows can be read. False where /proc/self/clear_refs is refused.
inline bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return clear.good();
}

}  // namespace alphastream::testing
