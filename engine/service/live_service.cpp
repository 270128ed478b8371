#include "service/live_service.h"
#include "service/systemd_notifier.h"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include <pthread.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "book/pipeline_book.h"
#include "core/clock_timer.h"
#include "metrics/metrics_server.h"
#include "metrics/process_metrics.h"
#include "reactor/shard_group.h"
#include "reactor/shard_map.h"
#include "service/feed_ingest.h"
#include "service/model_gauges.h"
#include "service/model_state_store.h"
#include "service/pair_lease_keeper.h"
#include "service/reload_plan.h"
#include "service/service_metrics.h"
#include "service/shard_book.h"
#include "service/shard_plan.h"
#include "source/nats_trade_source.h"
#include "source/trade_source.h"
#include "storage/trade_journal.h"
#include "storage/trade_recorder.h"

namespace alphastream {

namespace {

sigset_t service_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  return signals;
}

}  // namespace

void hold_service_signals() {
  const sigset_t signals = service_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void release_service_signals() {
  const sigset_t signals = service_signals();
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The pipelines of one config, grouped by owning shard.
using ShardPlan = std::vector<PipelineSet>;

// The service's parts and their order: models, shards, storage, the ingest,
// the source, metrics; then the I/O loop until a signal, the end of a file
// source or --run-for; then the drain. What each part does lives with it:
// the book builds pipelines, the source reads trades, FeedIngest sequences
// and routes them, service_metrics exports them.
class LiveService {
 public:
  explicit LiveService(const ServiceOptions& options)
      : options_(options),
        config_(options.config),
        clock_(options.clock ? *options.clock : system_clock()),
        factory_(options.plugins_dir),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        clock_timer_(io_, clock_),
        stop_timer_(io_),
        watchdog_timer_(io_) {
    factory_.set_update_budget(std::chrono::microseconds(config_.service.engine.model_update_budget_us));
  }

  ~LiveService() {
    // Scrapes read the members below; end them first.
    metrics_server_.reset();
  }

  Status run();

 private:
  std::uint32_t shard_count() const { return static_cast<std::uint32_t>(config_.service.engine.cores); }
  ShardId pair_shard(const std::string& pair) const { return shard_for_key(pair, shard_count()); }
  ShardId symbol_shard(const std::string& symbol) const { return shard_for_key(symbol, shard_count()); }

  // Builds the selected pipelines of `config`, their gauges attached, one
  // set per shard.
  Result<ShardPlan> build(const EngineConfig& config, const PipelineSelection& selection = {});
  Status start_shards(ShardPlan plan);
  Status warm_from_journal();
  // Whether pipelines replay the recording before they run (storage.warmup_s),
  // and from when, given what the recording holds.
  bool warms() const;
  std::int64_t warmup_from_ms(const JournalSummary& recorded) const;
  // What a reload's new pipelines replay before they run: the recording's
  // trades from from_ms, those committed before the reload (sequence below
  // sequence_end); the I/O thread pushed exactly those to the shards first.
  struct ReloadWarmup {
    std::int64_t from_ms = 0;
    std::uint64_t sequence_end = 0;
  };
  std::optional<ReloadWarmup> plan_reload_warmup();
  void warm_new_pipelines(PipelineSet& set, const ReloadWarmup& warmup);
  Status start_storage();
  // Each recorded symbol's last aggregate id as the journal was opened: the
  // feed's sequencers and the simulator continue after them.
  std::vector<std::pair<std::string, std::int64_t>> recorded_last_ids() const;
  // Where the models' states are kept between runs, beside the journal.
  std::string model_state_dir() const {
    return (std::filesystem::path(config_.service.storage.lmdb_path) / "model-state").string();
  }
  std::vector<PipelineBook*> pipeline_books() const {
    std::vector<PipelineBook*> books;
    for (ShardBook* book : books_) books.push_back(&book->book());
    return books;
  }
  Status create_source();
  // The REST backfill of live gaps (feed.backfill), when the source has a venue.
  void start_backfill();
  Status start_metrics();
  void on_source_end(std::uint64_t trades, const std::vector<std::string>& summary);
  void finish_data_on_every_shard();
  void schedule_clock();
  void wait_for_signal();
  void reload();
  void apply_reload(const ReloadPlan& plan, ShardPlan started, std::optional<ReloadWarmup> warmup);
  // bus.share_pairs: leases the pairs before anything is built.
  Status lease_pairs();
  // The leases changed: start the pairs gained (warmed from the journal, as a
  // reload's are) and stop those lost or handed over. [I/O thread]
  void change_owned_pairs(const std::vector<std::string>& started, const std::vector<std::string>& stopped);
  bool runs_pair(const std::string& name) const {
    return std::find(running_pairs_.begin(), running_pairs_.end(), name) != running_pairs_.end();
  }
  // systemd's watchdog (WatchdogSec): alive() every half interval while no
  // shard holds queued events it has stopped taking. [I/O thread]
  void schedule_watchdog();
  std::string status_line() const;
  void begin_shutdown(const std::string& why);
  void wait_for_source_closed(std::chrono::steady_clock::time_point deadline);
  void finish_shutdown();

  ServiceOptions options_;
  EngineConfig config_;
  const Clock& clock_;
  ModelFactory factory_;
  asio::io_context io_;
  asio::signal_set signals_;
  ClockTimer clock_timer_;
  asio::steady_timer stop_timer_;
  SystemdNotifier systemd_;
  asio::steady_timer watchdog_timer_;
  std::vector<std::uint64_t> watchdog_events_;  // each shard's events_total at the last ping

  std::unique_ptr<ShardGroup> shards_;
  std::vector<ShardBook*> books_;  // owned by shards_
  std::vector<PairGauges*> pair_gauges_;  // of the pipelines start_shards placed, for the warm start
  std::unique_ptr<TradeRecorder> recorder_;
  std::unique_ptr<TradeBus> publisher_;  // an ingest's bus (bus.publish)
  std::unique_ptr<FeedIngest> ingest_;
  std::unique_ptr<TradeSource> source_;
  std::unique_ptr<TradeBackfiller> backfiller_;  // before ingest_ in destruction: it posts to the ingest
  std::unique_ptr<PairLeaseKeeper> leases_;      // bus.share_pairs
  std::vector<std::string> running_pairs_;       // with leases: the pairs this worker runs [I/O thread]
  std::shared_ptr<MetricsRegistry> registry_ = std::make_shared<MetricsRegistry>();
  std::shared_ptr<ModelGaugeSet> gauges_ = std::make_shared<ModelGaugeSet>();
  std::shared_ptr<FeedCollector> feed_metrics_;
  std::unique_ptr<MetricsServer> metrics_server_;
  ServiceState state_;
  bool source_started_ = false;  // a clean stop saves the models' states
  Status failure_ = Status::ok();
};

Result<ShardPlan> LiveService::build(const EngineConfig& config, const PipelineSelection& selection) {
  auto built = build_pipelines(config, factory_, selection);
  if (!built) return built.status();
  return assign_to_shards(std::move(built.value()), shard_count());
}

Status LiveService::start_shards(ShardPlan plan) {
  ShardGroupOptions options;
  options.shard_count = shard_count();
  options.queue_capacity = static_cast<std::size_t>(config_.service.engine.queue_capacity);
  options.cpus = config_.service.engine.cpus;
  options.idle_spin_us = config_.service.engine.idle_spin_us;
  options.busy_poll = config_.service.engine.busy_poll;
  options.drain_timeout = std::chrono::seconds(config_.service.engine.drain_timeout_s);
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    auto book = std::make_unique<ShardBook>(config_.service.engine.clock_grace_ms, clock_);
    for (const PairModelRun& run : plan[i].pairs) {
      gauges_->add(std::static_pointer_cast<const PairGauges>(run.sink));
      pair_gauges_.push_back(static_cast<PairGauges*>(run.sink.get()));
    }
    for (const SymbolModelRun& run : plan[i].symbols) {
      gauges_->add(std::static_pointer_cast<const SymbolGauges>(run.sink));
    }
    book->book().add(std::move(plan[i]));
    books_.push_back(book.get());
    handlers.push_back(std::move(book));
  }
  auto shards = ShardGroup::create(options, std::move(handlers));
  if (!shards) return Status::invalid_input(config_.path + ": engine: " + shards.error());
  shards_ = std::move(shards.value());
  return Status::ok();
}

namespace {

// Pair gauges set while the recording is replayed do not count its signals
// again (PairGauges::set_warming), and count them once it is over.
class QuietGauges {
 public:
  explicit QuietGauges(std::vector<PairGauges*> gauges) : gauges_(std::move(gauges)) {
    for (PairGauges* g : gauges_) g->set_warming(true);
  }
  ~QuietGauges() {
    for (PairGauges* g : gauges_) g->set_warming(false);
  }
  QuietGauges(const QuietGauges&) = delete;
  QuietGauges& operator=(const QuietGauges&) = delete;

 private:
  std::vector<PairGauges*> gauges_;
};

// Hands warm() every trade of cursor recorded before sequence_end (the rest
// reaches the pipelines live); returns how many warm() took.
Result<std::uint64_t> replay_recording(TradeJournalCursor& cursor, std::uint64_t sequence_end,
                                       const std::function<bool(const AggTrade&)>& warm) {
  std::uint64_t replayed = 0;
  AggTrade trade;
  Result<bool> more = cursor.next(trade);
  for (; more && *more; more = cursor.next(trade)) {
    if (cursor.sequence() < sequence_end && warm(trade)) ++replayed;
  }
  if (!more) return more.status();
  return replayed;
}

}  // namespace

// A replay source reads a recording itself: warming from one too would feed
// the same trades twice.
bool LiveService::warms() const {
  const StorageConfig& storage = config_.service.storage;
  return !storage.lmdb_path.empty() && storage.warmup_s > 0 && config_.service.feed.source != FeedSource::kReplay;
}

std::int64_t LiveService::warmup_from_ms(const JournalSummary& recorded) const {
  return recorded.last_transact_time_ms - config_.service.storage.warmup_s * 1000 + 1;
}

// A warm start: the end of the journal (storage.warmup_s of it) replayed
// through every shard's pipelines before the feed and the recorder start,
// so windows, z-scores and paper positions are where an uninterrupted run
// would have them. The journal's order is the order it was recorded in;
// the feed then continues after its last ids (FeedIngest's resume), so no
// trade counts twice. On the calling thread: the shards have not started.
std::vector<std::pair<std::string, std::int64_t>> LiveService::recorded_last_ids() const {
  std::vector<std::pair<std::string, std::int64_t>> ids;
  if (!recorder_) return ids;
  for (const SymbolSummary& symbol : recorder_->summary_at_open().symbols) {
    ids.emplace_back(std::string(symbol.symbol.view()), symbol.last_agg_trade_id);
  }
  return ids;
}

Status LiveService::warm_from_journal() {
  if (!warms()) return Status::ok();
  const StorageConfig& storage = config_.service.storage;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(storage.lmdb_path) / "data.mdb", ec)) {
    spdlog::info("warm start: nothing recorded in {} yet; starting cold", storage.lmdb_path);
    return Status::ok();
  }
  auto journal = TradeJournal::open(storage.lmdb_path);
  if (!journal) return Status::invalid_input(config_.path + ": storage.lmdb.path: " + journal.error());
  auto summary = journal.value()->summary();
  if (!summary) return Status::error(summary.error());
  if (summary->trade_count == 0) return Status::ok();
  auto cursor = journal.value()->cursor(warmup_from_ms(*summary), TradeJournal::kEndOfTime);
  if (!cursor) return Status::error(cursor.error());

  std::map<std::string, std::vector<ShardId>, std::less<>> routes;
  for (FeedIngest::SymbolRoute& route : symbol_routes(config_, shard_count())) {
    routes[route.symbol] = std::move(route.shards);
  }
  const auto started = std::chrono::steady_clock::now();
  Result<std::uint64_t> replayed = std::uint64_t{0};
  {
    QuietGauges quiet(pair_gauges_);
    replayed = replay_recording(*cursor.value(), summary->next_sequence, [&](const AggTrade& trade) {
      const auto found = routes.find(trade.symbol.view());
      if (found == routes.end()) return false;  // a symbol no pipeline uses any more
      for (const ShardId shard : found->second) books_[shard.index()]->warm(trade);
      return true;
    });
  }
  if (!replayed) return Status::error("warm start: " + replayed.error());
  spdlog::info("warm start: {} trades of the journal replayed ({} s of it, up to {:%Y-%m-%dT%H:%M:%S}Z) in {:.2f} s",
               *replayed, storage.warmup_s, fmt::gmtime(static_cast<std::time_t>(summary->last_transact_time_ms / 1000)),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  // The models saved at the last clean stop continue from their own state.
  const ModelStateCounts restored = restore_model_states(model_state_dir(), *summary, pipeline_books());
  for (const std::string& problem : restored.problems) spdlog::warn("warm start: model state {}", problem);
  if (restored.saved > 0 || restored.skipped > 0) {
    spdlog::info("warm start: {} model state(s) restored from {}, {} saved for another journal or not saved",
                 restored.saved, model_state_dir(), restored.skipped);
  }
  return Status::ok();
}

