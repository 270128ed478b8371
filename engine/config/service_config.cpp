#include "config/service_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "config/yaml_reader.h"
#include "core/worker_id.h"

namespace alphastream {
namespace {

constexpr int kMaxCores = 256;
// Spinning longer than a second is busy polling in all but name.
constexpr std::int64_t kMaxIdleSpinUs = 1'000'000;

// "host:port" or "[v6]:port", port 0..65535 (0: any free port).
bool is_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.front() == '[' && host.back() != ']') return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && end == port.data() + port.size() && value <= 65535;
}

// A whole number of `unit` in 0..max, for the keys where 0 means something
// (read_positive_integer refuses it); `note` ends the error message.
std::optional<std::int64_t> read_whole(ConfigReader& reader, const YamlValue& value, std::int64_t max,
                                       std::string_view unit, std::string_view note = "") {
  const std::optional<double> x = read_number(reader, value, NumberRange::kNonNegative);
  if (!x) return std::nullopt;
  if (std::trunc(*x) == *x && *x <= static_cast<double>(max)) return static_cast<std::int64_t>(*x);
  std::string message = "expected whole ";
  message.append(unit).append(" 0..").append(std::to_string(max)).append(note).append(", got ").append(
      describe(value.node));
  reader.add_error(value.line, value.path, message);
  return std::nullopt;
}

void read_engine(ConfigReader& reader, const YamlValue& section, ShardingConfig& engine) {
  MapReader map(reader, section,
                {"cores", "cpus", "queue_capacity", "clock_grace_ms", "idle_spin_us", "busy_poll", "drain_timeout_s",
                 "model_update_budget_us"});
  const auto cores = map.find("cores");
  if (cores) {
    if (const auto n = read_positive_integer(reader, *cores, kMaxCores)) engine.cores = static_cast<int>(*n);
  }
  if (const auto v = map.find("cpus")) {
    for (const YamlValue& element : read_list(reader, *v, "a list of CPU numbers")) {
      const auto cpu = parse_integer(element.node.IsScalar() ? element.node.Scalar() : "");
      if (!cpu || *cpu < 0 || *cpu > 4095) {
        reader.add_error(element.line, element.path, "expected a CPU number 0..4095, got " + describe(element.node));
        continue;
      }
      engine.cpus.push_back(static_cast<int>(*cpu));
    }
    if (!engine.cpus.empty() && engine.cpus.size() != static_cast<std::size_t>(engine.cores)) {
      reader.add_error(v->line, v->path,
                       "expected one CPU per shard (engine.cores is " + std::to_string(engine.cores) + "), got " +
                           std::to_string(engine.cpus.size()));
    }
  }
  if (const auto v = map.find("queue_capacity")) {
    if (const auto n = read_positive_integer(reader, *v, 1 << 24)) engine.queue_capacity = *n;
  }
  if (const auto v = map.find("clock_grace_ms")) {
    if (const auto n = read_positive_integer(reader, *v, 60000)) engine.clock_grace_ms = *n;
  }
  if (const auto v = map.find("drain_timeout_s")) {
    if (const auto n = read_positive_integer(reader, *v, 3600)) engine.drain_timeout_s = *n;
  }
  if (const auto v = map.find("model_update_budget_us")) {
    if (const auto n = read_positive_integer(reader, *v, 60'000'000)) engine.model_update_budget_us = *n;
  }
  const auto spin = map.find("idle_spin_us");
  if (spin) {
    if (const auto n = read_whole(reader, *spin, kMaxIdleSpinUs, "microseconds", " (busy_poll: true never sleeps)")) {
      engine.idle_spin_us = *n;
    }
  }
  if (const auto v = map.find("busy_poll")) {
    if (const auto b = read_bool(reader, *v)) engine.busy_poll = *b;
  }
  // Two answers to "how long to spin" would leave the reader guessing which wins.
  if (spin && engine.busy_poll) {
    reader.add_error(spin->line, spin->path, "has no effect with busy_poll: true (a busy shard never sleeps)");
  }
}

