#include "service/live_service.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "source/csv_trade_stream.h"
#include "book/pipeline_book.h"
#include "simulator/binance_simulator.h"
#include "feed/binance_stream_client.h"
#include "metrics/metrics_server.h"
#include "metrics/process_metrics.h"
#include "reactor/shard_group.h"
#include "reactor/shard_map.h"
#include "service/feed_ingest.h"
#include "service/model_gauges.h"
#include "service/reload_plan.h"
#include "source/journal_trade_stream.h"
#include "service/service_metrics.h"
#include "service/shard_book.h"
#include "storage/trade_recorder.h"

namespace alphastream {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The pipelines of one config, grouped by owning shard.
using ShardPlan = std::vector<PipelineSet>;

class LiveService {
 public:
  explicit LiveService(const ServiceOptions& options)
      : options_(options),
        config_(options.config),
        factory_(options.plugins_dir),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        clock_timer_(io_),
        stop_timer_(io_) {}

  ~LiveService() {
    // Scrapes read the members below; end them first.
    metrics_server_.reset();
    cleanup_simulator_files();
  }

  Status run();

 private:
  std::uint32_t shard_count() const { return static_cast<std::uint32_t>(config_.service.engine.cores); }
  ShardId pair_shard(const std::string& pair) const { return shard_for_key(pair, shard_count()); }
  ShardId symbol_shard(const std::string& symbol) const { return shard_for_key(symbol, shard_count()); }

  // Builds the selected pipelines of `config`, their gauges attached, one
  // set per shard.
  Result<ShardPlan> build(const EngineConfig& config, const PipelineSelection& selection = {});
  void apply_reload(const ReloadPlan& plan, ShardPlan started);
  std::vector<FeedIngest::SymbolRoute> routes(const EngineConfig& config) const;

  Status start_metrics();
  Status start_storage();
  Status start_feed();
  Status start_live_client(const std::vector<std::string>& symbols);
  Status start_simulator();
  Status start_stream(std::unique_ptr<TradeStream> stream);
  void pump_stream();
  void finish_data_on_every_shard();
  void schedule_clock();
  void wait_for_signal();
  void reload();
  void begin_shutdown(const std::string& why);
  void wait_for_clients_closed(std::chrono::steady_clock::time_point deadline);
  void finish_shutdown();
  void register_service_metrics();
  void register_readiness_checks();
  void cleanup_simulator_files();

  // The feed as alphastream_feed_connected and /readyz report it.
  struct FeedState {
    bool up = false;  // every connection open, or a file source being read
    std::uint64_t connections_open = 0;
    std::size_t connections_needed = 0;
  };
  // REQUIRES: control_mutex_ held.
  FeedState feed_state() const;

  ServiceOptions options_;
  EngineConfig config_;
  ModelFactory factory_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer clock_timer_;
  asio::steady_timer stop_timer_;

  std::unique_ptr<ShardGroup> shards_;
  std::vector<ShardBook*> books_;  // owned by shards_
  std::shared_ptr<MetricsRegistry> registry_ = std::make_shared<MetricsRegistry>();
  std::shared_ptr<ModelGaugeSet> gauges_ = std::make_shared<ModelGaugeSet>();
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<TradeRecorder> recorder_;
  std::unique_ptr<FeedIngest> ingest_;
  std::unique_ptr<BinanceSimulator> simulator_;
  std::string simulator_dir_;

  // Scrapes read the clients' counters and the symbols' feed counters while
  // a reload may swap them.
  mutable std::mutex control_mutex_;
  std::vector<FeedIngest::SymbolView> symbol_views_;
  std::unique_ptr<BinanceStreamClient> client_;
  std::vector<std::unique_ptr<BinanceStreamClient>> retired_clients_;
  std::array<std::uint64_t, kReconnectReasonCount> retired_reconnects_{};