// Flushes the recorder so that the recording holds every trade pushed to
// the shards so far (nothing is pushed while this runs: it is the I/O
// thread), and says which part of it new pipelines replay. Null when there
// is no recording or warm-up, or the recording cannot be read (logged: the
// new pipelines then start cold).
std::optional<LiveService::ReloadWarmup> LiveService::plan_reload_warmup() {
  if (!recorder_ || !warms()) return std::nullopt;
  if (Status flushed = recorder_->flush(); !flushed) {
    spdlog::warn("reload: new pipelines start cold, the recording is not readable: {}", flushed.message());
    return std::nullopt;
  }
  auto summary = recorder_->summary();
  if (!summary) {
    spdlog::warn("reload: new pipelines start cold, the recording is not readable: {}", summary.error());
    return std::nullopt;
  }
  if (summary->trade_count == 0) return std::nullopt;
  return ReloadWarmup{warmup_from_ms(*summary), summary->next_sequence};
}

// [the shard's thread, before the set joins its book]
void LiveService::warm_new_pipelines(PipelineSet& set, const ReloadWarmup& warmup) {
  if (set.pairs.empty() && set.symbols.empty()) return;
  std::vector<PairGauges*> gauges;
  for (const PairModelRun& run : set.pairs) gauges.push_back(static_cast<PairGauges*>(run.sink.get()));
  PipelineBook warming(false);
  warming.add(std::move(set));
  Result<std::uint64_t> replayed = std::uint64_t{0};
  {
    QuietGauges quiet(std::move(gauges));
    auto cursor = recorder_->cursor(warmup.from_ms, TradeJournal::kEndOfTime);
    replayed = cursor ? replay_recording(*cursor.value(), warmup.sequence_end,
                                         [&](const AggTrade& trade) { return warming.on_trade(trade).routed; })
                      : Result<std::uint64_t>(cursor.status());
  }
  set = warming.release();
  if (!replayed) {
    asio::post(io_, [why = replayed.error()] { spdlog::warn("reload: warm-up of the new pipelines stopped: {}", why); });
    return;
  }
  asio::post(io_, [n = *replayed] { spdlog::info("reload: new pipelines warmed with {} trades of the recording", n); });
}