void read_simulator(ConfigReader& reader, const YamlValue& section, SimulatorConfig& simulator) {
  MapReader map(reader, section, {"tls", "trades_per_second", "seed", "ping_interval_s"});
  if (const auto v = map.find("tls")) {
    if (const auto b = read_bool(reader, *v)) simulator.tls = *b;
  }
  if (const auto v = map.find("trades_per_second")) {
    if (const auto x = read_number(reader, *v, NumberRange::kPositive)) {
      // The simulator's own limit (BinanceSimulator refuses more), here so
      // that check-config sees it.
      if (*x > 1000) {
        reader.add_error(v->line, v->path, "must be at most 1000 trades a second per symbol, got " + describe(v->node));
      } else {
        simulator.trades_per_second = *x;
      }
    }
  }
  if (const auto v = map.find("seed")) {
    if (const auto n = read_positive_integer(reader, *v)) simulator.seed = static_cast<std::uint64_t>(*n);
  }
  if (const auto v = map.find("ping_interval_s")) {
    if (const auto x = read_number(reader, *v, NumberRange::kPositive)) simulator.ping_interval_s = *x;
  }
}

void read_backfill(ConfigReader& reader, const YamlValue& section, BackfillConfig& backfill) {
  MapReader map(reader, section,
                {"enabled", "url", "request_weight", "max_weight_per_minute", "max_trades_per_gap", "max_held_trades",
                 "max_hold_ms"});
  if (const auto v = map.find("enabled")) {
    if (const auto b = read_bool(reader, *v)) backfill.enabled = *b;
  }
  if (const auto v = map.find("url")) {
    if (const auto url = read_text(reader, *v, "an https:// or http:// URL")) {
      if (url->starts_with("https://") || url->starts_with("http://")) {
        backfill.url = *url;
      } else {
        reader.add_error(v->line, v->path, "expected the https:// URL of an aggTrades endpoint, got " + describe(v->node));
      }
    }
  }
  // Binance's limits bound these: 6000 weight a minute (spot), 1000 trades a page.
  if (const auto v = map.find("request_weight")) {
    if (const auto n = read_positive_integer(reader, *v, 1000)) backfill.request_weight = *n;
  }
  if (const auto v = map.find("max_weight_per_minute")) {
    if (const auto n = read_positive_integer(reader, *v, 6000)) backfill.max_weight_per_minute = *n;
  }
  if (const auto v = map.find("max_trades_per_gap")) {
    if (const auto n = read_positive_integer(reader, *v, 10'000'000)) backfill.max_trades_per_gap = *n;
  }
  if (const auto v = map.find("max_held_trades")) {
    if (const auto n = read_positive_integer(reader, *v, 10'000'000)) backfill.max_held_trades = *n;
  }
  if (const auto v = map.find("max_hold_ms")) {
    if (const auto n = read_positive_integer(reader, *v, 600'000)) backfill.max_hold_ms = *n;
  }
}

void read_time(ConfigReader& reader, const YamlValue& value, std::int64_t& out_ms) {
  const auto text = read_text(reader, value, "a time (Unix ms or UTC ISO 8601)");
  if (!text) return;
  if (const auto ms = parse_utc_time_ms(*text)) {
    out_ms = *ms;
    return;
  }
  reader.add_error(value.line, value.path,
                   "expected Unix milliseconds or a UTC time like 2026-11-25T10:00:00Z, got " + describe(value.node));
}

void read_replay(ConfigReader& reader, const YamlValue& section, ReplayConfig& replay) {
  MapReader map(reader, section, {"path", "from", "to"});
  if (const auto v = map.require("path")) {
    if (const auto text = read_text(reader, *v, "a directory path")) replay.path = reader.resolve_path(*text);
  }
  if (const auto v = map.find("from")) read_time(reader, *v, replay.from_ms);
  const auto to = map.find("to");
  if (to) read_time(reader, *to, replay.to_ms);
  if (to && replay.to_ms <= replay.from_ms) reader.add_error(to->line, to->path, "must be after 'from'");
}

void read_csv_files(ConfigReader& reader, const YamlValue& section, std::map<std::string, std::string>& files) {
  for (const YamlEntry& entry : read_entries(reader, section)) {
    std::string symbol = entry.key;
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (const auto path = read_text(reader, entry.value, "a CSV or ZIP file path")) {
      files[symbol] = reader.resolve_path(*path);
    }
  }
}

// A file the service reads at start: resolved against the config's folder,
// and readable now, so a typo is a file:line error rather than a failed
// connection.
std::optional<std::string> read_readable_file(ConfigReader& reader, const YamlValue& value, std::string_view what) {
  const auto text = read_text(reader, value, what);
  if (!text) return std::nullopt;
  std::string path = reader.resolve_path(*text);
  if (std::FILE* file = std::fopen(path.c_str(), "rb"); file != nullptr) {
    std::fclose(file);
    return path;
  }
  reader.add_error(value.line, value.path, "cannot read " + path + ": " + std::strerror(errno));
  return std::nullopt;
}

void read_feed(ConfigReader& reader, const YamlValue& section, FeedConfig& feed) {
  MapReader map(reader, section,
                {"source", "url", "tls", "reconnect", "stale_after_s", "rotate_after_s", "max_streams_per_connection",
                 "max_clock_ahead_ms", "max_clock_behind_ms", "max_id_jump", "backfill", "simulator", "replay", "csv"});
  const auto source = map.find("source");
  if (source) {
    if (const auto index = read_choice(reader, *source, {"binance", "simulator", "replay", "csv", "nats"})) {
      feed.source = static_cast<FeedSource>(*index);
    }
  }
  if (const auto v = map.find("url")) {
    if (const auto url = read_text(reader, *v, "a ws:// or wss:// URL")) {
      if (url->starts_with("wss://") || url->starts_with("ws://")) {
        feed.url = *url;
      } else {
        reader.add_error(v->line, v->path, "expected a ws:// or wss:// URL, got " + describe(v->node));
      }
    }
  }
  if (const auto v = map.find("tls")) {
    MapReader tls(reader, *v, {"verify", "ca_file"});
    if (const auto verify = tls.find("verify")) {
      if (const auto b = read_bool(reader, *verify)) feed.tls_verify = *b;
    }
    if (const auto ca = tls.find("ca_file")) {
      if (const auto path = read_readable_file(reader, *ca, "a PEM file path")) feed.tls_ca_file = *path;
    }
  }
  if (const auto v = map.find("reconnect")) {
    MapReader reconnect(reader, *v, {"initial_ms", "max_ms"});
    if (const auto initial = reconnect.find("initial_ms")) {
      if (const auto n = read_positive_integer(reader, *initial, 3600000)) feed.reconnect_initial_ms = *n;
    }
    if (const auto max = reconnect.find("max_ms")) {
      if (const auto n = read_positive_integer(reader, *max, 3600000)) {
        if (*n < feed.reconnect_initial_ms) {
          reader.add_error(max->line, max->path,
                           "must be at least initial_ms (" + std::to_string(feed.reconnect_initial_ms) + "), got " +
                               describe(max->node));
        } else {
          feed.reconnect_max_ms = *n;
        }
      }
    }
  }
  if (const auto v = map.find("stale_after_s")) {
    // Past a day the watchdog means nothing, and far past it the duration
    // overflows: bounded here, where check-config sees it.
    if (const auto x = read_number(reader, *v, NumberRange::kPositive)) {
      if (*x < 0.1 || *x > 86400) {
        reader.add_error(v->line, v->path, "must be from 0.1 to 86400 seconds, got " + describe(v->node));
      } else {
        feed.stale_after_s = *x;
      }
    }
  }
  if (const auto v = map.find("rotate_after_s")) {
    // Binance closes a connection at 24 h; rotating later would leave a gap.
    if (const auto n = read_positive_integer(reader, *v, 24 * 3600 - 60)) feed.rotate_after_s = *n;
  }
  if (const auto v = map.find("max_streams_per_connection")) {
    if (const auto n = read_positive_integer(reader, *v, 1024)) feed.max_streams_per_connection = *n;
  }
  // A day either way is as far as a clock can be wrong and still be a clock.
  if (const auto v = map.find("max_clock_ahead_ms")) {
    if (const auto n = read_positive_integer(reader, *v, 86'400'000)) feed.max_clock_ahead_ms = *n;
  }
  if (const auto v = map.find("max_clock_behind_ms")) {
    if (const auto n = read_positive_integer(reader, *v, 86'400'000)) feed.max_clock_behind_ms = *n;
  }
  if (const auto v = map.find("max_id_jump")) {
    if (const auto n = read_positive_integer(reader, *v, 1'000'000'000'000)) feed.max_id_jump = *n;
  }
  if (const auto v = map.find("backfill")) read_backfill(reader, *v, feed.backfill);
  if (const auto v = map.find("simulator")) read_simulator(reader, *v, feed.simulator);
  const auto replay = map.find("replay");
  if (replay) read_replay(reader, *replay, feed.replay);
  const auto csv = map.find("csv");
  if (csv) read_csv_files(reader, *csv, feed.csv);
  if (source && feed.source == FeedSource::kReplay && !replay) {
    reader.add_error(source->line, source->path, "source 'replay' needs a 'feed.replay' section with a 'path'");
  }
  if (source && feed.source == FeedSource::kCsv && feed.csv.empty()) {
    reader.add_error(source->line, source->path, "source 'csv' needs 'feed.csv' with a file per symbol");
  }
}

void read_storage(ConfigReader& reader, const YamlValue& section, StorageConfig& storage) {
  MapReader map(reader, section, {"lmdb", "warmup_s"});
  if (const auto v = map.find("warmup_s")) {
    constexpr double kMaxWarmupS = 30 * 86400;
    const std::optional<double> x = read_number(reader, *v, NumberRange::kNonNegative);
    if (x && std::trunc(*x) == *x && *x <= kMaxWarmupS) {
      storage.warmup_s = static_cast<std::int64_t>(*x);
    } else if (x) {
      reader.add_error(v->line, v->path, "expected whole seconds 0..2592000 (30 days; 0 starts cold), got " +
                                             describe(v->node));
    }
  }
  const auto lmdb = map.find("lmdb");
  if (!lmdb) return;
  MapReader settings(reader, *lmdb, {"path", "map_size_mb"});
  if (const auto v = settings.require("path")) {
    if (const auto text = read_text(reader, *v, "a directory path")) storage.lmdb_path = reader.resolve_path(*text);
  }
  if (const auto v = settings.find("map_size_mb")) {
    // LMDB reserves the map as address space, not memory: 1 TiB is a sane cap.
    if (const auto n = read_positive_integer(reader, *v, 1 << 20)) storage.map_size_mb = *n;
  }
}

void read_metrics(ConfigReader& reader, const YamlValue& section, MetricsConfig& metrics) {
  MapReader map(reader, section, {"listen", "max_connections"});
  if (const auto cap = map.find("max_connections")) {
    if (const auto n = read_positive_integer(reader, *cap, 4096)) metrics.max_connections = *n;
  }
  const auto v = map.find("listen");
  if (!v) return;
  if (v->node.IsScalar() && v->node.Scalar().empty()) {
    metrics.listen.clear();
    return;
  }
  const auto text = read_text(reader, *v, "host:port");
  if (!text) return;
  if (!is_listen_address(*text)) {
    reader.add_error(v->line, v->path, "expected host:port (e.g. 127.0.0.1:9464), got " + describe(v->node));
    return;
  }
  metrics.listen = *text;
}

void read_log(ConfigReader& reader, const YamlValue& section, LogConfig& log) {
  MapReader map(reader, section, {"level", "format"});
  if (const auto v = map.find("level")) {
    static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error"};
    if (const auto index = read_choice(reader, *v, {"trace", "debug", "info", "warn", "error"})) {
      log.level = kLevels[*index];
    }
  }
  if (const auto v = map.find("format")) {
    if (const auto index = read_choice(reader, *v, {"text", "json"})) log.format = *index == 0 ? "text" : "json";
  }
}

// Reads "<digits>" of exactly n characters at text[pos].
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string_view feed_source_name(FeedSource source) {
  switch (source) {
    case FeedSource::kBinance: return "binance";
    case FeedSource::kSimulator: return "simulator";
    case FeedSource::kReplay: return "replay";
    case FeedSource::kCsv: return "csv";
    case FeedSource::kNats: return "nats";
  }
  return "unknown";
}

namespace {

// user + password, token or credentials (one of them), and tls.
void read_bus_access(ConfigReader& reader, const MapReader& map, BusAccess& access) {
  const auto text = [&](const char* key, std::string_view what, std::string& out) {
    if (const auto v = map.find(key)) {
      if (const auto t = read_text(reader, *v, what)) out = *t;
    }
  };
  text("user", "a user name", access.user);
  text("password", "a password", access.password);
  text("token", "a token", access.token);
  if (const auto v = map.find("credentials")) {
    if (const auto path = read_readable_file(reader, *v, "a .creds file")) access.credentials_file = *path;
  }
  const auto password = map.find("password");
  if (password && access.user.empty()) {
    reader.add_error(password->line, password->path, "a password needs a user");
  }
  const auto user = map.find("user");
  if (user && !password) reader.add_error(user->line, user->path, "a user needs a password");
  const int ways = (user ? 1 : 0) + (map.find("token") ? 1 : 0) + (map.find("credentials") ? 1 : 0);
  if (ways > 1) {
    const auto at = map.find("token") ? map.find("token") : map.find("credentials");
    reader.add_error(at->line, at->path, "give one of user/password, token and credentials");
  }
  if (const auto v = map.find("tls")) {
    MapReader tls(reader, *v, {"ca_file", "cert_file", "key_file"});
    const auto file = [&](const char* key, std::string& out) {
      if (const auto f = tls.find(key)) {
        if (const auto path = read_readable_file(reader, *f, "a PEM file path")) out = *path;
      }
    };
    file("ca_file", access.tls_ca_file);
    file("cert_file", access.tls_cert_file);
    file("key_file", access.tls_key_file);
    const auto cert = tls.find("cert_file");
    const auto key = tls.find("key_file");
    if (cert && !key) reader.add_error(cert->line, cert->path, "a client certificate needs its key_file");
    if (key && !cert) reader.add_error(key->line, key->path, "a key_file needs its cert_file");
    if (!tls.find("ca_file") && !cert) {
      reader.add_error(v->line, v->path, "expected ca_file (the servers' trust anchor) and/or cert_file and key_file");
    }
  }
}

void read_bus(ConfigReader& reader, const YamlValue& section, BusConfig& bus) {
  MapReader map(reader, section,
                {"servers", "user", "password", "token", "credentials", "tls", "stream", "subject_prefix", "market",
                 "replicas", "max_age_s", "duplicate_window_s", "publish", "reorder_ms", "share_pairs", "lease_bucket",
                 "lease_ttl_s", "worker_id"});
  if (const auto v = map.require("servers")) {
    for (const YamlValue& element : read_list(reader, *v, "a list of nats:// URLs")) {
      const auto url = read_text(reader, element, "a nats://host:port URL");
      if (!url) continue;
      if (!url->starts_with("nats://") && !url->starts_with("tls://")) {
        reader.add_error(element.line, element.path, "expected a nats:// or tls:// URL, got " + describe(element.node));
        continue;
      }
      bus.servers.push_back(*url);
    }
    if (bus.servers.empty()) reader.add_error(v->line, v->path, "expected at least one server");
  }
  read_bus_access(reader, map, bus.access);
  // Names NATS accepts in a stream name and a subject token.
  const auto token = [](const std::string& text, bool dots) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '-' || (dots && c == '.');
    }) && text.front() != '.' && text.back() != '.';
  };
  // A key whose text must be a token (or dotted tokens) NATS accepts.
  const auto read_name = [&](const char* key, std::string_view expected, bool dots, std::string& out) {
    const auto v = map.find(key);
    if (!v) return;
    const auto text = read_text(reader, *v, expected);
    if (!text) return;
    if (token(*text, dots)) {
      out = *text;
    } else {
      reader.add_error(v->line, v->path,
                       std::string(dots ? "expected tokens of letters, digits, '_' and '-' joined by '.', got "
                                        : "expected letters, digits, '_' and '-', got ") +
                           describe(v->node));
    }
  };
  read_name("stream", "a stream name", false, bus.stream);
  read_name("subject_prefix", "a subject prefix", true, bus.subject_prefix);
  if (const auto v = map.find("market")) {
    if (const auto index = read_choice(reader, *v, {"um", "cm", "spot"})) {
      bus.market = std::array<const char*, 3>{"um", "cm", "spot"}[*index];
    }
  }
  if (const auto v = map.find("replicas")) {
    if (const auto n = read_positive_integer(reader, *v, 5)) bus.replicas = *n;
  }
  if (const auto v = map.find("max_age_s")) {
    if (const auto n = read_positive_integer(reader, *v, 366 * 86400)) bus.max_age_s = *n;
  }
  if (const auto v = map.find("duplicate_window_s")) {
    if (const auto n = read_positive_integer(reader, *v, 86400)) bus.duplicate_window_s = *n;
  }
  if (const auto v = map.find("publish")) {
    if (const auto b = read_bool(reader, *v)) bus.publish = *b;
  }
  if (const auto v = map.find("reorder_ms")) {
    if (const auto n = read_whole(reader, *v, 60000, "milliseconds", " (0: no reordering)")) bus.reorder_ms = *n;
  }
  if (const auto v = map.find("share_pairs")) {
    if (const auto b = read_bool(reader, *v)) bus.share_pairs = *b;
  }
  read_name("lease_bucket", "a bucket name", false, bus.lease_bucket);
  if (const auto v = map.find("lease_ttl_s")) {
    if (const auto n = read_positive_integer(reader, *v, 3600)) {
      if (*n >= 2) {
        bus.lease_ttl_s = *n;
      } else {
        reader.add_error(v->line, v->path, "expected at least 2 (seconds; a round runs every third of it), got 1");
      }
    }
  }
  if (const auto v = map.find("worker_id")) {
    if (const auto text = read_text(reader, *v, "a worker id")) {
      if (is_worker_id(*text)) {
        bus.worker_id = *text;
      } else {
        reader.add_error(v->line, v->path, "expected 1 to 64 letters, digits, '_' and '-', got " + describe(v->node));
      }
    }
  }
}

}  // namespace

