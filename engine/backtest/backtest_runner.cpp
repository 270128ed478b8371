#include "backtest/backtest_runner.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <future>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <type_traits>

#include "backtest/backtest_outputs.h"
#include "core/batch_queue.h"
#include "core/nearest_name.h"
#include "core/progress_meter.h"
#include "core/stream_copy.h"
#include "book/pipeline_book.h"
#include "source/csv_trade_stream.h"
#include "source/symbol_files.h"
#include "source/trade_catalog.h"
#include "feed/funding_rates.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;

// Trades read once and handed, read-only, to every worker's pipelines; the
// last worker done with a batch gives it back.
struct TradeBatch {
  static constexpr std::size_t kTrades = 4096;
  // The trades, or, when every pipeline is a pair's, what pair pipelines
  // take of them (PairTick: a quarter of the bytes).
  explicit TradeBatch(bool as_ticks) {
    if (as_ticks) {
      ticks.resize(kTrades);
    } else {
      trades.resize(kTrades);
    }
  }
  std::vector<AggTrade> trades;
  std::vector<PairTick> ticks;
  std::size_t count = 0;  // trades or ticks [0, count) read
  std::atomic<std::size_t> pending{0};
};

// Trades the reading thread merges at a time before streaming them into a
// batch: 24 KB, in its first-level cache.
constexpr std::size_t kStagedTrades = 256;
static_assert(std::is_trivially_copyable_v<AggTrade> && std::is_trivially_copyable_v<PairTick>,
              "trades are streamed into batches as bytes");

// Runs f(i) for i in [0, count) on up to `threads` threads.
template <class F>
void parallel_for(std::size_t count, unsigned threads, F f) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) f(i);
  };
  std::vector<std::jthread> workers;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, count); ++t) workers.emplace_back(work);
  work();
}

// Counts trades read, and moves the progress line every 64 Ki trades.
void count_read(BacktestSummary& summary, std::size_t count, const TradeStream& trades, ProgressMeter& meter) {
  const std::uint64_t before = summary.trades_read;
  summary.trades_read += count;
  if ((before >> 16) != (summary.trades_read >> 16)) meter.update(trades.progress().done);
}

}  // namespace

struct BacktestRunner::State {
  BacktestOptions options;
  ModelFactory factory;
  PipelineBook book{true};
  std::vector<PairRun> pairs;      // the book's pair runs, same order
  std::vector<SymbolRun> symbols;  // the book's symbol runs, same order
  std::vector<NeededSymbol> needed;
  std::map<std::string, std::vector<FundingRate>> funding;  // the pipelines' spans point here
  // With several threads: the book's pipelines, dealt round-robin.
  std::vector<std::unique_ptr<PipelineBook>> worker_books;
  bool ran = false;

  explicit State(const BacktestOptions& opts) : options(opts), factory(opts.plugins_dir) {}

  // Builds the selected pairs' models and the symbol models (of their legs
  // only when --pair narrows the run), every error at once.
  Status create(const std::vector<std::string>& selected_pairs);
  Status open_outputs(bool keep_series_rows);
  // Threads for `tasks` independent tasks: --threads (0: every core), at
  // most one a task.
  unsigned threads(std::size_t tasks) const;
  // Whether the pipelines run on worker threads beside the reading thread.
  bool in_parallel() const;
  // Whether every thread of the run has a core of its own: the workers,
  // the reading thread and the stream's own. Then the workers will wait for
  // trades, and series.csv rows are kept to be formatted meanwhile and
  // after reading (SeriesCsvWriter), and a thread out of work polls before
  // it sleeps.
  bool cores_to_spare(const TradeStream& trades) const;
  // Feeds every trade to its symbol's pipelines; counts them in summary.
  Status consume(TradeStream& trades, BacktestSummary& summary);
  // As consume, the pipelines spread over worker_books on their own threads.
  Status consume_in_parallel(TradeStream& trades, BacktestSummary& summary, ProgressMeter& meter);
  Status write_outputs(BacktestSummary& summary);
};