Status LiveService::start_storage() {
  const StorageConfig& storage = config_.service.storage;
  if (storage.lmdb_path.empty()) return Status::ok();
  TradeRecorderOptions options;
  options.path = storage.lmdb_path;
  options.map_size_mb = static_cast<std::size_t>(storage.map_size_mb);
  options.queue_capacity = static_cast<std::size_t>(config_.service.engine.queue_capacity);
  options.clock = &clock_;
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

Status LiveService::create_source() {
  TradeSource::Events events;
  events.on_end = [this](std::uint64_t trades, const std::vector<std::string>& summary) {
    on_source_end(trades, summary);
  };
  events.on_failure = [this](const Status& failure) {
    failure_ = Status::error(failure.message());
    begin_shutdown("the feed source failed: " + failure.message());
  };
  auto source = make_trade_source(config_, ingest_->symbols(),
                                  TradeSourceContext{io_, *ingest_, std::move(events), clock_, recorded_last_ids()});
  if (!source) return source.status();
  source_ = std::move(source.value());
  return Status::ok();
}

Status LiveService::start_metrics() {
  registry_->add_collector(make_build_info_collector(options_.version));
  registry_->add_collector(make_process_metrics_collector());
  registry_->add_collector(gauges_);
  feed_metrics_ = std::make_shared<FeedCollector>(*ingest_, *source_);
  registry_->add_collector(feed_metrics_);
  registry_->add_collector(make_shard_collector(*shards_, std::vector<const ShardBook*>(books_.begin(), books_.end())));
  registry_->add_collector(make_storage_collector(recorder_.get()));
  if (publisher_ || config_.service.feed.source == FeedSource::kNats) {
    const auto* consumer = dynamic_cast<const NatsTradeSource*>(source_.get());
    registry_->add_collector(make_bus_collector(publisher_.get(), consumer ? &consumer->bus() : nullptr));
  }
  if (leases_) registry_->add_collector(make_lease_collector(*leases_));
  if (config_.service.metrics.listen.empty()) return Status::ok();
  auto server = MetricsServer::start(config_.service.metrics.listen, registry_,
                                     static_cast<std::size_t>(config_.service.metrics.max_connections), clock_);
  // A malformed address is the config's fault (exit 2); a port in use may be
  // free on the next start, so systemd's Restart= may retry it (exit 1).
  if (!server) return server.status().prefixed(config_.path + ": metrics.listen: ");
  metrics_server_ = std::move(server.value());
  registry_->add_collector(std::make_shared<FunctionCollector>([server = metrics_server_.get()](MetricWriter& out) {
    out.counter("alphastream_metrics_connections_refused_total",
                "Connections to this endpoint closed at once because metrics.max_connections were open.", {},
                static_cast<double>(server->refused_connections()));
  }));
  add_readiness_checks(*metrics_server_, state_, *source_, recorder_.get());
  spdlog::info("metrics at http://{}/metrics, /healthz and /readyz (port {})", config_.service.metrics.listen,
               metrics_server_->port());
  return Status::ok();
}

// A file source's end: the data is complete.
void LiveService::on_source_end(std::uint64_t trades, const std::vector<std::string>& summary) {
  for (const std::string& line : summary) spdlog::info("{}", line);
  finish_data_on_every_shard();
  const std::string end = "end of the feed source (" + std::to_string(trades) + " trades)";
  if (options_.stay_up_after_source) {
    spdlog::info("{}; staying up until a signal", end);
    return;
  }
  begin_shutdown(end);
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

// Live sources only: intervals close on the wall clock even when a leg is
// quiet. Replays are driven by the data's own clock so they repeat exactly.
void LiveService::schedule_clock() {
  clock_timer_.expires_after(100ms);
  clock_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || state_.stopping) return;
    ingest_->tick(clock_.wall_ms());
    schedule_clock();
  });
}

