// The HTTP endpoint as Prometheus and a prober see it: real TCP requests to a
// server on an ephemeral port, over IPv4 and IPv6; /metrics checked line by
// line and by promtool, /healthz and /readyz, and clients that misbehave.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "metrics/latency_histogram.h"
#include "metrics/metrics_server.h"
#include "metrics/process_metrics.h"
#include "scrape_client.h"

namespace alphastream {
namespace {

using ::alphastream::testing::http_get;
using ::alphastream::testing::http_request;
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
                                   "[127.0.0.1]:9464", "300.0.0.1:9464", "[::1", "[::1]:", "[::g]:9464",
                                   "[localhost]:9464"}) {
    SCOPED_TRACE(listen);
    const Result<std::unique_ptr<MetricsServer>> server = MetricsServer::start(listen);
    ASSERT_FALSE(server);
    EXPECT_TRUE(server.status().is_invalid_input());
    EXPECT_THAT(server.error(), HasSubstr("metrics listen address \"" + listen + "\""));
  }
}

TEST(MetricsServer, MalformedAddressErrorsSayWhatIsWrong) {
  EXPECT_THAT(MetricsServer::start("::1:9464").error(), HasSubstr("an IPv6 address goes in brackets"));
  EXPECT_THAT(MetricsServer::start("[127.0.0.1]:9464").error(), HasSubstr("not an IPv6 address"));
  EXPECT_THAT(MetricsServer::start("localhost:9464").error(), HasSubstr("not an IPv4 address"));
  EXPECT_THAT(MetricsServer::start("[::1]9464").error(), HasSubstr("missing \":port\""));
  EXPECT_THAT(MetricsServer::start("127.0.0.1:65536").error(), HasSubstr("from 0 to 65535"));
}

TEST(MetricsServer, AnAddressThatIsNotLocalIsAnErrorThatNamesIt) {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
  const Result<std::unique_ptr<MetricsServer>> server = MetricsServer::start("192.0.2.1:9464");
  ASSERT_FALSE(server);
  EXPECT_FALSE(server.status().is_invalid_input());
  EXPECT_EQ(server.error(), "metrics server: cannot listen on 192.0.2.1:9464: Cannot assign requested address");
}

// Whether this machine has an IPv6 loopback to test on (containers may not).
bool ipv6_loopback_available() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return bound;
}

TEST(MetricsServer, ServesOverIpv6Loopback) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  auto server = start_or_fail("[::1]:0");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->listen_address(), "[::1]:0");
  server->registry().add_collector(collector([](MetricWriter& w) { w.gauge("alphastream_ipv6", "v6", {}, 6); }));
  const HttpResponse response = http_get("::1", server->port(), "/metrics");
  ASSERT_EQ(response.status, 200) << response.raw;
  EXPECT_EQ(sample_lines(response.body)["alphastream_ipv6"], "6");
  // Bound to ::1 only.
  EXPECT_EQ(scrape(*server).status, 0);
}

TEST(MetricsServer, TheIpv6WildcardAlsoTakesIpv4Connections) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  auto server = start_or_fail("[::]:0");
  ASSERT_TRUE(server);
  EXPECT_EQ(http_get("::1", server->port(), "/healthz").status, 200);
  EXPECT_EQ(http_get("127.0.0.1", server->port(), "/healthz").status, 200);
}

TEST(MetricsServer, AnIpv6AddressInUseIsAnErrorThatNamesTheAddress) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  auto first = start_or_fail("[::1]:0");
  ASSERT_TRUE(first);
  const std::string taken = "[::1]:" + std::to_string(first->port());
  const Result<std::unique_ptr<MetricsServer>> second = MetricsServer::start(taken);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), "metrics server: cannot listen on " + taken + ": Address already in use");
}

TEST(MetricsServer, HealthzAnswersOkWhileServing) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  const HttpResponse response = http_get("127.0.0.1", server->port(), "/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_EQ(response.body, "ok\n");
}

TEST(MetricsServer, ReadyzFollowsItsChecksAndNamesTheFailingOne) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  auto readyz = [&] { return http_get("127.0.0.1", server->port(), "/readyz"); };
  HttpResponse response = readyz();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok\n");

  std::atomic<bool> connected{true};
  server->add_readiness_check("feed", [&connected]() -> std::optional<std::string> {
    if (connected.load()) return std::nullopt;
    return "not connected";
  });
  server->add_readiness_check("storage", [] { return std::optional<std::string>(); });
  response = readyz();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "feed: ok\nstorage: ok\n");

  connected = false;
  response = readyz();
  EXPECT_EQ(response.status, 503);
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_EQ(response.body, "feed: not connected\nstorage: ok\n");
  EXPECT_EQ(http_get("127.0.0.1", server->port(), "/healthz").status, 200) << "liveness does not follow readiness";

  connected = true;
  response = readyz();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "feed: ok\nstorage: ok\n");
}

TEST(MetricsServer, AReadinessCheckThatThrowsIsNotReadyAndTheServerGoesOn) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  server->add_readiness_check("journal", []() -> std::optional<std::string> {
    throw std::runtime_error("lmdb env gone");
  });
  const HttpResponse response = http_get("127.0.0.1", server->port(), "/readyz");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "journal: check failed: lmdb env gone\n");
  EXPECT_EQ(scrape(*server).status, 200);
}

