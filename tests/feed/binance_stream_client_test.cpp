#include "feed/binance_stream_client.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.h"

extern char** environ;

namespace alphastream {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr milliseconds kWait = 10s;  // generous: the machine is shared

// The fake Binance server (tests/feed/fake_binance_server.py) as a child
// process: commands go to its stdin, its reports are collected line by line.
class FakeBinanceServer {
 public:
  explicit FakeBinanceServer(std::vector<std::string> extra_args = {}) {
    signal(SIGPIPE, SIG_IGN);
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2 failed";
      return;
    }
    std::vector<std::string> args = {"/usr/bin/python3", ALPHASTREAM_FAKE_BINANCE_SERVER};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    stdin_fd_ = to_child[1];
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << args[1];
      pid_ = -1;
      close(from_child[0]);
      return;
    }
    reader_ = std::thread([this, fd = from_child[0]] { read_reports(fd); });
    const std::optional<std::string> port_line = wait_for("port ");
    if (!port_line) {
      ADD_FAILURE() << "the fake server did not report its port";
      return;
    }
    port_ = std::stoi(port_line->substr(5));
  }

  ~FakeBinanceServer() {
    command("quit");
    close(stdin_fd_);
    if (pid_ > 0) {
      const auto deadline = SteadyClock::now() + 5s;
      int status = 0;
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (SteadyClock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(10ms);
      }
    }
    if (reader_.joinable()) reader_.join();
  }

  int port() const { return port_; }
  std::string url(std::string_view scheme = "ws", std::string_view host = "127.0.0.1") const {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port_) + "/market/stream";
  }

  void command(const std::string& line) {
    const std::string text = line + "\n";
    if (write(stdin_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      ADD_FAILURE() << "cannot send '" << line << "' to the fake server";
    }
  }

  // The first report line equal to or starting with prefix, waiting for it.
  std::optional<std::string> wait_for(const std::string& prefix, milliseconds timeout = kWait) {
    std::optional<std::string> found;
    wait_until([&](const std::vector<std::string>& lines) {
      for (const auto& line : lines) {
        if (line.starts_with(prefix)) {
          found = line;
          return true;
        }
      }
      return false;
    }, timeout);
    return found;
  }

  bool wait_until(const std::function<bool(const std::vector<std::string>&)>& done,
                  milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(lines_); });
  }

  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  // Index of the first line starting with prefix, or -1.
  int index_of(const std::string& prefix) {
    const std::vector<std::string> all = lines();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].starts_with(prefix)) return static_cast<int>(i);
    }
    return -1;
  }

  int count(const std::string& prefix) {
    const std::vector<std::string> all = lines();
    return static_cast<int>(std::count_if(all.begin(), all.end(),
                                          [&](const std::string& line) { return line.starts_with(prefix); }));
  }

 private:
  void read_reports(int fd) {
    std::string pending;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) {
      pending.append(chunk, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        {
          std::lock_guard lock(mutex_);
          lines_.push_back(pending.substr(0, newline));
        }
        changed_.notify_all();
        pending.erase(0, newline + 1);
      }
    }
    close(fd);
  }

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int port_ = 0;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

struct TimedEvent {
  ConnectionEvent event;
  SteadyClock::time_point at;
};

class RecordingHandler : public StreamHandler {
 public:
  void on_message(std::string_view frame, std::int64_t receive_time_ns) override {
    {
      std::lock_guard lock(mutex_);
      frames_.emplace_back(frame);
      receive_times_ns_.push_back(receive_time_ns);
    }
    changed_.notify_all();
  }
  void on_connection_event(const ConnectionEvent& event) override {
    {
      std::lock_guard lock(mutex_);
      events_.push_back({event, SteadyClock::now()});
    }
    changed_.notify_all();
  }

