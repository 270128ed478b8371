#include "metrics/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include <prometheus/exposer.h>

namespace alphastream {
namespace {

constexpr std::size_t kHttpThreads = 2;

struct ListenAddress {
  sockaddr_in in4{};
};

Status malformed(const std::string& listen, const char* why) {
  return Status::invalid_input("metrics listen address \"" + listen + "\": " + why +
                               " (expected \"IPv4:port\", like 127.0.0.1:9464; port 0 picks a free port)");
}

// Civetweb would also accept port lists, "s"/"r" suffixes and bare ports;
// only one explicit address is allowed, so nothing listens by accident.
Result<ListenAddress> parse_listen(const std::string& listen) {
  if (!listen.empty() && listen.front() == '[') {
    return malformed(listen, "IPv6 is not supported: Debian 12's civetweb, the HTTP server inside "
                             "prometheus-cpp, is built without IPv6");
  }
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return malformed(listen, "missing \":port\"");
  const std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoul(port_text) > 65535) {
    return malformed(listen, "the port must be a number from 0 to 65535");
  }
  const auto port = static_cast<std::uint16_t>(std::stoul(port_text));
  ListenAddress address;
  address.in4.sin_family = AF_INET;
  address.in4.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &address.in4.sin_addr) != 1) return malformed(listen, "not an IPv4 address");
  return address;
}

// Civetweb only says that starting failed; binding the address ourselves,
// with the same SO_REUSEADDR civetweb sets, recovers the reason.
std::string bind_failure_reason(const ListenAddress& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  std::string reason;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.in4), sizeof(address.in4)) != 0) {
    reason = std::strerror(errno);
  }
  ::close(fd);
  return reason;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& listen) {
  return start(listen, std::make_shared<MetricsRegistry>());
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& listen,
                                                            std::shared_ptr<MetricsRegistry> registry) {
  Result<ListenAddress> address = parse_listen(listen);
  if (!address) return address.status();
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(listen, kHttpThreads);
  } catch (const std::exception& e) {
    std::string reason = bind_failure_reason(*address);
    if (reason.empty()) reason = e.what();
    return Status::error("metrics server: cannot listen on " + listen + ": " + reason);
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.size() != 1 || ports[0] <= 0 || ports[0] > 65535) {
    return Status::error("metrics server: listening on " + listen + " but could not read the bound port");
  }
  exposer->RegisterCollectable(registry->collectable());
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(listen, std::move(registry), std::move(exposer), static_cast<std::uint16_t>(ports[0])));
}

MetricsServer::MetricsServer(std::string listen, std::shared_ptr<MetricsRegistry> registry,
                             std::unique_ptr<prometheus::Exposer> exposer, std::uint16_t port)
    : listen_(std::move(listen)), registry_(std::move(registry)), exposer_(std::move(exposer)), port_(port) {}

MetricsServer::~MetricsServer() = default;

}  // namespace alphastream
