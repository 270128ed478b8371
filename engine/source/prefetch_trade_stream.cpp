#include "source/prefetch_trade_stream.h"

#include <algorithm>
#include <chrono>

namespace alphastream {

PrefetchTradeStream::PrefetchTradeStream(std::unique_ptr<TradeStream> inner, std::size_t batch_size,
                                         std::size_t batches)
    : inner_(std::move(inner)), batch_size_(batch_size) {
  for (std::size_t i = 0; i < batches; ++i) {
    batches_.push_back(std::make_unique<Batch>());
    batches_.back()->trades.resize(batch_size_);
    empty_.enqueue(batches_.back().get());
  }
  const Progress start = inner_->progress();
  progress_total_.store(start.total, std::memory_order_relaxed);
  progress_unit_.store(static_cast<int>(start.unit), std::memory_order_relaxed);
  reader_ = std::thread([this] { read_ahead(); });
}

PrefetchTradeStream::~PrefetchTradeStream() { stop_reader(); }

void PrefetchTradeStream::stop_reader() const {
  stopping_.store(true, std::memory_order_relaxed);
  if (reader_.joinable()) reader_.join();
}

void PrefetchTradeStream::read_ahead() {
  while (true) {
    Batch* batch = nullptr;
    // Timed, so a consumer that stopped reading cannot leave this waiting.
    while (!empty_.wait_dequeue_timed(batch, std::chrono::milliseconds(20))) {
      if (stopping_.load(std::memory_order_relaxed)) return;
    }
    batch->count = 0;
    batch->end = false;
    batch->status = Status::ok();
    while (batch->count < batch_size_) {
      Result<std::size_t> got = inner_->read(std::span<AggTrade>(batch->trades).subspan(batch->count));
      if (!got) {
        batch->status = got.status();
        break;
      }
      if (got.value() == 0) {
        batch->end = true;
        break;
      }
      batch->count += got.value();
    }
    const Progress progress = inner_->progress();
    progress_done_.store(progress.done, std::memory_order_relaxed);
    progress_total_.store(progress.total, std::memory_order_relaxed);
    const bool last = batch->end || !batch->status;
    filled_.enqueue(batch);
    if (last || stopping_.load(std::memory_order_relaxed)) return;
  }
}

bool PrefetchTradeStream::next_batch() {
  while (true) {
    if (current_ != nullptr && position_ < current_->count) return true;
    if (finished_) return false;
    if (current_ != nullptr) {
      if (current_->end || !current_->status) {
        finished_ = true;
        failure_ = current_->status;
        stop_reader();
        continue;
      }
      empty_.enqueue(current_);
    }
    while (!filled_.wait_dequeue_timed(current_, std::chrono::milliseconds(20))) {
      if (stopping_.load(std::memory_order_relaxed) && !filled_.try_dequeue(current_)) {
        current_ = nullptr;
        finished_ = true;
        failure_ = Status::error("read after summary() stopped the read-ahead");
        return false;
      }
    }
    position_ = 0;
  }
}

Result<bool> PrefetchTradeStream::next(AggTrade& out) {
  if (!next_batch()) {
    if (!failure_) return failure_;
    return false;
  }
  out = current_->trades[position_++];
  return true;
}

Result<std::size_t> PrefetchTradeStream::read(std::span<AggTrade> out) {
  std::size_t count = 0;
  while (count < out.size() && next_batch()) {
    const std::size_t take = std::min(out.size() - count, current_->count - position_);
    std::copy_n(current_->trades.begin() + static_cast<std::ptrdiff_t>(position_), take, out.begin() + static_cast<std::ptrdiff_t>(count));
    position_ += take;
    count += take;
  }
  if (count == 0 && !failure_) return failure_;
  return count;
}

std::vector<std::string> PrefetchTradeStream::summary() const {
  stop_reader();
  return inner_->summary();
}

std::vector<std::string> PrefetchTradeStream::skipped_rows() const {
  stop_reader();
  return inner_->skipped_rows();
}

TradeStream::Progress PrefetchTradeStream::progress() const {
  return {progress_done_.load(std::memory_order_relaxed), progress_total_.load(std::memory_order_relaxed),
          static_cast<ProgressMeter::Unit>(progress_unit_.load(std::memory_order_relaxed))};
}

}  // namespace alphastream
