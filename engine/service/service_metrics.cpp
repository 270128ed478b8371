#include "service/service_metrics.h"

#include <algorithm>
#include <chrono>

namespace alphastream {
namespace {

// The time a model spends in its plugin's update, labelled as its
// alphastream_model_faulted series is.
void write_update_timing(MetricWriter& out, const ModelInstance& model, const MetricLabels& labels) {
  if (model.update_budget().count() == 0) return;
  const ModelInstance::UpdateTiming timing = model.update_timing();
  out.counter("alphastream_model_updates_total", "Updates (plugin calls) of the model, timed.", labels,
              static_cast<double>(timing.updates));
  out.counter("alphastream_model_update_seconds_total", "Time the model's plugin spent in its updates.", labels,
              static_cast<double>(timing.total_ns) * 1e-9);
  out.counter("alphastream_model_updates_over_budget_total",
              "Updates that took longer than engine.model_update_budget_us.", labels,
              static_cast<double>(timing.over_budget));
  out.gauge("alphastream_model_update_budget_seconds", "engine.model_update_budget_us, in seconds.", labels,
            std::chrono::duration<double>(model.update_budget()).count());
}

}  // namespace

void ModelGaugeSet::add(std::shared_ptr<const PairGauges> gauges) {
  std::lock_guard lock(mutex_);
  pairs_.push_back(std::move(gauges));
}

void ModelGaugeSet::add(std::shared_ptr<const SymbolGauges> gauges) {
  std::lock_guard lock(mutex_);
  symbols_.push_back(std::move(gauges));
}

void ModelGaugeSet::remove_pair(const std::string& pair) {
  std::lock_guard lock(mutex_);
  std::erase_if(pairs_, [&](const auto& gauges) { return gauges->pair() == pair; });
}

void ModelGaugeSet::remove_symbol(const std::string& symbol) {
  std::lock_guard lock(mutex_);
  std::erase_if(symbols_, [&](const auto& gauges) { return gauges->symbol() == symbol; });
}

void ModelGaugeSet::collect(MetricWriter& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& g : pairs_) {
    const MetricLabels labels = {{"pair", g->pair()}, {"model", g->model()}};
    out.gauge("alphastream_pair_beta", "Hedge ratio of the pair's model after the latest observation.", labels,
              g->beta());
    out.gauge("alphastream_pair_alpha", "Intercept of the pair's model after the latest observation.", labels,
              g->alpha());
    out.gauge("alphastream_pair_spread", "Latest spread: y - (beta*x + alpha), or the model's own spread.", labels,
              g->spread());
    out.gauge("alphastream_pair_zscore", "Latest rolling z-score of the spread.", labels, g->zscore());
    out.gauge("alphastream_pair_adf_pvalue", "MacKinnon p-value of the latest rolling ADF test of the spread.",
              labels, g->adf_pvalue());
    out.gauge("alphastream_pair_position", "Paper position held: +1 long spread, -1 short spread, 0 flat.", labels,
              g->position());
    out.gauge("alphastream_pair_equity_usd", "Paper P&L of the pair since start: realised net plus open.", labels,
              g->equity_usd());
    // The configured thresholds, so dashboards and alert rules need no copy of them.
    out.gauge("alphastream_pair_zscore_entry", "z-score beyond which a position opens (zscore.entry).", labels,
              g->zscore_config().entry);
    out.gauge("alphastream_pair_zscore_exit", "z-score through which a position closes (zscore.exit).", labels,
              g->zscore_config().exit);
    out.gauge("alphastream_pair_zscore_stop", "z-score beyond which a position is stopped out; NaN: no stop.",
              labels, g->zscore_config().stop.value_or(kUnsetGauge));
    out.gauge("alphastream_pair_adf_max_pvalue", "The stationarity gate (adf.max_pvalue); NaN: no gate.", labels,
              g->adf_max_pvalue());
    out.gauge("alphastream_pair_last_observation_timestamp_seconds", "Time of the pair's latest observation.",
              labels, g->last_row_time_s());
    // Joins a pair to its legs' per-symbol series (alphastream_feed_*{symbol}) in PromQL.
    for (const auto& [leg, symbol] : {std::pair{"y", &g->y_symbol()}, std::pair{"x", &g->x_symbol()}}) {
      out.gauge("alphastream_pair_leg_info", "Always 1: the symbol that is the pair's y or x leg.",
                {{"pair", g->pair()}, {"model", g->model()}, {"leg", leg}, {"symbol", *symbol}}, 1.0);
    }
    out.counter("alphastream_pair_observations_total", "Aligned observations the pair's model has processed.",
                labels, static_cast<double>(g->observations()));
    const MetricLabels model_labels = {{"plugin", g->plugin()}, {"pair", g->pair()}, {"model", g->model()}};
    out.gauge("alphastream_model_faulted", "1 when the model's plugin threw and the model is paused (see the log).",
              model_labels, g->faulted() ? 1 : 0);
    write_update_timing(out, g->model_instance(), model_labels);
    for (std::size_t k = 0; k < kSignalKindCount; ++k) {
      const auto kind = static_cast<SignalKind>(k);
      out.counter("alphastream_signals_total", "Signals and stationarity changes, by kind.",
                  {{"pair", g->pair()}, {"model", g->model()}, {"kind", std::string(signal_kind_name(kind))}},
                  static_cast<double>(g->signals(kind)));
    }
    const OutputGauges& outputs = g->outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      out.gauge("alphastream_model_output", "Every output of every model plugin, as of its latest row.",
                {{"plugin", g->plugin()}, {"pair", g->pair()}, {"model", g->model()}, {"output", outputs.name(i)}},
                outputs.value(i));
    }
  }
  for (const auto& g : symbols_) {
    const OutputGauges& outputs = g->outputs();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      out.gauge("alphastream_model_output", "Every output of every model plugin, as of its latest row.",
                {{"plugin", g->plugin()}, {"symbol", g->symbol()}, {"model", g->model()}, {"output", outputs.name(i)}},
                outputs.value(i));
    }
    out.counter("alphastream_symbol_rows_total", "Rows (sampling intervals with trades) of the symbol model.",
                {{"symbol", g->symbol()}, {"model", g->model()}}, static_cast<double>(g->rows()));
    const MetricLabels model_labels = {{"plugin", g->plugin()}, {"symbol", g->symbol()}, {"model", g->model()}};
    out.gauge("alphastream_model_faulted", "1 when the model's plugin threw and the model is paused (see the log).",
              model_labels, g->faulted() ? 1 : 0);
    write_update_timing(out, g->model_instance(), model_labels);
  }
}

}  // namespace alphastream

