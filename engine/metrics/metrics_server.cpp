#include "metrics/metrics_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/clock_timer.h"

namespace alphastream {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A scrape request is one line and a few headers; Prometheus sends no body.
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 4 * 1024;
// For each request to arrive (including the wait on an idle keep-alive
// connection) and for each response to be taken.
constexpr std::chrono::seconds kIoTimeout{5};
// After a response with "Connection: close", what the client still sends is
// read and dropped (up to this much, for this long) before closing: closing
// with unread input sends a TCP reset, which can destroy the response the
// client has not read yet.
constexpr std::size_t kMaxLingerBytes = 64 * 1024;
constexpr std::chrono::seconds kLingerTimeout{1};
// After a failed accept (out of file descriptors), before the next try.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
constexpr char kServerName[] = "alphastream";
constexpr char kExpectedForm[] =
    " (expected \"IPv4:port\" or \"[IPv6]:port\", like 127.0.0.1:9464 or [::1]:9464; port 0 picks a free port)";

Status malformed(const std::string& listen, const std::string& why) {
  return Status::invalid_input("metrics listen address \"" + listen + "\": " + why + kExpectedForm);
}

// One explicit address and port only: no host names, port lists or bare
// ports, so nothing listens anywhere by accident.
Result<tcp::endpoint> parse_listen(const std::string& listen) {
  std::string host;
  std::string port_text;
  const bool bracketed = !listen.empty() && listen.front() == '[';
  if (bracketed) {
    const std::size_t close = listen.find(']');
    if (close == std::string::npos) return malformed(listen, "missing \"]\" after the IPv6 address");
    if (close + 1 >= listen.size() || listen[close + 1] != ':') return malformed(listen, "missing \":port\"");
    host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos) return malformed(listen, "missing \":port\"");
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return malformed(listen, "an IPv6 address goes in brackets, like [::1]:9464");
    }
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoul(port_text) > 65535) {
    return malformed(listen, "the port must be a number from 0 to 65535");
  }
  const auto port = static_cast<std::uint16_t>(std::stoul(port_text));
  beast::error_code ec;
  if (bracketed) {
    const net::ip::address_v6 address = net::ip::make_address_v6(host, ec);
    if (ec) return malformed(listen, "not an IPv6 address");
    return tcp::endpoint(address, port);
  }
  const net::ip::address_v4 address = net::ip::make_address_v4(host, ec);
  if (ec) return malformed(listen, "not an IPv4 address");
  return tcp::endpoint(address, port);
}

Response text_response(http::status status, unsigned version, bool keep_alive, std::string body) {
  Response response(status, version);
  response.set(http::field::server, kServerName);
  response.set(http::field::content_type, kTextContentType);
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// An answer to request, keeping its connection open if the client asked.
Response text_response(const Request& request, http::status status, std::string body) {
  return text_response(status, request.version(), request.keep_alive(), std::move(body));
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category();
}

}  // namespace

// The listener, its io_context and thread, the readiness checks, and what
// each path answers. Connections run on the one thread; a scrape blocks it
// while the collectors run, which is fine at the rate Prometheus scrapes.
class MetricsServer::Http {
 public:
  Http(std::shared_ptr<MetricsRegistry> registry, std::size_t max_connections, const Clock& clock)
      : registry_(std::move(registry)), max_connections_(max_connections), clock_(clock) {}

