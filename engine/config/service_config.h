// The sections of the YAML config that only the live service reads:
//
//   engine:  {cores: 2, cpus: [2, 3], queue_capacity: 65536, clock_grace_ms: 250,
//             idle_spin_us: 250, busy_poll: false, drain_timeout_s: 10, model_update_budget_us: 1000}
//   feed:
//     source: binance            # binance | simulator | replay | csv
//     url: wss://fstream.binance.com/market/stream
//     tls: {verify: true, ca_file: certs/private-ca.pem}
//     reconnect: {initial_ms: 250, max_ms: 30000}
//     stale_after_s: 30
//     rotate_after_s: 82800
//     max_streams_per_connection: 1024
//     backfill: {enabled: true, url: https://fapi.binance.com/fapi/v1/aggTrades, max_trades_per_gap: 20000,
//                max_weight_per_minute: 1000, max_hold_ms: 30000}
//     simulator: {tls: false, trades_per_second: 50, seed: 7, ping_interval_s: 180}
//     replay: {path: data/journal, from: "2026-11-20T00:00:00Z", to: "2026-11-21T00:00:00Z"}
//     csv: {BTCUSDT: data/BTCUSDT-aggTrades-2026-11-20.zip, ETHUSDT: ...}
//   storage: {lmdb: {path: data/journal, map_size_mb: 4096}, warmup_s: 21600}
//   metrics: {listen: "127.0.0.1:9464"}
//   log:     {level: info, format: json}   # the command line's --log-level/--log-format win
//
// Every key is optional and takes the initial value of its field below; the
// backtest ignores these sections, so one file serves both.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bus_access.h"

namespace alphastream {

class ConfigReader;
class MapReader;

struct ShardingConfig {
  int cores = 1;                          // shard reactors, 1..256
  std::vector<int> cpus;                  // shard i pinned to cpus[i]; empty: not pinned; else one per core
  std::int64_t queue_capacity = 65536;    // trades buffered per shard before drops are counted
  std::int64_t clock_grace_ms = 250;      // live intervals close this long after their end
  // An idle shard polls its queue this long before it sleeps; 0 sleeps at
  // once. 250 us is about what the former fixed 10,000 polls took.
  std::int64_t idle_spin_us = 250;
  bool busy_poll = false;  // never sleep: a core per shard for the lowest latency
  // On SIGTERM the shards get this long to work through their queues; what
  // is left then is abandoned and logged.
  std::int64_t drain_timeout_s = 10;
  // A model update (one plugin call) longer than this is counted in
  // alphastream_model_updates_over_budget_total; 1..60,000,000.
  std::int64_t model_update_budget_us = 1000;

  bool operator==(const ShardingConfig&) const = default;
};

enum class FeedSource { kBinance, kSimulator, kReplay, kCsv, kNats };
std::string_view feed_source_name(FeedSource source);  // "binance", ...

struct SimulatorConfig {
  bool tls = false;                // serve wss:// with a generated certificate
  double trades_per_second = 50;   // per symbol
  std::uint64_t seed = 7;
  double ping_interval_s = 180;    // Binance pings every 3 minutes

  bool operator==(const SimulatorConfig&) const = default;
};

// Live gaps refetched from the venue's REST aggTrades (feed.backfill).
struct BackfillConfig {
  bool enabled = true;
  // The aggTrades endpoint; empty: Binance's for feed.url's host (fapi, dapi
  // or api/v3), or the simulator's own. Off for other hosts unless given.
  std::string url;
  std::int64_t request_weight = 0;           // 0: Binance's figure for the endpoint (20, or 4 for /api/v3)
  std::int64_t max_weight_per_minute = 1000;  // the budget this process spends of the IP's limit
  std::int64_t max_trades_per_gap = 20'000;   // a longer gap is fetched for its last this-many ids
  std::int64_t max_held_trades = 200'000;     // live trades held while a backfill runs
  std::int64_t max_hold_ms = 30'000;          // a backfill running longer is ended

  bool operator==(const BackfillConfig&) const = default;
};

struct ReplayConfig {
  std::string path;  // an LMDB journal directory; required for source: replay
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();  // inclusive
  std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();    // exclusive

