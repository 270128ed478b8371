// Reads another stream on a thread of its own, a few batches ahead, so the
// parsing of one symbol's files overlaps the other symbols' parsing and the
// merge and pipelines downstream. The order is the inner stream's, so the
// outputs are the same byte for byte; memory is the batches in flight
// (batches x batch_size trades), whatever the input's length.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "core/batch_queue.h"
#include "source/trade_stream.h"

namespace alphastream {

class PrefetchTradeStream : public TradeStream {
 public:
  // Starts reading inner at once. REQUIRES: batches >= 2, batch_size >= 1.
  explicit PrefetchTradeStream(std::unique_ptr<TradeStream> inner, std::size_t batch_size = 8192,
                               std::size_t batches = 4);
  // Stops the reader (it may be a batch ahead) and joins it.
  ~PrefetchTradeStream() override;
  PrefetchTradeStream(const PrefetchTradeStream&) = delete;
  PrefetchTradeStream& operator=(const PrefetchTradeStream&) = delete;

  Result<bool> next(AggTrade& out) override;
  Result<std::size_t> read(std::span<AggTrade> out) override;
  // Stop the reader first when it has not ended: they read the inner stream.
  std::vector<std::string> summary() const override;
  std::vector<std::string> skipped_rows() const override;
  // As of the last batch read ahead.
  Progress progress() const override;
  unsigned own_threads() const override { return 1 + inner_->own_threads(); }

 private:
  struct Batch {
    std::vector<AggTrade> trades;  // batch_size_ of them, the first `count` read
    std::size_t count = 0;
    bool end = false;  // the inner stream ended after these trades
    Status status;     // or failed after them
  };
  void read_ahead();
  // Makes current_ a batch with trades left to hand out; false at the end
  // or on an error (failure_).
  bool next_batch();
  void stop_reader() const;

  std::unique_ptr<TradeStream> inner_;
  const std::size_t batch_size_;
  std::vector<std::unique_ptr<Batch>> batches_;
  BatchQueue<Batch*> filled_;
  BatchQueue<Batch*> empty_;
  Batch* current_ = nullptr;
  std::size_t position_ = 0;
  bool finished_ = false;
  Status failure_;
  std::atomic<std::uint64_t> progress_done_{0};
  std::atomic<std::uint64_t> progress_total_{0};
  std::atomic<int> progress_unit_{0};
  mutable std::atomic<bool> stopping_{false};
  mutable std::thread reader_;
};

}  // namespace alphastream