void read_service_sections(ConfigReader& reader, const MapReader& document, ServiceConfig& config) {
  if (const auto v = document.find("engine")) read_engine(reader, *v, config.engine);
  if (const auto v = document.find("feed")) read_feed(reader, *v, config.feed);
  if (const auto v = document.find("bus")) read_bus(reader, *v, config.bus);
  if (config.feed.source == FeedSource::kNats && !config.bus.enabled()) {
    const auto source = document.find("feed");
    reader.add_error(source ? source->line : 1, "feed.source", "source 'nats' needs a 'bus' section with its servers");
  }
  if (config.bus.share_pairs && config.feed.source != FeedSource::kNats) {
    const auto bus = document.find("bus");
    reader.add_error(bus ? bus->line : 1, "bus.share_pairs",
                     "only a worker (feed.source: nats) shares the pairs: every worker must see the same trades");
  }
  if (config.feed.source == FeedSource::kNats && config.bus.publish) {
    const auto bus = document.find("bus");
    reader.add_error(bus ? bus->line : 1, "bus.publish",
                     "a worker (feed.source: nats) cannot publish: it would send the stream its own trades again");
  }
  if (const auto v = document.find("storage")) read_storage(reader, *v, config.storage);
  if (const auto v = document.find("metrics")) read_metrics(reader, *v, config.metrics);
  if (const auto v = document.find("log")) read_log(reader, *v, config.log);
}

std::optional<std::int64_t> parse_utc_time_ms(std::string_view text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    std::int64_t ms = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size()) return ms;
    return std::nullopt;
  }
  // YYYY-MM-DD[THH:MM:SS[.fff]Z]
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  int hour = 0, minute = 0, second = 0, millis = 0;
  if (text.size() > 10) {
    const auto h = read_digits(text, 11, 2);
    const auto m = read_digits(text, 14, 2);
    const auto s = read_digits(text, 17, 2);
    if (text[10] != 'T' || !h || !m || !s || text[13] != ':' || text[16] != ':') return std::nullopt;
    hour = *h;
    minute = *m;
    second = *s;
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
      const auto f = read_digits(text, pos + 1, 3);
      if (!f) return std::nullopt;
      millis = *f;
      pos += 4;
    }
    if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
  } else if (text.size() != 10) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t seconds = timegm(&tm);
  // timegm normalises 2026-02-30 to March 2; a real date survives the round trip.
  std::tm back{};
  gmtime_r(&seconds, &back);
  if (back.tm_mday != *day || back.tm_mon != *month - 1) return std::nullopt;
  return static_cast<std::int64_t>(seconds) * 1000 + millis;
}

}  // namespace alphastream
