// The live service's path, end to end, as ratios to parse-only measured in
// the same process. Generated pairs become Binance aggTrade websocket frames
// in memory; the calling thread plays the I/O reactor: it stamps each frame's
// receive time (system clock) and hands it to FeedIngest (parse, sequence,
// route), which pushes to a ShardGroup whose ShardBooks run every pair with
// ols, kalman and huber and every leg with microstructure, built as
// `alphastream run` builds them and sharded by shard_for_key. Pair and symbol
// names are chosen so that two shards get the same work.
//
// Rows, each the median of --repeat interleaved rounds:
//   parse_only                 AggTradeParser over every frame (the baseline)
//   ingest_only shards=S       FeedIngest into shards that do nothing (queue hand-off)
//   service shards=S sized     every frame pushed, then stop() drains; each
//                              queue holds every frame, so nothing can drop
//   service shards=S wait      queues of --queue-capacity; the producer waits
//                              for room before a frame, as a replay does
// then, per shard count, one paced run at --load times the sized rate:
//   latency shards=S           tick-to-signal (receipt of a trade to the rows it
//                              produced): the ShardBooks' histogram (power-of-two
//                              buckets: a percentile is its bucket's upper bound)
//                              and exact percentiles timed beside the books.
// Exits 1 when a run's own checks fail: every frame parsed and accepted, every
// push either delivered or dropped, every delivered trade routed, no drop.
//
//   service_throughput [--trades N] [--pairs P] [--shards 1,2] [--queue-capacity Q]
//                      [--repeat R] [--load F] [--latency-trades M] [--mode time|tick]
//                      [--plugins DIR] [--idle-spin-us US | --busy-poll]
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "agg_trade_frames.h"
#include "book/pipeline_book.h"
#include "feed/agg_trade_parser.h"
#include "metrics/latency_histogram.h"
#include "reactor/shard_group.h"
#include "reactor/shard_map.h"
#include "reactor/thread_placement.h"
#include "service/feed_ingest.h"
#include "service/model_gauges.h"
#include "service/shard_plan.h"
#include "service/shard_book.h"

namespace {

using namespace alphastream;
namespace fs = std::filesystem;
using RealClock = std::chrono::steady_clock;

constexpr const char* kPairModels[] = {"ols", "kalman", "huber"};

double seconds_since(RealClock::time_point start) { return std::chrono::duration<double>(RealClock::now() - start).count(); }

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The pairs, their names and the frames they trade.
struct Workload {
  std::vector<PairGeneratorConfig> pairs;
  std::vector<std::string> pair_names;
  bench::FrameSet frames;
};

// The first "<prefix><k><suffix>", counting k up from *next, that a
// two-shard group gives to `shard`; *next moves past it.
std::string name_on_shard(const std::string& prefix, const std::string& suffix, std::uint32_t shard,
                          std::uint32_t* next) {
  while (shard_for_key(prefix + std::to_string(*next) + suffix, 2).index() != shard) ++*next;
  return prefix + std::to_string((*next)++) + suffix;
}

// P pairs at 5 trades/s a leg, long enough for `trades` trades in all. Pair
// i and its two legs all belong to shard i % 2 of a two-shard group, so two
// shards get the same work and each symbol goes to one shard.
Workload make_workload(std::uint32_t pair_count, std::uint64_t trades) {
  Workload out;
  std::uint32_t next_pair = 0, next_symbol = 0;
  for (std::uint32_t i = 0; i < pair_count; ++i) {
    out.pair_names.push_back(name_on_shard("pair-", "", i % 2, &next_pair));
    PairGeneratorConfig pair;
    pair.x_symbol = name_on_shard("X", "USDT", i % 2, &next_symbol);
    pair.y_symbol = name_on_shard("Y", "USDT", i % 2, &next_symbol);
    pair.x_start_price = 100.0 + 10.0 * i;
    pair.seed = i + 1;
    pair.duration_s = static_cast<double>(trades) / (pair_count * (pair.x_trades_per_s + pair.y_trades_per_s)) + 60;
    out.pairs.push_back(pair);
  }
  out.frames = bench::generate_frames(out.pairs, trades);
  return out;
}

// A ShardBook, and beside it the exact tick-to-signal of up to `samples`
// trades: the same interval as the book's histogram (receipt to the rows a
// trade produced), read by the same clock just after the book returns.
class TimedBook : public ShardHandler {
 public:
  TimedBook(std::unique_ptr<ShardBook> book, std::size_t samples) : book_(std::move(book)) {
    latencies_ns_.reserve(samples);
  }