Status BacktestRunner::State::create(const std::vector<std::string>& selected_pairs) {
  const EngineConfig& config = options.config;
  auto selected = [&](const std::string& name) {
    return std::find(selected_pairs.begin(), selected_pairs.end(), name) != selected_pairs.end();
  };
  auto is_leg = [&](const std::string& symbol) {
    return std::any_of(config.pairs.begin(), config.pairs.end(), [&](const PairConfig& pair) {
      return selected(pair.name) && (pair.y == symbol || pair.x == symbol);
    });
  };
  PipelineSelection selection;
  selection.pair = [&](const PairConfig& pair) { return selected(pair.name); };
  // --pair narrows the run to its pairs and the symbol models of their legs.
  selection.symbol = [&](const SymbolConfig& symbol) { return options.only_pairs.empty() || is_leg(symbol.symbol); };
  auto built = build_pipelines(config, factory, selection);
  if (!built) return built.status();

  for (PairModelRun& run : built.value().pairs) {
    const std::string& name = run.pipeline->spec().name;
    const auto pair = std::find_if(config.pairs.begin(), config.pairs.end(),
                                   [&](const PairConfig& p) { return p.name == name; });
    auto outputs = std::make_shared<PairOutputs>(*run.pipeline, run.label, options.write_outputs);
    run.set_sink(outputs);
    // One model: <out>/<pair>/; several: <out>/<pair>/<label>/ each.
    std::string dir = (fs::path(options.out_dir) / name).string();
    if (pair->models.size() > 1) dir = (fs::path(dir) / run.label).string();
    std::vector<std::pair<std::string, double>> params;
    const auto model = std::find_if(pair->models.begin(), pair->models.end(),
                                    [&](const ModelConfig& m) { return m.label == run.label; });
    const PluginLibrary& library = run.pipeline->model().library();
    for (std::uint32_t i = 0; i < library.param_count(); ++i) {
      const std::string key = library.param(i).name;
      double value = library.param(i).default_value;
      if (model != pair->models.end()) {
        for (const ModelParam& given : model->params) {
          if (given.key == key) value = given.value;
        }
      }
      params.emplace_back(key, value);
    }
    pairs.push_back({run.label, run.pipeline.get(), std::move(outputs), std::move(dir), std::move(params)});
  }
  for (SymbolModelRun& run : built.value().symbols) {
    const std::string symbol(run.pipeline->spec().symbol.view());
    const auto entry = std::find_if(config.symbols.begin(), config.symbols.end(),
                                    [&](const SymbolConfig& s) { return s.symbol == symbol; });
    auto outputs = std::make_shared<SymbolOutputs>(run.pipeline->model(), options.write_outputs && is_leg(symbol));
    run.set_sink(outputs);
    // One model: <out>/symbols/<SYMBOL>/; several: .../<SYMBOL>/<label>/ each.
    std::string dir = (fs::path(options.out_dir) / "symbols" / symbol).string();
    if (entry->models.size() > 1) dir = (fs::path(dir) / run.label).string();
    symbols.push_back({symbol, run.label, run.pipeline.get(), std::move(outputs), std::move(dir)});
  }
  book.add(std::move(built.value()));
  for (const PipelineBook::Route& route : book.routes()) {
    needed.push_back({std::string(route.symbol.view()),
                      route.pairs.empty() ? "a configured symbol model" : "a configured pair"});
  }
  return Status::ok();
}

bool BacktestRunner::State::in_parallel() const {
  return options.threads > 1 || (options.threads == 0 && std::thread::hardware_concurrency() > 1);
}

bool BacktestRunner::State::cores_to_spare(const TradeStream& trades) const {
  return in_parallel() && threads(pairs.size() + symbols.size()) + 1 + trades.own_threads() <=
                              std::thread::hardware_concurrency();
}

Status BacktestRunner::State::open_outputs(bool keep_series_rows) {
  for (PairRun& run : pairs) {
    std::error_code ec;
    fs::create_directories(run.dir, ec);
    if (ec) return Status::error(run.dir + ": cannot create: " + ec.message());
    Status opened = run.outputs->open_series((fs::path(run.dir) / "series.csv").string(), options.write_series,
                                               keep_series_rows);
    if (!opened) return opened;
    opened = run.outputs->open_alerts((fs::path(run.dir) / "alerts.jsonl").string());
    if (!opened) return opened;
  }
  for (SymbolRun& run : symbols) {
    std::error_code ec;
    fs::create_directories(run.dir, ec);
    if (ec) return Status::error(run.dir + ": cannot create: " + ec.message());
    Status opened = run.outputs->open_series((fs::path(run.dir) / "series.csv").string(), options.write_series,
                                               keep_series_rows);
    if (!opened) return opened;
  }
  return Status::ok();
}

