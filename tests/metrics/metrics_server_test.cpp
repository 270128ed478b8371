// The /metrics endpoint as Prometheus sees it: a real TCP scrape of a server
// on an ephemeral port, its text checked line by line and by promtool.
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/latency_histogram.h"
#include "metrics/metrics_server.h"
#include "metrics/process_metrics.h"
#include "scrape_client.h"

namespace alphastream {
namespace {

using ::alphastream::testing::http_get;
using ::alphastream::testing::HttpResponse;
using ::alphastream::testing::lines_starting_with;
using ::alphastream::testing::sample_lines;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const MetricsCollector> collector(std::function<void(MetricWriter&)> write) {
  return std::make_shared<FunctionCollector>(std::move(write));
}

std::unique_ptr<MetricsServer> start_or_fail(const std::string& listen) {
  Result<std::unique_ptr<MetricsServer>> server = MetricsServer::start(listen);
  if (!server) {
    ADD_FAILURE() << server.error();
    return nullptr;
  }
  return std::move(server).value();
}

HttpResponse scrape(const MetricsServer& server) { return http_get("127.0.0.1", server.port(), "/metrics"); }

// What a pair's collector publishes: counters per pair, a histogram per pair.
void write_pair(MetricWriter& w, const std::string& pair, double trades, const LatencyHistogram& latency) {
  w.counter("alphastream_pair_trades_total", "Trades received for a pair's legs.", {{"pair", pair}}, trades);
  latency.write(w, "alphastream_tick_to_signal_seconds", "Trade receipt to signal decision.", {{"pair", pair}});
}

TEST(MetricsServer, ServesEveryCollectorOnAnEphemeralPortAsPromtoolValidText) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);
  EXPECT_EQ(server->listen_address(), "127.0.0.1:0");

  LatencyHistogram btc_latency;
  btc_latency.record_ns(800);
  btc_latency.record_ns(3'500);
  LatencyHistogram sol_latency;
  sol_latency.record_ns(70'000);
  server->registry().add_collector(collector([&](MetricWriter& w) { write_pair(w, "BTCUSDT-ETHUSDT", 42, btc_latency); }));
  server->registry().add_collector(collector([&](MetricWriter& w) { write_pair(w, "SOLUSDT-AVAXUSDT", 7, sol_latency); }));
  server->registry().add_collector(make_process_metrics_collector());
  server->registry().add_collector(make_build_info_collector("0.1.0"));

  const HttpResponse response = scrape(*server);
  ASSERT_EQ(response.status, 200) << response.headers;
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain"));
  const std::string& text = response.body;

  // Two collectors wrote each family: one header pair per family.
  EXPECT_THAT(lines_starting_with(text, "# HELP alphastream_pair_trades_total"),
              ElementsAre("# HELP alphastream_pair_trades_total Trades received for a pair's legs."));
  EXPECT_THAT(lines_starting_with(text, "# TYPE alphastream_tick_to_signal_seconds"),
              ElementsAre("# TYPE alphastream_tick_to_signal_seconds histogram"));
  auto samples = sample_lines(text);
  EXPECT_EQ(samples["alphastream_pair_trades_total{pair=\"BTCUSDT-ETHUSDT\"}"], "42");
  EXPECT_EQ(samples["alphastream_pair_trades_total{pair=\"SOLUSDT-AVAXUSDT\"}"], "7");
  const std::string btc = "alphastream_tick_to_signal_seconds_bucket{pair=\"BTCUSDT-ETHUSDT\",le=";
  EXPECT_EQ(samples[btc + "\"1e-06\"}"], "1");
  EXPECT_EQ(samples[btc + "\"2e-06\"}"], "1");
  EXPECT_EQ(samples[btc + "\"4e-06\"}"], "2");
  EXPECT_EQ(samples[btc + "\"+Inf\"}"], "2");
  EXPECT_EQ(samples["alphastream_tick_to_signal_seconds_sum{pair=\"BTCUSDT-ETHUSDT\"}"], "4.3e-06");
  const std::string sol = "alphastream_tick_to_signal_seconds_bucket{pair=\"SOLUSDT-AVAXUSDT\",le=";
  EXPECT_EQ(samples[sol + "\"6.4e-05\"}"], "0");
  EXPECT_EQ(samples[sol + "\"0.000128\"}"], "1");
  EXPECT_EQ(samples["alphastream_tick_to_signal_seconds_count{pair=\"SOLUSDT-AVAXUSDT\"}"], "1");
  EXPECT_EQ(samples["alphastream_build_info{version=\"0.1.0\"}"], "1");
  EXPECT_EQ(samples["alphastream_metrics_invalid_samples_total"], "0");
  EXPECT_EQ(samples.count("process_resident_memory_bytes"), 1u);

  const auto promtool = ::alphastream::testing::promtool_check_metrics(text);
  EXPECT_EQ(promtool.exit_code, 0) << promtool.output << "\n--- exposition ---\n" << text;
}

TEST(MetricsServer, PromtoolRejectsACounterWithoutTotalSoTheCheckAboveCanFail) {
  const auto promtool = ::alphastream::testing::promtool_check_metrics(
      "# HELP alphastream_trades Trades.\n# TYPE alphastream_trades counter\nalphastream_trades 1\n");
  EXPECT_NE(promtool.exit_code, 0);
  EXPECT_THAT(promtool.output, HasSubstr("_total"));
}

TEST(MetricsServer, AnUnknownPathIsNotFound) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  EXPECT_EQ(http_get("127.0.0.1", server->port(), "/nope").status, 404);
}

TEST(MetricsServer, ACollectorRemovedOnReloadIsGoneFromTheNextScrape) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  const auto old_pair = collector([](MetricWriter& w) { w.gauge("alphastream_pair_zscore", "z", {{"pair", "old"}}, 1); });
  const auto new_pair = collector([](MetricWriter& w) { w.gauge("alphastream_pair_zscore", "z", {{"pair", "new"}}, 2); });
  server->registry().add_collector(old_pair);
  EXPECT_THAT(lines_starting_with(scrape(*server).body, "alphastream_pair_zscore"),
              ElementsAre("alphastream_pair_zscore{pair=\"old\"} 1"));

