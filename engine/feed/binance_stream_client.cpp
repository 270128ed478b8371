#include "feed/binance_stream_client.h"

#include <algorithm>
#include <charconv>
#include <type_traits>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "core/clock_timer.h"
#include "feed/agg_trade_stream_name.h"
#include "feed/tls_client.h"

namespace alphastream {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// Binance aggTrade frames are a few hundred bytes; anything near this is not
// a market data frame.
constexpr std::size_t kMaxMessageBytes = 1 << 20;
constexpr std::size_t kInitialBufferBytes = 4096;

struct StreamUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;  // host[:port] as written in the URL
  std::string path;
};

Result<StreamUrl> parse_stream_url(std::string_view url) {
  const auto invalid = [&](std::string_view why) {
    return Status::invalid_input("stream url '" + std::string(url) + "': " + std::string(why));
  };
  StreamUrl parsed;
  std::string_view rest;
  if (url.starts_with("wss://")) {
    parsed.tls = true;
    rest = url.substr(6);
  } else if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else {
    return invalid("expected ws:// or wss://");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  parsed.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (parsed.path.find_first_of("?#") != std::string::npos) {
    return invalid("no query expected (the client appends ?streams=)");
  }
  if (authority.find_first_of("[@") != std::string_view::npos) {
    return invalid("IPv6 literals and user info are not supported");
  }
  const std::size_t colon = authority.find(':');
  parsed.host = std::string(authority.substr(0, colon));
  if (parsed.host.empty()) return invalid("missing host");
  if (colon == std::string_view::npos) {
    parsed.port = parsed.tls ? "443" : "80";
  } else {
    const std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return invalid("port must be 1..65535");
    }
    parsed.port = std::string(port);
  }
  parsed.host_header = std::string(authority);
  return parsed;
}

