// A client for Binance USD-M futures combined market streams
// (wss://fstream.binance.com/market/stream?streams=btcusdt@aggTrade/...).
// It keeps one websocket per slice of at most max_streams_per_connection
// symbols open: it reconnects with jittered exponential backoff, replaces a
// connection that went silent, and rotates each connection before Binance's
// 24 h limit without a gap (the new one is open and delivering before the old
// one is dropped, so the same trade may arrive twice: AggIdSequencer drops it
// downstream). Frames are handed over verbatim; parsing is the caller's job.
// The client itself sends only pongs (Beast answers pings while a read is
// pending) and close frames, far under Binance's 10 messages/s.
//
// Beast and OpenSSL stay inside the .cpp; this header only needs Asio's
// io_context.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/clock.h"
#include "core/status.h"
#include "feed/connect_rate_limiter.h"

namespace alphastream {

struct StreamClientOptions {
  // "wss://host[:port]/path" or "ws://host[:port]/path" (plain, for loopback
  // tests). The client appends "?streams=<symbol>@aggTrade/...".
  std::string url = "wss://fstream.binance.com/market/stream";
  // Upper-case as configured; lower-cased in the stream names.
  std::vector<std::string> symbols;
  // Certificate chain and host name verification; SNI is always sent.
  bool verify_tls = true;
  // A PEM trust anchor added to the system's default ones (a private CA).
  std::string ca_file;
  // Reconnect delays: uniform in [0, min(max, initial * 2^(failures-1))].
  std::chrono::milliseconds reconnect_initial{250};
  std::chrono::milliseconds reconnect_max{30000};
  // Limit for TCP connect + TLS handshake, and separately for the websocket
  // upgrade (and close) handshake.
  std::chrono::milliseconds connect_timeout{10000};
  // A connection with no message for this long is replaced (reason "stale").
  std::chrono::milliseconds stale_after{30000};
  // Age at which a connection is replaced proactively (Binance: 24 h max).
  std::chrono::seconds rotate_after{23 * 3600};
  // How long the old connection of a rotation keeps being read after the new
  // one delivered its first message. Closing at once would make the close
  // handshake discard frames the old connection still had in flight.
  std::chrono::milliseconds rotation_overlap{2000};
  // Binance allows 1024 streams per connection.
  std::size_t max_streams_per_connection = 1024;
  // Connect attempts (over all connections) allowed per window; Binance
  // allows 300 per 5 minutes per IP. Further attempts wait.
  std::size_t max_connects_per_window = 300;
  std::chrono::milliseconds connect_window{300000};
  // Shared by every client of the process (Binance counts per IP); null: a
  // limiter of the client's own, from the two settings above.
  std::shared_ptr<ConnectRateLimiter> connect_limiter;
  // Backoff, the stale watchdog, rotation, the connect limiter and receive
  // times keep this clock's time (tests move a ManualClock by hand); the
  // socket-level connect_timeout is Beast's and real. Must outlive the
  // client.
  const Clock* clock = &system_clock();
};

// Why a connection was replaced. A closed set: it is a metrics label.
enum class ReconnectReason : std::uint8_t {
  kClosed,    // the server closed the websocket or the TCP connection
  kError,     // resolve, connect, upgrade or read failed
  kStale,     // no message within stale_after
  kRotation,  // proactive replacement before the 24 h limit
  kTls,       // TLS handshake failed (certificate verification included)
};
inline constexpr std::size_t kReconnectReasonCount = 5;
// "closed", "error", "stale", "rotation", "tls".
std::string_view reconnect_reason_name(ReconnectReason reason);

struct ConnectionEvent {
  enum class Kind : std::uint8_t {
    kConnected,     // websocket upgrade done
    kDisconnected,  // a connection ended, or an attempt failed
    kRotating,      // a replacement for an aging connection is being opened
  };
  Kind kind = Kind::kConnected;
  // Which slice of the symbol list (0-based).
  std::size_t connection_index = 0;
  // Increases with every connect attempt; tells a rotation's two apart.
  std::uint64_t session_id = 0;
  // kDisconnected: why; kRotating: kRotation.
  ReconnectReason reason = ReconnectReason::kClosed;
  // kDisconnected: what failed and where.
  std::string detail;
  // kDisconnected: consecutive failures of this slice so far (1 after a
  // working connection ended) and the wait before the next attempt. Zero
  // when no new attempt follows (a replacement is already under way, or the
  // connection was retired by a rotation).
  std::uint32_t failures = 0;
  std::chrono::milliseconds retry_delay{0};
  // Open websocket connections over all slices after this event.
  std::size_t connected_connections = 0;
};

// Called on the io_context's thread, from the read loop: a call that blocks
// delays pongs too, and Binance drops a connection that does not pong.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // One websocket message, valid only during the call; receive_time_ns is
  // the options' clock's wall time in nanoseconds since the Unix epoch.
  virtual void on_message(std::string_view frame, std::int64_t receive_time_ns) = 0;
  virtual void on_connection_event(const ConnectionEvent& event) = 0;
};

// Written on the io thread only; read from any thread (relaxed).
struct StreamClientCounters {
  std::atomic<std::uint64_t> connect_attempts_total{0};
  std::atomic<std::uint64_t> connects_total{0};  // websocket upgrades done
  // Indexed by ReconnectReason; counts replacement attempts started.
  std::array<std::atomic<std::uint64_t>, kReconnectReasonCount> reconnects_total{};
  std::atomic<std::uint64_t> messages_total{0};
  std::atomic<std::uint64_t> received_bytes_total{0};  // message payloads
  std::atomic<std::uint64_t> connected_connections{0};

  std::uint64_t reconnects(ReconnectReason reason) const {
    return reconnects_total[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  }
};

// Full-jitter exponential backoff ("failures" counts from 1).
class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                   std::uint64_t seed);
  // initial * 2^(failures-1), capped at max. REQUIRES: failures >= 1.
  std::chrono::milliseconds ceiling(std::uint32_t failures) const;
  // Uniform in [0, ceiling(failures)].
  std::chrono::milliseconds draw(std::uint32_t failures);

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::mt19937_64 rng_;
};

class BinanceStreamClient {
 public:
  // The io_context must be run by exactly one thread; handler must outlive
  // the client.
  BinanceStreamClient(boost::asio::io_context& io, StreamClientOptions options,
                      StreamHandler& handler);
  // REQUIRES: the io_context is not running handlers of this client any more
  // (stop() was called and run() returned, or the io_context was stopped,
  // or idle()).
  ~BinanceStreamClient();
  BinanceStreamClient(const BinanceStreamClient&) = delete;
  BinanceStreamClient& operator=(const BinanceStreamClient&) = delete;

  // Validates the options and starts connecting every slice; invalid input
  // (bad URL, no symbols, a zero limit) is reported and nothing starts.
  // REQUIRES: called once, before or on the io thread while nothing else
  // of this client runs.
  Status start();
  // Closes every connection cleanly and stops reconnecting; the io_context
  // then runs out of this client's work. Safe from any thread; idempotent.
  void stop();

  // stop() has taken effect and every connection's work is done: the client
  // may be destroyed while the io_context runs on. [I/O thread]
  bool idle() const;

  const StreamClientCounters& counters() const;
  // How many connections the symbol list needs.
  std::size_t connection_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphastream
