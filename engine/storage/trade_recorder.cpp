#include "storage/trade_recorder.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>

#include "storage/journal_env.h"

namespace alphastream {

using storage_internal::as_val;
using storage_internal::JournalEnv;
using storage_internal::kNextSequenceKey;
using storage_internal::SymbolSummaryKey;
using storage_internal::TxnGuard;

namespace {

constexpr std::chrono::microseconds kFillSlice{1000};
constexpr std::size_t kSymbolCapacity = 256;

Status check_options(const TradeRecorderOptions& options) {
  const std::string where = "trade recorder " + options.path + ": ";
  if (options.map_size_mb == 0 || options.map_size_mb > (std::numeric_limits<std::size_t>::max() >> 20)) {
    return Status::invalid_input(where + "map_size_mb must be positive and fit in memory, got " +
                                 std::to_string(options.map_size_mb));
  }
  if (options.queue_capacity == 0) return Status::invalid_input(where + "queue_capacity must be positive");
  if (options.max_batch == 0) return Status::invalid_input(where + "max_batch must be positive");
  if (options.flush_interval.count() <= 0) {
    return Status::invalid_input(where + "flush_interval must be positive");
  }
  return Status::ok();
}

std::size_t find_or_add(std::vector<SymbolSummary>& symbols, std::vector<bool>& touched,
                        const Symbol& symbol) {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i].symbol == symbol) return i;
  }
  SymbolSummary fresh;
  fresh.symbol = symbol;
  symbols.push_back(fresh);
  touched.push_back(false);
  return symbols.size() - 1;
}

}  // namespace

Result<std::unique_ptr<TradeRecorder>> TradeRecorder::open(const TradeRecorderOptions& options) {
  if (Status status = check_options(options); !status) return status;
  Result<std::unique_ptr<JournalEnv>> env =
      JournalEnv::open(options.path, JournalEnv::Mode::kRecord, options.map_size_mb << 20);
  if (!env) return env.status();
  Result<MDB_txn*> txn = (*env)->begin_read();
  if (!txn) return txn.status();
  Result<JournalSummary> summary = (*env)->read_summary(*txn);
  mdb_txn_abort(*txn);
  if (!summary) return summary.status();

  std::unique_ptr<TradeRecorder> recorder(new TradeRecorder(options, std::move(*env), std::move(*summary)));
  // Touches every block once, so that the first burst does not take page
  // faults on the producer thread.
  Queue& queue = recorder->queue_;
  std::size_t filled = 0;
  while (filled < options.queue_capacity && queue.try_enqueue(recorder->producer_, AggTrade{})) ++filled;
  while (queue.try_dequeue_bulk(recorder->batch_.begin(), recorder->batch_.size()) > 0) {
  }
  TradeRecorder* self = recorder.get();
  recorder->record_map_usage();  // a journal reopened is not empty
  recorder->writer_ = std::thread([self] { self->run_writer(); });
  return recorder;
}

TradeRecorder::TradeRecorder(TradeRecorderOptions options, std::unique_ptr<JournalEnv> env,
                             JournalSummary summary)
    : options_(std::move(options)),
      env_(std::move(env)),
      summary_at_open_(std::move(summary)),
      // Preallocates the blocks for queue_capacity trades, and sizes the one
      // explicit producer's block index from them: try_enqueue never allocates.
      queue_(options_.queue_capacity, 1, 0),
      producer_(queue_),
      batch_(options_.max_batch),
      next_sequence_(summary_at_open_.next_sequence),
      symbols_(summary_at_open_.symbols) {
  const std::size_t capacity = std::max(kSymbolCapacity, 2 * symbols_.size());
  symbols_.reserve(capacity);
  pending_symbols_.reserve(capacity);
  touched_.reserve(capacity);
}

TradeRecorder::~TradeRecorder() { close(); }

