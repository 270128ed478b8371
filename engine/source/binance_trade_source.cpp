#include "source/binance_trade_source.h"

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "feed/trade_backfiller.h"

namespace alphastream {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// How long a replaced client keeps delivering beside its successor, so the
// new connections are up before the old ones close: no trade is missed.
constexpr auto kReplacementOverlap = 5s;

std::uint64_t open_connections(const BinanceStreamClient& client) {
  return client.counters().connected_connections.load(std::memory_order_relaxed);
}

void add_reconnects(const BinanceStreamClient& client, std::array<std::uint64_t, kReconnectReasonCount>& total) {
  for (std::size_t r = 0; r < kReconnectReasonCount; ++r) {
    total[r] += client.counters().reconnects(static_cast<ReconnectReason>(r));
  }
}

}  // namespace

StreamClientOptions stream_client_options(const FeedConfig& feed, const Clock& clock) {
  StreamClientOptions options;
  options.clock = &clock;
  options.url = feed.url;
  options.verify_tls = feed.tls_verify;
  options.ca_file = feed.tls_ca_file;
  options.reconnect_initial = std::chrono::milliseconds(feed.reconnect_initial_ms);
  options.reconnect_max = std::chrono::milliseconds(feed.reconnect_max_ms);
  options.stale_after = std::chrono::milliseconds(static_cast<std::int64_t>(feed.stale_after_s * 1000));
  options.rotate_after = std::chrono::seconds(feed.rotate_after_s);
  options.max_streams_per_connection = static_cast<std::size_t>(feed.max_streams_per_connection);
  return options;
}

BinanceTradeSource::BinanceTradeSource(asio::io_context& io, TradeSink& sink, StreamClientOptions client)
    : io_(io), sink_(sink), options_(with_shared_limiter(std::move(client))) {}

// Every client this source makes, the ones reloads make included, draws from
// one limiter: Binance counts connections per IP address.
StreamClientOptions BinanceTradeSource::with_shared_limiter(StreamClientOptions options) {
  if (!options.connect_limiter) {
    options.connect_limiter =
        std::make_shared<ConnectRateLimiter>(options.max_connects_per_window, options.connect_window);
  }
  return options;
}

BinanceTradeSource::~BinanceTradeSource() = default;

VenueRest BinanceTradeSource::venue_rest() const {
  return {binance_agg_trades_endpoint(options_.url), options_.ca_file, options_.verify_tls};
}

Status BinanceTradeSource::start(const std::vector<std::string>& symbols) { return resubscribe(symbols); }

Status BinanceTradeSource::resubscribe(const std::vector<std::string>& symbols) {
  StreamClientOptions options = options_;
  options.symbols = symbols;
  auto client = std::make_unique<BinanceStreamClient>(io_, std::move(options), sink_);
  Status started = client->start();
  if (!started) return Status::invalid_input("feed: " + started.message());
  std::unique_ptr<BinanceStreamClient> replaced;
  {
    std::lock_guard lock(mutex_);
    replaced = std::move(client_);
    client_ = std::move(client);
  }
  if (replaced) retire(std::move(replaced));
  return Status::ok();
}

void BinanceTradeSource::retire(std::unique_ptr<BinanceStreamClient> client) {
  BinanceStreamClient* old = client.get();
  {
    std::lock_guard lock(mutex_);
    retired_.push_back(std::move(client));
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, kReplacementOverlap);
  timer->async_wait([this, timer, old](const boost::system::error_code&) {
    old->stop();
    release_closed_clients();
  });
}

// A stopped client whose connections have all closed has no work left on
// the io_context once its close handshakes finished: it is destroyed, its
// TLS context with it, so reloads do not accumulate clients.
void BinanceTradeSource::release_closed_clients() {
  if (stopping_) return;  // the service destroys them after the loop ends
  std::lock_guard lock(mutex_);
  std::erase_if(retired_, [&](std::unique_ptr<BinanceStreamClient>& client) {
    if (!client->idle()) return false;
    add_reconnects(*client, released_reconnects_);
    return true;
  });
  if (retired_.empty()) return;
  auto timer = std::make_shared<asio::steady_timer>(io_, 100ms);
  timer->async_wait([this, timer](const boost::system::error_code&) { release_closed_clients(); });
}

void BinanceTradeSource::stop() {
  stopping_ = true;
  std::lock_guard lock(mutex_);
  if (client_) client_->stop();
  for (auto& old : retired_) old->stop();
}

bool BinanceTradeSource::closed() const {
  std::lock_guard lock(mutex_);
  std::uint64_t open = client_ ? open_connections(*client_) : 0;
  for (const auto& old : retired_) open += open_connections(*old);
  return open == 0;
}

SourceHealth BinanceTradeSource::health() const {
  std::lock_guard lock(mutex_);
  SourceHealth health;
  health.reconnects = released_reconnects_;
  for (const auto& old : retired_) add_reconnects(*old, health.reconnects);
  if (!client_) return health;
  add_reconnects(*client_, health.reconnects);
  health.connections_open = open_connections(*client_);
  health.connections_needed = client_->connection_count();
  health.up = health.connections_needed > 0 && health.connections_open >= health.connections_needed;
  return health;
}

}  // namespace alphastream