unsigned BacktestRunner::State::threads(std::size_t tasks) const {
  const unsigned wanted = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(wanted, tasks)));
}

Status BacktestRunner::State::consume_in_parallel(TradeStream& trades, BacktestSummary& summary,
                                                  ProgressMeter& meter) {
  // Deal the pipelines round-robin in config order: a pair's models, and
  // pairs of one symbol, land on different threads.
  const unsigned count = threads(pairs.size() + symbols.size());
  PipelineSet all = book.release();
  std::vector<PipelineSet> sets(count);
  // Each worker formats its own runs' series.csv rows while it waits for
  // trades (SeriesCsvWriter::format_some).
  std::vector<std::vector<SeriesCsvWriter*>> series_of(count);
  std::size_t dealt = 0;
  // The book hands its runs back in the order pairs and symbols hold them.
  for (std::size_t i = 0; i < all.pairs.size(); ++i, ++dealt) {
    sets[dealt % count].pairs.push_back(std::move(all.pairs[i]));
    if (pairs[i].pipeline != sets[dealt % count].pairs.back().pipeline.get()) continue;
    if (SeriesCsvWriter* series = pairs[i].outputs->series()) series_of[dealt % count].push_back(series);
  }
  for (std::size_t i = 0; i < all.symbols.size(); ++i, ++dealt) {
    sets[dealt % count].symbols.push_back(std::move(all.symbols[i]));
    if (symbols[i].pipeline != sets[dealt % count].symbols.back().pipeline.get()) continue;
    if (SeriesCsvWriter* series = symbols[i].outputs->series()) series_of[dealt % count].push_back(series);
  }
  for (PipelineSet& set : sets) {
    worker_books.push_back(std::make_unique<PipelineBook>(true));
    worker_books.back()->add(std::move(set));
  }

  // With a core for each thread (the workers, this one, the stream's own), a
  // thread out of work polls a while before it sleeps; with fewer, it sleeps
  // at once and leaves its core to the others.
  const std::chrono::nanoseconds poll =
      cores_to_spare(trades) ? std::chrono::milliseconds(2) : std::chrono::nanoseconds(0);
  // A few batches in flight bound the memory; nullptr ends a worker.
  std::vector<std::unique_ptr<TradeBatch>> batches;
  BatchQueue<TradeBatch*> free_batches;
  const bool as_ticks = all.symbols.empty();
  SymbolTable symbols;  // a tick's symbol number
  for (const NeededSymbol& symbol : needed) symbols.add(Symbol(symbol.symbol));
  for (unsigned i = 0; i < 2 * count + 2; ++i) {
    batches.push_back(std::make_unique<TradeBatch>(as_ticks));
    free_batches.enqueue(batches.back().get());
  }
  // Every inbox exists before the first worker starts: a worker reading the
  // vector while the next push_back reallocates it would be a race.
  std::vector<std::unique_ptr<BatchQueue<TradeBatch*>>> inboxes;
  for (unsigned w = 0; w < count; ++w) {
    inboxes.push_back(std::make_unique<BatchQueue<TradeBatch*>>());
  }
  std::vector<std::jthread> workers;
  for (unsigned w = 0; w < count; ++w) {
    workers.emplace_back([&, w, inbox = inboxes[w].get()] {
      PipelineBook& own = *worker_books[w];
      // A few hundred rows at a time (~0.1 ms): a batch that arrives waits
      // no longer than that.
      constexpr std::size_t kRowsWhileWaiting = 512;
      // One run's rows at a time, the runs in turn.
      std::size_t next_series = 0;
      const auto format_some_series = [&] {
        const auto& series = series_of[w];
        for (std::size_t tried = 0; tried < series.size(); ++tried) {
          const std::size_t run = next_series;
          next_series = (next_series + 1) % series.size();
          if (series[run]->format_some(kRowsWhileWaiting)) return true;
        }
        return false;
      };
      for (;;) {
        TradeBatch* batch = nullptr;
        while (!inbox->try_dequeue(batch)) {
          if (!format_some_series()) {
            wait_dequeue_polling(*inbox, batch, poll);
            break;
          }
        }
        if (batch == nullptr) return;
        if (as_ticks) {
          own.on_pair_ticks(std::span<const PairTick>(batch->ticks.data(), batch->count), symbols);
        } else {
          own.on_trades(std::span<const AggTrade>(batch->trades.data(), batch->count));
        }
        if (batch->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) free_batches.enqueue(batch);
      }
    });
  }
  const auto hand_out = [&](TradeBatch* batch) {
    batch->pending.store(count, std::memory_order_release);
    for (auto& inbox : inboxes) inbox->enqueue(batch);
  };
  // Trades are merged into a block in this thread's cache, then streamed
  // into the batch (stream_copy): a batch's lines were last read by the
  // workers on other cores.
  std::vector<AggTrade> staged(kStagedTrades);
  std::vector<PairTick> staged_ticks(as_ticks ? kStagedTrades : 0);
  Status status;
  for (bool ended = false; !ended;) {
    TradeBatch* batch = nullptr;
    wait_dequeue_polling(free_batches, batch, poll);
    std::size_t filled = 0;
    std::size_t read = 0;
    while (filled < TradeBatch::kTrades) {
      const std::size_t want = std::min(staged.size(), TradeBatch::kTrades - filled);
      auto got = trades.read(std::span<AggTrade>(staged.data(), want));
      if (!got) status = got.status();
      ended = !got || got.value() == 0;
      if (ended) break;
      read += got.value();
      if (!as_ticks) {
        stream_copy(batch->trades.data() + filled, staged.data(), got.value() * sizeof(AggTrade));
        filled += got.value();
        continue;
      }
      // A trade of a symbol no pipeline uses is read and dropped, as a book
      // drops it.
      std::size_t ticks = 0;
      for (std::size_t i = 0; i < got.value(); ++i) {
        const AggTrade& trade = staged[i];
        const std::uint32_t symbol = symbols.find(trade.symbol);
        staged_ticks[ticks] = {trade.transact_time_ms, trade.price, symbol};
        ticks += symbol != SymbolTable::kNone;
      }
      stream_copy(batch->ticks.data() + filled, staged_ticks.data(), ticks * sizeof(PairTick));
      filled += ticks;
    }
    count_read(summary, read, trades, meter);
    if (filled == 0) {
      free_batches.enqueue(batch);
      continue;
    }
    // Trades read before an error are handled, as on one thread.
    batch->count = filled;
    hand_out(batch);
  }
  for (auto& inbox : inboxes) inbox->enqueue(nullptr);
  workers.clear();  // joins: every batch handed out has been handled
  return status;
}