std::string LiveService::status_line() const {
  return std::to_string(shard_count()) + " shard(s), " +
         std::to_string(leases_ ? running_pairs_.size() : config_.pairs.size()) + " pair(s), feed: " +
         source_->description();
}

void LiveService::schedule_watchdog() {
  const auto interval = systemd_.watchdog_interval();
  if (interval.count() == 0) return;
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || state_.stopping) return;
    // A shard that holds queued events and handled none since the last ping
    // is stuck (a plugin that never returns): let systemd's deadline pass.
    bool alive = true;
    watchdog_events_.resize(shard_count(), 0);
    for (std::uint32_t shard = 0; shard < shard_count(); ++shard) {
      const ShardStats stats = shards_->stats(ShardId(shard));
      if (stats.queue_depth > 0 && stats.events_total == watchdog_events_[shard]) alive = false;
      watchdog_events_[shard] = stats.events_total;
    }
    if (alive) {
      systemd_.alive();
    } else {
      spdlog::error("watchdog: a shard has queued trades and took none for {} ms; not telling systemd it is alive",
                    std::chrono::duration_cast<std::chrono::milliseconds>(systemd_.watchdog_interval()).count());
    }
    schedule_watchdog();
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
  systemd_.reloading("reloading " + config_.path);
  // READY=1 again however the reload ends: the running config stays on a rejection.
  struct ReadyAgain {
    const LiveService& service;
    ~ReadyAgain() { service.systemd_.ready(service.status_line()); }
  } ready_again{*this};
  auto loaded = load_config(config_.path);
  if (!loaded) {
    spdlog::error("reload rejected, the running config stays:\n{}", loaded.error());
    return;
  }
  EngineConfig next = std::move(loaded).value();
  ReloadPlan plan = plan_reload(config_, next);
  if (leases_) {
    // Sharing the pairs: only those held start or stop here; the leases
    // decide the rest (a new pair is claimed by one worker's next round).
    std::erase_if(plan.pairs_started, [&](const std::string& name) { return !runs_pair(name); });
    std::erase_if(plan.pairs_stopped, [&](const std::string& name) { return !runs_pair(name); });
    std::erase_if(running_pairs_, [&](const std::string& name) {
      return std::none_of(next.pairs.begin(), next.pairs.end(), [&](const PairConfig& p) { return p.name == name; });
    });
    std::vector<std::string> names;
    for (const PairConfig& pair : next.pairs) names.push_back(pair.name);
    leases_->set_pairs(std::move(names));
  }
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
  apply_reload(plan, std::move(started.value()), plan_reload_warmup());

  const std::vector<std::string> old_symbols = ingest_->symbols();
  ingest_->set_routes(symbol_routes(next, shard_count()));
  feed_metrics_->refresh_symbols();
  config_ = std::move(next);
  const std::vector<std::string> symbols = ingest_->symbols();
  if (symbols == old_symbols) return;
  Status resubscribed = source_->resubscribe(symbols);
  if (!resubscribed) spdlog::error("reload: the feed for the new symbols did not start: {}", resubscribed.message());
}