  std::unique_ptr<TradeStream> stream_;  // replay or CSV source
  std::uint64_t stream_trades_ = 0;
  std::atomic<bool> source_running_{false};
  std::atomic<bool> stopping_{false};  // written on the I/O thread; /readyz reads it
  std::atomic<int> reloads_pending_{0};  // shards that have not applied the latest reload yet
  Status failure_ = Status::ok();
};

Result<ShardPlan> LiveService::build(const EngineConfig& config, const PipelineSelection& selection) {
  auto built = build_pipelines(config, factory_, selection);
  if (!built) return built.status();
  ShardPlan plan(shard_count());
  for (PairModelRun& run : built.value().pairs) {
    run.set_sink(std::make_shared<PairGauges>(*run.pipeline, run.label));
    plan[pair_shard(run.pipeline->spec().name).index()].pairs.push_back(std::move(run));
  }
  for (SymbolModelRun& run : built.value().symbols) {
    run.set_sink(std::make_shared<SymbolGauges>(*run.pipeline, run.label));
    plan[symbol_shard(std::string(run.pipeline->spec().symbol.view())).index()].symbols.push_back(std::move(run));
  }
  return plan;
}

std::vector<FeedIngest::SymbolRoute> LiveService::routes(const EngineConfig& config) const {
  std::map<std::string, std::set<std::uint32_t>> shards_by_symbol;
  for (const PairConfig& pair : config.pairs) {
    const std::uint32_t shard = pair_shard(pair.name).index();
    shards_by_symbol[pair.y].insert(shard);
    shards_by_symbol[pair.x].insert(shard);
  }
  for (const SymbolConfig& symbol : config.symbols) {
    shards_by_symbol[symbol.symbol].insert(symbol_shard(symbol.symbol).index());
  }
  std::vector<FeedIngest::SymbolRoute> out;
  for (const auto& [symbol, shards] : shards_by_symbol) {
    FeedIngest::SymbolRoute route{symbol, {}};
    for (std::uint32_t shard : shards) route.shards.emplace_back(shard);
    out.push_back(std::move(route));
  }
  return out;
}

Status LiveService::start_metrics() {
  registry_->add_collector(make_build_info_collector(options_.version));
  registry_->add_collector(make_process_metrics_collector());
  registry_->add_collector(gauges_);
  register_service_metrics();
  if (config_.service.metrics.listen.empty()) return Status::ok();
  auto server = MetricsServer::start(config_.service.metrics.listen, registry_);
  if (!server) return Status::invalid_input(config_.path + ": metrics.listen: " + server.error());
  metrics_server_ = std::move(server.value());
  register_readiness_checks();
  spdlog::info("metrics at http://{}/metrics, /healthz and /readyz (port {})", config_.service.metrics.listen,
               metrics_server_->port());
  return Status::ok();
}

LiveService::FeedState LiveService::feed_state() const {
  FeedState state;
  if (client_) {
    state.connections_open = client_->counters().connected_connections.load(std::memory_order_relaxed);
    state.connections_needed = client_->connection_count();
    state.up = state.connections_needed > 0 && state.connections_open >= state.connections_needed;
  } else {
    state.up = source_running_.load();
  }
  return state;
}

// Checks run on the metrics server's thread: they read atomics, and the
// feed's state under control_mutex_ as the scrape does.
void LiveService::register_readiness_checks() {
  metrics_server_->add_readiness_check("service", [this]() -> std::optional<std::string> {
    if (stopping_.load()) return "stopping (draining queued trades)";
    if (const int pending = reloads_pending_.load(); pending > 0) {
      return "reload in progress (" + std::to_string(pending) + " shard(s) applying it)";
    }
    return std::nullopt;
  });
  const FeedSource source = config_.service.feed.source;
  const bool live = source == FeedSource::kBinance || source == FeedSource::kSimulator;
  metrics_server_->add_readiness_check("feed", [this, live]() -> std::optional<std::string> {
    std::lock_guard lock(control_mutex_);
    const FeedState state = feed_state();
    if (state.up) return std::nullopt;
    if (!live) return "not reading its source";
    if (!client_) return "not connected (starting)";
    return "not connected (" + std::to_string(state.connections_open) + " of " +
           std::to_string(state.connections_needed) + " connections open)";
  });
  if (!recorder_) return;
  metrics_server_->add_readiness_check("storage", [this]() -> std::optional<std::string> {
    if (recorder_->stats().disabled) return "not recording: a write error stopped it (see the log)";
    return std::nullopt;
  });
}

void LiveService::register_service_metrics() {
  registry_->add_collector(std::make_shared<FunctionCollector>([this](MetricWriter& out) {
    std::lock_guard lock(control_mutex_);
    for (const FeedIngest::SymbolView& view : symbol_views_) {
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
      out.gauge("alphastream_feed_last_message_timestamp_seconds", "Exchange event time of the latest trade.", labels,
                c.last_trade_time_s.load(std::memory_order_relaxed));
      out.gauge("alphastream_feed_last_price", "Price of the latest accepted trade.", labels,
                c.last_price.load(std::memory_order_relaxed));
    }
    if (ingest_) {
      for (std::size_t i = 1; i < kParseErrorCount; ++i) {
        const auto reason = static_cast<ParseError>(i);
        out.counter("alphastream_parse_errors_total", "Feed messages rejected by the parser, by reason.",
                    {{"reason", std::string(parse_error_name(reason))}},
                    static_cast<double>(ingest_->parse_errors(reason)));
      }
      out.counter("alphastream_feed_unknown_symbol_messages_total",
                  "Trades of symbols no configured pair or symbol model uses.", {},
                  static_cast<double>(ingest_->unknown_symbol_messages()));
      out.counter("alphastream_feed_frames_total", "Websocket messages received, parsed or not.", {},
                  static_cast<double>(ingest_->messages_total()));
    }
    std::array<std::uint64_t, kReconnectReasonCount> reconnects = retired_reconnects_;
    if (client_) {
      for (std::size_t r = 0; r < kReconnectReasonCount; ++r) {
        reconnects[r] += client_->counters().reconnects(static_cast<ReconnectReason>(r));
      }
    }
    for (std::size_t r = 0; r < kReconnectReasonCount; ++r) {
      out.counter("alphastream_feed_reconnects_total", "Feed connections replaced, by reason.",
                  {{"reason", std::string(reconnect_reason_name(static_cast<ReconnectReason>(r)))}},
                  static_cast<double>(reconnects[r]));
    }
    const FeedState feed = feed_state();
    out.gauge("alphastream_feed_connected", "1 when every feed connection is open (or a file source is read).", {},
              feed.up ? 1 : 0);
    out.gauge("alphastream_feed_connections", "Open feed websocket connections.", {},
              static_cast<double>(feed.connections_open));
  }));
  registry_->add_collector(std::make_shared<FunctionCollector>([this](MetricWriter& out) {
    if (!shards_) return;
    for (std::uint32_t i = 0; i < shards_->shard_count(); ++i) {
      const ShardStats stats = shards_->stats(ShardId(i));
      const MetricLabels labels = {{"shard", std::to_string(i)}};
      out.gauge("alphastream_queue_depth", "Events waiting in the shard's queue.", labels,
                static_cast<double>(stats.queue_depth));
      out.counter("alphastream_queue_dropped_total", "Events refused because the shard's queue was full.", labels,
                  static_cast<double>(stats.dropped_total));
      out.counter("alphastream_shard_events_total", "Events (trades and clock ticks) handled by the shard.", labels,
                  static_cast<double>(stats.events_total));
      out.gauge("alphastream_queue_capacity", "Events a shard's queue holds (engine.queue_capacity).", labels,
                static_cast<double>(shards_->queue_capacity()));
      books_[i]->tick_to_signal().write(out, "alphastream_tick_to_signal_seconds",
                                        "From a trade's receipt to the pipeline rows (signals) it produced.", labels);
    }
  }));
  registry_->add_collector(std::make_shared<FunctionCollector>([this](MetricWriter& out) {
    const TradeRecorderStats stats = recorder_ ? recorder_->stats() : TradeRecorderStats{};
    out.counter("alphastream_storage_records_total", "Trades committed to the LMDB journal.", {},
                static_cast<double>(stats.records_total));
    out.counter("alphastream_storage_errors_total", "Trades not recorded because of a write error.", {},
                static_cast<double>(stats.errors_total));
    out.counter("alphastream_storage_dropped_total", "Trades not recorded because the writer's queue was full.", {},
                static_cast<double>(stats.dropped_total));
    out.gauge("alphastream_storage_recording", "1 while trades are being recorded.", {},
              recorder_ && !stats.disabled ? 1 : 0);
  }));
}

Status LiveService::start_storage() {
  const StorageConfig& storage = config_.service.storage;
  if (storage.lmdb_path.empty()) return Status::ok();
  TradeRecorderOptions options;
  options.path = storage.lmdb_path;
  options.map_size_mb = static_cast<std::size_t>(storage.map_size_mb);
  options.queue_capacity = static_cast<std::size_t>(config_.service.engine.queue_capacity);
  options.on_error = [](std::string_view message) {
    spdlog::error("storage: {}; recording stopped, the service keeps running", message);
  };
  auto recorder = TradeRecorder::open(options);
  if (!recorder) return Status::invalid_input(config_.path + ": storage.lmdb.path: " + recorder.error());
  recorder_ = std::move(recorder.value());
  const JournalSummary& summary = recorder_->summary_at_open();
  spdlog::info("recording to {} ({} trades already there)", storage.lmdb_path, summary.trade_count);
  return Status::ok();
}

Status LiveService::start_live_client(const std::vector<std::string>& symbols) {
  const FeedConfig& feed = config_.service.feed;
  StreamClientOptions options;
  options.url = simulator_ ? simulator_->url() : feed.url;
  options.symbols = symbols;
  options.verify_tls = feed.tls_verify;
  options.ca_file = simulator_ ? (simulator_dir_.empty() ? "" : simulator_dir_ + "/ca.pem") : feed.tls_ca_file;
  options.reconnect_initial = std::chrono::milliseconds(feed.reconnect_initial_ms);
  options.reconnect_max = std::chrono::milliseconds(feed.reconnect_max_ms);
  options.stale_after = std::chrono::milliseconds(static_cast<std::int64_t>(feed.stale_after_s * 1000));
  options.rotate_after = std::chrono::seconds(feed.rotate_after_s);
  options.max_streams_per_connection = static_cast<std::size_t>(feed.max_streams_per_connection);
  auto client = std::make_unique<BinanceStreamClient>(io_, std::move(options), *ingest_);
  Status started = client->start();
  if (!started) return Status::invalid_input(config_.path + ": feed: " + started.message());
  std::lock_guard lock(control_mutex_);
  if (client_) {
    // A reload changed the symbols: the old client keeps delivering until the
    // new one is up; the sequencers drop what both deliver.
    for (std::size_t r = 0; r < kReconnectReasonCount; ++r) {
      retired_reconnects_[r] += client_->counters().reconnects(static_cast<ReconnectReason>(r));
    }
    retired_clients_.push_back(std::move(client_));
    auto timer = std::make_shared<asio::steady_timer>(io_, 5s);
    timer->async_wait([this, timer, old = retired_clients_.back().get()](const boost::system::error_code&) {
      old->stop();
    });
  }
  client_ = std::move(client);
  return Status::ok();
}

Status LiveService::start_simulator() {
  SimulatorOptions options;
  const SimulatorConfig& sim = config_.service.feed.simulator;
  options.tls = sim.tls;
  options.trades_per_second = sim.trades_per_second;
  options.seed = sim.seed;
  options.ping_interval = std::chrono::milliseconds(static_cast<std::int64_t>(sim.ping_interval_s * 1000));
  options.pairs.clear();
  std::set<std::string> legs;
  for (const PairConfig& pair : config_.pairs) {
    if (legs.count(pair.y) || legs.count(pair.x)) continue;  // one generator per symbol
    SimulatedPair simulated;
    simulated.y_symbol = pair.y;
    simulated.x_symbol = pair.x;
    options.pairs.push_back(simulated);
    legs.insert(pair.y);
    legs.insert(pair.x);
  }
  for (const SymbolConfig& symbol : config_.symbols) {
    if (!legs.count(symbol.symbol)) {
      return Status::invalid_input(symbol.location + ": the simulator generates only the legs of configured pairs; " +
                                   symbol.symbol + " is not one");
    }
  }
  if (sim.tls) {
    char dir_template[] = "/tmp/alphastream-simulator-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) return Status::error("cannot create a directory for the simulator's CA");
    simulator_dir_ = dir_template;
    options.ca_file_out = simulator_dir_ + "/ca.pem";
  }
  auto simulator = BinanceSimulator::start(options);
  if (!simulator) return Status::invalid_input(config_.path + ": feed.simulator: " + simulator.error());
  simulator_ = std::move(simulator.value());
  spdlog::info("feed simulator serving {} pair(s) at {}", options.pairs.size(), simulator_->url());
  return Status::ok();
}

void LiveService::cleanup_simulator_files() {
  if (simulator_dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(simulator_dir_, ec);
  simulator_dir_.clear();
}

Status LiveService::start_stream(std::unique_ptr<TradeStream> stream) {
  stream_ = std::move(stream);
  source_running_ = true;
  asio::post(io_, [this] { pump_stream(); });
  return Status::ok();
}

// Reads a slice of the file or journal source and yields to the io_context,
// so signals and scrapes of counters stay responsive during a long replay.
void LiveService::pump_stream() {
  if (stopping_) return;
  AggTrade trade;
  for (int i = 0; i < 4096; ++i) {
    auto more = stream_->next(trade);
    if (!more.is_ok()) {
      failure_ = Status::error(more.error());
      begin_shutdown("the feed source failed: " + more.error());
      return;
    }
    if (!more.value()) {
      for (const std::string& line : stream_->summary()) spdlog::info("{}", line);
      source_running_ = false;
      finish_data_on_every_shard();
      const std::string end = "end of the feed source (" + std::to_string(stream_trades_) + " trades)";
      if (options_.stay_up_after_source) {
        spdlog::info("{}; staying up until a signal", end);
        return;
      }
      begin_shutdown(end);
      return;
    }
    ++stream_trades_;
    ingest_->accept(trade, true);
  }
  asio::post(io_, [this] { pump_stream(); });
}

// The data is complete: the interval open at its end is closed as the
// backtest and `alphastream replay` close it. Waits, so that the log line and
// /metrics after it show the final state. A live feed never gets here: what
// a signal interrupts is incomplete.
void LiveService::finish_data_on_every_shard() {
  std::vector<std::future<void>> done;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    ShardBook* book = books_[i];
    // Queued after the source's last push: runs once the shard took every trade.
    done.push_back(shards_->submit_to(ShardId(i), [book] { book->finish_data(); }));
  }
  for (std::size_t i = 0; i < done.size(); ++i) {
    try {
      done[i].get();
    } catch (const std::exception& e) {
      spdlog::error("shard {}: the end of the data did not close its intervals: {}", i, e.what());
    }
  }
}

Status LiveService::start_feed() {
  const FeedConfig& feed = config_.service.feed;
  switch (feed.source) {
    case FeedSource::kBinance:
      schedule_clock();
      return start_live_client(ingest_->symbols());
    case FeedSource::kSimulator: {
      Status started = start_simulator();
      if (!started) return started;
      schedule_clock();
      return start_live_client(ingest_->symbols());
    }
    case FeedSource::kReplay: {
      auto stream = JournalTradeStream::open(feed.replay.path, feed.replay.from_ms, feed.replay.to_ms);
      if (!stream) return Status::invalid_input(config_.path + ": feed.replay.path: " + stream.error());
      return start_stream(std::move(stream.value()));
    }
    case FeedSource::kCsv: {
      std::vector<CsvTradeStream::Source> sources;
      for (const std::string& symbol : ingest_->symbols()) {
        const auto file = feed.csv.find(symbol);
        if (file == feed.csv.end()) {
          return Status::invalid_input(config_.path + ": feed.csv: no file for " + symbol +
                                       ", which a configured pair or symbol model uses");
        }
        sources.push_back({symbol, file->second});
      }
      auto stream = CsvTradeStream::open(sources, CsvImportOptions{});
      if (!stream) return Status::invalid_input(config_.path + ": feed.csv: " + stream.error());
      return start_stream(std::move(stream.value()));
    }
  }
  return Status::error("unknown feed source");
}

// Live sources only: intervals close on the wall clock even when a leg is
// quiet. Replays are driven by the data's own clock so they repeat exactly.
void LiveService::schedule_clock() {
  clock_timer_.expires_after(100ms);
  clock_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    ingest_->tick(wall_clock_ms());
    schedule_clock();
  });
}