  ASSERT_TRUE(server->registry().remove_collector(old_pair.get()));
  server->registry().add_collector(new_pair);
  EXPECT_THAT(lines_starting_with(scrape(*server).body, "alphastream_pair_zscore"),
              ElementsAre("alphastream_pair_zscore{pair=\"new\"} 2"));
}

TEST(MetricsServer, RemovingACollectorWaitsForTheScrapeThatIsReadingIt) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  const auto slow = collector([&entered, released](MetricWriter& w) {
    entered.set_value();
    released.wait();
    w.gauge("alphastream_slow", "A collector blocked until the test releases it.", {}, 9);
  });
  server->registry().add_collector(slow);

  auto scraped = std::async(std::launch::async, [&] { return scrape(*server); });
  entered.get_future().wait();
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    server->registry().remove_collector(slow.get());
    removed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(removed) << "remove_collector returned while collect() was running";
  release.set_value();
  remover.join();
  EXPECT_TRUE(removed);
  EXPECT_EQ(sample_lines(scraped.get().body)["alphastream_slow"], "9");
  EXPECT_EQ(sample_lines(scrape(*server).body).count("alphastream_slow"), 0u);
}

TEST(MetricsServer, AnAddressInUseIsAnErrorThatNamesTheAddress) {
  auto first = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(first);
  const std::string taken = "127.0.0.1:" + std::to_string(first->port());
  const Result<std::unique_ptr<MetricsServer>> second = MetricsServer::start(taken);
  ASSERT_FALSE(second);
  EXPECT_FALSE(second.status().is_invalid_input());
  EXPECT_EQ(second.error(), "metrics server: cannot listen on " + taken + ": Address already in use");
}

TEST(MetricsServer, AStoppedServerFreesItsPortForTheNextOne) {
  auto first = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(first);
  const std::string address = "127.0.0.1:" + std::to_string(first->port());
  first.reset();
  auto second = start_or_fail(address);
  ASSERT_TRUE(second);
  EXPECT_EQ(scrape(*second).status, 200);
}

TEST(MetricsServer, MalformedAddressesAreRejectedAsInputNamingTheAddress) {
  for (const std::string listen : {"", "9464", "localhost:9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                                   "127.0.0.1:-1", "127.0.0.1:9464,9465", "127.0.0.1:9464s", "[::1]9464", "::1:9464",
                                   "[127.0.0.1]:9464", "300.0.0.1:9464"}) {
    SCOPED_TRACE(listen);
    const Result<std::unique_ptr<MetricsServer>> server = MetricsServer::start(listen);
    ASSERT_FALSE(server);
    EXPECT_TRUE(server.status().is_invalid_input());
    EXPECT_THAT(server.error(), HasSubstr("metrics listen address \"" + listen + "\""));
  }
}

// Debian 12's civetweb is built without IPv6 (mg_check_feature(8) == 0):
// "[::1]:port" would fail inside civetweb with no reason given, so it is
// refused up front with one.
TEST(MetricsServer, AnIpv6AddressIsRefusedWithTheReason) {
  const Result<std::unique_ptr<MetricsServer>> server = MetricsServer::start("[::1]:0");
  ASSERT_FALSE(server);
  EXPECT_TRUE(server.status().is_invalid_input());
  EXPECT_THAT(server.error(), HasSubstr("metrics listen address \"[::1]:0\": IPv6 is not supported"));
}

}  // namespace
}  // namespace alphastream