Status BacktestRunner::State::consume(TradeStream& trades, BacktestSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  ProgressMeter meter(options.progress_label, trades.progress().unit, options.show_progress, options.progress_terminal);
  meter.set_total(trades.progress().total);
  // The pipelines run on worker threads of their own, so reading and merging
  // the trades overlaps them, even for one pipeline; --threads 1 (or one
  // core) runs them on the reading thread.
  if (in_parallel()) {
    Status status = consume_in_parallel(trades, summary, meter);
    if (!status) return status;
  } else {
    std::vector<AggTrade> block(TradeBatch::kTrades);
    for (;;) {
      auto got = trades.read(block);
      if (!got) return got.status();
      if (got.value() == 0) break;
      count_read(summary, got.value(), trades, meter);
      // Trades of other symbols are read and ignored.
      book.on_trades(std::span<const AggTrade>(block.data(), got.value()));
    }
  }
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char line[96];
  std::snprintf(line, sizeof line, "%llu trades in %.1f s (%.2fM trades/s)",
                static_cast<unsigned long long>(summary.trades_read), elapsed_s,
                elapsed_s > 0 ? static_cast<double>(summary.trades_read) / elapsed_s / 1e6 : 0.0);
  meter.finish(line);
  return Status::ok();
}

Status BacktestRunner::State::write_outputs(BacktestSummary& summary) {
  for (SymbolRun& run : symbols) {
    SymbolBacktestSummary result;
    result.symbol = run.symbol;
    result.model = run.label;
    result.trades = run.pipeline->trades();
    result.late_trades = run.pipeline->late_trades();
    result.rows = run.pipeline->rows();
    result.model_update_errors = run.pipeline->model().update_errors();
    result.out_dir = run.dir;
    if (options.write_outputs) {
      Status closed = run.outputs->close_files();
      if (!closed) return closed;
      // A leg's panel, thinned once for every pair report that shows it.
      if (Status thinned = run.outputs->thin_panel(); !thinned) return thinned;
    }
    summary.symbols.push_back(result);
  }
  // Each pair's full-sample statistics and report are its own: written in
  // parallel, reported in config order.
  std::vector<PairBacktestSummary> results(pairs.size());
  std::vector<Status> statuses(pairs.size());
  // One full-sample Engle-Granger test per distinct (x, y) series: a pair's
  // several models, or pairs of the same legs, observe the same prices.
  std::vector<std::size_t> test_of(pairs.size());
  std::vector<std::size_t> tested;  // the first run of each distinct series
  if (options.write_outputs) {
    // The row logs are read from here on.
    for (PairRun& run : pairs) {
      if (Status closed = run.outputs->close_files(); !closed) return closed;
    }
    // Runs of the same (x, y) series (PairOutputs::xy_key) share the test of
    // the first of them: the models of one pair, pairs of the same legs and
    // sampling.
    std::map<std::array<std::uint64_t, 3>, std::size_t> test_of_series;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const auto [series, first] = test_of_series.emplace(pairs[i].outputs->xy_key(), tested.size());
      if (first) tested.push_back(i);
      test_of[i] = series->second;
    }
  }
  // What is left of the series files first (kept rows not yet formatted:
  // the longest tasks; a flush when rows were formatted as they came), then
  // the tests, then the pairs, from one queue: a pair thins its report while its test runs on
  // another thread, and waits for it only to write the figures. Every test
  // is taken before the first pair, so a waiting pair always waits on a test
  // being run.
  const std::size_t series = options.write_outputs ? pairs.size() + symbols.size() : 0;
  std::vector<Status> series_statuses(series);
  std::vector<std::promise<Result<EngleGrangerResult>>> test_runs(tested.size());
  std::vector<std::shared_future<Result<EngleGrangerResult>>> tests;
  for (auto& run : test_runs) tests.push_back(run.get_future().share());
  const std::size_t tasks = series + tested.size() + pairs.size();
  parallel_for(tasks, threads(tasks), [&](std::size_t task) {
    if (task < series) {
      SeriesCsvWriter* written = task < pairs.size() ? pairs[task].outputs->series()
                                                     : symbols[task - pairs.size()].outputs->series();
      series_statuses[task] = written ? written->close() : Status::ok();
      return;
    }
    task -= series;
    if (task < tested.size()) {
      test_runs[task].set_value(full_sample_engle_granger(pairs[tested[task]]));
      return;
    }
    const std::size_t i = task - tested.size();
    PairRun& run = pairs[i];
    PairPipeline& pipeline = *run.pipeline;
    PairBacktestSummary& pair = results[i];
    pair.pair = pipeline.spec().name;
    pair.model = run.label;
    pair.observations = pipeline.observations();
    pair.stale_drops = pipeline.aligner().stale_drops();
    pair.longest_break_ms = pipeline.aligner().longest_break_ms();
    pair.out_dir = run.dir;
    if (options.write_outputs) {
      // The legs' symbol models, y first, each in config order.
      std::vector<SymbolPanel> panels;
      for (const Symbol& leg : {pipeline.spec().y, pipeline.spec().x}) {
        for (const SymbolRun& symbol : symbols) {
          if (symbol.symbol == leg.view()) panels.push_back(symbol.outputs->panel(symbol.symbol, symbol.label));
        }
      }
      statuses[i] = write_pair_outputs(run, tests[test_of[i]], std::move(panels), options.provenance, pair);
    } else {
      pair.performance = run.outputs->performance(pipeline.ledger().closed_trades());
      pair.trades = pair.performance.n_trades;
      pair.pnl_usd = pair.performance.pnl_usd;
      pair.sharpe = pair.performance.sharpe;
      pair.max_drawdown_usd = pair.performance.max_drawdown_usd;
    }
  });
  for (const Status& written : series_statuses) {
    if (!written) return written;
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (!statuses[i]) return statuses[i];
    summary.pairs.push_back(results[i]);
  }
  if (!options.write_outputs) return Status::ok();
  // Runs of one pair are adjacent, in config order.
  for (std::size_t first = 0; first < pairs.size();) {
    std::size_t last = first + 1;
    while (last < pairs.size() && pairs[last].pipeline->spec().name == pairs[first].pipeline->spec().name) ++last;
    if (last - first > 1) {
      Status written = write_comparison(pairs, first, last, summary.pairs, options.out_dir);
      if (!written) return written;
    }
    first = last;
  }
  return Status::ok();
}