void LiveService::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload();
      wait_for_signal();
      return;
    }
    begin_shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
  });
}

void LiveService::reload() {
  spdlog::info("SIGHUP: reloading {}", config_.path);
  auto loaded = load_config(config_.path);
  if (!loaded) {
    spdlog::error("reload rejected, the running config stays:\n{}", loaded.error());
    return;
  }
  EngineConfig next = std::move(loaded).value();
  const ReloadPlan plan = plan_reload(config_, next);
  for (const std::string& line : plan.deferred) spdlog::warn("reload: {}", line);
  next.service = config_.service;  // the feed, shards, storage and metrics stay as started
  next.plugins_dir = config_.plugins_dir;

  // Build every new pipeline first: a bad plugin or parameter rejects the
  // whole reload before anything running changes.
  PipelineSelection selection;
  selection.pair = [&](const PairConfig& pair) {
    return std::find(plan.pairs_started.begin(), plan.pairs_started.end(), pair.name) != plan.pairs_started.end();
  };
  selection.symbol = [&](const SymbolConfig& symbol) {
    return std::find(plan.symbols_started.begin(), plan.symbols_started.end(), symbol.symbol) !=
           plan.symbols_started.end();
  };
  auto started = build(next, selection);
  if (!started) {
    spdlog::error("reload rejected, the running config stays:\n{}", started.error());
    return;
  }
  apply_reload(plan, std::move(started.value()));

  const std::vector<std::string> old_symbols = ingest_->symbols();
  ingest_->set_routes(routes(next));
  const std::vector<std::string> new_symbol_list = ingest_->symbols();
  {
    std::lock_guard lock(control_mutex_);
    symbol_views_ = ingest_->symbol_counters();
  }
  config_ = std::move(next);
  if (client_ && new_symbol_list != old_symbols) {
    Status client_started = start_live_client(new_symbol_list);
    if (!client_started) {
      spdlog::error("reload: the feed for the new symbols did not start: {}", client_started.message());
    }
  }
}