  bool wait_until(const std::function<bool()>& done, milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, done);
  }
  // REQUIRES for the accessors below: called under wait_until's predicate or
  // after the io thread stopped, or via the locked copies.
  std::vector<std::string> frames() {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  std::vector<std::int64_t> receive_times_ns() {
    std::lock_guard lock(mutex_);
    return receive_times_ns_;
  }
  std::vector<TimedEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<TimedEvent> events_of(ConnectionEvent::Kind kind) {
    std::vector<TimedEvent> all = events();
    std::erase_if(all, [&](const TimedEvent& e) { return e.event.kind != kind; });
    return all;
  }
  // Unlocked views for wait_until predicates (which run under the lock).
  const std::vector<std::string>& frames_locked() const { return frames_; }
  std::size_t count_locked(ConnectionEvent::Kind kind) const {
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(),
                                                  [&](const TimedEvent& e) { return e.event.kind == kind; }));
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> frames_;
  std::vector<std::int64_t> receive_times_ns_;
  std::vector<TimedEvent> events_;
};

// A client whose io_context runs on its own thread.
class RunningClient {
 public:
  explicit RunningClient(StreamClientOptions options) : client_(io_, std::move(options), handler_) {
    const Status started = client_.start();
    EXPECT_TRUE(started.is_ok()) << started.message();
    thread_ = std::thread([this] {
      io_.run();
      ran_out_.set_value();
    });
  }
  ~RunningClient() {
    if (!stop_and_join()) ADD_FAILURE() << "the io_context did not run out after stop()";
  }

  // Returns whether io_context::run() returned by itself after stop().
  bool stop_and_join(milliseconds timeout = kWait) {
    if (!thread_.joinable()) return true;
    client_.stop();
    const bool ran_out = ran_out_.get_future().wait_for(timeout) == std::future_status::ready;
    if (!ran_out) io_.stop();
    thread_.join();
    return ran_out;
  }

  RecordingHandler& handler() { return handler_; }
  const StreamClientCounters& counters() const { return client_.counters(); }
  const BinanceStreamClient& client() const { return client_; }

 private:
  boost::asio::io_context io_;
  RecordingHandler handler_;
  BinanceStreamClient client_;
  std::promise<void> ran_out_;
  std::thread thread_;
};

std::uint64_t load(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

StreamClientOptions plain_options(const FakeBinanceServer& server, std::vector<std::string> symbols = {"BTCUSDT"}) {
  StreamClientOptions options;
  options.url = server.url();
  options.symbols = std::move(symbols);
  options.reconnect_initial = 20ms;
  options.reconnect_max = 200ms;
  return options;
}

std::int64_t agg_id(std::string_view frame) {
  const std::size_t at = frame.find("\"a\":");
  return at == std::string_view::npos ? -1 : std::stoll(std::string(frame.substr(at + 4, 20)));
}

// A port on which nothing listens: bound once, then released.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// Moves clock forward step by step until done() holds, giving the io thread
// a moment of real time after each step; false if it never did within
// limit of clock time.
bool advance_until(ManualClock& clock, milliseconds step, milliseconds limit, const std::function<bool()>& done) {
  for (milliseconds moved{0}; moved <= limit; moved += step) {
    for (int i = 0; i < 20; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(1ms);
    }
    clock.advance(step);
  }
  return done();
}

// Moves clock forward to until in steps, a millisecond of real time apart.
void advance_to(ManualClock& clock, Clock::SteadyTime until, milliseconds step) {
  while (clock.steady_now() < until) {
    clock.advance(std::min<std::chrono::nanoseconds>(step, until - clock.steady_now()));
    std::this_thread::sleep_for(1ms);
  }
}

TEST(ReconnectBackoff, CeilingDoublesPerFailureUpToTheMaximum) {
  ReconnectBackoff backoff(250ms, 30000ms, 1);
  EXPECT_EQ(backoff.ceiling(1), 250ms);
  EXPECT_EQ(backoff.ceiling(2), 500ms);
  EXPECT_EQ(backoff.ceiling(3), 1000ms);
  EXPECT_EQ(backoff.ceiling(7), 16000ms);
  EXPECT_EQ(backoff.ceiling(8), 30000ms);  // 32000 capped
  EXPECT_EQ(backoff.ceiling(1000), 30000ms);
}

TEST(ReconnectBackoff, DrawsAreSpreadUniformlyUnderTheCeiling) {
  ReconnectBackoff backoff(100ms, 800ms, 42);
  for (std::uint32_t failures = 1; failures <= 5; ++failures) {
    const double ceiling = static_cast<double>(backoff.ceiling(failures).count());
    double sum = 0;
    milliseconds largest{0};
    for (int i = 0; i < 4000; ++i) {
      const milliseconds delay = backoff.draw(failures);
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay.count(), ceiling);
      sum += static_cast<double>(delay.count());
      largest = std::max(largest, delay);
    }
    // Full jitter: the mean is half the ceiling, so it grows with failures.
    EXPECT_NEAR(sum / 4000, ceiling / 2, ceiling * 0.05) << "failures " << failures;
    EXPECT_GT(static_cast<double>(largest.count()), ceiling * 0.95);
  }
}

