#include "source/simulator_trade_source.h"

#include <cstdlib>
#include <filesystem>
#include <set>

namespace alphastream {

Result<std::unique_ptr<SimulatorTradeSource>> SimulatorTradeSource::create(const EngineConfig& config,
                                                                           TradeSourceContext context) {
  const SimulatorConfig& sim = config.service.feed.simulator;
  SimulatorOptions options;
  options.tls = sim.tls;
  options.trades_per_second = sim.trades_per_second;
  options.seed = sim.seed;
  options.clock = &context.clock;
  options.continue_after_ids = context.recorded_last_ids;
  options.ping_interval = std::chrono::milliseconds(static_cast<std::int64_t>(sim.ping_interval_s * 1000));
  options.pairs.clear();
  std::set<std::string> legs;
  for (const PairConfig& pair : config.pairs) {
    if (legs.count(pair.y) || legs.count(pair.x)) continue;  // one generator per symbol
    SimulatedPair simulated;
    simulated.y_symbol = pair.y;
    simulated.x_symbol = pair.x;
    options.pairs.push_back(simulated);
    legs.insert(pair.y);
    legs.insert(pair.x);
  }
  for (const SymbolConfig& symbol : config.symbols) {
    if (!legs.count(symbol.symbol)) {
      return Status::invalid_input(symbol.location + ": the simulator generates only the legs of configured pairs; " +
                                   symbol.symbol + " is not one");
    }
  }
  std::unique_ptr<SimulatorTradeSource> source(new SimulatorTradeSource());
  if (sim.tls) {
    char dir_template[] = "/tmp/alphastream-simulator-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return Status::error("cannot create a directory for the simulator's CA");
    source->ca_dir_ = dir_template;
    options.ca_file_out = source->ca_dir_ + "/ca.pem";
  }
  source->pairs_ = options.pairs.size();
  auto simulator = BinanceSimulator::start(options);
  if (!simulator) return Status::invalid_input(config.path + ": feed.simulator: " + simulator.error());
  source->simulator_ = std::move(simulator.value());

  StreamClientOptions client = stream_client_options(config.service.feed, context.clock);
  client.url = source->simulator_->url();
  client.ca_file = source->ca_dir_.empty() ? "" : source->ca_dir_ + "/ca.pem";
  source->feed_ = std::make_unique<BinanceTradeSource>(context.io, context.sink, std::move(client));
  return source;
}

VenueRest SimulatorTradeSource::venue_rest() const {
  return {simulator_->rest_url(), ca_dir_.empty() ? "" : ca_dir_ + "/ca.pem", true};
}

std::string SimulatorTradeSource::description() const {
  return "simulator: " + std::to_string(pairs_) + " pair(s) at " + simulator_->url();
}

SimulatorTradeSource::~SimulatorTradeSource() {
  feed_.reset();
  if (simulator_) simulator_->stop();
  if (ca_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(ca_dir_, ec);
}

}  // namespace alphastream
