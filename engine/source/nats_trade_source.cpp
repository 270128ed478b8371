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
  if (!connected) return Status::invalid_input(connected.error());
  return std::unique_ptr<NatsTradeSource>(new NatsTradeSource(std::move(context), std::move(connected.value())));
}

NatsTradeSource::NatsTradeSource(TradeSourceContext context, std::unique_ptr<TradeBus> bus)
    : context_(std::move(context)), bus_(std::move(bus)) {}

NatsTradeSource::~NatsTradeSource() {
  stopping_ = true;
  bus_.reset();  // waits for a callback in flight; none runs after this
}

Status NatsTradeSource::start(const std::vector<std::string>&) {
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
    for (std::size_t i = 0; i < n; ++i) context_.sink.accept(trades[i], true);
    delivered += n;
  }
  drain_posted_ = false;
  // A trade enqueued after the last dequeue but before the flag cleared
  // posted nothing: look again.
  if (!stopping_ && arrived_.size_approx() > 0 && !drain_posted_.exchange(true)) {
    boost::asio::post(context_.io, [this] { drain(); });
  }
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