  void on_event(const ShardEvent& event) override {
    if (latencies_ns_.capacity() == 0) {
      book_->on_event(event);
      return;
    }
    const std::uint64_t rows_before = book_->tick_to_signal().snapshot().count;
    book_->on_event(event);
    if (book_->tick_to_signal().snapshot().count != rows_before && latencies_ns_.size() < latencies_ns_.capacity()) {
      latencies_ns_.push_back(wall_clock_ns() - event.trade.receive_time_ns);
    }
  }

  const ShardBook& book() const { return *book_; }
  const std::vector<std::int64_t>& latencies_ns() const { return latencies_ns_; }

 private:
  std::unique_ptr<ShardBook> book_;
  std::vector<std::int64_t> latencies_ns_;
};

// Takes events and does nothing: what is left is FeedIngest and the queues.
class NullHandler : public ShardHandler {
 public:
  void on_event(const ShardEvent&) override {}
};

struct RunOptions {
  std::uint32_t shards = 1;
  bool models = true;        // false: NullHandler shards
  std::size_t queue_capacity = 0;
  bool wait_for_room = false;
  double rate_per_s = 0;     // > 0: frames paced at this rate
  std::size_t frames = 0;    // the first `frames` of the workload
  std::size_t latency_samples = 0;
};

struct RunResult {
  double seconds = 0;
  std::uint64_t dropped = 0;
  std::vector<std::uint64_t> events_per_shard;
  LatencyHistogram::Snapshot histogram;  // merged over shards
  std::vector<std::int64_t> latencies_ns;
};

class Bench {
 public:
  // idle: the shards' idle_spin_us and busy_poll; the rest of the options is per run.
  Bench(Workload workload, SamplingConfig sampling, std::string plugins_dir, std::vector<int> cpus,
        ShardGroupOptions idle)
      : workload_(std::move(workload)),
        sampling_(sampling),
        factory_(std::move(plugins_dir)),
        cpus_(std::move(cpus)),
        idle_(std::move(idle)) {}

  const Workload& workload() const { return workload_; }
  // The CPUs for the I/O thread then each shard, or empty (too few CPUs).
  std::vector<int> placement(std::uint32_t shards) const {
    if (cpus_.size() < shards + 1) return {};
    return std::vector<int>(cpus_.begin(), cpus_.begin() + shards + 1);
  }

  Result<double> parse_only() const {
    AggTradeParser parser;
    AggTrade trade;
    double checksum = 0;
    const auto start = RealClock::now();
    for (std::size_t i = 0; i < workload_.frames.size(); ++i) {
      trade.receive_time_ns = wall_clock_ns();
      if (parser.parse(workload_.frames.frame(i), trade)) checksum += trade.price;
    }
    const double elapsed_s = seconds_since(start);
    if (checksum < 0) std::puts("");  // keeps the loop from being optimised away
    if (parser.parsed_count() != workload_.frames.size()) {
      return Status::error("parse_only: parsed " + std::to_string(parser.parsed_count()) + " of " +
                           std::to_string(workload_.frames.size()) + " frames");
    }
    return elapsed_s;
  }

  Result<RunResult> run(const RunOptions& options);

 private:
  Result<std::vector<std::unique_ptr<ShardBook>>> make_books(std::uint32_t shards);
  EngineConfig config() const;
  static Status check(const RunOptions& options, const FeedIngest& ingest, const ShardGroup& group,
                      const std::vector<TimedBook*>& books, std::uint64_t pushes_expected);

