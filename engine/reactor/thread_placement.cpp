#include "reactor/thread_placement.h"

#include <pthread.h>
#include <sched.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace alphastream {

Status pin_current_thread(int cpu) {
  // CPU_SET past CPU_SETSIZE writes outside the set: reject such numbers here.
  if (cpu < 0 || cpu >= CPU_SETSIZE) {
    return Status::invalid_input("CPU " + std::to_string(cpu) + " is outside 0.." + std::to_string(CPU_SETSIZE - 1));
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc == 0) return Status::ok();
  const std::string reason = "cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(rc);
  // EINVAL: no such CPU, or not in this process's cpuset.
  return rc == EINVAL ? Status::invalid_input(reason) : Status::error(reason);
}

void name_current_thread(std::string_view name) {
  std::array<char, 16> buffer{};
  const std::size_t size = name.size() < buffer.size() - 1 ? name.size() : buffer.size() - 1;
  std::memcpy(buffer.data(), name.data(), size);
  // Only a name over 15 bytes can fail, and it was cut above.
  (void)pthread_setname_np(pthread_self(), buffer.data());
}

std::string current_thread_name() {
  std::array<char, 16> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) return {};
  return buffer.data();
}

}  // namespace alphastream
