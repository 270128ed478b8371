// Serves a MetricsRegistry over HTTP/1.1 (Boost.Beast) on IPv4 or IPv6:
//   /metrics  the registry's scrape in Prometheus' text format 0.0.4
//   /healthz  200 "ok" while the server runs (liveness)
//   /readyz   200 when every readiness check passes, 503 otherwise; the
//             body has one "name: ok" or "name: <reason>" line per check
// GET and HEAD only (405 otherwise), 404 for any other path. A request's
// header is at most 8 KiB and its body 4 KiB (431 / 413 otherwise), and a
// client gets 5 s to send each request and to read each response, so a
// slow or silent client cannot hold up a scrape. At most max_connections
// are open at once; one more is closed as soon as it is accepted (and
// counted), so idle scrapers cannot take the process's file descriptors
// from the feed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "metrics/metrics_registry.h"

namespace alphastream {

class MetricsServer {
 public:
  // Returns std::nullopt when ready, or why not ("not connected").
  using ReadinessCheck = std::function<std::optional<std::string>()>;

  // Listens on listen and serves registry from one HTTP thread of its own.
  // listen is "IPv4:port" or "[IPv6]:port" ("127.0.0.1:9464", "0.0.0.0:9464",
  // "[::1]:9464"; "[::]:9464" takes IPv4 connections too); port 0 picks a
  // free port (see port()). Returns invalid_input naming the address if it
  // is malformed, or an error naming it if it cannot be bound (in use, not
  // a local address). Client timeouts keep clock's time, which must outlive
  // the server.
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& listen,
                                                      std::shared_ptr<MetricsRegistry> registry,
                                                      std::size_t max_connections = kDefaultMaxConnections,
                                                      const Clock& clock = system_clock());
  static constexpr std::size_t kDefaultMaxConnections = 64;
  // As above, with a registry of its own (see registry()).
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& listen);

  // Stops listening and closes every connection; a request being answered
  // (a scrape or readiness check running) finishes first.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // /readyz requests made after this call run not_ready_reason and report
  // it under name; checks run in the order they were added. A check that
  // throws counts as not ready, with the exception's message.
  // REQUIRES: not_ready_reason is thread-safe and quick (it runs on the HTTP
  // thread while the caller's threads go on: read atomics, not locks held
  // for long), and it and what it reads outlive this server. [any thread]
  void add_readiness_check(std::string name, ReadinessCheck not_ready_reason);

  // The bound port: the requested one, or the one chosen for port 0.
  std::uint16_t port() const { return port_; }
  // The address as given to start().
  const std::string& listen_address() const { return listen_; }
  MetricsRegistry& registry() { return *registry_; }
  // Connections closed at once because max_connections were open. [any thread]
  std::uint64_t refused_connections() const;

 private:
  class Http;
  MetricsServer(std::string listen, std::shared_ptr<MetricsRegistry> registry, std::uint16_t port,
                std::unique_ptr<Http> http);

  std::string listen_;
  std::shared_ptr<MetricsRegistry> registry_;
  std::uint16_t port_;
  std::unique_ptr<Http> http_;
};

}  // namespace alphastream