// Queues the changes on the shards and returns: the I/O thread never waits
// for a shard, so a backlogged shard cannot stall the feed. A shard applies
// its part between events, after every trade pushed before and before every
// trade pushed after (ShardGroup::submit_to); /readyz says "reload in
// progress" until every shard has.
void LiveService::apply_reload(const ReloadPlan& plan, ShardPlan started) {
  std::vector<std::vector<std::string>> pairs_stopped(shard_count()), symbols_stopped(shard_count());
  for (const std::string& name : plan.pairs_stopped) {
    gauges_->remove_pair(name);
    pairs_stopped[pair_shard(name).index()].push_back(name);
  }
  for (const std::string& symbol : plan.symbols_stopped) {
    gauges_->remove_symbol(symbol);
    symbols_stopped[symbol_shard(symbol).index()].push_back(symbol);
  }
  // The line an operator (and the reload test) waits for, once every shard
  // has applied its part.
  auto applied_line = std::make_shared<const std::string>(
      fmt::format("reload applied: {} pair(s) and {} symbol model set(s) started, {} and {} stopped",
                  plan.pairs_started.size(), plan.symbols_started.size(), plan.pairs_stopped.size(),
                  plan.symbols_stopped.size()));
  std::vector<std::uint32_t> changed;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    const PipelineSet& set = started[i];
    if (!pairs_stopped[i].empty() || !symbols_stopped[i].empty() || !set.pairs.empty() || !set.symbols.empty()) {
      changed.push_back(i);
    }
  }
  if (changed.empty()) {
    spdlog::info("{}", *applied_line);
    return;
  }
  reloads_pending_.fetch_add(static_cast<int>(changed.size()));
  for (std::uint32_t i : changed) {
    PipelineSet& set = started[i];
    for (const PairModelRun& run : set.pairs) gauges_->add(std::static_pointer_cast<const PairGauges>(run.sink));
    for (const SymbolModelRun& run : set.symbols) {
      gauges_->add(std::static_pointer_cast<const SymbolGauges>(run.sink));
    }
    auto change = std::make_shared<PipelineSet>(std::move(set));
    ShardBook* book = books_[i];
    auto queued = shards_->submit_to(ShardId(i), [this, book, change, applied_line, pairs = std::move(pairs_stopped[i]),
                                                  symbols = std::move(symbols_stopped[i])] {
      for (const std::string& name : pairs) book->book().remove_pair(name);
      for (const std::string& symbol : symbols) book->book().remove_symbol_models(symbol);
      book->book().add(std::move(*change));
      if (reloads_pending_.fetch_sub(1) == 1) {
        asio::post(io_, [applied_line] { spdlog::info("{}", *applied_line); });
      }
    });
    // Not waited for; a shard that stopped meanwhile has nothing to apply.
    (void)queued;
  }
}

