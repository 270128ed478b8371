// What the live service exports at /metrics, read at scrape time from the
// counters the I/O thread, the shards and the recorder publish.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/metric_writer.h"
#include "service/model_gauges.h"

namespace alphastream {

// Every live model's gauges: pairs as alphastream_pair_*{pair,model} and
// alphastream_signals_total{pair,model,kind}; every output of every model,
// pair or symbol, as alphastream_model_output{plugin,pair|symbol,model,output}.
// Models come and go on reload. [any thread]
class ModelGaugeSet : public MetricsCollector {
 public:
  void add(std::shared_ptr<const PairGauges> gauges);
  void add(std::shared_ptr<const SymbolGauges> gauges);
  // Removes the gauges of every model of the pair (or symbol) so named.
  void remove_pair(const std::string& pair);
  void remove_symbol(const std::string& symbol);

  void collect(MetricWriter& out) const override;

 private:
  mutable std::mutex mutex_;  // scrapes and reloads only, never a shard
  std::vector<std::shared_ptr<const PairGauges>> pairs_;
  std::vector<std::shared_ptr<const SymbolGauges>> symbols_;
};

}  // namespace alphastream
