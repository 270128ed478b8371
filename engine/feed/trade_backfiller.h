// Fetches the aggregate trades of an id gap from the venue's REST endpoint
// (Binance's aggTrades?fromId=: /fapi/v1 for USD-M, /dapi/v1 for COIN-M,
// /api/v3 for spot), a page of up to 1000 at a time, on a thread of its own
// so the I/O reactor never waits on HTTP. Requests stay inside a budget of
// request weight per minute, which the venue's X-MBX-USED-WEIGHT-1M answer
// header corrects (the same IP may run other tools); a 429 or 418 waits for
// its Retry-After. Pages are handed to `deliver` on this thread in id order;
// the caller moves them to its own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"
#include "feed/https_client.h"

namespace alphastream {

struct BackfillOptions {
  // The aggTrades endpoint, e.g. https://fapi.binance.com/fapi/v1/aggTrades.
  std::string endpoint;
  std::int64_t request_weight = 20;           // Binance: 20 (fapi, dapi), 4 (api/v3)
  std::int64_t max_weight_per_minute = 1000;  // below Binance's 2400 (futures) and 6000 (spot)
  std::int64_t page_size = 1000;              // Binance's largest `limit`
  int attempts = 3;                           // per page, for errors other than rate limits
  std::chrono::milliseconds retry_delay{500};   // doubled per attempt
  std::chrono::milliseconds max_retry_after{120000};  // a longer Retry-After ends the job
  HttpsClientOptions http;
};

// The weight figures of the endpoints Binance documents; 20 when unknown.
std::int64_t binance_agg_trades_weight(std::string_view endpoint);
// The aggTrades endpoint for a Binance stream URL (fstream -> fapi, dstream
// -> dapi, stream -> api/v3), or empty when the host is not Binance's.
std::string binance_agg_trades_endpoint(std::string_view stream_url);

// One page of a job, or its end.
struct BackfillPage {
  std::uint64_t job = 0;
  Symbol symbol;
  std::vector<AggTrade> trades;  // ascending ids within the job's range
  bool last = false;             // the job is over: done, failed or cancelled
  Status status;                 // on the last page: why it ended early, if it did
};

struct BackfillStats {
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> rate_limited_total{0};  // 429/418 answers
  std::atomic<std::uint64_t> errors_total{0};        // failed requests, bad pages
  std::atomic<std::uint64_t> trades_total{0};        // trades delivered
  std::atomic<std::uint64_t> weight_waits_total{0};  // requests held back by the budget
};

class TradeBackfiller {
 public:
  using Deliver = std::function<void(BackfillPage page)>;

  // Starts the worker thread. deliver runs on it.
  TradeBackfiller(BackfillOptions options, Deliver deliver);
  // Stops.
  ~TradeBackfiller();
  TradeBackfiller(const TradeBackfiller&) = delete;
  TradeBackfiller& operator=(const TradeBackfiller&) = delete;

  // Queues the fetch of symbol's ids first_id..last_id (inclusive). [any thread]
  void request(std::uint64_t job, const Symbol& symbol, std::int64_t first_id, std::int64_t last_id);
  // Ends every job numbered below `job`: queued ones are dropped, a running
  // one stops before its next request and reports a last page. [any thread]
  void cancel_before(std::uint64_t job);

  // Cancels every job and joins the thread; deliver is not called again.
  // Idempotent. The stats stay readable.
  void stop();

  const BackfillStats& stats() const { return stats_; }
  const BackfillOptions& options() const { return options_; }

 private:
  struct Job {
    std::uint64_t id;
    Symbol symbol;
    std::int64_t first_id;
    std::int64_t last_id;
  };
  void run();
  void fetch(const Job& job);
  // Waits for weight in this minute's budget; false when stopping or cancelled.
  bool wait_for_budget(const Job& job);
  // Sleeps for duration unless the job is cancelled or the worker stops.
  bool sleep_for(std::chrono::milliseconds duration, const Job& job);
  bool cancelled(const Job& job) const;

  const BackfillOptions options_;
  const Deliver deliver_;
  BackfillStats stats_;
  std::mutex mutex_;  // guards jobs_, stopping_; jobs are rare, never on the hot path
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> cancelled_below_{0};
  // The budget's minute (wall clock, as the venue's counter) and its weight.
  std::int64_t minute_ = -1;
  std::int64_t used_weight_ = 0;
  std::thread worker_;
};

}  // namespace alphastream