TEST(ReconnectReasonName, NamesAreTheMetricLabels) {
  EXPECT_EQ(reconnect_reason_name(ReconnectReason::kClosed), "closed");
  EXPECT_EQ(reconnect_reason_name(ReconnectReason::kError), "error");
  EXPECT_EQ(reconnect_reason_name(ReconnectReason::kStale), "stale");
  EXPECT_EQ(reconnect_reason_name(ReconnectReason::kRotation), "rotation");
  EXPECT_EQ(reconnect_reason_name(ReconnectReason::kTls), "tls");
}

TEST(BinanceStreamClient, StartRejectsInvalidOptionsNamingTheProblem) {
  boost::asio::io_context io;
  RecordingHandler handler;
  const auto start = [&](StreamClientOptions options) {
    BinanceStreamClient client(io, std::move(options), handler);
    return client.start();
  };
  StreamClientOptions good;
  good.url = "ws://127.0.0.1:9/market/stream";
  good.symbols = {"BTCUSDT"};

  StreamClientOptions options = good;
  options.url = "https://fstream.binance.com/market/stream";
  Status status = start(options);
  ASSERT_FALSE(status.is_ok());
  EXPECT_TRUE(status.is_invalid_input());
  EXPECT_EQ(status.message(),
            "stream url 'https://fstream.binance.com/market/stream': expected ws:// or wss://");

  options = good;
  options.url = "wss://fstream.binance.com:0/market/stream";
  EXPECT_EQ(start(options).message(), "stream url 'wss://fstream.binance.com:0/market/stream': port must be 1..65535");

  options = good;
  options.url = "wss://fstream.binance.com/market/stream?streams=btcusdt@aggTrade";
  EXPECT_NE(start(options).message().find("no query expected"), std::string::npos);

  options = good;
  options.symbols = {};
  EXPECT_EQ(start(options).message(), "stream client: no symbols to subscribe");

  options = good;
  options.symbols = {"BTCUSDT", "ETH/USDT"};
  EXPECT_EQ(start(options).message(), "stream client: symbol 'ETH/USDT': expected letters, digits and '_'");

  options = good;
  options.max_streams_per_connection = 1025;
  EXPECT_EQ(start(options).message(), "stream client: max_streams_per_connection must be 1..1024");

  options = good;
  options.url = "wss://127.0.0.1:9/market/stream";
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_NE(start(options).message().find("ca_file '/nonexistent/ca.pem'"), std::string::npos);

  EXPECT_TRUE(start(good).is_ok());
}