  Workload workload_;
  SamplingConfig sampling_;
  ModelFactory factory_;
  std::vector<int> cpus_;
  ShardGroupOptions idle_;
};

// The workload as a config: every pair with the three pair models, every
// leg with microstructure. The service builds and places pipelines from it
// as `alphastream run` would.
EngineConfig Bench::config() const {
  EngineConfig config;
  config.path = "service_throughput";
  config.sampling = sampling_;
  auto model = [](const std::string& owner, const char* plugin) {
    return ModelConfig{plugin, {}, "service_throughput: " + owner + "/" + plugin, plugin};
  };
  for (std::size_t p = 0; p < workload_.pairs.size(); ++p) {
    const PairGeneratorConfig& pair = workload_.pairs[p];
    PairConfig entry;
    entry.name = workload_.pair_names[p];
    entry.y = pair.y_symbol;
    entry.x = pair.x_symbol;
    for (const char* plugin : kPairModels) entry.models.push_back(model(entry.name, plugin));
    entry.location = "service_throughput: " + entry.name;
    config.pairs.push_back(std::move(entry));
    for (const std::string& symbol : {pair.x_symbol, pair.y_symbol}) {
      config.symbols.push_back({symbol, {model(symbol, "microstructure")}, "service_throughput: " + symbol});
    }
  }
  return config;
}

Result<std::vector<std::unique_ptr<ShardBook>>> Bench::make_books(std::uint32_t shards) {
  auto built = build_pipelines(config(), factory_);
  if (!built) return built.status();
  std::vector<PipelineSet> placed = assign_to_shards(std::move(built.value()), shards);
  std::vector<std::unique_ptr<ShardBook>> books;
  for (std::uint32_t i = 0; i < shards; ++i) {
    books.push_back(std::make_unique<ShardBook>(250));
    books.back()->book().add(std::move(placed[i]));
  }
  return books;
}

// Restores the calling thread's CPU set when it goes out of scope.
class AffinityGuard {
 public:
  AffinityGuard() { saved_ = sched_getaffinity(0, sizeof set_, &set_) == 0; }
  ~AffinityGuard() {
    if (saved_) sched_setaffinity(0, sizeof set_, &set_);
  }

 private:
  cpu_set_t set_{};
  bool saved_ = false;
};

Result<RunResult> Bench::run(const RunOptions& options) {
  std::vector<std::unique_ptr<ShardHandler>> handlers;
  std::vector<TimedBook*> books;
  if (options.models) {
    auto made = make_books(options.shards);
    if (!made) return made.status();
    for (auto& book : made.value()) {
      auto timed = std::make_unique<TimedBook>(std::move(book), options.latency_samples);
      books.push_back(timed.get());
      handlers.push_back(std::move(timed));
    }
  } else {
    for (std::uint32_t i = 0; i < options.shards; ++i) handlers.push_back(std::make_unique<NullHandler>());
  }
  const std::vector<int> cpus = placement(options.shards);
  ShardGroupOptions group_options;
  group_options.idle_spin_us = idle_.idle_spin_us;
  group_options.busy_poll = idle_.busy_poll;
  group_options.shard_count = options.shards;
  group_options.queue_capacity = options.queue_capacity;
  if (!cpus.empty()) group_options.cpus.assign(cpus.begin() + 1, cpus.end());
  auto created = ShardGroup::create(group_options, std::move(handlers));
  if (!created) return created.status();
  ShardGroup& group = *created.value();

  const std::vector<FeedIngest::SymbolRoute> routes = symbol_routes(config(), options.shards);
  // Shards of each symbol of the frame set, for waiting before a frame.
  const bench::FrameSet& frames = workload_.frames;
  std::vector<std::vector<ShardId>> shards_of(frames.symbols().size());
  for (std::size_t s = 0; s < frames.symbols().size(); ++s) {
    for (const auto& route : routes) {
      if (route.symbol == frames.symbols()[s]) shards_of[s] = route.shards;
    }
  }
  std::uint64_t warnings = 0;
  FeedIngest ingest(routes, group, nullptr, {}, [&warnings](std::string_view message) {
    if (++warnings <= 3) std::fprintf(stderr, "feed: %.*s\n", static_cast<int>(message.size()), message.data());
  });
  // The frames carry generated times of another day but are received now
  // (tick-to-signal is measured from now): no clock window applies.
  constexpr std::int64_t kCentury = 100LL * 365 * 86'400'000;
  ingest.set_limits({kCentury, kCentury, FeedLimits{}.max_id_jump});

  AffinityGuard restore_affinity;
  if (!cpus.empty()) {
    Status pinned = pin_current_thread(cpus[0]);
    if (!pinned) return pinned;
  }
  Status started = group.start();
  if (!started) return started;

  const std::size_t count = std::min(options.frames, frames.size());
  std::uint64_t pushes_expected = 0;
  const auto start = RealClock::now();
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<ShardId>& targets = shards_of[frames.symbol_index(i)];
    pushes_expected += targets.size();
    if (options.rate_per_s > 0) {
      const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * i / options.rate_per_s));
      while (RealClock::now() < due) {
      }
    }
    if (options.wait_for_room) {
      // Only this thread pushes, so room seen here is still there at the push.
      for (const ShardId shard : targets) {
        while (group.stats(shard).queue_depth >= group.queue_capacity()) std::this_thread::yield();
      }
    }
    ingest.on_message(frames.frame(i), wall_clock_ns());
  }
  group.stop();
  RunResult result;
  result.seconds = seconds_since(start);

  RunOptions checked = options;
  checked.frames = count;
  Status consistent = check(checked, ingest, group, books, pushes_expected);
  if (!consistent) return consistent;
  for (std::uint32_t i = 0; i < options.shards; ++i) {
    const ShardStats stats = group.stats(ShardId(i));
    result.dropped += stats.dropped_total;
    result.events_per_shard.push_back(stats.events_total);
  }
  for (const TimedBook* book : books) {
    const LatencyHistogram::Snapshot s = book->book().tick_to_signal().snapshot();
    for (std::size_t b = 0; b < LatencyHistogram::kBucketCount; ++b) {
      result.histogram.cumulative_counts[b] += s.cumulative_counts[b];
    }
    result.histogram.count += s.count;
    result.histogram.sum_s += s.sum_s;
    result.latencies_ns.insert(result.latencies_ns.end(), book->latencies_ns().begin(), book->latencies_ns().end());
  }
  return result;
}