  bool operator==(const ReplayConfig&) const = default;
};

struct FeedConfig {
  FeedSource source = FeedSource::kBinance;
  std::string url = "wss://fstream.binance.com/market/stream";
  bool tls_verify = true;
  std::string tls_ca_file;  // absolute; empty: the system's trust store
  std::int64_t reconnect_initial_ms = 250;
  std::int64_t reconnect_max_ms = 30000;  // >= reconnect_initial_ms
  double stale_after_s = 30;
  std::int64_t rotate_after_s = 23 * 3600;  // Binance ends connections at 24 h
  std::int64_t max_streams_per_connection = 1024;  // Binance's limit
  // Live trades timed further than these from the local clock are refused;
  // an id jump beyond max_id_jump waits for the next trade to confirm it.
  std::int64_t max_clock_ahead_ms = 60'000;
  std::int64_t max_clock_behind_ms = 600'000;
  std::int64_t max_id_jump = 10'000'000;
  BackfillConfig backfill;
  SimulatorConfig simulator;
  ReplayConfig replay;
  std::map<std::string, std::string> csv;  // upper-case symbol -> absolute CSV or ZIP path

  bool operator==(const FeedConfig&) const = default;
};

struct StorageConfig {
  std::string lmdb_path;  // absolute; empty: trades are not recorded
  std::int64_t map_size_mb = 4096;
  // On start, the pipelines replay this much of the journal's end before
  // the feed (a warm start); 0 starts cold. Up to 30 days.
  std::int64_t warmup_s = 21600;

  bool operator==(const StorageConfig&) const = default;
};

struct MetricsConfig {
  std::string listen = "127.0.0.1:9464";  // host:port; "" turns the endpoint off
  std::int64_t max_connections = 64;        // open at once; more are closed and counted

  bool operator==(const MetricsConfig&) const = default;
};

struct LogConfig {
  std::string level;   // trace, debug, info, warn, error; empty: the command line's
  std::string format;  // text or json; empty: the command line's

  bool operator==(const LogConfig&) const = default;
};

// The NATS JetStream trade bus: an ingest publishes (publish: true) every
// trade it accepts; a worker (feed.source: nats) consumes them.
struct BusConfig {
  std::vector<std::string> servers;              // nats://host:port, at least one when used
  BusAccess access;                              // user/password, token or .creds file; TLS files
  std::string stream = "ALPHASTREAM_TRADES";     // created if missing, checked if not
  std::string subject_prefix = "alphastream.trades";  // + ".<market>.<SYMBOL>"
  std::string market = "um";                     // um, cm or spot: part of the subject
  std::int64_t replicas = 1;                     // 1..5
  std::int64_t max_age_s = 7 * 86400;            // how long the stream keeps a trade
  std::int64_t duplicate_window_s = 120;         // a repeated Nats-Msg-Id within it is stored once
  bool publish = false;                          // this process is an ingest
  std::int64_t reorder_ms = 5000;                // a worker holds trades behind a hole in the ids this long
  bool share_pairs = false;                      // a worker holding only the pairs it leases
  std::string lease_bucket = "ALPHASTREAM_LEASES";  // the key-value bucket of the leases
  std::int64_t lease_ttl_s = 10;                 // a lease (and a worker) not refreshed within it expires
  std::string worker_id;                         // empty: <host>-<pid>

  bool enabled() const { return !servers.empty(); }
  bool operator==(const BusConfig&) const = default;
};

struct ServiceConfig {
  ShardingConfig engine;
  FeedConfig feed;
  BusConfig bus;
  StorageConfig storage;
  MetricsConfig metrics;
  LogConfig log;

  bool operator==(const ServiceConfig&) const = default;
};

// Reads the sections present in the document's top-level map into config,
// reporting problems through reader. Called by the engine config loader.
void read_service_sections(ConfigReader& reader, const MapReader& document, ServiceConfig& config);

// A time as written in the config or on the command line: Unix milliseconds
// ("1732492800000") or UTC ISO 8601 ("2026-11-25", "2026-11-25T10:00:00Z",
// "2026-11-25T10:00:00.250Z").
std::optional<std::int64_t> parse_utc_time_ms(std::string_view text);

}  // namespace alphastream