TEST(BinanceStreamClient, DeliversFramesVerbatimFromTheCombinedStreamPath) {
  FakeBinanceServer server;
  const std::string first = R"({"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","a":5933014}})";
  const std::string second = R"({"stream":"ethusdt@aggTrade","data":{"e":"aggTrade","a":77}})";
  const auto before_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  RunningClient client(plain_options(server, {"BTCUSDT", "ETHUSDT"}));

  // Symbols are lower-cased and joined by '/' in one combined stream.
  EXPECT_EQ(server.wait_for("open 1"), "open 1 /market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade");
  ASSERT_TRUE(client.handler().wait_until(
      [&] { return client.handler().count_locked(ConnectionEvent::Kind::kConnected) == 1; }));
  server.command("send " + first);
  server.command("send " + second);
  ASSERT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 2; }));
  const auto after_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();

  EXPECT_EQ(client.handler().frames(), (std::vector<std::string>{first, second}));
  for (std::int64_t t : client.handler().receive_times_ns()) {
    EXPECT_GE(t, before_ns);
    EXPECT_LE(t, after_ns);
  }
  const std::vector<TimedEvent> connected = client.handler().events_of(ConnectionEvent::Kind::kConnected);
  ASSERT_EQ(connected.size(), 1u);
  EXPECT_EQ(connected[0].event.connection_index, 0u);
  EXPECT_EQ(connected[0].event.session_id, 1u);
  EXPECT_EQ(connected[0].event.connected_connections, 1u);
  EXPECT_EQ(load(client.counters().messages_total), 2u);
  EXPECT_EQ(load(client.counters().received_bytes_total), first.size() + second.size());
  EXPECT_EQ(load(client.counters().connect_attempts_total), 1u);
  EXPECT_EQ(load(client.counters().connects_total), 1u);
  EXPECT_EQ(load(client.counters().connected_connections), 1u);
}

TEST(BinanceStreamClient, AnswersServerPingsWithPongsWhileFramesKeepFlowing) {
  FakeBinanceServer server;
  RunningClient client(plain_options(server));
  ASSERT_TRUE(server.wait_for("open 1"));
  server.command("ping");
  EXPECT_TRUE(server.wait_for("pong 1"));
  server.command("send {\"n\":1}");
  server.command("ping");
  EXPECT_TRUE(server.wait_until([](const std::vector<std::string>& lines) {
    return std::count(lines.begin(), lines.end(), "pong 1") == 2;
  }));
  EXPECT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 1; }));
  EXPECT_EQ(server.index_of("ping-timeout"), -1);
  EXPECT_EQ(load(client.counters().connects_total), 1u);  // no reconnect happened
}

TEST(BinanceStreamClient, ServerCloseIsReconnectedWithReasonClosed) {
  FakeBinanceServer server;
  RunningClient client(plain_options(server));
  ASSERT_TRUE(server.wait_for("open 1"));
  server.command("send {\"n\":1}");
  ASSERT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 1; }));
  server.command("close");

  EXPECT_EQ(server.wait_for("closed 1"), "closed 1 1000");
  EXPECT_TRUE(server.wait_for("open 2"));
  const std::vector<TimedEvent> gone = client.handler().events_of(ConnectionEvent::Kind::kDisconnected);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].event.reason, ReconnectReason::kClosed);
  EXPECT_EQ(gone[0].event.session_id, 1u);
  EXPECT_EQ(gone[0].event.failures, 1u);
  EXPECT_LE(gone[0].event.retry_delay, 20ms);  // the first retry waits at most reconnect_initial
  EXPECT_EQ(client.counters().reconnects(ReconnectReason::kClosed), 1u);
  EXPECT_EQ(client.counters().reconnects(ReconnectReason::kError), 0u);
}

TEST(BinanceStreamClient, ResetConnectionIsReconnectedWithReasonError) {
  FakeBinanceServer server;
  RunningClient client(plain_options(server));
  ASSERT_TRUE(server.wait_for("open 1"));
  server.command("send {\"n\":1}");
  ASSERT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 1; }));
  server.command("drop");

  EXPECT_TRUE(server.wait_for("open 2"));
  const std::vector<TimedEvent> gone = client.handler().events_of(ConnectionEvent::Kind::kDisconnected);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].event.reason, ReconnectReason::kError);
  EXPECT_NE(gone[0].event.detail.find("connection 0 (127.0.0.1:" + std::to_string(server.port()) +
                                      "): read failed"),
            std::string::npos)
      << gone[0].event.detail;
  EXPECT_EQ(client.counters().reconnects(ReconnectReason::kError), 1u);
}