BacktestRunner::BacktestRunner(std::unique_ptr<State> state) : state_(std::move(state)) {}
BacktestRunner::~BacktestRunner() = default;

const std::vector<BacktestRunner::NeededSymbol>& BacktestRunner::symbols() const { return state_->needed; }

void BacktestRunner::set_funding(std::map<std::string, std::vector<FundingRate>> funding) {
  state_->funding = std::move(funding);
  const auto rates = [&](const Symbol& leg) -> std::span<const FundingRate> {
    const auto found = state_->funding.find(std::string(leg.view()));
    return found == state_->funding.end() ? std::span<const FundingRate>() : std::span<const FundingRate>(found->second);
  };
  for (PairRun& run : state_->pairs) run.pipeline->set_funding(rates(run.pipeline->spec().y), rates(run.pipeline->spec().x));
}

Result<std::unique_ptr<BacktestRunner>> BacktestRunner::create(const BacktestOptions& options) {
  const EngineConfig& config = options.config;
  for (const std::string& name : options.only_pairs) {
    const bool known = std::any_of(config.pairs.begin(), config.pairs.end(),
                                   [&](const PairConfig& pair) { return pair.name == name; });
    if (!known) {
      std::vector<std::string_view> names;
      for (const PairConfig& pair : config.pairs) names.push_back(pair.name);
      const std::string_view nearest = nearest_name(name, names);
      std::string message = "--pair " + name + ": no such pair in " + config.path;
      if (!nearest.empty()) message.append(" (did you mean '").append(nearest).append("'?)");
      message += "; its pairs:";
      for (const std::string_view pair : names) message.append(" ").append(pair);
      return Status::invalid_input(message);
    }
  }
  std::vector<std::string> selected = options.only_pairs;
  if (selected.empty()) {
    for (const PairConfig& pair : config.pairs) selected.push_back(pair.name);
  }
  auto state = std::make_unique<State>(options);
  Status status = state->create(selected);
  if (!status) return status;
  return std::unique_ptr<BacktestRunner>(new BacktestRunner(std::move(state)));
}

