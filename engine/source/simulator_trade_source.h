// The built-in Binance-compatible simulator as a source: the simulator
// serves the configured pairs' legs on loopback, and the live client reads
// them as it would read Binance, TLS and all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "simulator/binance_simulator.h"
#include "source/binance_trade_source.h"

namespace alphastream {

class SimulatorTradeSource : public TradeSource {
 public:
  // Starts the simulator for config's pairs. An entry of `symbols:` that is
  // no pair's leg is refused (the simulator generates pairs only).
  static Result<std::unique_ptr<SimulatorTradeSource>> create(const EngineConfig& config, TradeSourceContext context);
  ~SimulatorTradeSource() override;

  bool live() const override { return true; }
  Status start(const std::vector<std::string>& symbols) override { return feed_->start(symbols); }
  Status resubscribe(const std::vector<std::string>& symbols) override { return feed_->resubscribe(symbols); }
  void stop() override { feed_->stop(); }
  bool closed() const override { return feed_->closed(); }
  SourceHealth health() const override { return feed_->health(); }
  std::string description() const override;
  VenueRest venue_rest() const override;

 private:
  SimulatorTradeSource() = default;

  std::size_t pairs_ = 0;
  std::string ca_dir_;  // the generated CA's folder, removed at the end
  std::unique_ptr<BinanceSimulator> simulator_;
  std::unique_ptr<BinanceTradeSource> feed_;
};

}  // namespace alphastream