TEST(BinanceStreamClient, SilentConnectionIsReplacedByTheStaleWatchdog) {
  FakeBinanceServer server;
  ManualClock clock;
  StreamClientOptions options = plain_options(server);
  options.clock = &clock;
  options.stale_after = 300ms;
  RunningClient client(options);
  ASSERT_TRUE(server.wait_for("open 1"));
  server.command("send {\"n\":1}");
  ASSERT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 1; }));
  const Clock::SteadyTime silent_from = clock.steady_now();

  // The server keeps the TCP connection open and sends nothing: still open
  // at 290 ms of silence, replaced at 300 ms.
  advance_to(clock, silent_from + 290ms, 10ms);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(server.index_of("closed 1"), -1) << "replaced before stale_after";
  clock.advance(10ms);
  EXPECT_TRUE(server.wait_for("closed 1"));
  ASSERT_TRUE(advance_until(clock, 50ms, 5s, [&] { return server.index_of("open 2") >= 0; }));
  const std::vector<TimedEvent> gone = client.handler().events_of(ConnectionEvent::Kind::kDisconnected);
  ASSERT_GE(gone.size(), 1u);
  EXPECT_EQ(gone[0].event.reason, ReconnectReason::kStale);
  EXPECT_EQ(gone[0].event.session_id, 1u);
  EXPECT_NE(gone[0].event.detail.find("no message for 300 ms"), std::string::npos) << gone[0].event.detail;
  EXPECT_GE(client.counters().reconnects(ReconnectReason::kStale), 1u);
}

TEST(BinanceStreamClient, SplitsSymbolsOverConnectionsOfAtMostMaxStreams) {
  FakeBinanceServer server;
  StreamClientOptions options = plain_options(server, {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"});
  options.max_streams_per_connection = 2;
  RunningClient client(options);
  EXPECT_EQ(client.client().connection_count(), 3u);

  ASSERT_TRUE(server.wait_until([](const std::vector<std::string>& lines) {
    return std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("open "); }) == 3;
  }));
  std::set<std::string> paths;
  for (const std::string& line : server.lines()) {
    if (line.starts_with("open ")) paths.insert(line.substr(line.find(' ', 5) + 1));
  }
  EXPECT_EQ(paths, (std::set<std::string>{
                       "/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade",
                       "/market/stream?streams=solusdt@aggTrade/bnbusdt@aggTrade",
                       "/market/stream?streams=xrpusdt@aggTrade",
                   }));
  ASSERT_TRUE(client.handler().wait_until(
      [&] { return client.handler().count_locked(ConnectionEvent::Kind::kConnected) == 3; }));
  std::set<std::size_t> indexes;
  for (const TimedEvent& e : client.handler().events_of(ConnectionEvent::Kind::kConnected)) {
    indexes.insert(e.event.connection_index);
  }
  EXPECT_EQ(indexes, (std::set<std::size_t>{0, 1, 2}));
  EXPECT_EQ(load(client.counters().connected_connections), 3u);
}