Result<BacktestSummary> BacktestRunner::run(TradeStream& trades,
                                            std::shared_future<std::vector<InputFileDigest>> inputs) {
  const auto started = std::chrono::steady_clock::now();
  State& state = *state_;
  if (state.ran) return Status::error("backtest: run() called twice");
  state.ran = true;
  if (state.options.write_outputs) {
    Status opened = state.open_outputs(state.cores_to_spare(trades));
    if (!opened) return opened;
  }

  BacktestSummary summary;
  Status status = state.consume(trades, summary);
  if (!status) return status;
  state.book.finish();
  for (auto& book : state.worker_books) book->finish();
  for (PairRun& run : state.pairs) run.outputs->on_finish(run.pipeline->ledger().last_point());
  summary.import_summaries = trades.summary();
  summary.skipped_rows = trades.skipped_rows();
  if (inputs.valid()) state.options.provenance.inputs = inputs.get();

  status = state.write_outputs(summary);
  if (!status) return status;
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

namespace {

// --funding SYMBOL=PATH: a file, a glob, or a directory's
// <SYMBOL>-fundingRate-* files; sorted, so months come in order.
Result<std::vector<std::string>> find_funding_files(const std::string& symbol, const std::vector<std::string>& specs) {
  std::vector<std::string> files;
  for (const std::string& spec : specs) {
    std::error_code ec;
    std::string pattern = spec;
    if (fs::is_directory(spec, ec)) pattern = (fs::path(spec) / (symbol + "-fundingRate-*")).string();
    if (!has_glob_characters(pattern)) {
      if (!fs::is_regular_file(pattern, ec)) return Status::invalid_input("--funding " + symbol + "=" + spec + ": no such file");
      files.push_back(pattern);
      continue;
    }
    auto paths = expand_glob(pattern);
    if (!paths) return Status::invalid_input("--funding " + symbol + "=" + spec + ": " + paths.error());
    files.insert(files.end(), paths->begin(), paths->end());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace

Result<BacktestSummary> run_backtest(const BacktestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto runner = BacktestRunner::create(options);
  if (!runner) return runner.status();

  const EngineConfig& config = options.config;
  for (const auto& [symbol, specs] : options.data_paths) {
    const bool used = std::any_of(config.pairs.begin(), config.pairs.end(),
                                  [&](const PairConfig& pair) { return pair.y == symbol || pair.x == symbol; }) ||
                      std::any_of(config.symbols.begin(), config.symbols.end(),
                                  [&](const SymbolConfig& entry) { return entry.symbol == symbol; });
    if (!used) {
      return Status::invalid_input("--data " + symbol + "=" + specs.front() + ": no pair or symbol model of " +
                                   config.path + " uses " + symbol);
    }
  }
  std::map<std::string, std::vector<FundingRate>> funding;
  for (const auto& [symbol, specs] : options.funding_paths) {
    const bool leg = std::any_of(config.pairs.begin(), config.pairs.end(),
                                 [&](const PairConfig& pair) { return pair.y == symbol || pair.x == symbol; });
    if (!leg) {
      return Status::invalid_input("--funding " + symbol + "=" + specs.front() + ": no pair of " + config.path +
                                   " has " + symbol + " as a leg");
    }
    auto files = find_funding_files(symbol, specs);
    if (!files) return files.status();
    auto rates = read_funding_rates(files.value());
    if (!rates) return rates.status();
    funding[symbol] = std::move(rates.value());
  }
  runner.value()->set_funding(std::move(funding));
  std::vector<CsvTradeStream::Source> sources;
  for (const BacktestRunner::NeededSymbol& needed : runner.value()->symbols()) {
    const auto specs = options.data_paths.find(needed.symbol);
    if (specs == options.data_paths.end()) {
      return Status::invalid_input("no --data " + needed.symbol + "=PATH given, but " + needed.used_by + " uses " +
                                   needed.symbol);
    }
    auto files = find_data_files(needed.symbol, specs->second, options.allow_symbol_mismatch);
    if (!files) return Status::invalid_input("--data " + needed.symbol + ": " + files.error());
    sources.push_back({needed.symbol, std::move(files.value())});
  }
  // The provenance's digests, on a thread of their own while the run reads
  // the same files (from the page cache, or the catalog's digest cache).
  std::shared_future<std::vector<InputFileDigest>> inputs =
      std::async(std::launch::async, [sources, catalog = options.catalog_dir] {
        std::vector<InputFileDigest> digests;
        for (const CsvTradeStream::Source& source : sources) {
          for (const DataFile& file : source.files) {
            std::error_code ec;
            const auto bytes = std::filesystem::file_size(file.path, ec);
            auto sha256 = cached_file_sha256(catalog, file.path);
            digests.push_back({source.symbol, file.path, ec ? 0 : static_cast<std::uint64_t>(bytes),
                               sha256 ? sha256.value() : std::string()});
          }
        }
        return digests;
      }).share();
  CsvImportOptions import;
  import.skip_bad_rows = options.skip_bad_rows;
  import.reorder_window = options.reorder_window;
  import.catalog_dir = options.catalog_dir;
  auto stream = CsvTradeStream::open(sources, import, options.range);
  if (!stream) return stream.status();

  auto summary = runner.value()->run(*stream.value(), inputs);
  if (summary) summary->elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace alphastream
