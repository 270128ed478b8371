#include "source/nats_trade_source.h"

#include <boost/asio/post.hpp>

namespace alphastream {

namespace {

// Trades delivered before yielding to the I/O thread's other work.
constexpr std::size_t kSliceTrades = 1024;

}  // namespace

TradeBusSettings trade_bus_settings(const BusConfig& bus) {
  TradeBusSettings settings;
  settings.servers = bus.servers;
  settings.access = bus.access;
  settings.stream = bus.stream;
  settings.subject_prefix = bus.subject_prefix;
  settings.market = bus.market;
  settings.replicas = static_cast<int>(bus.replicas);
  settings.max_age = std::chrono::seconds(bus.max_age_s);
  settings.duplicate_window = std::chrono::seconds(bus.duplicate_window_s);
  return settings;
}

Result<std::unique_ptr<NatsTradeSource>> NatsTradeSource::create(const BusConfig& bus, TradeSourceContext context) {
  auto connected = TradeBus::connect(trade_bus_settings(bus));
  if (!connected) return connected.status();
  return std::unique_ptr<NatsTradeSource>(new NatsTradeSource(
      std::move(context), std::move(connected.value()), {.max_hold = std::chrono::milliseconds(bus.reorder_ms)}));
}

NatsTradeSource::NatsTradeSource(TradeSourceContext context, std::unique_ptr<TradeBus> bus,
                                 IdReorderBuffer::Limits reorder)
    : context_(std::move(context)), bus_(std::move(bus)), reorder_(reorder), expiry_timer_(context_.io) {}

NatsTradeSource::~NatsTradeSource() {
  stopping_ = true;
  expiry_timer_.cancel();
  bus_.reset();  // waits for a callback in flight; none runs after this
}

Status NatsTradeSource::start(const std::vector<std::string>&) {
  schedule_expiry();
  return bus_->subscribe([this](const AggTrade& trade) {
    if (stopping_) return;
    arrived_.enqueue(trade);
    // One drain in flight at a time: posting per trade would allocate per trade.
    if (!drain_posted_.exchange(true)) boost::asio::post(context_.io, [this] { drain(); });
  });
}

void NatsTradeSource::drain() {
  AggTrade trades[64];
  std::size_t delivered = 0;
  while (!stopping_ && delivered < kSliceTrades) {
    const std::size_t n = arrived_.try_dequeue_bulk(trades, 64);
    if (n == 0) break;
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      reorder_.push(trades[i], now, [this](const AggTrade& trade) { context_.sink.accept(trade, true); });
    }
    delivered += n;
  }
  publish_reorder_counts();
  drain_posted_ = false;
  // A trade enqueued after the last dequeue but before the flag cleared
  // posted nothing: look again.
  if (!stopping_ && arrived_.size_approx() > 0 && !drain_posted_.exchange(true)) {
    boost::asio::post(context_.io, [this] { drain(); });
  }
}

void NatsTradeSource::schedule_expiry() {
  expiry_timer_.expires_after(std::chrono::milliseconds(200));
  expiry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    reorder_.expire(std::chrono::steady_clock::now(), [this](const AggTrade& trade) { context_.sink.accept(trade, true); });
    publish_reorder_counts();
    schedule_expiry();
  });
}

void NatsTradeSource::publish_reorder_counts() {
  TradeBusCounters& counters = bus_->counters();
  counters.reordered_total.store(reorder_.reordered_total(), std::memory_order_relaxed);
  counters.reorder_held.store(static_cast<std::int64_t>(reorder_.held()), std::memory_order_relaxed);
}

SourceHealth NatsTradeSource::health() const {
  SourceHealth health;
  health.up = bus_->connected();
  health.connections_open = health.up ? 1 : 0;
  health.connections_needed = 1;
  return health;
}

std::string NatsTradeSource::description() const {
  const TradeBusSettings& settings = bus_->settings();
  std::string servers;
  for (const std::string& server : settings.servers) servers += (servers.empty() ? "" : ",") + server;
  return "nats: stream " + settings.stream + " (" + bus_->subject(">") + ") at " + servers;
}

}  // namespace alphastream