namespace alphastream {

FeedCollector::FeedCollector(const FeedIngest& ingest, const TradeSource& source) : ingest_(ingest), source_(source) {
  refresh_symbols();
}

void FeedCollector::refresh_symbols() {
  std::vector<FeedIngest::SymbolView> symbols = ingest_.symbol_counters();
  std::lock_guard lock(mutex_);
  symbols_ = std::move(symbols);
}

void FeedCollector::collect(MetricWriter& out) const {
  {
    std::lock_guard lock(mutex_);
    for (const FeedIngest::SymbolView& view : symbols_) {
      const MetricLabels labels = {{"symbol", view.symbol}};
      const SymbolFeedCounters& c = *view.counters;
      out.counter("alphastream_feed_messages_total", "Trades accepted from the feed, per symbol.", labels,
                  static_cast<double>(c.trades_total.load(std::memory_order_relaxed)));
      out.counter("alphastream_feed_duplicates_total", "Trades dropped because their aggregate id was already seen.",
                  labels, static_cast<double>(c.duplicates_total.load(std::memory_order_relaxed)));
      out.counter("alphastream_feed_gaps_total", "Holes in the aggregate trade id sequence.", labels,
                  static_cast<double>(c.gaps_total.load(std::memory_order_relaxed)));
      out.counter("alphastream_feed_missing_trades_total", "Aggregate trade ids inside gaps.", labels,
                  static_cast<double>(c.missing_trades_total.load(std::memory_order_relaxed)));
      const std::pair<const char*, const std::atomic<std::uint64_t>*> rejected[] = {
          {"time_ahead", &c.time_ahead_total}, {"time_behind", &c.time_behind_total}, {"id_jump", &c.id_jump_total}};
      for (const auto& [reason, count] : rejected) {
        out.counter("alphastream_feed_rejected_trades_total",
                    "Trades refused as implausible: timed too far from the local clock, or an unconfirmed id jump.",
                    {{"symbol", view.symbol}, {"reason", reason}},
                    static_cast<double>(count->load(std::memory_order_relaxed)));
      }
      out.counter("alphastream_feed_backfills_total", "Live id gaps handed to the REST backfill.", labels,
                  static_cast<double>(c.backfills_total.load(std::memory_order_relaxed)));
      out.counter("alphastream_feed_backfilled_trades_total", "Trades of live id gaps fetched from the venue's REST "
                  "aggTrades and recorded.", labels,
                  static_cast<double>(c.backfilled_trades_total.load(std::memory_order_relaxed)));
      out.counter("alphastream_feed_backfills_incomplete_total",
                  "Backfilled gaps with ids still missing (counted in alphastream_feed_missing_trades_total).", labels,
                  static_cast<double>(c.backfills_incomplete_total.load(std::memory_order_relaxed)));
      out.gauge("alphastream_feed_last_message_timestamp_seconds", "Exchange event time of the latest trade.", labels,
                c.last_trade_time_s.load(std::memory_order_relaxed));
      out.gauge("alphastream_feed_last_price", "Price of the latest accepted trade.", labels,
                c.last_price.load(std::memory_order_relaxed));
    }
  }
  for (std::size_t i = 1; i < kParseErrorCount; ++i) {
    const auto reason = static_cast<ParseError>(i);
    out.counter("alphastream_parse_errors_total", "Feed messages rejected by the parser, by reason.",
                {{"reason", std::string(parse_error_name(reason))}}, static_cast<double>(ingest_.parse_errors(reason)));
  }
  out.counter("alphastream_feed_unknown_symbol_messages_total",
              "Trades of symbols no configured pair or symbol model uses.", {},
              static_cast<double>(ingest_.unknown_symbol_messages()));
  out.counter("alphastream_feed_frames_total", "Websocket messages received, parsed or not.", {},
              static_cast<double>(ingest_.messages_total()));
  const SourceHealth health = source_.health();
  for (std::size_t r = 0; r < kReconnectReasonCount; ++r) {
    out.counter("alphastream_feed_reconnects_total", "Feed connections replaced, by reason.",
                {{"reason", std::string(reconnect_reason_name(static_cast<ReconnectReason>(r)))}},
                static_cast<double>(health.reconnects[r]));
  }
  out.gauge("alphastream_feed_connected", "1 when every feed connection is open (or a file source is read).", {},
            health.up ? 1 : 0);
  out.gauge("alphastream_feed_connections", "Open feed websocket connections.", {},
            static_cast<double>(health.connections_open));
}

std::shared_ptr<MetricsCollector> make_shard_collector(const ShardGroup& shards, std::vector<const ShardBook*> books) {
  return std::make_shared<FunctionCollector>([&shards, books = std::move(books)](MetricWriter& out) {
    for (std::uint32_t i = 0; i < shards.shard_count(); ++i) {
      const ShardStats stats = shards.stats(ShardId(i));
      const MetricLabels labels = {{"shard", std::to_string(i)}};
      out.gauge("alphastream_queue_depth", "Events waiting in the shard's queue.", labels,
                static_cast<double>(stats.queue_depth));
      out.counter("alphastream_queue_dropped_total", "Events refused because the shard's queue was full.", labels,
                  static_cast<double>(stats.dropped_total));
      out.counter("alphastream_shard_events_total", "Events (trades and clock ticks) handled by the shard.", labels,
                  static_cast<double>(stats.events_total));
      out.gauge("alphastream_queue_capacity", "Events a shard's queue holds (engine.queue_capacity).", labels,
                static_cast<double>(shards.queue_capacity()));
      books[i]->tick_to_signal().write(out, "alphastream_tick_to_signal_seconds",
                                       "From a trade's receipt to the pipeline rows (signals) it produced.", labels);
    }
  });
}

std::shared_ptr<MetricsCollector> make_backfill_collector(const TradeBackfiller& backfiller, const FeedIngest& ingest) {
  return std::make_shared<FunctionCollector>([&backfiller, &ingest](MetricWriter& out) {
    const BackfillStats& stats = backfiller.stats();
    const auto value = [](const std::atomic<std::uint64_t>& counter) {
      return static_cast<double>(counter.load(std::memory_order_relaxed));
    };
    out.counter("alphastream_backfill_requests_total", "REST aggTrades requests sent by the gap backfill.", {},
                value(stats.requests_total));
    out.counter("alphastream_backfill_rate_limited_total", "Backfill requests answered 429 or 418 (waited out).", {},
                value(stats.rate_limited_total));
    out.counter("alphastream_backfill_errors_total", "Backfill requests that failed or returned a bad page.", {},
                value(stats.errors_total));
    out.counter("alphastream_backfill_budget_waits_total",
                "Backfill requests held back by feed.backfill.max_weight_per_minute.", {},
                value(stats.weight_waits_total));
    out.gauge("alphastream_backfill_held_trades", "Live trades held while a backfill runs.", {},
              static_cast<double>(ingest.held_trades()));
  });
}

std::shared_ptr<MetricsCollector> make_storage_collector(const TradeRecorder* recorder) {
  return std::make_shared<FunctionCollector>([recorder](MetricWriter& out) {
    const TradeRecorderStats stats = recorder ? recorder->stats() : TradeRecorderStats{};
    out.counter("alphastream_storage_records_total", "Trades committed to the LMDB journal.", {},
                static_cast<double>(stats.records_total));
    out.counter("alphastream_storage_errors_total", "Trades not recorded because of a write error.", {},
                static_cast<double>(stats.errors_total));
    out.counter("alphastream_storage_dropped_total", "Trades not recorded because the writer's queue was full.", {},
                static_cast<double>(stats.dropped_total));
    out.gauge("alphastream_storage_recording", "1 while trades are being recorded.", {},
              recorder && !stats.disabled ? 1 : 0);
    out.gauge("alphastream_storage_map_used_bytes",
              "Bytes of the LMDB map the journal's pages use; recording stops when it reaches the map's size.", {},
              static_cast<double>(stats.map_used_bytes));
    out.gauge("alphastream_storage_map_size_bytes", "Size of the LMDB map (storage.lmdb.map_size_mb).", {},
              static_cast<double>(stats.map_size_bytes));
  });
}

std::shared_ptr<MetricsCollector> make_bus_collector(const TradeBus* publisher, const TradeBus* consumer) {
  return std::make_shared<FunctionCollector>([publisher, consumer](MetricWriter& out) {
    const auto load = [](const std::atomic<std::uint64_t>& counter) {
      return static_cast<double>(counter.load(std::memory_order_relaxed));
    };
    for (const auto& [bus, role] : {std::pair{publisher, "publish"}, std::pair{consumer, "consume"}}) {
      if (bus == nullptr) continue;
      const TradeBusCounters& c = bus->counters();
      const MetricLabels labels = {{"role", role}};
      out.gauge("alphastream_bus_connected", "1 while connected to a NATS server.", labels, bus->connected() ? 1 : 0);
      if (bus == publisher) {
        out.counter("alphastream_bus_published_total", "Trades published to the JetStream stream.", labels,
                    load(c.published_total));
        out.counter("alphastream_bus_acked_total", "Publishes JetStream acknowledged.", labels, load(c.acked_total));
        out.counter("alphastream_bus_duplicates_total",
                    "Publishes JetStream acknowledged as a repeated Nats-Msg-Id (stored once).", labels,
                    load(c.duplicates_total));
        out.counter("alphastream_bus_retries_total", "Publishes sent again after a failure or a timeout.", labels,
                    load(c.retries_total));
        out.counter("alphastream_bus_failed_total", "Trades the bus did not store after every retry.", labels,
                    load(c.failed_total));
        const double pending =
            std::max(0.0, load(c.published_total) - load(c.acked_total) - load(c.failed_total));
        out.gauge("alphastream_bus_pending_acks", "Publishes waiting for JetStream's acknowledgement.", labels,
                  pending);
      } else {
        out.counter("alphastream_bus_received_total", "Trades received from the stream.", labels,
                    load(c.received_total));
        out.counter("alphastream_bus_undecodable_total", "Stream messages that were no trade record.", labels,
                    load(c.undecodable_total));
        out.counter("alphastream_bus_reordered_total",
                    "Trades that arrived ahead of an older one of their symbol (a retried publish) and were put "
                    "back in id order.",
                    labels, load(c.reordered_total));
        out.gauge("alphastream_bus_reorder_held", "Trades waiting behind a hole in their symbol's ids (bus.reorder_ms).",
                  labels, static_cast<double>(c.reorder_held.load(std::memory_order_relaxed)));
        if (const std::int64_t pending = c.consumer_pending.load(std::memory_order_relaxed); pending >= 0) {
          out.gauge("alphastream_bus_consumer_pending",
                    "Stream messages after the last one received, not yet delivered to this worker: its lag.", labels,
                    static_cast<double>(pending));
        }
      }
    }
  });
}

std::shared_ptr<MetricsCollector> make_lease_collector(const PairLeaseKeeper& keeper) {
  return std::make_shared<FunctionCollector>([&keeper](MetricWriter& out) {
    const LeaseCounters& c = keeper.counters();
    const MetricLabels labels = {{"worker", keeper.worker()}};
    out.gauge("alphastream_bus_pairs_owned", "Pairs whose lease this worker holds (bus.share_pairs).", labels,
              static_cast<double>(c.owned.load()));
    out.gauge("alphastream_bus_workers", "Live workers this one saw in the lease bucket, itself included.", labels,
              static_cast<double>(c.workers.load()));
    out.gauge("alphastream_bus_pairs_unowned", "Configured pairs no worker held at the last lease round.", labels,
              static_cast<double>(c.unowned.load()));
    for (const auto& [change, counter] : {std::pair{"gained", &c.gained_total}, std::pair{"lost", &c.lost_total},
                                          std::pair{"released", &c.released_total}}) {
      out.counter("alphastream_bus_lease_changes_total",
                  "Pair leases this worker gained, lost (taken or expired) or handed over.",
                  {{"worker", keeper.worker()}, {"change", change}}, static_cast<double>(counter->load()));
    }
    out.counter("alphastream_bus_lease_rounds_failed_total", "Lease rounds the bus cut short.", labels,
                static_cast<double>(c.failed_rounds_total.load()));
  });
}

void add_readiness_checks(MetricsServer& server, const ServiceState& state, const TradeSource& source,
                          const TradeRecorder* recorder) {
  server.add_readiness_check("service", [&state]() -> std::optional<std::string> {
    if (state.stopping.load()) return "stopping (draining queued trades)";
    if (const int pending = state.reloads_pending.load(); pending > 0) {
      return "reload in progress (" + std::to_string(pending) + " shard(s) applying it)";
    }
    return std::nullopt;
  });
  server.add_readiness_check("feed", [&source]() -> std::optional<std::string> {
    const SourceHealth health = source.health();
    if (health.up) return std::nullopt;
    if (!source.live()) return "not reading its source";
    if (health.connections_needed == 0) return "not connected (starting)";
    return "not connected (" + std::to_string(health.connections_open) + " of " +
           std::to_string(health.connections_needed) + " connections open)";
  });
  if (recorder == nullptr) return;
  server.add_readiness_check("storage", [recorder]() -> std::optional<std::string> {
    if (recorder->stats().disabled) return "not recording: a write error stopped it (see the log)";
    return std::nullopt;
  });
}

}  // namespace alphastream