// Every frame parsed and accepted once; per shard, every push delivered or
// dropped, every delivered event routed to a pipeline; no drop at all.
Status Bench::check(const RunOptions& options, const FeedIngest& ingest, const ShardGroup& group,
                    const std::vector<TimedBook*>& books, std::uint64_t pushes_expected) {
  if (ingest.messages_total() != options.frames) {
    return Status::error("ingest saw " + std::to_string(ingest.messages_total()) + " of " +
                         std::to_string(options.frames) + " frames");
  }
  std::uint64_t accepted = 0, rejected = 0;
  for (const FeedIngest::SymbolView& view : ingest.symbol_counters()) {
    accepted += view.counters->trades_total.load();
    rejected += view.counters->duplicates_total.load() + view.counters->gaps_total.load();
  }
  for (std::size_t r = 1; r < kParseErrorCount; ++r) rejected += ingest.parse_errors(static_cast<ParseError>(r));
  rejected += ingest.unknown_symbol_messages();
  if (accepted != options.frames || rejected != 0) {
    return Status::error("ingest accepted " + std::to_string(accepted) + " of " + std::to_string(options.frames) +
                         " frames; " + std::to_string(rejected) + " parse errors, unknown symbols, duplicates or gaps");
  }
  std::uint64_t pushed = 0, dropped = 0;
  for (std::uint32_t i = 0; i < group.shard_count(); ++i) {
    const ShardStats stats = group.stats(ShardId(i));
    const std::string shard = "shard " + std::to_string(i) + ": ";
    if (stats.events_total != stats.pushed_total) {
      return Status::error(shard + std::to_string(stats.events_total) + " events handled of " +
                           std::to_string(stats.pushed_total) + " pushed");
    }
    if (i < books.size() && (books[i]->book().trades_routed() != stats.events_total ||
                             books[i]->book().trades_unrouted() != 0)) {
      return Status::error(shard + std::to_string(books[i]->book().trades_routed()) + " trades routed, " +
                           std::to_string(books[i]->book().trades_unrouted()) + " unrouted, of " +
                           std::to_string(stats.events_total) + " events");
    }
    pushed += stats.pushed_total;
    dropped += stats.dropped_total;
  }
  if (pushed + dropped != pushes_expected) {
    return Status::error("delivered " + std::to_string(pushed) + " + dropped " + std::to_string(dropped) +
                         " != sent " + std::to_string(pushes_expected) + " shard events");
  }
  if (dropped != 0) return Status::error(std::to_string(dropped) + " shard events dropped by full queues");
  return Status::ok();
}

