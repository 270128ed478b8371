#include "source/prefetch_trade_stream.h"

#include <chrono>

namespace alphastream {

PrefetchTradeStream::PrefetchTradeStream(std::unique_ptr<TradeStream> inner, std::size_t batch_size,
                                         std::size_t batches)
    : inner_(std::move(inner)), batch_size_(batch_size) {
  for (std::size_t i = 0; i < batches; ++i) {
    batches_.push_back(std::make_unique<Batch>());
    batches_.back()->trades.reserve(batch_size_);
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
    batch->trades.clear();
    batch->end = false;
    batch->status = Status::ok();
    AggTrade trade;
    while (batch->trades.size() < batch_size_) {
      Result<bool> more = inner_->next(trade);
      if (!more) {
        batch->status = more.status();
        break;
      }
      if (!more.value()) {
        batch->end = true;
        break;
      }
      batch->trades.push_back(trade);
    }
    const Progress progress = inner_->progress();
    progress_done_.store(progress.done, std::memory_order_relaxed);
    progress_total_.store(progress.total, std::memory_order_relaxed);
    const bool last = batch->end || !batch->status;
    filled_.enqueue(batch);
    if (last || stopping_.load(std::memory_order_relaxed)) return;
  }
}

Result<bool> PrefetchTradeStream::next(AggTrade& out) {
  while (true) {
    if (current_ != nullptr && position_ < current_->trades.size()) {
      out = current_->trades[position_++];
      return true;
    }
    if (finished_) {
      if (!failure_) return failure_;
      return false;
    }
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
        return failure_;
      }
    }
    position_ = 0;
  }
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