bool TradeRecorder::try_enqueue(const AggTrade& trade) {
  if (!queue_.try_enqueue(producer_, trade)) return false;
  // One producer: a plain store is enough, and cheaper than an RMW.
  enqueued_total_.store(enqueued_total_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  return true;
}

bool TradeRecorder::record(const AggTrade& trade) {
  if (disabled_.load(std::memory_order_relaxed)) {
    errors_total_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  if (!try_enqueue(trade)) {
    dropped_total_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

bool TradeRecorder::record_waiting(const AggTrade& trade) {
  // A disabled writer stops taking trades: checked on every turn, or this
  // would wait for room that never comes.
  while (!disabled_.load(std::memory_order_relaxed)) {
    if (try_enqueue(trade)) return true;
    std::this_thread::yield();
  }
  errors_total_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

Status TradeRecorder::flush() {
  const std::uint64_t target = enqueued_total_.load(std::memory_order_acquire);
  std::unique_lock<std::mutex> lock(mutex_);
  ++flush_waiters_;
  processed_cv_.wait(lock, [&] { return processed_total_.load(std::memory_order_acquire) >= target; });
  --flush_waiters_;
  if (!disabled_.load(std::memory_order_acquire)) return Status::ok();
  if (error_message_.empty())
    return Status::error("trade recorder " + options_.path + ": recording disabled");
  return Status::error(error_message_);
}

void TradeRecorder::close() {
  if (closed_) return;
  closed_ = true;
  stopping_.store(true, std::memory_order_release);
  if (writer_.joinable()) writer_.join();
  env_.reset();
}

Result<JournalSummary> TradeRecorder::summary() const {
  Result<MDB_txn*> txn = env_->begin_read();
  if (!txn) return txn.status();
  TxnGuard guard(*txn);
  return env_->read_summary(*txn);
}

Result<std::unique_ptr<TradeJournalCursor>> TradeRecorder::cursor(std::int64_t from_ms, std::int64_t to_ms) const {
  return TradeJournalCursor::open(env_.get(), from_ms, to_ms);
}

TradeRecorderStats TradeRecorder::stats() const {
  TradeRecorderStats stats;
  stats.records_total = records_total_.load(std::memory_order_relaxed);
  stats.commits_total = commits_total_.load(std::memory_order_relaxed);
  stats.errors_total = errors_total_.load(std::memory_order_relaxed);
  stats.dropped_total = dropped_total_.load(std::memory_order_relaxed);
  stats.disabled = disabled_.load(std::memory_order_relaxed);
  stats.map_used_bytes = map_used_bytes_.load(std::memory_order_relaxed);
  stats.map_size_bytes = static_cast<std::uint64_t>(options_.map_size_mb) << 20;
  return stats;
}

void TradeRecorder::run_writer() {
  moodycamel::ConsumerToken consumer(queue_);
  while (true) {
    // Read before draining: once stopping is seen, every trade queued
    // before close() is visible, so an empty queue means done.
    const bool stopping = stopping_.load(std::memory_order_acquire);
    const std::size_t count = collect_batch(consumer, stopping);
    if (count == 0 && stopping) return;
    if (count == 0) continue;
    try {
      write_batch(count);
    } catch (...) {
      // Only building an error message can throw (out of memory): the
      // writer thread must survive it, and flush() must not wait forever.
      errors_total_.fetch_add(count, std::memory_order_relaxed);
      disabled_.store(true, std::memory_order_release);
      mark_processed(count);
    }
  }
}

std::size_t TradeRecorder::collect_batch(moodycamel::ConsumerToken& consumer, bool stopping) {
  const std::size_t max = batch_.size();
  if (stopping) return queue_.try_dequeue_bulk(consumer, batch_.begin(), max);
  std::size_t count = queue_.wait_dequeue_bulk_timed(consumer, batch_.begin(), max, options_.flush_interval);
  if (count == 0) return 0;
  // Wait for the batch to fill, in short slices so that a flush() or
  // close() does not wait for the whole interval.
  const Clock& clock = options_.clock ? *options_.clock : system_clock();
  const auto deadline = clock.steady_now() + options_.flush_interval;
  while (count < max) {
    if (flush_waiters_.load(std::memory_order_relaxed) > 0 || stopping_.load(std::memory_order_relaxed)) {
      return count + queue_.try_dequeue_bulk(consumer, batch_.begin() + count, max - count);
    }
    const auto now = clock.steady_now();
    if (now >= deadline) break;
    // kFillSlice is no longer than a manual clock's poll, so a test that
    // moves the clock is seen within a slice.
    const auto slice =
        std::min(std::chrono::duration_cast<std::chrono::microseconds>(deadline - now), kFillSlice);
    count += queue_.wait_dequeue_bulk_timed(consumer, batch_.begin() + count, max - count, slice);
  }
  return count;
}

void TradeRecorder::write_batch(std::size_t count) {
  if (disabled_.load(std::memory_order_relaxed)) {
    errors_total_.fetch_add(count, std::memory_order_relaxed);
    mark_processed(count);
    return;
  }
  Status status;
  try {
    status = commit_batch(count);
  } catch (const std::exception& e) {
    status = Status::error("trade journal " + options_.path + ": writing a batch: " + e.what());
  }
  if (status) {
    records_total_.fetch_add(count, std::memory_order_relaxed);
    commits_total_.fetch_add(1, std::memory_order_relaxed);
    record_map_usage();
  } else {
    disable(status.message(), count);
  }
  mark_processed(count);
}

void TradeRecorder::record_map_usage() {
  // Read on the writer's thread, which owns the environment: a scrape never
  // touches it (close() may be tearing it down).
  MDB_envinfo info;
  MDB_stat stat;
  if (mdb_env_info(env_->env(), &info) == 0 && mdb_env_stat(env_->env(), &stat) == 0) {
    map_used_bytes_.store((static_cast<std::uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize,
                          std::memory_order_relaxed);
  }
}

Status TradeRecorder::commit_batch(std::size_t count) {
  // Summaries change only if the transaction commits.
  pending_symbols_ = symbols_;
  touched_.assign(pending_symbols_.size(), false);

  MDB_txn* raw = nullptr;
  if (int rc = mdb_txn_begin(env_->env(), nullptr, 0, &raw); rc != 0) {
    return Status::error(env_->error("mdb_txn_begin", rc));
  }
  TxnGuard txn(raw);
  for (std::size_t i = 0; i < count; ++i) {
    const AggTrade& trade = batch_[i];
    TradeKeyBytes key_bytes = encode_trade_key({trade.transact_time_ms, next_sequence_ + i});
    TradeValueBytes value_bytes = encode_trade_value(trade);
    MDB_val key{key_bytes.size(), key_bytes.data()};
    MDB_val value{value_bytes.size(), value_bytes.data()};
    // NOOVERWRITE: sequences are unique, so an existing key means a bug, never a merge.
    if (int rc = mdb_put(raw, env_->trades(), &key, &value, MDB_NOOVERWRITE); rc != 0) {
      const std::string_view key_view(reinterpret_cast<const char*>(key_bytes.data()), key_bytes.size());
      return Status::error(env_->error("mdb_put " + describe_trade_key(key_view), rc));
    }
    const std::size_t index = find_or_add(pending_symbols_, touched_, trade.symbol);
    pending_symbols_[index].add(trade);
    touched_[index] = true;
  }
  for (std::size_t i = 0; i < pending_symbols_.size(); ++i) {
    if (!touched_[i]) continue;
    const std::string_view name = pending_symbols_[i].symbol.view();
    SymbolSummaryKey key_bytes(name);
    MDB_val key = key_bytes.val();
    SymbolSummaryBytes value_bytes = encode_symbol_summary(pending_symbols_[i]);
    MDB_val value{value_bytes.size(), value_bytes.data()};
    if (int rc = mdb_put(raw, env_->meta(), &key, &value, 0); rc != 0) {
      return Status::error(env_->error("mdb_put symbol summary " + std::string(name), rc));
    }
  }
  std::array<std::uint8_t, 8> sequence_bytes;
  std::uint64_t next = next_sequence_ + count;
  for (std::uint8_t& byte : sequence_bytes) {
    byte = static_cast<std::uint8_t>(next);
    next >>= 8;
  }
  MDB_val key = as_val(kNextSequenceKey);
  MDB_val value{sequence_bytes.size(), sequence_bytes.data()};
  if (int rc = mdb_put(raw, env_->meta(), &key, &value, 0); rc != 0) {
    return Status::error(env_->error("mdb_put next_sequence", rc));
  }
  if (int rc = mdb_txn_commit(txn.release()); rc != 0) {
    return Status::error(env_->error("mdb_txn_commit", rc));
  }
  next_sequence_ += count;
  symbols_.swap(pending_symbols_);
  return Status::ok();
}

void TradeRecorder::disable(const std::string& message, std::size_t lost) noexcept {
  errors_total_.fetch_add(lost, std::memory_order_relaxed);
  try {
    std::string full = message + " (map_size_mb=" + std::to_string(options_.map_size_mb) +
                       "); recording disabled until the recorder is reopened, " + std::to_string(lost) +
                       " trades of the failed batch and all later ones counted in errors_total";
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_message_ = full;
    }
    disabled_.store(true, std::memory_order_release);
    report_error(full);
  } catch (...) {
    disabled_.store(true, std::memory_order_release);
  }
}

void TradeRecorder::mark_processed(std::size_t count) {
  processed_total_.fetch_add(count, std::memory_order_release);
  // Taking the lock orders the update before a waiter's check of it.
  { std::lock_guard<std::mutex> lock(mutex_); }
  processed_cv_.notify_all();
}

void TradeRecorder::report_error(std::string_view message) const noexcept {
  try {
    if (options_.on_error) {
      options_.on_error(message);
      return;
    }
  } catch (...) {
    // A throwing callback must not take the writer thread down; fall through to stderr.
  }
  std::fprintf(stderr, "alphastream: %.*s\n", static_cast<int>(message.size()), message.data());
}

}  // namespace alphastream