// The upper bound of the bucket holding quantile q, in us; +Inf past the last.
double histogram_quantile_us(const LatencyHistogram::Snapshot& s, double q) {
  const double rank = std::ceil(q * static_cast<double>(s.count));
  static constexpr auto kBoundsNs = LatencyHistogram::bucket_upper_bounds_ns();
  for (std::size_t b = 0; b < LatencyHistogram::kBucketCount; ++b) {
    if (static_cast<double>(s.cumulative_counts[b]) >= rank) return static_cast<double>(kBoundsNs[b]) / 1e3;
  }
  return INFINITY;
}

// Nearest rank. REQUIRES: sorted is sorted and not empty.
double exact_quantile_us(const std::vector<std::int64_t>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[rank == 0 ? 0 : rank - 1]) / 1e3;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

std::string placement_text(const std::vector<int>& cpus, std::uint32_t shards, std::size_t available) {
  if (cpus.empty()) {
    return "not pinned: " + std::to_string(available) + " CPUs for 1 I/O thread + " + std::to_string(shards) +
           " shard(s)";
  }
  std::string text = "pinned: I/O on CPU " + std::to_string(cpus[0]);
  for (std::size_t i = 1; i < cpus.size(); ++i) {
    text += ", shard " + std::to_string(i - 1) + " on CPU " + std::to_string(cpus[i]);
  }
  return text;
}

