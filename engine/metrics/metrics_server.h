// Serves a MetricsRegistry over HTTP at /metrics (Prometheus text format),
// using prometheus-cpp's Exposer and its embedded civetweb server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "metrics/metrics_registry.h"

namespace prometheus {
class Exposer;
}

namespace alphastream {

class MetricsServer {
 public:
  // Listens on listen ("127.0.0.1:9464", "0.0.0.0:9464"; port 0 picks a
  // free port, see port()) and serves registry at /metrics from two HTTP
  // threads. Returns invalid_input if listen is not "IPv4:port" (IPv6 is
  // refused: Debian 12's civetweb is built without it), or an error naming
  // the address if it cannot be bound (in use, not a local address).
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& listen,
                                                      std::shared_ptr<MetricsRegistry> registry);
  // As above, with a registry of its own (see registry()).
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& listen);

  // Stops listening; waits for requests in progress.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port: the requested one, or the one chosen for port 0.
  std::uint16_t port() const { return port_; }
  // The address as given to start().
  const std::string& listen_address() const { return listen_; }
  MetricsRegistry& registry() { return *registry_; }

 private:
  MetricsServer(std::string listen, std::shared_ptr<MetricsRegistry> registry,
                std::unique_ptr<prometheus::Exposer> exposer, std::uint16_t port);

  std::string listen_;
  std::shared_ptr<MetricsRegistry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_;
};

}  // namespace alphastream