bool is_symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// One request target per slice of at most max_streams symbols.
std::vector<std::string> stream_targets(const std::string& path,
                                        const std::vector<std::string>& symbols,
                                        std::size_t max_streams) {
  std::vector<std::string> targets;
  for (std::size_t begin = 0; begin < symbols.size(); begin += max_streams) {
    std::string target = path + "?streams=";
    const std::size_t end = std::min(symbols.size(), begin + max_streams);
    for (std::size_t i = begin; i < end; ++i) {
      if (i > begin) target += '/';
      append_agg_trade_stream_name(target, symbols[i]);
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

// Single writer (the io thread): a plain load and store avoids a locked
// read-modify-write per message.
void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
void subtract_one(std::atomic<std::uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

ReconnectReason classify_read_error(const beast::error_code& ec) {
  if (ec == websocket::error::closed || ec == asio::error::eof ||
      ec == ssl::error::stream_truncated) {
    return ReconnectReason::kClosed;
  }
  return ReconnectReason::kError;
}

}  // namespace

std::string_view reconnect_reason_name(ReconnectReason reason) {
  switch (reason) {
    case ReconnectReason::kClosed: return "closed";
    case ReconnectReason::kError: return "error";
    case ReconnectReason::kStale: return "stale";
    case ReconnectReason::kRotation: return "rotation";
    case ReconnectReason::kTls: return "tls";
  }
  return "error";
}

ReconnectBackoff::ReconnectBackoff(milliseconds initial, milliseconds max, std::uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), rng_(seed) {}

milliseconds ReconnectBackoff::ceiling(std::uint32_t failures) const {
  milliseconds bound = initial_;
  for (std::uint32_t i = 1; i < failures && bound < max_; ++i) bound *= 2;
  return std::min(bound, max_);
}

milliseconds ReconnectBackoff::draw(std::uint32_t failures) {
  std::uniform_int_distribution<milliseconds::rep> uniform(0, ceiling(failures).count());
  return milliseconds(uniform(rng_));
}

class BinanceStreamClient::Impl {
 public:
  Impl(asio::io_context& io, StreamClientOptions options, StreamHandler& handler)
      : io_(io),
        options_(std::move(options)),
        clock_(options_.clock ? *options_.clock : system_clock()),
        handler_(handler),
        ssl_context_(ssl::context::tls_client),
        backoff_(options_.reconnect_initial, options_.reconnect_max, std::random_device{}()) {}

  Status start();
  void stop() {
    asio::post(io_, [this] { stop_now(); });
  }
  std::size_t connection_count() const {
    const std::size_t per = std::max<std::size_t>(1, options_.max_streams_per_connection);
    return (options_.symbols.size() + per - 1) / per;
  }
  const StreamClientCounters& counters() const { return counters_; }
  // Session handlers hold their session: none alive, none pending.
  bool idle() const { return stopped_ && *sessions_alive_ == 0; }

 private:
  class Session;
  template <bool kTls>
  class WsSession;

  struct Slot {
    Slot(asio::io_context& io, const Clock& clock) : connect_timer(io, clock), rotate_timer(io, clock) {}
    std::size_t index = 0;
    std::string target;
    std::shared_ptr<Session> live;       // delivered a message; the current one
    std::shared_ptr<Session> candidate;  // connecting, or open without a message yet
    std::vector<std::shared_ptr<Session>> retiring;  // replaced, closing after the overlap
    ClockTimer connect_timer;
    ClockTimer rotate_timer;
    std::uint32_t failures = 0;  // consecutive, reset by a delivered message
    bool connect_scheduled = false;
  };

  void stop_now();
  void schedule_connect(Slot& slot, milliseconds delay);
  void connect_now(Slot& slot);
  void begin_rotation(Slot& slot);
  void plan_retry(Slot& slot, ConnectionEvent& event);

  // Called by sessions.
  void on_session_open(Session& session);
  void on_first_message(Session& session);
  void on_session_end(Session& session, ReconnectReason reason, std::string detail);

  asio::io_context& io_;
  const StreamClientOptions options_;
  const Clock& clock_;
  StreamHandler& handler_;
  StreamUrl url_;
  ssl::context ssl_context_;
  ReconnectBackoff backoff_;
  StreamClientCounters counters_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint64_t next_session_id_ = 1;
  std::shared_ptr<ConnectRateLimiter> connect_limiter_;
  bool stopped_ = false;
  // Session objects, counted by their constructor and destructor. Shared:
  // a handler still pending when the io_context is destroyed destroys its
  // session after this client may be gone.
  std::shared_ptr<std::size_t> sessions_alive_ = std::make_shared<std::size_t>(0);
};

// One websocket connection attempt, from resolve to end. It reports its end
// exactly once (on_session_end) and is then done; a reconnect is a new one.
class BinanceStreamClient::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& impl, Slot& slot, std::uint64_t id)
      : impl_(impl), slot_(slot), id_(id), alive_(impl.sessions_alive_) {
    ++*alive_;
  }
  // Touches nothing of the client: it may already be destroyed.
  virtual ~Session() { --*alive_; }

  virtual void start() = 0;
  // Closes with a close handshake if open, else aborts; ends with reason.
  virtual void close(ReconnectReason reason) = 0;
  // Keeps reading for delay, then closes (reason rotation).
  virtual void retire_after(milliseconds delay) = 0;

  Slot& slot() const { return slot_; }
  std::uint64_t id() const { return id_; }
  Clock::SteadyTime opened_at() const { return opened_at_; }

 protected:
  Impl& impl_;
  Slot& slot_;
  const std::uint64_t id_;
  Clock::SteadyTime opened_at_{};
  bool counted_open_ = false;  // included in counters_.connected_connections
  bool delivered_ = false;     // a message arrived
  const std::shared_ptr<std::size_t> alive_;  // the client's sessions_alive_

  friend class Impl;
};

template <bool kTls>
class BinanceStreamClient::Impl::WsSession final : public Session {
 public:
  using Next = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  WsSession(Impl& impl, Slot& slot, std::uint64_t id)
      : Session(impl, slot, id), ws_(make_stream(impl)), resolver_(impl.io_), timer_(impl.io_, impl.clock_) {
    buffer_.reserve(kInitialBufferBytes);
  }

  void start() override {
    add(impl_.counters_.connect_attempts_total);
    resolver_.async_resolve(impl_.url_.host, impl_.url_.port,
                            [self = shared(), this](beast::error_code ec, tcp::resolver::results_type results) {
                              on_resolve(ec, std::move(results));
                            });
  }

  void close(ReconnectReason reason) override {
    if (ended_ || closing_) return;
    if (!counted_open_) {
      end(reason, "closed by the client before the websocket was open");
      return;
    }
    closing_ = true;
    timer_.cancel();
    ws_.async_close(websocket::close_code::normal, [self = shared(), this, reason](beast::error_code ec) {
      end(reason, ec ? where() + ": close handshake failed: " + ec.message() : "closed by the client");
    });
  }

  void retire_after(milliseconds delay) override {
    if (ended_ || closing_) return;
    retiring_ = true;
    timer_.expires_after(delay);
    timer_.async_wait([self = shared(), this](beast::error_code ec) {
      if (!ec) close(ReconnectReason::kRotation);
    });
  }

 private:
  static websocket::stream<Next> make_stream(Impl& impl) {
    if constexpr (kTls) {
      return websocket::stream<Next>(impl.io_, impl.ssl_context_);
    } else {
      return websocket::stream<Next>(impl.io_);
    }
  }

  std::shared_ptr<WsSession> shared() {
    return std::static_pointer_cast<WsSession>(shared_from_this());
  }

  std::string where() const {
    return "connection " + std::to_string(slot_.index) + " (" + impl_.url_.host + ":" +
           impl_.url_.port + ")";
  }

  bool done() const { return ended_ || closing_; }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (done()) return;
    if (ec) return end(ReconnectReason::kError, where() + ": resolve failed: " + ec.message());
    beast::get_lowest_layer(ws_).expires_after(impl_.options_.connect_timeout);
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = shared(), this](beast::error_code ec, const tcp::endpoint&) {
          on_connect(ec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (done()) return;
    if (ec) return end(ReconnectReason::kError, where() + ": connect failed: " + ec.message());
    if constexpr (kTls) {
      if (const Status status = prepare_tls(); !status) {
        return end(ReconnectReason::kTls, where() + ": " + status.message());
      }
      ws_.next_layer().async_handshake(ssl::stream_base::client,
                                       [self = shared(), this](beast::error_code ec) { on_tls_handshake(ec); });
    } else {
      upgrade();
    }
  }

  // SNI always; with verify_tls, the certificate must name the host.
  Status prepare_tls() {
    return prepare_tls_session(ws_.next_layer().native_handle(), impl_.url_.host, impl_.options_.verify_tls);
  }

  void on_tls_handshake(beast::error_code ec) {
    if (done()) return;
    if (ec) {
      std::string detail = where() + ": TLS handshake failed: " + ec.message();
      if constexpr (kTls) {
        const long verify = SSL_get_verify_result(ws_.next_layer().native_handle());
        if (verify != X509_V_OK) {
          detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        }
      }
      return end(ReconnectReason::kTls, std::move(detail));
    }
    upgrade();
  }

  void upgrade() {
    // The websocket stream has its own timeouts; the TCP one would cut reads.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = impl_.options_.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the stale watchdog decides
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "alphastream");
    }));
    ws_.read_message_max(kMaxMessageBytes);
    ws_.async_handshake(response_, impl_.url_.host_header, slot_.target,
                        [self = shared(), this](beast::error_code ec) { on_upgrade(ec); });
  }

  void on_upgrade(beast::error_code ec) {
    if (done()) return;
    if (ec) {
      std::string detail = where() + ": websocket upgrade of " + slot_.target + " failed: " + ec.message();
      if (response_.result_int() != 0) detail += " (HTTP " + std::to_string(response_.result_int()) + ")";
      return end(ReconnectReason::kError, std::move(detail));
    }
    response_ = {};
    opened_at_ = impl_.clock_.steady_now();
    last_message_ = opened_at_;
    impl_.on_session_open(*this);
    if (done()) return;
    arm_watchdog();
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared(), this](beast::error_code ec, std::size_t) { on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (done()) return;
    if (ec) return end(classify_read_error(ec), where() + ": read failed: " + ec.message());
    const std::int64_t receive_time_ns = impl_.clock_.wall_ns();
    last_message_ = impl_.clock_.steady_now();
    const auto data = buffer_.data();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    add(impl_.counters_.messages_total);
    add(impl_.counters_.received_bytes_total, frame.size());
    if (!delivered_) {
      delivered_ = true;
      impl_.on_first_message(*this);
    }
    impl_.handler_.on_message(frame, receive_time_ns);
    buffer_.consume(buffer_.size());  // keeps the capacity
    if (done()) return;  // the handler may have stopped the client
    read();
  }

  // Fires at most once per stale_after: it re-arms from the last message.
  void arm_watchdog() {
    if (retiring_) return;
    timer_.expires_at(last_message_ + impl_.options_.stale_after);
    timer_.async_wait([self = shared(), this](beast::error_code ec) {
      if (ec || done() || retiring_) return;
      if (impl_.clock_.steady_now() - last_message_ < impl_.options_.stale_after) return arm_watchdog();
      end(ReconnectReason::kStale,
          where() + ": no message for " + std::to_string(impl_.options_.stale_after.count()) + " ms");
    });
  }

  void end(ReconnectReason reason, std::string detail) {
    if (ended_) return;
    ended_ = true;
    timer_.cancel();
    resolver_.cancel();
    beast::get_lowest_layer(ws_).close();
    impl_.on_session_end(*this, reason, std::move(detail));
  }

  websocket::stream<Next> ws_;
  tcp::resolver resolver_;
  ClockTimer timer_;  // stale watchdog, then the retirement delay
  beast::flat_buffer buffer_;
  websocket::response_type response_;
  Clock::SteadyTime last_message_{};
  bool ended_ = false;
  bool closing_ = false;
  bool retiring_ = false;
};

