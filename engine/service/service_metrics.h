// What the live service exports at /metrics, read at scrape time from the
// counters the I/O thread, the shards and the recorder publish.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/metric_writer.h"
#include "metrics/metrics_registry.h"
#include "metrics/metrics_server.h"
#include "reactor/shard_group.h"
#include "service/feed_ingest.h"
#include "service/model_gauges.h"
#include "service/pair_lease_keeper.h"
#include "service/shard_book.h"
#include "source/trade_source.h"
#include "storage/trade_recorder.h"

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

// The feed's metrics: per-symbol counters, parse errors, reconnects and the
// source's connection state. [scrapes: any thread]
class FeedCollector : public MetricsCollector {
 public:
  // REQUIRES: ingest and source outlive every scrape.
  FeedCollector(const FeedIngest& ingest, const TradeSource& source);
  // Takes the symbols a reload changed. [I/O thread]
  void refresh_symbols();
  void collect(MetricWriter& out) const override;

 private:
  const FeedIngest& ingest_;
  const TradeSource& source_;
  mutable std::mutex mutex_;
  std::vector<FeedIngest::SymbolView> symbols_;
};

// Every shard's queue, event counts and tick-to-signal latency.
// REQUIRES: shards and books outlive every scrape.
std::shared_ptr<MetricsCollector> make_shard_collector(const ShardGroup& shards, std::vector<const ShardBook*> books);

// The journal recorder's counts; `recorder` may be null (no storage).
std::shared_ptr<MetricsCollector> make_storage_collector(const TradeRecorder* recorder);
// The gap backfill's requests and what the ingest holds meanwhile.
std::shared_ptr<MetricsCollector> make_backfill_collector(const TradeBackfiller& backfiller, const FeedIngest& ingest);

// The trade bus's counts, labelled role="publish" (an ingest) or
// role="consume" (a worker); either may be null. REQUIRES: they outlive
// every scrape.
std::shared_ptr<MetricsCollector> make_bus_collector(const TradeBus* publisher, const TradeBus* consumer);

// A worker's pair leases (bus.share_pairs), labelled with its worker id.
// REQUIRES: keeper outlives every scrape.
std::shared_ptr<MetricsCollector> make_lease_collector(const PairLeaseKeeper& keeper);

// What /readyz checks besides the process being up.
struct ServiceState {
  std::atomic<bool> stopping{false};     // draining after a signal or the end of a file source
  std::atomic<int> reloads_pending{0};   // shards that have not applied the latest reload yet
};

// /readyz: "service" (not draining, no reload half-applied), "feed" (every
// connection open, or a file source being read) and, with a recorder,
// "storage" (recording). REQUIRES: the arguments outlive the server.
void add_readiness_checks(MetricsServer& server, const ServiceState& state, const TradeSource& source,
                          const TradeRecorder* recorder);

}  // namespace alphastream