// Queues the changes on the shards and returns: the I/O thread never waits
// for a shard, so a backlogged shard cannot stall the feed. A shard applies
// its part between events, after every trade pushed before and before every
// trade pushed after (ShardGroup::submit_to); /readyz says "reload in
// progress" until every shard has.
void LiveService::apply_reload(const ReloadPlan& plan, ShardPlan started, std::optional<ReloadWarmup> warmup) {
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
  spdlog::info("reload queued on {} shard(s); each applies it after the trades queued before it", changed.size());
  state_.reloads_pending.fetch_add(static_cast<int>(changed.size()));
  for (std::uint32_t i : changed) {
    PipelineSet& set = started[i];
    for (const PairModelRun& run : set.pairs) gauges_->add(std::static_pointer_cast<const PairGauges>(run.sink));
    for (const SymbolModelRun& run : set.symbols) {
      gauges_->add(std::static_pointer_cast<const SymbolGauges>(run.sink));
    }
    auto change = std::make_shared<PipelineSet>(std::move(set));
    ShardBook* book = books_[i];
    auto queued = shards_->submit_to(ShardId(i), [this, book, change, applied_line, warmup,
                                                  pairs = std::move(pairs_stopped[i]),
                                                  symbols = std::move(symbols_stopped[i])] {
      for (const std::string& name : pairs) book->book().remove_pair(name);
      for (const std::string& symbol : symbols) book->book().remove_symbol_models(symbol);
      // On this shard's thread: a long warm-up holds up this shard only.
      if (warmup) warm_new_pipelines(*change, *warmup);
      book->book().add(std::move(*change));
      if (state_.reloads_pending.fetch_sub(1) == 1) {
        asio::post(io_, [applied_line] { spdlog::info("{}", *applied_line); });
      }
    });
    // Not waited for; a shard that stopped meanwhile has nothing to apply.
    (void)queued;
  }
}