void LiveService::begin_shutdown(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  spdlog::info("stopping: {}", why);
  signals_.cancel();
  clock_timer_.cancel();
  stop_timer_.cancel();
  {
    std::lock_guard lock(control_mutex_);
    if (client_) client_->stop();
    for (auto& old : retired_clients_) old->stop();
  }
  if (!client_) {
    io_.stop();
    return;
  }
  // The clients' close handshakes get up to two seconds; then the loop ends
  // regardless.
  wait_for_clients_closed(std::chrono::steady_clock::now() + 2s);
}

void LiveService::wait_for_clients_closed(std::chrono::steady_clock::time_point deadline) {
  std::uint64_t open = client_->counters().connected_connections.load();
  for (const auto& old : retired_clients_) open += old->counters().connected_connections.load();
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    io_.stop();
    return;
  }
  stop_timer_.expires_after(20ms);
  stop_timer_.async_wait([this, deadline](const boost::system::error_code&) { wait_for_clients_closed(deadline); });
}

void LiveService::finish_shutdown() {
  const auto started = std::chrono::steady_clock::now();
  // Drain: every trade already routed reaches its pipeline.
  if (shards_) shards_->stop();
  if (recorder_) recorder_->close();
  if (simulator_) simulator_->stop();
  std::uint64_t accepted = 0, gaps = 0, missing = 0;
  {
    std::lock_guard lock(control_mutex_);
    for (const FeedIngest::SymbolView& view : symbol_views_) {
      accepted += view.counters->trades_total.load();
      gaps += view.counters->gaps_total.load();
      missing += view.counters->missing_trades_total.load();
    }
  }
  std::uint64_t dropped = 0;
  for (std::uint32_t i = 0; shards_ && i < shards_->shard_count(); ++i) dropped += shards_->stats(ShardId(i)).dropped_total;
  const TradeRecorderStats storage = recorder_ ? recorder_->stats() : TradeRecorderStats{};
  spdlog::info(
      "stopped in {:.2f} s: {} trades accepted, {} gaps ({} trades missing), {} queue drops, {} trades recorded, "
      "{} storage errors, {} storage drops",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), accepted, gaps, missing,
      dropped, storage.records_total, storage.errors_total, storage.dropped_total);
}