Status BinanceStreamClient::Impl::start() {
  Result<StreamUrl> url = parse_stream_url(options_.url);
  if (!url) return url.status();
  url_ = std::move(url.value());
  if (options_.symbols.empty()) return Status::invalid_input("stream client: no symbols to subscribe");
  for (const std::string& symbol : options_.symbols) {
    if (symbol.empty() || !std::all_of(symbol.begin(), symbol.end(), is_symbol_char)) {
      return Status::invalid_input("stream client: symbol '" + symbol +
                                   "': expected letters, digits and '_'");
    }
  }
  if (options_.max_streams_per_connection == 0 || options_.max_streams_per_connection > 1024) {
    return Status::invalid_input("stream client: max_streams_per_connection must be 1..1024");
  }
  if (options_.max_connects_per_window == 0) {
    return Status::invalid_input("stream client: max_connects_per_window must be positive");
  }
  if (options_.reconnect_initial.count() <= 0 || options_.stale_after.count() <= 0 ||
      options_.connect_timeout.count() <= 0 || options_.rotate_after.count() <= 0) {
    return Status::invalid_input(
        "stream client: reconnect_initial, stale_after, connect_timeout and rotate_after must be positive");
  }
  if (url_.tls) {
    Status configured = configure_tls_client(ssl_context_, options_.ca_file, options_.verify_tls, "stream client");
    if (!configured) return configured;
  }
  connect_limiter_ = options_.connect_limiter
                         ? options_.connect_limiter
                         : std::make_shared<ConnectRateLimiter>(options_.max_connects_per_window, options_.connect_window);
  const std::vector<std::string> targets =
      stream_targets(url_.path, options_.symbols, options_.max_streams_per_connection);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto slot = std::make_unique<Slot>(io_, clock_);
    slot->index = i;
    slot->target = targets[i];
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) schedule_connect(*slot, milliseconds(0));
  return Status::ok();
}