void LiveService::begin_shutdown(const std::string& why) {
  if (state_.stopping) return;
  state_.stopping = true;
  spdlog::info("stopping: {}", why);
  systemd_.stopping("stopping: " + why);
  signals_.cancel();
  clock_timer_.cancel();
  stop_timer_.cancel();
  watchdog_timer_.cancel();
  source_->stop();
  // Connections get up to two seconds for their close handshakes; then the
  // loop ends regardless.
  wait_for_source_closed(std::chrono::steady_clock::now() + 2s);
}

void LiveService::wait_for_source_closed(std::chrono::steady_clock::time_point deadline) {
  if (source_->closed() || std::chrono::steady_clock::now() >= deadline) {
    io_.stop();
    return;
  }
  stop_timer_.expires_after(20ms);
  stop_timer_.async_wait([this, deadline](const boost::system::error_code&) { wait_for_source_closed(deadline); });
}

void LiveService::start_backfill() {
  const FeedConfig& feed = config_.service.feed;
  const BackfillConfig& config = feed.backfill;
  if (!config.enabled || !source_->live()) return;
  const VenueRest venue = source_->venue_rest();
  BackfillOptions options;
  options.endpoint = config.url.empty() ? venue.agg_trades_url : config.url;
  if (options.endpoint.empty()) {
    spdlog::warn("feed.backfill: no aggTrades endpoint is known for {}; id gaps are counted, not backfilled "
                 "(set feed.backfill.url)", feed.url);
    return;
  }
  options.request_weight = config.request_weight > 0 ? config.request_weight : binance_agg_trades_weight(options.endpoint);
  options.max_weight_per_minute = config.max_weight_per_minute;
  options.http.ca_file = config.url.empty() ? venue.ca_file : feed.tls_ca_file;
  options.http.verify_tls = config.url.empty() ? venue.verify_tls : feed.tls_verify;
  spdlog::info("id gaps in the live feed are backfilled from {} (weight {} a request, at most {} a minute)",
               options.endpoint, options.request_weight, options.max_weight_per_minute);
  backfiller_ = std::make_unique<TradeBackfiller>(std::move(options), [this](BackfillPage page) {
    asio::post(io_, [this, page = std::move(page)]() mutable { ingest_->on_backfill_page(std::move(page)); });
  });
  ingest_->set_backfiller(backfiller_.get(), {config.max_trades_per_gap, static_cast<std::size_t>(config.max_held_trades),
                                              config.max_hold_ms});
  registry_->add_collector(make_backfill_collector(*backfiller_, *ingest_));
}

