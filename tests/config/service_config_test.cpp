#include "config/engine_config.h"

#include <gtest/gtest.h>

namespace alphastream {
namespace {

// Line numbers in expected messages count from the line after R"(.

constexpr std::string_view kPairs = R"(pairs:
  - {name: p, y: BTCUSDT, x: ETHUSDT, model: {plugin: ols}}
)";

Result<EngineConfig> parse_with(std::string_view service_yaml) {
  return parse_config(std::string(kPairs) + std::string(service_yaml), "/etc/alphastream/live.yaml");
}

TEST(ServiceConfig, SectionsLeftOutTakeTheDefaults) {
  const Result<EngineConfig> config = parse_with("");
  ASSERT_TRUE(config.is_ok()) << config.error();
  const ServiceConfig& service = config.value().service;
  EXPECT_EQ(service.engine.cores, 1);
  EXPECT_TRUE(service.engine.cpus.empty());
  EXPECT_EQ(service.engine.queue_capacity, 65536);
  EXPECT_EQ(service.engine.idle_spin_us, 250);
  EXPECT_FALSE(service.engine.busy_poll);
  EXPECT_EQ(service.feed.source, FeedSource::kBinance);
  EXPECT_EQ(service.feed.url, "wss://fstream.binance.com/market/stream");
  EXPECT_TRUE(service.feed.tls_verify);
  EXPECT_EQ(service.feed.rotate_after_s, 23 * 3600);
  EXPECT_EQ(service.feed.max_streams_per_connection, 1024);
  EXPECT_TRUE(service.storage.lmdb_path.empty());
  EXPECT_EQ(service.metrics.listen, "127.0.0.1:9464");
}

TEST(ServiceConfig, EverySettingIsRead) {
  const Result<EngineConfig> config = parse_with(R"(engine: {cores: 2, cpus: [0, 1], queue_capacity: 1024, clock_grace_ms: 100}
feed:
  source: simulator
  url: ws://127.0.0.1:9000/market/stream
  tls: {verify: false, ca_file: /etc/hostname}
  reconnect: {initial_ms: 100, max_ms: 5000}
  stale_after_s: 2.5
  rotate_after_s: 3600
  max_streams_per_connection: 200
  simulator: {tls: true, trades_per_second: 20, seed: 11, ping_interval_s: 1}
  replay: {path: journal, from: 2026-11-20, to: "2026-11-20T12:00:00.500Z"}
  csv: {btcusdt: data/btc.csv}
storage: {lmdb: {path: /var/lib/alphastream/journal, map_size_mb: 64}}
metrics: {listen: "[::1]:0"}
log: {level: debug, format: json}
)");
  ASSERT_TRUE(config.is_ok()) << config.error();
  const ServiceConfig& s = config.value().service;
  EXPECT_EQ(s.engine.cores, 2);
  EXPECT_EQ(s.engine.cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(s.engine.queue_capacity, 1024);
  EXPECT_EQ(s.engine.clock_grace_ms, 100);
  EXPECT_EQ(s.feed.source, FeedSource::kSimulator);
  EXPECT_EQ(s.feed.url, "ws://127.0.0.1:9000/market/stream");
  EXPECT_FALSE(s.feed.tls_verify);
  EXPECT_EQ(s.feed.tls_ca_file, "/etc/hostname");
  EXPECT_EQ(s.feed.reconnect_initial_ms, 100);
  EXPECT_EQ(s.feed.reconnect_max_ms, 5000);
  EXPECT_DOUBLE_EQ(s.feed.stale_after_s, 2.5);
  EXPECT_EQ(s.feed.rotate_after_s, 3600);
  EXPECT_EQ(s.feed.max_streams_per_connection, 200);
  EXPECT_TRUE(s.feed.simulator.tls);
  EXPECT_DOUBLE_EQ(s.feed.simulator.trades_per_second, 20);
  EXPECT_EQ(s.feed.simulator.seed, 11u);
  EXPECT_DOUBLE_EQ(s.feed.simulator.ping_interval_s, 1);
  EXPECT_EQ(s.feed.replay.path, "/etc/alphastream/journal");
  EXPECT_EQ(s.feed.replay.from_ms, 1795132800000);  // 2026-11-20T00:00:00Z
  EXPECT_EQ(s.feed.replay.to_ms, 1795176000500);    // + 12 h + 500 ms
  ASSERT_EQ(s.feed.csv.size(), 1u);
  EXPECT_EQ(s.feed.csv.at("BTCUSDT"), "/etc/alphastream/data/btc.csv");
  EXPECT_EQ(s.storage.lmdb_path, "/var/lib/alphastream/journal");
  EXPECT_EQ(s.storage.map_size_mb, 64);
  EXPECT_EQ(s.metrics.listen, "[::1]:0");
  EXPECT_EQ(s.log.level, "debug");
  EXPECT_EQ(s.log.format, "json");
}

TEST(ServiceConfig, EveryBadValueIsReportedWithItsLineAndKey) {
  const Result<EngineConfig> config = parse_with(R"(engine:
  cores: 2
  cpus: [0]
  queue_capacity: -5
feed:
  source: kraken
  url: https://fstream.binance.com
  reconnect: {initial_ms: 500, max_ms: 100}
  rotate_after_s: 86400
  stale_afer_s: 3
storage: {lmdb: {map_size_mb: 10}}
metrics: {listen: "localhost"}
)");
  ASSERT_FALSE(config.is_ok());
  const std::string& error = config.error();
  EXPECT_NE(error.find("live.yaml:5: engine.cpus: expected one CPU per shard (engine.cores is 2), got 1"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("live.yaml:6: engine.queue_capacity: expected a positive integer"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:8: feed.source:"), std::string::npos) << error;
  EXPECT_NE(error.find("kraken"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:9: feed.url: expected a ws:// or wss:// URL"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:10: feed.reconnect.max_ms: must be at least initial_ms (500)"), std::string::npos)
      << error;
  EXPECT_NE(error.find("live.yaml:11: feed.rotate_after_s:"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:12: unknown key 'stale_afer_s' in feed (did you mean 'stale_after_s'?)"), std::string::npos) << error;
  EXPECT_NE(error.find("stale_after_s"), std::string::npos) << "a suggestion names the near key:\n" << error;
  EXPECT_NE(error.find("live.yaml:13: storage.lmdb: missing required key 'path'"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:14: metrics.listen: expected host:port"), std::string::npos) << error;
}

TEST(ServiceConfig, IdleSpinIsWholeMicrosecondsFromZeroOrBusyPolling) {
  const auto engine_of = [](std::string_view yaml) {
    const Result<EngineConfig> config = parse_with(yaml);
    EXPECT_TRUE(config.is_ok()) << yaml << config.error();
    return config.is_ok() ? config.value().service.engine : ShardingConfig{};
  };
  EXPECT_EQ(engine_of("engine: {idle_spin_us: 0}\n").idle_spin_us, 0);
  EXPECT_EQ(engine_of("engine: {idle_spin_us: 40}\n").idle_spin_us, 40);
  EXPECT_EQ(engine_of("engine: {idle_spin_us: 1000000}\n").idle_spin_us, 1'000'000);
  EXPECT_FALSE(engine_of("engine: {idle_spin_us: 40}\n").busy_poll);
  EXPECT_TRUE(engine_of("engine: {busy_poll: true}\n").busy_poll);
  EXPECT_FALSE(engine_of("engine: {busy_poll: false, idle_spin_us: 10}\n").busy_poll);
}

TEST(ServiceConfig, BadIdleSpinSettingsNameTheirLineAndKey) {
  const Result<EngineConfig> config = parse_with(R"(engine:
  idle_spin_us: -1
  busy_poll: yes
)");
  ASSERT_FALSE(config.is_ok());
  EXPECT_NE(config.error().find("live.yaml:4: engine.idle_spin_us: expected a number >= 0, got \"-1\""),
            std::string::npos)
      << config.error();
  EXPECT_NE(config.error().find("live.yaml:5: engine.busy_poll: expected "), std::string::npos) << config.error();

  const Result<EngineConfig> fraction = parse_with("engine:\n  idle_spin_us: 2.5\n");
  ASSERT_FALSE(fraction.is_ok());
  EXPECT_NE(fraction.error().find("live.yaml:4: engine.idle_spin_us: expected whole microseconds 0..1000000 "
                                  "(busy_poll: true never sleeps), got \"2.5\""),
            std::string::npos)
      << fraction.error();
  const Result<EngineConfig> too_long = parse_with("engine:\n  idle_spin_us: 2000000\n");
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_NE(too_long.error().find("live.yaml:4: engine.idle_spin_us: expected whole microseconds 0..1000000"),
            std::string::npos)
      << too_long.error();

  const Result<EngineConfig> both = parse_with("engine:\n  busy_poll: true\n  idle_spin_us: 50\n");
  ASSERT_FALSE(both.is_ok());
  EXPECT_NE(both.error().find("live.yaml:5: engine.idle_spin_us: has no effect with busy_poll: true"),
            std::string::npos)
      << both.error();

  const Result<EngineConfig> typo = parse_with("engine:\n  idle_spin_ms: 50\n");
  ASSERT_FALSE(typo.is_ok());
  EXPECT_NE(typo.error().find("live.yaml:4: unknown key 'idle_spin_ms' in engine (did you mean 'idle_spin_us'?)"),
            std::string::npos)
      << typo.error();
}

// Issue 13, finding 7: values check-config passed and run then failed on, or
// that overflowed a duration, are refused at their line.
TEST(ServiceConfig, LimitsThatRunWouldMeetAreCheckedWithTheirLine) {
  for (const char* stale : {"1e12", "0.0001"}) {
    const Result<EngineConfig> config = parse_with(std::string("feed:\n  stale_after_s: ") + stale + "\n");
    ASSERT_FALSE(config.is_ok()) << stale;
    EXPECT_NE(config.error().find(std::string("live.yaml:4: feed.stale_after_s: must be from 0.1 to 86400 seconds, "
                                              "got \"") + stale + "\""),
              std::string::npos)
        << config.error();
  }
  const Result<EngineConfig> interval = parse_with("sampling: {mode: time, interval_ms: 9223372036854775807}\n");
  ASSERT_FALSE(interval.is_ok());
  EXPECT_NE(interval.error().find("sampling.interval_ms"), std::string::npos) << interval.error();
  for (const char* key : {"max_clock_ahead_ms: 0", "max_clock_behind_ms: 99999999999", "max_id_jump: -5"}) {
    const Result<EngineConfig> feed = parse_with(std::string("feed:\n  ") + key + "\n");
    ASSERT_FALSE(feed.is_ok()) << key;
    EXPECT_NE(feed.error().find("live.yaml:4: feed."), std::string::npos) << feed.error();
  }
  const Result<EngineConfig> drain = parse_with("engine:\n  drain_timeout_s: 0\n");
  ASSERT_FALSE(drain.is_ok());
  EXPECT_NE(drain.error().find("live.yaml:4: engine.drain_timeout_s"), std::string::npos) << drain.error();
  for (const char* budget : {"0", "60000001", "2.5"}) {
    const Result<EngineConfig> config = parse_with(std::string("engine:\n  model_update_budget_us: ") + budget + "\n");
    ASSERT_FALSE(config.is_ok()) << budget;
    EXPECT_NE(config.error().find("live.yaml:4: engine.model_update_budget_us"), std::string::npos) << config.error();
  }
  for (const char* warmup : {"-1", "2592001", "1.5"}) {
    const Result<EngineConfig> config =
        parse_with(std::string("storage:\n  lmdb: {path: j}\n  warmup_s: ") + warmup + "\n");
    ASSERT_FALSE(config.is_ok()) << warmup;
    EXPECT_NE(config.error().find("live.yaml:5: storage.warmup_s"), std::string::npos) << config.error();
  }
  const Result<EngineConfig> cold = parse_with("storage:\n  lmdb: {path: j}\n  warmup_s: 0\n");
  ASSERT_TRUE(cold.is_ok()) << cold.error();
  EXPECT_EQ(cold->service.storage.warmup_s, 0);
  const Result<EngineConfig> budget = parse_with("engine:\n  model_update_budget_us: 250\n");
  ASSERT_TRUE(budget.is_ok()) << budget.error();
  EXPECT_EQ(budget->service.engine.model_update_budget_us, 250);
  const Result<EngineConfig> cap = parse_with("metrics:\n  max_connections: 5000\n");
  ASSERT_FALSE(cap.is_ok());
  EXPECT_NE(cap.error().find("live.yaml:4: metrics.max_connections"), std::string::npos) << cap.error();
}

TEST(ServiceConfig, ReplayAndCsvSourcesNeedTheirSections) {
  const Result<EngineConfig> replay = parse_with("feed: {source: replay}\n");
  ASSERT_FALSE(replay.is_ok());
  EXPECT_NE(replay.error().find("live.yaml:3: feed.source: source 'replay' needs a 'feed.replay' section"),
            std::string::npos)
      << replay.error();
  const Result<EngineConfig> csv = parse_with("feed: {source: csv}\n");
  ASSERT_FALSE(csv.is_ok());
  EXPECT_NE(csv.error().find("source 'csv' needs 'feed.csv'"), std::string::npos) << csv.error();
  const Result<EngineConfig> backwards = parse_with("feed: {replay: {path: j, from: 2026-11-21, to: 2026-11-20}}\n");
  ASSERT_FALSE(backwards.is_ok());
  EXPECT_NE(backwards.error().find("feed.replay.to: must be after 'from'"), std::string::npos) << backwards.error();
}

TEST(ServiceConfig, TheBackfillSectionIsReadWithBinancesLimitsAsBounds) {
  Result<EngineConfig> config = parse_with("");
  ASSERT_TRUE(config.is_ok()) << config.error();
  const BackfillConfig defaults = config.value().service.feed.backfill;
  EXPECT_TRUE(defaults.enabled);
  EXPECT_TRUE(defaults.url.empty());
  EXPECT_EQ(defaults.max_weight_per_minute, 1000);
  EXPECT_EQ(defaults.max_trades_per_gap, 20000);
  config = parse_with(R"(feed:
  backfill: {enabled: false, url: "https://fapi.binance.com/fapi/v1/aggTrades", request_weight: 5,
             max_weight_per_minute: 2400, max_trades_per_gap: 500, max_held_trades: 1000, max_hold_ms: 5000}
)");
  ASSERT_TRUE(config.is_ok()) << config.error();
  const BackfillConfig& b = config.value().service.feed.backfill;
  EXPECT_FALSE(b.enabled);
  EXPECT_EQ(b.url, "https://fapi.binance.com/fapi/v1/aggTrades");
  EXPECT_EQ(b.request_weight, 5);
  EXPECT_EQ(b.max_weight_per_minute, 2400);
  EXPECT_EQ(b.max_trades_per_gap, 500);
  EXPECT_EQ(b.max_held_trades, 1000);
  EXPECT_EQ(b.max_hold_ms, 5000);
  config = parse_with(R"(feed:
  backfill:
    url: wss://fapi.binance.com
    max_weight_per_minute: 7000
    max_hold_ms: 0
    max_trade_per_gap: 5
)");
  ASSERT_FALSE(config.is_ok());
  const std::string& error = config.error();
  EXPECT_NE(error.find("live.yaml:5: feed.backfill.url: expected the https:// URL of an aggTrades endpoint"),
            std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:6: feed.backfill.max_weight_per_minute:"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:7: feed.backfill.max_hold_ms:"), std::string::npos) << error;
  EXPECT_NE(error.find("live.yaml:8: unknown key 'max_trade_per_gap' in feed.backfill (did you mean 'max_trades_per_gap'?)"),
            std::string::npos) << error;
}

TEST(PairNames, SymbolsIsReservedForTheSymbolModelsOutputFolder) {
  const Result<EngineConfig> config =
      parse_config("pairs:\n  - {name: symbols, y: AUSDT, x: BUSDT, model: {plugin: ols}}\n", "c.yaml");
  ASSERT_FALSE(config.is_ok());
  EXPECT_EQ(config.error(), "c.yaml:2: pairs[0].name: \"symbols\" is reserved for the symbol models' output folder");
}

TEST(UtcTime, ParsesMillisecondsAndIsoForms) {
  EXPECT_EQ(parse_utc_time_ms("0"), 0);
  EXPECT_EQ(parse_utc_time_ms("1732492800000"), 1732492800000);
  EXPECT_EQ(parse_utc_time_ms("1970-01-01"), 0);
  EXPECT_EQ(parse_utc_time_ms("2024-11-25"), 1732492800000);
  EXPECT_EQ(parse_utc_time_ms("2024-11-25T00:00:01Z"), 1732492801000);
  EXPECT_EQ(parse_utc_time_ms("2024-11-25T00:00:01.007Z"), 1732492801007);
  EXPECT_EQ(parse_utc_time_ms("2024-02-29"), 1709164800000);  // leap day
}

TEST(UtcTime, RefusesWhatIsNotADate) {
  for (const char* text : {"", "2024-02-30", "2023-02-29", "2024-13-01", "2024-11-25T24:00:00Z",
                           "2024-11-25T10:00:00", "2024-11-25 10:00:00Z", "2024-11-25T10:00:00.5Z", "-5", "12ab",
                           "2024/11/25"}) {
    EXPECT_FALSE(parse_utc_time_ms(text).has_value()) << text;
  }
}

TEST(ServiceConfig, TheBusSectionIsReadAndAWorkerNeedsOneAndMayNotPublish) {
  const Result<EngineConfig> bus = parse_with(
      "feed: {source: nats}\nbus: {servers: [\"nats://10.0.0.1:4222\", \"nats://10.0.0.2:4222\"], stream: T-1, "
      "subject_prefix: desk.trades, market: spot, replicas: 3, max_age_s: 86400, duplicate_window_s: 60}\n");
  ASSERT_TRUE(bus.is_ok()) << bus.error();
  const BusConfig& b = bus->service.bus;
  EXPECT_EQ(b.servers, (std::vector<std::string>{"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"}));
  EXPECT_EQ(b.stream, "T-1");
  EXPECT_EQ(b.subject_prefix, "desk.trades");
  EXPECT_EQ(b.market, "spot");
  EXPECT_EQ(b.replicas, 3);
  EXPECT_EQ(b.duplicate_window_s, 60);
  EXPECT_FALSE(b.publish);
  EXPECT_EQ(bus->service.feed.source, FeedSource::kNats);

  const auto error_of = [](std::string_view yaml) {
    const Result<EngineConfig> config = parse_with(yaml);
    return config.is_ok() ? std::string("loaded") : config.error();
  };
  EXPECT_NE(error_of("feed: {source: nats}\n").find("source 'nats' needs a 'bus' section"), std::string::npos);
  EXPECT_NE(error_of("feed: {source: nats}\nbus: {servers: [\"nats://a:1\"], publish: true}\n")
                .find("a worker (feed.source: nats) cannot publish"),
            std::string::npos);
  EXPECT_NE(error_of("bus: {servers: [\"http://a:1\"]}\n").find("live.yaml:3: bus.servers[0]: expected a nats://"),
            std::string::npos)
      << error_of("bus: {servers: [\"http://a:1\"]}\n");
  EXPECT_NE(error_of("bus: {servers: [\"nats://a:1\"], stream: \"a.b\"}\n").find("bus.stream"), std::string::npos);
  EXPECT_NE(error_of("bus: {servers: [\"nats://a:1\"], replicas: 7}\n").find("bus.replicas"), std::string::npos);
  EXPECT_NE(error_of("bus: {stream: X}\n").find("bus: missing required key 'servers'"), std::string::npos)
      << error_of("bus: {stream: X}\n");
}

TEST(ServiceConfig, BusCredentialsAreOneWayAndTlsFilesMustBeReadable) {
  const Result<EngineConfig> user = parse_with("bus: {servers: [\"nats://a:1\"], user: alpha, password: s3cret}\n");
  ASSERT_TRUE(user.is_ok()) << user.error();
  EXPECT_EQ(user->service.bus.access.user, "alpha");
  EXPECT_EQ(user->service.bus.access.password, "s3cret");
  EXPECT_FALSE(user->service.bus.access.tls());
  // /etc/hostname stands in for a PEM file: the config checks it can be read.
  const Result<EngineConfig> tls = parse_with(
      "bus: {servers: [\"tls://a:1\"], token: t0k, tls: {ca_file: /etc/hostname, cert_file: /etc/hostname, "
      "key_file: /etc/hostname}}\n");
  ASSERT_TRUE(tls.is_ok()) << tls.error();
  EXPECT_EQ(tls->service.bus.access.token, "t0k");
  EXPECT_EQ(tls->service.bus.access.tls_ca_file, "/etc/hostname");
  EXPECT_TRUE(tls->service.bus.access.tls());

  const auto error_of = [](std::string_view yaml) {
    const Result<EngineConfig> config = parse_with(yaml);
    return config.is_ok() ? std::string("(accepted)") : config.error();
  };
  const std::pair<const char*, const char*> bad[] = {
      {"bus: {servers: [\"nats://a:1\"], password: p}\n", "live.yaml:3: bus.password: a password needs a user"},
      {"bus: {servers: [\"nats://a:1\"], user: u}\n", "live.yaml:3: bus.user: a user needs a password"},
      {"bus: {servers: [\"nats://a:1\"], user: u, password: p, token: t}\n",
       "live.yaml:3: bus.token: give one of user/password, token and credentials"},
      {"bus: {servers: [\"nats://a:1\"], credentials: /nonexistent/bus.creds}\n",
       "live.yaml:3: bus.credentials: cannot read /nonexistent/bus.creds: No such file or directory"},
      {"bus: {servers: [\"nats://a:1\"], tls: {cert_file: /etc/hostname}}\n",
       "live.yaml:3: bus.tls.cert_file: a client certificate needs its key_file"},
      {"bus: {servers: [\"nats://a:1\"], tls: {}}\n", "live.yaml:3: bus.tls: expected ca_file"},
      {"bus: {servers: [\"nats://a:1\"], tls: {ca_file: certs/ca.pem}}\n",
       "live.yaml:3: bus.tls.ca_file: cannot read /etc/alphastream/certs/ca.pem"},
      // The feed's trust anchor is checked alike.
      {"feed: {tls: {ca_file: certs/ca.pem}}\n",
       "live.yaml:3: feed.tls.ca_file: cannot read /etc/alphastream/certs/ca.pem: No such file or directory"},
  };
  for (const auto& [yaml, expected] : bad) {
    EXPECT_NE(error_of(yaml).find(expected), std::string::npos) << yaml << " -> " << error_of(yaml);
  }
}

}  // namespace
}  // namespace alphastream