void BinanceStreamClient::Impl::stop_now() {
  if (stopped_) return;
  stopped_ = true;
  std::vector<std::shared_ptr<Session>> sessions;
  for (auto& slot : slots_) {
    slot->connect_timer.cancel();
    slot->rotate_timer.cancel();
    if (slot->live) sessions.push_back(slot->live);
    if (slot->candidate) sessions.push_back(slot->candidate);
    sessions.insert(sessions.end(), slot->retiring.begin(), slot->retiring.end());
  }
  for (auto& session : sessions) session->close(ReconnectReason::kClosed);
}

void BinanceStreamClient::Impl::schedule_connect(Slot& slot, milliseconds delay) {
  slot.connect_scheduled = true;
  slot.connect_timer.expires_after(delay);
  slot.connect_timer.async_wait([this, &slot](beast::error_code ec) {
    if (ec || stopped_) return;
    connect_now(slot);
  });
}

void BinanceStreamClient::Impl::connect_now(Slot& slot) {
  if (const milliseconds wait = connect_limiter_->try_acquire(clock_.steady_now()); wait.count() > 0) {
    schedule_connect(slot, wait);
    return;
  }
  slot.connect_scheduled = false;
  const std::uint64_t id = next_session_id_++;
  if (url_.tls) {
    slot.candidate = std::make_shared<WsSession<true>>(*this, slot, id);
  } else {
    slot.candidate = std::make_shared<WsSession<false>>(*this, slot, id);
  }
  std::shared_ptr<Session> session = slot.candidate;
  session->start();
}