TEST(MetricsServer, OnlyGetAndHeadAreServed) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  server->registry().add_collector(collector([](MetricWriter& w) { w.gauge("alphastream_x", "x", {}, 1); }));
  const HttpResponse post =
      http_request("127.0.0.1", server->port(), "POST /metrics HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(post.status, 405);
  EXPECT_THAT(post.headers, HasSubstr("Allow: GET, HEAD"));
  EXPECT_EQ(http_request("127.0.0.1", server->port(), "DELETE /readyz HTTP/1.0\r\n\r\n").status, 405);
  EXPECT_EQ(http_request("127.0.0.1", server->port(), "POST /nope HTTP/1.0\r\n\r\n").status, 404);

  const HttpResponse head = http_request("127.0.0.1", server->port(), "HEAD /metrics HTTP/1.0\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  const std::string length = "Content-Length: " + std::to_string(scrape(*server).body.size());
  EXPECT_THAT(head.headers, HasSubstr(length));
}

TEST(MetricsServer, KeepAliveServesPipelinedRequestsOnOneConnection) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  const HttpResponse response = http_request(
      "127.0.0.1", server->port(),
      "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /readyz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.raw, ::testing::ContainsRegex("HTTP/1.1 200 OK\r\n(.|\r|\n)*HTTP/1.1 200 OK\r\n"));
}

TEST(MetricsServer, AnOversizedRequestIsRefusedAndTheNextScrapeIsServed) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  const std::string padding(64 * 1024, 'a');
  const HttpResponse header =
      http_request("127.0.0.1", server->port(), "GET /metrics HTTP/1.1\r\nX-Padding: " + padding + "\r\n\r\n");
  EXPECT_EQ(header.status, 431) << header.raw;
  const HttpResponse body = http_request(
      "127.0.0.1", server->port(),
      "GET /metrics HTTP/1.1\r\nContent-Length: " + std::to_string(padding.size()) + "\r\n\r\n" + padding);
  EXPECT_EQ(body.status, 413) << body.raw;
  EXPECT_EQ(http_request("127.0.0.1", server->port(), "NOT HTTP\r\n\r\n").status, 400);
  EXPECT_EQ(scrape(*server).status, 200);
}

TEST(MetricsServer, AClientThatSendsNothingDoesNotDelayAScrape) {
  auto server = start_or_fail("127.0.0.1:0");
  ASSERT_TRUE(server);
  const int silent = ::alphastream::testing::connect_to("127.0.0.1", server->port());
  ASSERT_GE(silent, 0);
  const int half = ::alphastream::testing::connect_to("127.0.0.1", server->port());
  ASSERT_GE(half, 0);
  const std::string partial = "GET /metrics HTTP/1.1\r\nHost: a\r\n";
  ASSERT_EQ(::send(half, partial.data(), partial.size(), MSG_NOSIGNAL), static_cast<ssize_t>(partial.size()));

  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(scrape(*server).status, 200);
  // The server gives a client 5 s per request: a scrape queued behind the
  // silent clients would take at least that.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  ::close(silent);
  ::close(half);
}

// The 5 s request timeout on a manual clock: nothing happens while the
// clock stands still, however long the test waits in real time, and the
// connection closes as soon as the clock passes 5 s.
TEST(MetricsServer, AClientThatSendsNothingIsDisconnectedAfterTheTimeout) {
  ManualClock clock;
  auto started = MetricsServer::start("127.0.0.1:0", std::make_shared<MetricsRegistry>(),
                                      MetricsServer::kDefaultMaxConnections, clock);
  ASSERT_TRUE(started) << started.error();
  const MetricsServer& server = *started.value();
  const int silent = ::alphastream::testing::connect_to("127.0.0.1", server.port());
  ASSERT_GE(silent, 0);
  // Connections are accepted in order: once this scrape is answered the
  // silent one has been accepted and its deadline set.
  ASSERT_EQ(scrape(server).status, 200);

  const auto still_open = [&] {
    char byte = 0;
    return ::recv(silent, &byte, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(still_open()) << "closed before the clock moved";
  clock.advance(std::chrono::milliseconds(4900));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(still_open()) << "closed at 4.9 s";

  clock.advance(std::chrono::milliseconds(200));
  const auto real_start = std::chrono::steady_clock::now();
  char byte = 0;
  // 0: the server closed it; -1 would be the client's own 15 s timeout.
  EXPECT_EQ(::recv(silent, &byte, 1, 0), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - real_start, std::chrono::seconds(2));
  ::close(silent);
}

// Issue 13, finding 8: idle scrapers could hold every file descriptor the
// process may open. Past the cap a new connection is closed at once and
// counted; once the idle ones go, a scrape is served again.
TEST(MetricsServer, ConnectionsPastTheCapAreClosedAtOnceAndCounted) {
  auto server = MetricsServer::start("127.0.0.1:0", std::make_shared<MetricsRegistry>(), 3);
  ASSERT_TRUE(server) << server.error();
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(::alphastream::testing::connect_to("127.0.0.1", server.value()->port()));
    ASSERT_GE(idle.back(), 0);
  }
  // The server accepts in order: wait until the three are its, then one more.
  for (int tries = 0; tries < 200 && server.value()->refused_connections() == 0; ++tries) {
    const int extra = ::alphastream::testing::connect_to("127.0.0.1", server.value()->port());
    ASSERT_GE(extra, 0);
    char byte = 0;
    const ssize_t got = ::recv(extra, &byte, 1, 0);  // 0: closed by the server, not by its 5 s timeout
    ::close(extra);
    if (got == 0 && server.value()->refused_connections() > 0) break;
  }
  EXPECT_GE(server.value()->refused_connections(), 1u);
  for (int fd : idle) ::close(fd);
  // The server notices the closes as it reads them; a scrape gets through.
  HttpResponse response;
  for (int tries = 0; tries < 100; ++tries) {
    response = http_get("127.0.0.1", server.value()->port(), "/healthz");
    if (response.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(response.status, 200);
}

}  // namespace
}  // namespace alphastream