// Rotation and the overlap run on a manual clock: the test moves time, so
// the 1 s rotation age and the 200 ms overlap take no real second.
TEST(BinanceStreamClient, RotationOpensTheNewConnectionBeforeClosingTheOldAndLosesNoTrade) {
  FakeBinanceServer server;
  ManualClock clock;
  StreamClientOptions options = plain_options(server);
  options.clock = &clock;
  options.rotate_after = 1s;
  options.rotation_overlap = 200ms;
  RunningClient client(options);
  ASSERT_TRUE(server.wait_for("open 1"));
  server.command("stream 5");
  ASSERT_TRUE(client.handler().wait_until([&] { return !client.handler().frames_locked().empty(); }));

  // Nothing rotates while the clock stands still.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(server.index_of("open 2"), -1);

  // Two rotations: 1 -> 2 -> 3.
  const auto seen = [&](const std::string& line) { return server.index_of(line) >= 0; };
  ASSERT_TRUE(advance_until(clock, 50ms, 3s, [&] { return seen("closed 2"); }));
  server.command("pause");
  const std::optional<std::string> paused = server.wait_for("paused ");
  ASSERT_TRUE(paused);
  const std::int64_t last_id = std::stoll(paused->substr(7));
  EXPECT_TRUE(client.handler().wait_until([&] {
    const auto& frames = client.handler().frames_locked();
    return std::any_of(frames.begin(), frames.end(), [&](const std::string& f) { return agg_id(f) == last_id; });
  })) << "last id " << last_id;

  // The server saw each replacement open while the old one was still open.
  EXPECT_LT(server.index_of("open 2"), server.index_of("closed 1"));
  EXPECT_LT(server.index_of("open 3"), server.index_of("closed 2"));
  EXPECT_EQ(server.wait_for("closed 1"), "closed 1 1000");
  EXPECT_EQ(server.wait_for("closed 2"), "closed 2 1000");

  // Every id arrived at least once; the overlap delivered some twice.
  const std::vector<std::string> frames = client.handler().frames();
  std::set<std::int64_t> ids;
  for (const std::string& frame : frames) ids.insert(agg_id(frame));
  std::vector<std::int64_t> lost;
  for (std::int64_t id = 1; id <= last_id; ++id) {
    if (!ids.count(id)) lost.push_back(id);
  }
  EXPECT_EQ(lost, std::vector<std::int64_t>{}) << "of ids 1.." << last_id;
  EXPECT_GT(frames.size(), static_cast<std::size_t>(last_id));

  EXPECT_GE(client.counters().reconnects(ReconnectReason::kRotation), 2u);
  EXPECT_EQ(client.counters().reconnects(ReconnectReason::kError), 0u);
  EXPECT_EQ(client.counters().reconnects(ReconnectReason::kClosed), 0u);
  EXPECT_GE(client.handler().events_of(ConnectionEvent::Kind::kRotating).size(), 2u);
  for (const TimedEvent& e : client.handler().events_of(ConnectionEvent::Kind::kDisconnected)) {
    EXPECT_EQ(e.event.reason, ReconnectReason::kRotation) << "session " << e.event.session_id;
    EXPECT_EQ(e.event.retry_delay, 0ms);  // the replacement was already open
  }
}

TEST(BinanceStreamClient, FailedConnectsBackOffWithGrowingDelaysCappedAtTheMaximum) {
  StreamClientOptions options;
  options.url = "ws://127.0.0.1:" + std::to_string(closed_port()) + "/market/stream";
  options.symbols = {"BTCUSDT"};
  options.reconnect_initial = 20ms;
  options.reconnect_max = 160ms;
  RunningClient client(options);
  ASSERT_TRUE(client.handler().wait_until(
      [&] { return client.handler().count_locked(ConnectionEvent::Kind::kDisconnected) >= 8; }));
  const std::vector<TimedEvent> gone = client.handler().events_of(ConnectionEvent::Kind::kDisconnected);

  const milliseconds ceilings[] = {20ms, 40ms, 80ms, 160ms, 160ms, 160ms, 160ms, 160ms};
  for (std::size_t i = 0; i < 8; ++i) {
    SCOPED_TRACE("failure " + std::to_string(i + 1));
    EXPECT_EQ(gone[i].event.reason, ReconnectReason::kError);
    EXPECT_NE(gone[i].event.detail.find("connect failed"), std::string::npos) << gone[i].event.detail;
    EXPECT_EQ(gone[i].event.failures, i + 1);
    EXPECT_LE(gone[i].event.retry_delay, ceilings[i]);
    if (i + 1 < 8) {
      // The next attempt failed no sooner than the announced delay, and not
      // much later either.
      const auto gap = gone[i + 1].at - gone[i].at;
      EXPECT_GE(gap, gone[i].event.retry_delay);
      EXPECT_LE(gap, gone[i].event.retry_delay + 2s);
    }
  }
  EXPECT_EQ(load(client.counters().connects_total), 0u);
  EXPECT_GE(client.counters().reconnects(ReconnectReason::kError), 8u);
}