void BinanceStreamClient::Impl::begin_rotation(Slot& slot) {
  if (stopped_ || !slot.live || slot.candidate || slot.connect_scheduled) return;
  add(counters_.reconnects_total[static_cast<std::size_t>(ReconnectReason::kRotation)]);
  ConnectionEvent event;
  event.kind = ConnectionEvent::Kind::kRotating;
  event.connection_index = slot.index;
  event.session_id = slot.live->id();
  event.reason = ReconnectReason::kRotation;
  event.connected_connections = counters_.connected_connections.load(std::memory_order_relaxed);
  handler_.on_connection_event(event);
  schedule_connect(slot, milliseconds(0));
}

void BinanceStreamClient::Impl::on_session_open(Session& session) {
  session.counted_open_ = true;
  add(counters_.connects_total);
  add(counters_.connected_connections);
  ConnectionEvent event;
  event.kind = ConnectionEvent::Kind::kConnected;
  event.connection_index = session.slot().index;
  event.session_id = session.id();
  event.connected_connections = counters_.connected_connections.load(std::memory_order_relaxed);
  handler_.on_connection_event(event);
}

// The candidate proved it delivers: it becomes the live connection, and the
// one it replaces is closed after the overlap.
void BinanceStreamClient::Impl::on_first_message(Session& session) {
  Slot& slot = session.slot();
  if (slot.candidate.get() != &session) return;
  if (slot.live) {
    slot.live->retire_after(options_.rotation_overlap);
    slot.retiring.push_back(std::move(slot.live));
  }
  slot.live = std::move(slot.candidate);
  slot.failures = 0;
  slot.rotate_timer.expires_at(session.opened_at() + options_.rotate_after);
  slot.rotate_timer.async_wait([this, &slot](beast::error_code ec) {
    if (!ec) begin_rotation(slot);
  });
}

void BinanceStreamClient::Impl::on_session_end(Session& session, ReconnectReason reason,
                                               std::string detail) {
  const std::shared_ptr<Session> keep = session.shared_from_this();
  if (session.counted_open_) {
    session.counted_open_ = false;
    subtract_one(counters_.connected_connections);
  }
  Slot& slot = session.slot();
  ConnectionEvent event;
  event.kind = ConnectionEvent::Kind::kDisconnected;
  event.connection_index = slot.index;
  event.session_id = session.id();
  event.reason = reason;
  event.detail = std::move(detail);
  if (slot.live == keep) {
    slot.live.reset();
    slot.rotate_timer.cancel();
    if (!slot.candidate && !slot.connect_scheduled) {
      slot.failures = 1;
      plan_retry(slot, event);
    }
  } else if (slot.candidate == keep) {
    slot.candidate.reset();
    ++slot.failures;
    plan_retry(slot, event);
  } else {
    std::erase(slot.retiring, keep);
  }
  if (stopped_) return;
  event.connected_connections = counters_.connected_connections.load(std::memory_order_relaxed);
  handler_.on_connection_event(event);
}

void BinanceStreamClient::Impl::plan_retry(Slot& slot, ConnectionEvent& event) {
  if (stopped_) return;
  add(counters_.reconnects_total[static_cast<std::size_t>(event.reason)]);
  event.failures = slot.failures;
  event.retry_delay = backoff_.draw(slot.failures);
  schedule_connect(slot, event.retry_delay);
}

BinanceStreamClient::BinanceStreamClient(asio::io_context& io, StreamClientOptions options,
                                         StreamHandler& handler)
    : impl_(std::make_unique<Impl>(io, std::move(options), handler)) {}

BinanceStreamClient::~BinanceStreamClient() = default;
bool BinanceStreamClient::idle() const { return impl_->idle(); }

Status BinanceStreamClient::start() { return impl_->start(); }
void BinanceStreamClient::stop() { impl_->stop(); }
const StreamClientCounters& BinanceStreamClient::counters() const { return impl_->counters(); }
std::size_t BinanceStreamClient::connection_count() const { return impl_->connection_count(); }

}  // namespace alphastream