int fail(const std::string& what, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AlphaStream service path throughput and tick-to-signal latency"};
  std::uint64_t trades = 500'000;
  std::uint32_t pair_count = 4;
  std::vector<std::uint32_t> shard_counts = {1, 2};
  std::size_t queue_capacity = 4096;
  int repeat = 3;
  double load = 0.5;
  std::uint64_t latency_trades = 200'000;
  std::string mode = "time";
  std::string plugins_dir = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "plugins").string();
  app.add_option("--trades", trades, "frames to generate over all symbols")->check(CLI::PositiveNumber);
  app.add_option("--pairs", pair_count, "pairs, each with ols, kalman and huber and microstructure on both legs")
      ->check(CLI::Range(1, 1000));
  app.add_option("--shards", shard_counts, "shard counts to run, in order")->delimiter(',')->check(CLI::Range(1, 64));
  app.add_option("--queue-capacity", queue_capacity, "queue of the `wait` runs (events per shard)")
      ->check(CLI::Range(1, 1 << 24));
  app.add_option("--repeat", repeat, "rounds of the throughput runs (the median is shown)")->check(CLI::PositiveNumber);
  app.add_option("--load", load, "latency runs: pace as this fraction of the sized rate")->check(CLI::Range(0.001, 1.0));
  app.add_option("--latency-trades", latency_trades, "latency runs: frames sent (at most --trades)")
      ->check(CLI::PositiveNumber);
  app.add_option("--mode", mode, "sampling mode")->check(CLI::IsMember({"tick", "time"}));
  app.add_option("--plugins", plugins_dir, "plugin directory");
  ShardGroupOptions idle;
  auto* spin_option = app.add_option("--idle-spin-us", idle.idle_spin_us,
                                     "idle shards poll this long before sleeping (engine.idle_spin_us)")
                          ->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000}))
                          ->capture_default_str();
  app.add_flag("--busy-poll", idle.busy_poll, "idle shards never sleep (engine.busy_poll)")->excludes(spin_option);
  CLI11_PARSE(app, argc, argv);

  SamplingConfig sampling;
  sampling.mode = mode == "tick" ? SamplingConfig::Mode::kTick : SamplingConfig::Mode::kTime;
  const auto generate_start = RealClock::now();
  Workload workload = make_workload(pair_count, trades);
  const std::size_t frame_count = workload.frames.size();
  std::printf("%-30s %zu frames, %u pairs, %zu symbols, %.1f MB, mode %s, generated in %.2f s\n", "workload",
              frame_count, pair_count, workload.frames.symbols().size(),
              static_cast<double>(workload.frames.bytes()) / 1e6, mode.c_str(), seconds_since(generate_start));
  const std::vector<int> cpus = allowed_cpus();
  if (idle.busy_poll) {
    std::printf("%-30s busy polling (never sleeps)\n", "idle shards");
  } else {
    std::printf("%-30s poll %lld us, then sleep\n", "idle shards", static_cast<long long>(idle.idle_spin_us));
  }
  Bench bench(std::move(workload), sampling, plugins_dir, cpus, idle);
  for (const std::uint32_t shards : shard_counts) {
    std::printf("%-30s shards=%u %s\n", "placement", shards,
                placement_text(bench.placement(shards), shards, cpus.size()).c_str());
  }

  // Throughput: rounds interleave the configurations so load drift reaches all.
  struct Row {
    std::string name;
    RunOptions options;
    std::vector<double> seconds;
    std::uint64_t dropped = 0;
    std::vector<std::uint64_t> events_per_shard;
  };
  std::vector<Row> rows;
  for (const std::uint32_t shards : shard_counts) {
    const std::string s = " shards=" + std::to_string(shards);
    rows.push_back({"ingest_only" + s + " sized", {shards, false, frame_count, false, 0, frame_count, 0}, {}, 0, {}});
    rows.push_back({"service" + s + " sized", {shards, true, frame_count, false, 0, frame_count, 0}, {}, 0, {}});
    rows.push_back({"service" + s + " wait q=" + std::to_string(queue_capacity),
                    {shards, true, queue_capacity, true, 0, frame_count, 0}, {}, 0, {}});
  }
  std::vector<double> parse_seconds;
  for (int round = 0; round < repeat; ++round) {
    auto parsed = bench.parse_only();
    if (!parsed) return fail("parse_only", parsed.error());
    parse_seconds.push_back(parsed.value());
    for (Row& row : rows) {
      auto result = bench.run(row.options);
      if (!result) return fail(row.name, result.error());
      row.seconds.push_back(result->seconds);
      row.dropped += result->dropped;
      row.events_per_shard = result->events_per_shard;
    }
  }
  const double parse_s = median(parse_seconds);
  const double frames = static_cast<double>(frame_count);
  std::printf("%-30s %10.0f msg/s  %7.3f x parse-only time\n", "parse_only", frames / parse_s, 1.0);
  std::map<std::uint32_t, double> sized_rate;
  for (const Row& row : rows) {
    const double s = median(row.seconds);
    std::string events;
    for (const std::uint64_t e : row.events_per_shard) events += (events.empty() ? "" : "/") + std::to_string(e);
    std::printf("%-30s %10.0f msg/s  %7.3f x parse-only time  drops %llu  shard events %s  (min %.3f s, max %.3f s)\n",
                row.name.c_str(), frames / s, s / parse_s, static_cast<unsigned long long>(row.dropped),
                events.c_str(), *std::min_element(row.seconds.begin(), row.seconds.end()),
                *std::max_element(row.seconds.begin(), row.seconds.end()));
    if (row.options.models && !row.options.wait_for_room) sized_rate[row.options.shards] = frames / s;
  }

  // Latency: paced below capacity, as a live feed arrives.
  for (const std::uint32_t shards : shard_counts) {
    RunOptions options{shards, true, frame_count, false, load * sized_rate[shards],
                       static_cast<std::size_t>(std::min<std::uint64_t>(latency_trades, frame_count)), 0};
    options.latency_samples = options.frames;
    auto result = bench.run(options);
    const std::string name = "latency shards=" + std::to_string(shards);
    if (!result) return fail(name, result.error());
    std::vector<std::int64_t>& exact = result->latencies_ns;
    std::sort(exact.begin(), exact.end());
    const double achieved = static_cast<double>(options.frames) / result->seconds;
    std::printf("%-30s paced at %.0f msg/s (%.0f%% of sized; achieved %.0f), %llu rows\n", name.c_str(),
                options.rate_per_s, load * 100, achieved, static_cast<unsigned long long>(result->histogram.count));
    const double h50 = histogram_quantile_us(result->histogram, 0.5);
    const double h99 = histogram_quantile_us(result->histogram, 0.99);
    const double h999 = histogram_quantile_us(result->histogram, 0.999);
    std::printf("%-30s p50 <= %.0f us  p99 <= %.0f us  p99.9 <= %.0f us  (histogram bucket bounds)\n", "", h50, h99,
                h999);
    if (exact.empty()) continue;
    std::printf("%-30s p50 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  (exact, %zu rows)\n", "",
                exact_quantile_us(exact, 0.5), exact_quantile_us(exact, 0.99), exact_quantile_us(exact, 0.999),
                static_cast<double>(exact.back()) / 1e3, exact.size());
    if (exact.size() != result->histogram.count) {
      return fail(name, "exact timing saw " + std::to_string(exact.size()) + " rows, the histogram " +
                            std::to_string(result->histogram.count));
    }
  }
  return 0;
}