// The limiter's window on a manual clock: 3 attempts, then none while the
// clock stays inside the first second, however long real time runs, then
// the next ones once it leaves it.
TEST(BinanceStreamClient, ConnectAttemptsAreRateLimitedPerWindow) {
  ManualClock clock;
  StreamClientOptions options;
  options.clock = &clock;
  options.url = "ws://127.0.0.1:" + std::to_string(closed_port()) + "/market/stream";
  options.symbols = {"BTCUSDT"};
  options.reconnect_initial = 1ms;
  options.reconnect_max = 1ms;
  options.max_connects_per_window = 3;
  options.connect_window = 1000ms;
  const Clock::SteadyTime start = clock.steady_now();  // the first attempt's time
  RunningClient client(options);
  const auto attempts = [&] { return load(client.counters().connect_attempts_total); };
  // Unlimited, a 1 ms backoff would make an attempt per millisecond.
  ASSERT_TRUE(advance_until(clock, 5ms, 900ms, [&] { return attempts() >= 3; }));
  advance_to(clock, start + 990ms, 10ms);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(attempts(), 3u) << "inside the first window";
  ASSERT_TRUE(advance_until(clock, 10ms, 1s, [&] { return attempts() >= 4; }));
  advance_to(clock, start + 1990ms, 10ms);
  std::this_thread::sleep_for(30ms);
  EXPECT_LE(attempts(), 6u) << "within two windows";
}

// Issue 13, finding 6: Binance counts connections per IP, so every client of
// the process draws from one limiter: two clients together stay within it.
TEST(BinanceStreamClient, ClientsSharingALimiterStayWithinItTogether) {
  ManualClock clock;
  StreamClientOptions options;
  options.clock = &clock;
  options.url = "ws://127.0.0.1:" + std::to_string(closed_port()) + "/market/stream";
  options.symbols = {"BTCUSDT"};
  options.reconnect_initial = 1ms;
  options.reconnect_max = 1ms;
  options.connect_limiter = std::make_shared<ConnectRateLimiter>(3, 1000ms);
  const Clock::SteadyTime start = clock.steady_now();
  RunningClient first(options);
  RunningClient second(options);
  const auto attempts = [&] {
    return load(first.counters().connect_attempts_total) + load(second.counters().connect_attempts_total);
  };
  ASSERT_TRUE(advance_until(clock, 5ms, 900ms, [&] { return attempts() >= 3; }));
  advance_to(clock, start + 990ms, 10ms);
  std::this_thread::sleep_for(30ms);
  // Each alone would make 3 in the window; together they share 3.
  EXPECT_EQ(attempts(), 3u);
}

TEST(ConnectRateLimiter, AllowsMaxPerWindowThenSaysHowLongToWait) {
  ConnectRateLimiter limiter(2, 1000ms);
  const auto t0 = std::chrono::steady_clock::time_point{} + 10s;
  EXPECT_EQ(limiter.try_acquire(t0), 0ms);
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), 0ms);
  EXPECT_EQ(limiter.try_acquire(t0 + 200ms), 800ms);  // the first attempt leaves the window at 1 s
  EXPECT_EQ(limiter.try_acquire(t0 + 1000ms), 0ms);
  EXPECT_EQ(limiter.try_acquire(t0 + 1050ms), 50ms);
}

TEST(BinanceStreamClient, StopClosesCleanlyAndTheIoContextRunsOut) {
  FakeBinanceServer server;
  RunningClient client(plain_options(server, {"BTCUSDT", "ETHUSDT"}));
  // Open on the client's side too: stopping during the upgrade aborts instead.
  ASSERT_TRUE(client.handler().wait_until(
      [&] { return client.handler().count_locked(ConnectionEvent::Kind::kConnected) == 1; }));
  EXPECT_TRUE(client.stop_and_join());
  EXPECT_EQ(server.wait_for("closed 1"), "closed 1 1000");
  EXPECT_EQ(load(client.counters().connected_connections), 0u);
  EXPECT_EQ(server.index_of("open 2"), -1);  // no reconnect after stop
}

