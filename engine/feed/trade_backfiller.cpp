#include "feed/trade_backfiller.h"

#include <algorithm>
#include <charconv>

#include "feed/agg_trade_parser.h"

namespace alphastream {
namespace {

// A page is at most page_size trades of ~150 bytes; this bounds a hostile
// or broken answer, not a real one.
constexpr std::size_t kMaxPageBytes = 4 << 20;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A header holding a non-negative integer ("12", Retry-After's seconds), or -1.
std::int64_t header_integer(std::string_view text) {
  std::int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return -1;
  return value;
}

std::string_view host_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  return url.substr(0, url.find_first_of(":/"));
}

}  // namespace

std::int64_t binance_agg_trades_weight(std::string_view endpoint) {
  return endpoint.find("/api/v3/") != std::string_view::npos ? 4 : 20;
}

std::string binance_agg_trades_endpoint(std::string_view stream_url) {
  const std::string_view host = host_of(stream_url);
  if (host == "fstream.binance.com") return "https://fapi.binance.com/fapi/v1/aggTrades";
  if (host == "dstream.binance.com") return "https://dapi.binance.com/dapi/v1/aggTrades";
  if (host == "stream.binance.com" || host == "data-stream.binance.vision") {
    return "https://api.binance.com/api/v3/aggTrades";
  }
  return {};
}

TradeBackfiller::TradeBackfiller(BackfillOptions options, Deliver deliver)
    : options_(std::move(options)), deliver_(std::move(deliver)), worker_([this] { run(); }) {}

TradeBackfiller::~TradeBackfiller() { stop(); }

void TradeBackfiller::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void TradeBackfiller::request(std::uint64_t job, const Symbol& symbol, std::int64_t first_id,
                              std::int64_t last_id) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({job, symbol, first_id, last_id});
  }
  wake_.notify_all();
}

void TradeBackfiller::cancel_before(std::uint64_t job) {
  {
    std::lock_guard lock(mutex_);
    if (job > cancelled_below_.load(std::memory_order_relaxed)) cancelled_below_.store(job, std::memory_order_relaxed);
    std::erase_if(jobs_, [&](const Job& queued) { return queued.id < job; });
  }
  wake_.notify_all();
}

bool TradeBackfiller::cancelled(const Job& job) const {
  return stopping_.load(std::memory_order_relaxed) || job.id < cancelled_below_.load(std::memory_order_relaxed);
}

void TradeBackfiller::run() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = jobs_.front();
      jobs_.pop_front();
    }
    fetch(job);
  }
}

bool TradeBackfiller::sleep_for(std::chrono::milliseconds duration, const Job& job) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [&] { return cancelled(job); });
  return !cancelled(job);
}

bool TradeBackfiller::wait_for_budget(const Job& job) {
  while (true) {
    const std::int64_t now = wall_ms();
    const std::int64_t minute = now / 60'000;
    if (minute != minute_) {
      minute_ = minute;
      used_weight_ = 0;
    }
    if (used_weight_ + options_.request_weight <= options_.max_weight_per_minute) return true;
    stats_.weight_waits_total.fetch_add(1, std::memory_order_relaxed);
    if (!sleep_for(std::chrono::milliseconds((minute + 1) * 60'000 - now + 10), job)) return false;
  }
}

void TradeBackfiller::fetch(const Job& job) {
  HttpsClient client(options_.http);
  const std::string symbol(job.symbol.view());
  std::int64_t next = job.first_id;
  int failures = 0;
  Status ended;
  while (next <= job.last_id) {
    if (cancelled(job) || !wait_for_budget(job)) {
      ended = Status::error(symbol + ": backfill cancelled at id " + std::to_string(next));
      break;
    }
    const std::int64_t limit = std::min(options_.page_size, job.last_id - next + 1);
    const std::string url = options_.endpoint + "?symbol=" + symbol + "&fromId=" + std::to_string(next) +
                            "&limit=" + std::to_string(limit);
    HttpsResponse head;
    stats_.requests_total.fetch_add(1, std::memory_order_relaxed);
    used_weight_ += options_.request_weight;
    auto body = client.get_text(url, kMaxPageBytes, &head);
    if (body) {
      // The venue's own count covers every client on this address.
      if (const std::int64_t used = header_integer(head.header("x-mbx-used-weight-1m")); used >= 0) {
        used_weight_ = std::max(used_weight_, used);
      }
    }
    Status failed;
    if (body && (head.status == 429 || head.status == 418)) {
      stats_.rate_limited_total.fetch_add(1, std::memory_order_relaxed);
      const std::int64_t retry_s = header_integer(head.header("retry-after"));
      const auto wait = std::chrono::milliseconds(retry_s >= 0 ? retry_s * 1000 : 60'000);
      if (wait > options_.max_retry_after) {
        ended = Status::error(url + ": HTTP " + std::to_string(head.status) + ", retry after " +
                              std::to_string(retry_s) + " s: longer than the backfill waits");
        break;
      }
      if (!sleep_for(wait, job)) {
        ended = Status::error(symbol + ": backfill cancelled at id " + std::to_string(next));
        break;
      }
      continue;
    }
    std::vector<AggTrade> trades;
    if (!body) {
      failed = body.status();
    } else if (head.status != 200) {
      failed = Status::error(url + ": HTTP " + std::to_string(head.status) + " " + head.error_body.substr(0, 200));
    } else {
      std::size_t element = 0;
      const ParseStatus parsed = parse_rest_agg_trades(*body, job.symbol, trades, &element);
      if (!parsed) {
        failed = Status::error(url + ": element " + std::to_string(element) + ": " + parsed.message() +
                               " (expected a JSON array of aggTrade objects)");
      } else {
        // Ascending ids from `next` on; past the range are live trades the
        // caller has already.
        std::int64_t previous = next - 1;
        for (const AggTrade& trade : trades) {
          if (trade.agg_trade_id <= previous) {
            failed = Status::error(url + ": id " + std::to_string(trade.agg_trade_id) + " after " +
                                   std::to_string(previous) + ": ids must rise from fromId on");
            break;
          }
          previous = trade.agg_trade_id;
        }
        std::erase_if(trades, [&](const AggTrade& trade) { return trade.agg_trade_id > job.last_id; });
      }
    }
    if (failed.is_ok()) {
      if (trades.empty()) {
        // The venue has nothing at or after `next` within the range: those
        // ids do not exist there (yet).
        ended = Status::error(url + ": no trades at or after id " + std::to_string(next));
        break;
      }
      failures = 0;
      next = trades.back().agg_trade_id + 1;
      stats_.trades_total.fetch_add(trades.size(), std::memory_order_relaxed);
      deliver_({job.id, job.symbol, std::move(trades), false, Status::ok()});
      continue;
    }
    stats_.errors_total.fetch_add(1, std::memory_order_relaxed);
    if (++failures >= std::max(1, options_.attempts)) {
      ended = Status::error(failed.message() + " (after " + std::to_string(failures) + " attempts)");
      break;
    }
    if (!sleep_for(options_.retry_delay * (1 << (failures - 1)), job)) {
      ended = Status::error(symbol + ": backfill cancelled at id " + std::to_string(next));
      break;
    }
  }
  // Stopping: the caller is going away and wants no more calls.
  if (!stopping_.load(std::memory_order_relaxed)) deliver_({job.id, job.symbol, {}, true, ended});
}

}  // namespace alphastream