void LiveService::finish_shutdown() {
  const auto started = std::chrono::steady_clock::now();
  // No pair starts or stops from here on; the leases go to the other workers.
  if (leases_) leases_->stop();
  // A running backfill ends: what it fetched and held goes downstream.
  if (backfiller_) backfiller_->stop();
  if (ingest_) ingest_->end_backfill();
  // Drain: every trade already routed reaches its pipeline.
  if (shards_) shards_->stop();
  if (recorder_ && source_started_) {
    // The shards have stopped: their models are this thread's now.
    if (Status flushed = recorder_->flush(); flushed) {
      if (auto journal = recorder_->summary()) {
        std::vector<ModelState> states;
        for (ShardBook* book : books_) {
          std::vector<ModelState> own = book->model_states();
          states.insert(states.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
        }
        const ModelStateCounts saved = save_model_states(model_state_dir(), *journal, states);
        for (const std::string& problem : saved.problems) spdlog::warn("model state not saved: {}", problem);
        if (saved.saved > 0) spdlog::info("{} model state(s) saved to {}", saved.saved, model_state_dir());
      }
    }
  }
  if (recorder_) recorder_->close();
  std::uint64_t accepted = 0, gaps = 0, missing = 0;
  for (const FeedIngest::SymbolView& view : ingest_->symbol_counters()) {
    accepted += view.counters->trades_total.load();
    gaps += view.counters->gaps_total.load();
    missing += view.counters->missing_trades_total.load();
  }
  std::uint64_t dropped = 0;
  for (std::uint32_t i = 0; shards_ && i < shards_->shard_count(); ++i) {
    const ShardStats stats = shards_->stats(ShardId(i));
    dropped += stats.dropped_total;
    if (stats.abandoned_total > 0) {
      spdlog::warn("shard {}: {} queued event(s) left unhandled: the drain ran past engine.drain_timeout_s ({} s)", i,
                   stats.abandoned_total, config_.service.engine.drain_timeout_s);
    }
  }
  const TradeRecorderStats storage = recorder_ ? recorder_->stats() : TradeRecorderStats{};
  spdlog::info(
      "stopped in {:.2f} s: {} trades accepted, {} gaps ({} trades missing), {} queue drops, {} trades recorded, "
      "{} storage errors, {} storage drops",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), accepted, gaps, missing,
      dropped, storage.records_total, storage.errors_total, storage.dropped_total);
}

Status LiveService::lease_pairs() {
  const BusConfig& bus = config_.service.bus;
  PairLeaseSettings settings;
  settings.servers = bus.servers;
  settings.access = bus.access;
  settings.bucket = bus.lease_bucket;
  settings.replicas = static_cast<int>(bus.replicas);
  settings.ttl = std::chrono::seconds(bus.lease_ttl_s);
  settings.worker = bus.worker_id.empty() ? default_worker_id() : bus.worker_id;
  std::vector<std::string> names;
  for (const PairConfig& pair : config_.pairs) names.push_back(pair.name);
  auto keeper = PairLeaseKeeper::connect(settings, std::move(names));
  if (!keeper) return keeper.status().prefixed(config_.path + ": ");
  leases_ = std::move(keeper.value());
  running_pairs_ = leases_->first_owned();
  return Status::ok();
}

void LiveService::change_owned_pairs(const std::vector<std::string>& started, const std::vector<std::string>& stopped) {
  if (state_.stopping) return;
  ReloadPlan plan;
  for (const std::string& name : stopped) {
    if (!runs_pair(name)) continue;
    plan.pairs_stopped.push_back(name);
    std::erase(running_pairs_, name);
  }
  for (const std::string& name : started) {
    const bool configured = std::any_of(config_.pairs.begin(), config_.pairs.end(),
                                        [&](const PairConfig& pair) { return pair.name == name; });
    if (configured && !runs_pair(name)) plan.pairs_started.push_back(name);
  }
  PipelineSelection selection;
  selection.pair = [&](const PairConfig& pair) {
    return std::find(plan.pairs_started.begin(), plan.pairs_started.end(), pair.name) != plan.pairs_started.end();
  };
  selection.symbol = [](const SymbolConfig&) { return false; };
  auto built = build(config_, selection);
  if (!built) {
    // The running config built at start; a plugin that fails now is logged and
    // the pair waits for the next change (its lease is held, its gauges absent).
    spdlog::error("pair leases: the pairs gained could not be built: {}", built.error());
    plan.pairs_started.clear();
    built = ShardPlan(shard_count());
  }
  running_pairs_.insert(running_pairs_.end(), plan.pairs_started.begin(), plan.pairs_started.end());
  apply_reload(plan, std::move(built.value()), plan_reload_warmup());
}

