// TradeBackfiller against the simulator's REST aggTrades over HTTPS on
// loopback: pages in id order, a 429 waited out, the weight budget, errors.
#include "feed/trade_backfiller.h"

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "feed/agg_trade_parser.h"
#include "simulator/binance_simulator.h"

namespace alphastream {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;

// The pages a backfiller delivered, read from the test thread.
class PageLog {
 public:
  TradeBackfiller::Deliver sink() {
    return [this](BackfillPage page) {
      std::lock_guard lock(mutex_);
      pages_.push_back(std::move(page));
    };
  }
  std::vector<BackfillPage> pages() {
    std::lock_guard lock(mutex_);
    return pages_;
  }
  // Waits up to timeout for a job's last page.
  bool wait_for_end(std::uint64_t job, milliseconds timeout = milliseconds(20000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const BackfillPage& page : pages()) {
        if (page.job == job && page.last) return true;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
  }
  std::vector<AggTrade> trades(std::uint64_t job) {
    std::vector<AggTrade> out;
    for (const BackfillPage& page : pages()) {
      if (page.job == job) out.insert(out.end(), page.trades.begin(), page.trades.end());
    }
    return out;
  }
  Status end_status(std::uint64_t job) {
    for (const BackfillPage& page : pages()) {
      if (page.job == job && page.last) return page.status;
    }
    return Status::error("no last page");
  }

 private:
  std::mutex mutex_;
  std::vector<BackfillPage> pages_;
};

std::string ca_path() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::temp_directory_path() / ("alphastream-backfill-" + std::string(info->name()));
  std::filesystem::create_directories(dir);
  return (dir / "ca.pem").string();
}

SimulatorOptions tls_simulator(const Clock* clock) {
  SimulatorOptions options;
  options.tls = true;
  options.ca_file_out = ca_path();
  options.trades_per_second = 1000;
  options.clock = clock;
  options.pairs = {SimulatedPair{"ETHUSDT", "BTCUSDT"}};
  return options;
}

BackfillOptions options_for(const BinanceSimulator& simulator, const std::string& ca_file) {
  BackfillOptions options;
  options.endpoint = simulator.rest_url();
  options.http.ca_file = ca_file;
  options.max_weight_per_minute = 6000;
  options.retry_delay = milliseconds(10);
  return options;
}

// The oldest trade the simulator remembers for symbol (REST, fromId=0).
AggTrade first_remembered(const std::string& rest_url, const std::string& ca_file, const std::string& symbol) {
  HttpsClient client({ca_file});
  HttpsResponse head;
  auto body = client.get_text(rest_url + "?symbol=" + symbol + "&fromId=0&limit=1", 1 << 16, &head);
  EXPECT_TRUE(body) << body.error();
  std::vector<AggTrade> trades;
  EXPECT_TRUE(body && parse_rest_agg_trades(*body, Symbol(symbol), trades));
  EXPECT_EQ(trades.size(), 1u);
  return trades.empty() ? AggTrade{} : trades[0];
}

TEST(TradeBackfiller, FetchesARangeInPagesOverHttpsInIdOrder) {
  auto simulator = BinanceSimulator::start(tls_simulator(&system_clock()));
  ASSERT_TRUE(simulator) << simulator.error();
  const std::string ca = ca_path();
  std::this_thread::sleep_for(milliseconds(300));  // ~300 trades a symbol
  const AggTrade first = first_remembered((*simulator)->rest_url(), ca, "ETHUSDT");

  PageLog log;
  BackfillOptions options = options_for(**simulator, ca);
  options.page_size = 7;
  TradeBackfiller backfiller(options, log.sink());
  backfiller.request(1, Symbol("ETHUSDT"), first.agg_trade_id + 10, first.agg_trade_id + 60);
  ASSERT_TRUE(log.wait_for_end(1));
  EXPECT_TRUE(log.end_status(1)) << log.end_status(1).message();
  const std::vector<AggTrade> trades = log.trades(1);
  ASSERT_EQ(trades.size(), 51u);
  for (std::size_t i = 0; i < trades.size(); ++i) {
    EXPECT_EQ(trades[i].agg_trade_id, first.agg_trade_id + 10 + static_cast<std::int64_t>(i));
    EXPECT_EQ(trades[i].symbol.view(), "ETHUSDT");
    EXPECT_GT(trades[i].price, 0);
    if (i > 0) {
      EXPECT_GE(trades[i].transact_time_ms, trades[i - 1].transact_time_ms);
    }
  }
  EXPECT_EQ(backfiller.stats().requests_total.load(), 8u);  // ceil(51 / 7)
  EXPECT_EQ(backfiller.stats().trades_total.load(), 51u);
  EXPECT_EQ(backfiller.stats().errors_total.load(), 0u);
}

TEST(TradeBackfiller, A429IsWaitedOutForItsRetryAfterThenTheJobCompletes) {
  // The simulator's minute ends a second after start: its 429 says
  // Retry-After: 1, and the test moves its clock past the minute then.
  ManualClock clock;
  const std::int64_t minute_ms = 60'000;
  clock.set_wall_ns(((clock.wall_ns() / 1'000'000 / minute_ms + 1) * minute_ms - 1'500) * 1'000'000);
  SimulatorOptions sim = tls_simulator(&clock);
  sim.rest_weight_limit = 40;  // two requests a minute
  auto simulator = BinanceSimulator::start(sim);
  ASSERT_TRUE(simulator) << simulator.error();
  for (int i = 0; i < 50; ++i) {  // 500 ms of trades
    clock.advance(milliseconds(10));
    std::this_thread::sleep_for(milliseconds(1));
  }
  std::this_thread::sleep_for(milliseconds(50));
  const std::string ca = ca_path();
  const AggTrade first = first_remembered((*simulator)->rest_url(), ca, "BTCUSDT");  // the minute's first request

  PageLog log;
  BackfillOptions options = options_for(**simulator, ca);
  options.page_size = 10;
  TradeBackfiller backfiller(options, log.sink());
  backfiller.request(3, Symbol("BTCUSDT"), first.agg_trade_id, first.agg_trade_id + 24);  // three pages
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*simulator)->stats().rest_rate_limited == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_EQ((*simulator)->stats().rest_rate_limited, 1u);
  EXPECT_EQ(log.trades(3).size(), 10u);  // the page before the limit
  clock.advance(milliseconds(2000));     // the next minute
  ASSERT_TRUE(log.wait_for_end(3));
  EXPECT_TRUE(log.end_status(3)) << log.end_status(3).message();
  EXPECT_EQ(log.trades(3).size(), 25u);
  EXPECT_EQ(backfiller.stats().rate_limited_total.load(), 1u);
  EXPECT_EQ(backfiller.stats().errors_total.load(), 0u);
}

TEST(TradeBackfiller, TheWeightBudgetHoldsRequestsBackAndCancellingEndsTheJob) {
  // The budget runs on the wall clock's minute: start well inside one.
  while (std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() % 60 > 50) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  auto simulator = BinanceSimulator::start(tls_simulator(&system_clock()));
  ASSERT_TRUE(simulator) << simulator.error();
  const std::string ca = ca_path();
  std::this_thread::sleep_for(milliseconds(200));
  const AggTrade first = first_remembered((*simulator)->rest_url(), ca, "ETHUSDT");

  PageLog log;
  BackfillOptions options = options_for(**simulator, ca);
  options.page_size = 5;
  options.max_weight_per_minute = 20;  // one request a minute
  TradeBackfiller backfiller(options, log.sink());
  backfiller.request(1, Symbol("ETHUSDT"), first.agg_trade_id, first.agg_trade_id + 19);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (backfiller.stats().weight_waits_total.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(backfiller.stats().weight_waits_total.load(), 1u);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(backfiller.stats().requests_total.load(), 1u);
  EXPECT_EQ(log.trades(1).size(), 5u);
  backfiller.cancel_before(2);
  ASSERT_TRUE(log.wait_for_end(1, milliseconds(2000)));
  EXPECT_THAT(log.end_status(1).message(), HasSubstr("backfill cancelled at id " +
                                                     std::to_string(first.agg_trade_id + 5)));
  EXPECT_EQ(backfiller.stats().requests_total.load(), 1u);
}

TEST(TradeBackfiller, AnAnswerThatIsNoPageFailsTheJobAfterItsAttemptsWithTheVenuesWords) {
  auto simulator = BinanceSimulator::start(tls_simulator(&system_clock()));
  ASSERT_TRUE(simulator) << simulator.error();
  PageLog log;
  BackfillOptions options = options_for(**simulator, ca_path());
  TradeBackfiller backfiller(options, log.sink());
  backfiller.request(1, Symbol("NOSUCHUSDT"), 1, 10);
  ASSERT_TRUE(log.wait_for_end(1));
  const std::string message = log.end_status(1).message();
  EXPECT_THAT(message, HasSubstr("symbol=NOSUCHUSDT&fromId=1&limit=10: HTTP 400"));
  EXPECT_THAT(message, HasSubstr("Invalid symbol."));
  EXPECT_THAT(message, HasSubstr("(after 3 attempts)"));
  EXPECT_EQ(backfiller.stats().errors_total.load(), 3u);
  EXPECT_TRUE(log.trades(1).empty());
}

TEST(TradeBackfiller, NothingListeningIsAnErrorNamingTheUrl) {
  PageLog log;
  BackfillOptions options;
  options.endpoint = "http://127.0.0.1:1/fapi/v1/aggTrades";
  options.attempts = 2;
  options.retry_delay = milliseconds(1);
  TradeBackfiller backfiller(options, log.sink());
  backfiller.request(5, Symbol("BTCUSDT"), 100, 200);
  ASSERT_TRUE(log.wait_for_end(5));
  EXPECT_THAT(log.end_status(5).message(), HasSubstr("http://127.0.0.1:1/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=100"));
  EXPECT_THAT(log.end_status(5).message(), HasSubstr("cannot connect"));
}

TEST(TradeBackfiller, BinanceEndpointsAndWeightsFollowTheStreamHost) {
  EXPECT_EQ(binance_agg_trades_endpoint("wss://fstream.binance.com/market/stream"),
            "https://fapi.binance.com/fapi/v1/aggTrades");
  EXPECT_EQ(binance_agg_trades_endpoint("wss://dstream.binance.com/stream"), "https://dapi.binance.com/dapi/v1/aggTrades");
  EXPECT_EQ(binance_agg_trades_endpoint("wss://stream.binance.com:9443/stream"),
            "https://api.binance.com/api/v3/aggTrades");
  EXPECT_EQ(binance_agg_trades_endpoint("ws://127.0.0.1:9000/market/stream"), "");
  EXPECT_EQ(binance_agg_trades_weight("https://fapi.binance.com/fapi/v1/aggTrades"), 20);
  EXPECT_EQ(binance_agg_trades_weight("https://api.binance.com/api/v3/aggTrades"), 4);
}

}  // namespace
}  // namespace alphastream
