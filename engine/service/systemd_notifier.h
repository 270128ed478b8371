// Tells systemd where the service is (Type=notify): ready, reloading,
// stopping, a status line, and that it is alive (the watchdog), through
// libsystemd's sd_notify. Every call is a no-op unless systemd started the
// process with a notification socket, so `run` in a terminal is unchanged.
#pragma once

#include <chrono>
#include <string_view>

namespace alphastream {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET and the watchdog's WATCHDOG_USEC (sd_watchdog_enabled).
  SystemdNotifier();

  bool enabled() const { return enabled_; }
  void ready(std::string_view status) const;      // READY=1 and STATUS=
  void reloading(std::string_view status) const;  // RELOADING=1; ready() again when done
  void stopping(std::string_view status) const;   // STOPPING=1
  void alive() const;                             // WATCHDOG=1
  // How often alive() should be sent: half of WatchdogSec; zero when systemd
  // watches no deadline.
  std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

 private:
  void send(std::string_view state, std::string_view status) const;

  bool enabled_ = false;
  std::chrono::microseconds watchdog_interval_{0};
};

}  // namespace alphastream