Status LiveService::run() {
  // Models first: a bad plugin or parameter fails before anything starts,
  // including the pairs a worker sharing them does not hold yet.
  auto planned = build(config_);
  if (!planned) return planned.status();
  const bool sharing = config_.service.bus.share_pairs;
  if (sharing) {
    Status leased = lease_pairs();
    if (!leased) return leased;
    PipelineSelection owned;
    owned.pair = [this](const PairConfig& pair) { return runs_pair(pair.name); };
    planned = build(config_, owned);
  }
  if (!planned) return planned.status();
  Status status = start_shards(std::move(planned.value()));
  if (!status) return status;
  status = warm_from_journal();
  if (!status) return status;
  status = start_storage();
  if (!status) return status;
  ingest_ = std::make_unique<FeedIngest>(symbol_routes(config_, shard_count()), *shards_, recorder_.get(),
                                         recorded_last_ids(),
                                         [](std::string_view message) { spdlog::warn("{}", message); });
  const FeedConfig& feed = config_.service.feed;
  ingest_->set_limits({feed.max_clock_ahead_ms, feed.max_clock_behind_ms, feed.max_id_jump});
  if (config_.service.bus.publish) {
    auto bus = TradeBus::connect(trade_bus_settings(config_.service.bus));
    if (!bus) return bus.status().prefixed(config_.path + ": bus: ");
    publisher_ = std::move(bus.value());
    ingest_->set_publisher(publisher_.get());
    spdlog::info("publishing every accepted trade to {} on {}", publisher_->settings().stream,
                 publisher_->subject("<SYMBOL>"));
  }
  status = create_source();
  if (!status) return status;
  start_backfill();
  status = start_metrics();
  if (!status) return status;
  status = shards_->start();
  if (!status) return Status::invalid_input(config_.path + ": engine.cpus: " + status.message());
  spdlog::info("{} shard(s), {} pair(s), {} symbol model set(s), feed: {}", shard_count(),
               sharing ? running_pairs_.size() : config_.pairs.size(), config_.symbols.size(), source_->description());
  if (leases_) {
    leases_->start([this](std::vector<std::string> started, std::vector<std::string> stopped) {
      asio::post(io_, [this, started = std::move(started), stopped = std::move(stopped)] {
        change_owned_pairs(started, stopped);
      });
    });
  }

  status = source_->start(ingest_->symbols());
  source_started_ = status.is_ok();
  if (!status) {
    finish_shutdown();
    return Status::invalid_input(config_.path + ": " + status.message());
  }
  if (source_->live()) schedule_clock();
  wait_for_signal();
  systemd_.ready(status_line());
  schedule_watchdog();
  if (options_.run_for.count() > 0) {
    auto timer = std::make_shared<asio::steady_timer>(io_, options_.run_for);
    timer->async_wait([this, timer](const boost::system::error_code& ec) {
      if (!ec) begin_shutdown("--run-for elapsed");
    });
  }
  // Signals held since the command started (hold_service_signals) are
  // taken from here on: one that came during startup is handled now.
  release_service_signals();
  io_.run();
  // The loop ended: everything posted to it is abandoned and nothing else
  // pushes, so the shards can drain.
  finish_shutdown();
  metrics_server_.reset();
  source_.reset();
  return failure_;
}

}  // namespace

Status check_models(const EngineConfig& config, const std::string& plugins_dir) {
  ModelFactory factory(plugins_dir);
  auto built = build_pipelines(config, factory);
  return built ? Status::ok() : built.status();
}

Status check_service_resources(const EngineConfig& config, bool skip_bind) {
  std::string problems;
  auto note = [&](const std::string& problem) { problems += (problems.empty() ? "" : "\n") + problem; };
  const std::string& journal = config.service.storage.lmdb_path;
  if (!journal.empty()) {
    // The directory, or the nearest parent that exists: LMDB creates the rest.
    std::filesystem::path existing(journal);
    std::error_code error;
    while (!existing.empty() && !std::filesystem::exists(existing, error)) existing = existing.parent_path();
    if (existing.empty()) existing = ".";
    if (!std::filesystem::is_directory(existing, error)) {
      note(config.path + ": storage.lmdb.path: " + existing.string() + " is not a directory");
    } else if (access(existing.c_str(), W_OK | X_OK) != 0) {
      note(config.path + ": storage.lmdb.path: " + journal + ": " + existing.string() + " is not writable by this user");
    }
  }
  const std::string& listen = config.service.metrics.listen;
  if (!listen.empty() && !skip_bind) {
    auto server = MetricsServer::start(listen);
    if (!server) note(config.path + ": metrics.listen: " + server.error());
  }
  if (problems.empty()) return Status::ok();
  return Status::invalid_input(problems);
}

Status run_service(const ServiceOptions& options) {
  LiveService service(options);
  return service.run();
}

}  // namespace alphastream