  ~Http() {
    // run() returns after the handler in progress; the connections'
    // handlers, and with them the connections, go with io_.
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  Status listen(const tcp::endpoint& endpoint, const std::string& listen) {
    const std::string where = "metrics server: cannot listen on " + listen + ": ";
    beast::error_code ec;
    if (acceptor_.open(endpoint.protocol(), ec); ec) return Status::error(where + ec.message());
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) {
      return Status::error(where + ec.message());
    }
    // "[::]" means every address, IPv4 included, whatever the host's
    // net.ipv6.bindv6only says.
    if (endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
      if (acceptor_.set_option(net::ip::v6_only(false), ec); ec) return Status::error(where + ec.message());
    }
    if (acceptor_.bind(endpoint, ec); ec) return Status::error(where + ec.message());
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
      return Status::error(where + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return Status::error(where + "reading the bound port: " + ec.message());
    return Status::ok();
  }

  void run() {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  std::uint16_t port() const { return port_; }
  std::uint64_t refused_connections() const { return refused_connections_.load(std::memory_order_relaxed); }

  void add_check(std::string name, ReadinessCheck check) {
    std::lock_guard lock(checks_mutex_);
    checks_.push_back({std::move(name), std::move(check)});
  }

  // Never throws: an exception must not end the server's thread.
  Response respond(const Request& request) {
    try {
      return respond_or_throw(request);
    } catch (const std::exception& e) {
      return text_response(request, http::status::internal_server_error, std::string(e.what()) + "\n");
    } catch (...) {
      return text_response(request, http::status::internal_server_error, "unknown error\n");
    }
  }

 private:
  struct NamedCheck {
    std::string name;
    ReadinessCheck not_ready_reason;
  };

  void accept();

  Response respond_or_throw(const Request& request) {
    const beast::string_view target = request.target();
    const std::string_view path = std::string_view(target.data(), target.size()).substr(0, target.find('?'));
    if (path != "/metrics" && path != "/healthz" && path != "/readyz") {
      return text_response(request, http::status::not_found,
                           "not found: " + std::string(path) + " (serving /metrics, /healthz, /readyz)\n");
    }
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      Response response = text_response(request, http::status::method_not_allowed, "only GET and HEAD are served\n");
      response.set(http::field::allow, "GET, HEAD");
      return response;
    }
    Response response;
    if (path == "/metrics") {
      response = text_response(request, http::status::ok, registry_->scrape_text());
      response.set(http::field::content_type, kMetricsContentType);
    } else if (path == "/healthz") {
      response = text_response(request, http::status::ok, "ok\n");
    } else {
      response = readiness(request);
    }
    if (request.method() == http::verb::head) {
      // The length GET would send, and no body.
      const std::size_t length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
    return response;
  }

  Response readiness(const Request& request) {
    std::vector<NamedCheck> checks;
    {
      // Copied so that a check runs without the lock: it may take its own.
      std::lock_guard lock(checks_mutex_);
      checks = checks_;
    }
    bool ready = true;
    std::string body;
    for (const NamedCheck& check : checks) {
      std::optional<std::string> reason;
      try {
        reason = check.not_ready_reason();
      } catch (const std::exception& e) {
        reason = std::string("check failed: ") + e.what();
      } catch (...) {
        reason = "check failed";
      }
      ready = ready && !reason;
      body += check.name + ": " + (reason ? *reason : "ok") + "\n";
    }
    if (checks.empty()) body = "ok\n";
    return text_response(request, ready ? http::status::ok : http::status::service_unavailable, std::move(body));
  }

  std::shared_ptr<MetricsRegistry> registry_;
  const std::size_t max_connections_;
  const Clock& clock_;
  std::size_t open_connections_ = 0;  // [server thread]
  std::atomic<std::uint64_t> refused_connections_{0};
  std::mutex checks_mutex_;  // guards checks_
  std::vector<NamedCheck> checks_;
  net::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  net::steady_timer accept_retry_{io_};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

namespace {

// One client connection: requests read one at a time (keep-alive and
// pipelining work), each answered by Http::respond. Owned by the
// shared_ptrs in its pending I/O handlers (the deadline's handler holds a
// weak one); everything runs on the server thread. The deadline closes the
// socket, which ends the pending read or write.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  using Responder = std::function<Response(const Request&)>;

  // open counts the connections alive: this one until it is destroyed.
  HttpConnection(tcp::socket socket, Responder respond, std::size_t& open, const Clock& clock)
      : socket_(std::move(socket)), deadline_(socket_.get_executor(), clock), respond_(std::move(respond)), open_(open) {
    ++open_;
  }
  ~HttpConnection() { --open_; }

  void start() { read_request(); }

 private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    arm(kIoTimeout);
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_request(ec);
    });
  }

  void on_request(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return refuse(http::status::request_header_fields_too_large,
                    "request header over " + std::to_string(kMaxHeaderBytes) + " bytes\n");
    }
    if (ec == http::error::body_limit) {
      return refuse(http::status::payload_too_large, "request body over " + std::to_string(kMaxBodyBytes) + " bytes\n");
    }
    if (ec && is_parse_error(ec) && ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return refuse(http::status::bad_request, "malformed request: " + ec.message() + "\n");
    }
    // Closed, reset or timed out: nobody to answer.
    if (ec) return close();
    write(respond_(parser_->get()));
  }

  // Answers and closes: the rest of the connection's input is not a request.
  void refuse(http::status status, std::string why) { write(text_response(status, 11, false, std::move(why))); }

  void write(Response response) {
    response_ = std::move(response);
    arm(kIoTimeout);
    http::async_write(socket_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!self->response_.keep_alive()) return self->linger();
      self->read_request();
    });
  }

  void linger() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    arm(kLingerTimeout);
    drain();
  }

  void drain() {
    socket_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->lingered_bytes_ += n;
      if (ec || self->lingered_bytes_ > kMaxLingerBytes) return self->close();
      self->drain();
    });
  }

  void arm(std::chrono::nanoseconds timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([weak = weak_from_this()](const beast::error_code& ec) {
      if (ec) return;
      if (const auto self = weak.lock()) self->close();
    });
  }

  void close() {
    beast::error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
  }

  tcp::socket socket_;
  ClockTimer deadline_;
  Responder respond_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  std::array<char, 4096> discard_{};
  std::size_t lingered_bytes_ = 0;
  std::size_t& open_;
};

}  // namespace

void MetricsServer::Http::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors, say: retrying at once would spin until
      // connections close.
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    if (open_connections_ >= max_connections_) {
      refused_connections_.fetch_add(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<HttpConnection>(
          std::move(socket), [this](const Request& request) { return respond(request); }, open_connections_, clock_)
          ->start();
    }
    accept();
  });
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& listen) {
  return start(listen, std::make_shared<MetricsRegistry>());
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& listen,
                                                            std::shared_ptr<MetricsRegistry> registry,
                                                            std::size_t max_connections, const Clock& clock) {
  Result<tcp::endpoint> endpoint = parse_listen(listen);
  if (!endpoint) return endpoint.status();
  auto http = std::make_unique<Http>(registry, std::max<std::size_t>(1, max_connections), clock);
  if (Status listening = http->listen(*endpoint, listen); !listening) return listening;
  const std::uint16_t port = http->port();
  http->run();
  return std::unique_ptr<MetricsServer>(new MetricsServer(listen, std::move(registry), port, std::move(http)));
}

MetricsServer::MetricsServer(std::string listen, std::shared_ptr<MetricsRegistry> registry, std::uint16_t port,
                             std::unique_ptr<Http> http)
    : listen_(std::move(listen)), registry_(std::move(registry)), port_(port), http_(std::move(http)) {}

MetricsServer::~MetricsServer() = default;

std::uint64_t MetricsServer::refused_connections() const { return http_->refused_connections(); }

void MetricsServer::add_readiness_check(std::string name, ReadinessCheck not_ready_reason) {
  http_->add_check(std::move(name), std::move(not_ready_reason));
}

}  // namespace alphastream
