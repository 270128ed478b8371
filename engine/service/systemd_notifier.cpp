#include "service/systemd_notifier.h"

#include <cstdlib>
#include <string>

#include <systemd/sd-daemon.h>

namespace alphastream {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::send(std::string_view state, std::string_view status) const {
  if (!enabled_) return;
  std::string message(state);
  if (!status.empty()) {
    // One line: STATUS= ends at the newline.
    std::string line(status);
    for (char& c : line) {
      if (c == '\n') c = ' ';
    }
    message.append("\nSTATUS=").append(line);
  }
  sd_notify(0, message.c_str());
}

void SystemdNotifier::ready(std::string_view status) const { send("READY=1", status); }
void SystemdNotifier::reloading(std::string_view status) const { send("RELOADING=1", status); }
void SystemdNotifier::stopping(std::string_view status) const { send("STOPPING=1", status); }
void SystemdNotifier::alive() const { send("WATCHDOG=1", {}); }

}  // namespace alphastream