Status LiveService::run() {
  // Models first: a bad plugin or parameter fails before anything starts.
  auto planned = build(config_);
  if (!planned) return planned.status();

  ShardGroupOptions shard_options;
  shard_options.shard_count = shard_count();
  shard_options.queue_capacity = static_cast<std::size_t>(config_.service.engine.queue_capacity);
  shard_options.cpus = config_.service.engine.cpus;
  shard_options.idle_spin_us = config_.service.engine.idle_spin_us;
  shard_options.busy_poll = config_.service.engine.busy_poll;
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    auto book = std::make_unique<ShardBook>(config_.service.engine.clock_grace_ms);
    PipelineSet& set = planned.value()[i];
    for (const PairModelRun& run : set.pairs) gauges_->add(std::static_pointer_cast<const PairGauges>(run.sink));
    for (const SymbolModelRun& run : set.symbols) gauges_->add(std::static_pointer_cast<const SymbolGauges>(run.sink));
    book->book().add(std::move(set));
    books_.push_back(book.get());
    handlers.push_back(std::move(book));
  }
  auto shards = ShardGroup::create(shard_options, std::move(handlers));
  if (!shards) return Status::invalid_input(config_.path + ": engine: " + shards.error());
  shards_ = std::move(shards.value());

  Status status = start_storage();
  if (!status) return status;
  std::vector<std::pair<std::string, std::int64_t>> resume;
  if (recorder_) {
    for (const SymbolSummary& symbol : recorder_->summary_at_open().symbols) {
      resume.emplace_back(std::string(symbol.symbol.view()), symbol.last_agg_trade_id);
    }
  }
  ingest_ = std::make_unique<FeedIngest>(routes(config_), *shards_, recorder_.get(), resume,
                                         [](std::string_view message) { spdlog::warn("{}", message); });
  symbol_views_ = ingest_->symbol_counters();

  status = start_metrics();
  if (!status) return status;
  status = shards_->start();
  if (!status) return Status::invalid_input(config_.path + ": engine.cpus: " + status.message());
  spdlog::info("{} shard(s), {} pair(s), {} symbol model set(s), feed: {}", shard_count(), config_.pairs.size(),
               config_.symbols.size(), feed_source_name(config_.service.feed.source));

  status = start_feed();
  if (!status) {
    finish_shutdown();
    return status;
  }
  wait_for_signal();
  if (options_.run_for.count() > 0) {
    auto timer = std::make_shared<asio::steady_timer>(io_, options_.run_for);
    timer->async_wait([this, timer](const boost::system::error_code& ec) {
      if (!ec) begin_shutdown("--run-for elapsed");
    });
  }
  io_.run();
  // The loop ended: everything posted to it is abandoned and nothing else
  // pushes, so the shards can drain.
  {
    std::lock_guard lock(control_mutex_);
    client_.reset();
    retired_clients_.clear();
  }
  finish_shutdown();
  metrics_server_.reset();
  return failure_;
}

}  // namespace

Status check_models(const EngineConfig& config, const std::string& plugins_dir) {
  ModelFactory factory(plugins_dir);
  auto built = build_pipelines(config, factory);
  return built ? Status::ok() : built.status();
}

Status run_service(const ServiceOptions& options) {
  LiveService service(options);
  return service.run();
}

}  // namespace alphastream