// TLS: certificates made by openssl in a temporary directory.
class BinanceStreamClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("alphastream_tls_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    make_certificate("localhost", "DNS:localhost,IP:127.0.0.1");
    make_certificate("wrong.example", "DNS:wrong.example");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static void make_certificate(const std::string& name, const std::string& alt_names) {
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
                                " -keyout " + key(name) + " -out " + cert(name) + " -subj /CN=" + name +
                                " -addext subjectAltName=" + alt_names + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static std::string cert(const std::string& name) { return (dir_ / (name + ".crt")).string(); }
  static std::string key(const std::string& name) { return (dir_ / (name + ".key")).string(); }

  static StreamClientOptions tls_options(const FakeBinanceServer& server) {
    StreamClientOptions options = plain_options(server);
    options.url = server.url("wss", "localhost");
    options.reconnect_initial = 20ms;
    options.reconnect_max = 100ms;
    return options;
  }

  static void expect_tls_failures(RunningClient& client, const std::string& why) {
    ASSERT_TRUE(client.handler().wait_until(
        [&] { return client.handler().count_locked(ConnectionEvent::Kind::kDisconnected) >= 2; }));
    for (const TimedEvent& e : client.handler().events_of(ConnectionEvent::Kind::kDisconnected)) {
      EXPECT_EQ(e.event.reason, ReconnectReason::kTls);
      EXPECT_NE(e.event.detail.find("TLS handshake failed: certificate verify failed"), std::string::npos)
          << e.event.detail;
      EXPECT_NE(e.event.detail.find(why), std::string::npos) << e.event.detail;
    }
    EXPECT_EQ(load(client.counters().connects_total), 0u);
    EXPECT_GE(client.counters().reconnects(ReconnectReason::kTls), 2u);
  }

  static inline std::filesystem::path dir_;
};

TEST_F(BinanceStreamClientTls, PrivateCaFromCaFileIsTrusted) {
  FakeBinanceServer server({"--cert", cert("localhost"), "--key", key("localhost")});
  StreamClientOptions options = tls_options(server);
  options.ca_file = cert("localhost");
  RunningClient client(options);
  EXPECT_EQ(server.wait_for("open 1"), "open 1 /market/stream?streams=btcusdt@aggTrade");
  server.command("send {\"n\":1}");
  ASSERT_TRUE(client.handler().wait_until([&] { return client.handler().frames_locked().size() == 1; }));
  EXPECT_EQ(client.handler().frames()[0], "{\"n\":1}");
  server.command("ping");
  EXPECT_TRUE(server.wait_for("pong 1"));
}

TEST_F(BinanceStreamClientTls, IpAddressUrlIsVerifiedAgainstTheCertificatesIpName) {
  FakeBinanceServer server({"--cert", cert("localhost"), "--key", key("localhost")});
  StreamClientOptions options = tls_options(server);
  options.url = server.url("wss", "127.0.0.1");
  options.ca_file = cert("localhost");
  RunningClient client(options);
  EXPECT_TRUE(server.wait_for("open 1"));
}

TEST_F(BinanceStreamClientTls, DefaultTrustRejectsTheSelfSignedCertificateAndRetries) {
  FakeBinanceServer server({"--cert", cert("localhost"), "--key", key("localhost")});
  RunningClient client(tls_options(server));
  expect_tls_failures(client, "self");  // "self-signed certificate"
  EXPECT_EQ(server.index_of("open "), -1);
}

TEST_F(BinanceStreamClientTls, CertificateForAnotherHostIsRejected) {
  FakeBinanceServer server({"--cert", cert("wrong.example"), "--key", key("wrong.example")});
  StreamClientOptions options = tls_options(server);
  options.ca_file = cert("wrong.example");
  RunningClient client(options);
  expect_tls_failures(client, "hostname mismatch");
  EXPECT_EQ(server.index_of("open "), -1);
}

TEST_F(BinanceStreamClientTls, VerificationOffAcceptsAnyCertificate) {
  FakeBinanceServer server({"--cert", cert("wrong.example"), "--key", key("wrong.example")});
  StreamClientOptions options = tls_options(server);
  options.verify_tls = false;
  RunningClient client(options);
  EXPECT_TRUE(server.wait_for("open 1"));
}

}  // namespace
}  // namespace alphastream
