// The simulator checked from outside: an independent Python websocket client
// (simulator_client.py, the `websockets` package) connects, records every
// frame with its receive time, and the frames are parsed here with the
// engine's AggTradeParser.
#include "simulator/binance_simulator.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "feed/agg_trade_parser.h"

extern char** environ;

namespace alphastream {
namespace {

using std::chrono::milliseconds;
using testing::HasSubstr;

// One line of the client's record.
struct Event {
  std::int64_t receive_ns = 0;
  int connection = 0;
  std::string kind;  // "frame" or "closed"
  std::string text;  // the frame, or the close code
};

// binance_simulator_work/<test name> beside the test binary, emptied: call
// once per test. Left in place after a run for a look at the recorded frames.
std::string work_dir() {
  const std::filesystem::path binary_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = binary_dir / "binance_simulator_work" / info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<std::string> client_command(std::vector<std::string> args) {
  args.insert(args.begin(), {ALPHASTREAM_PYTHON, "-B", SIMULATOR_CLIENT});
  return args;
}

// The client running in the background while the test injects faults.
class ClientProcess {
 public:
  explicit ClientProcess(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    spawned_ = posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0;
  }
  ~ClientProcess() {
    if (spawned_ && !waited_) wait();
  }

  // Returns the exit status, or -1 if the process did not start or exit.
  int wait() {
    waited_ = true;
    int status = 0;
    if (!spawned_ || waitpid(pid_, &status, 0) != pid_ || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
  }

 private:
  pid_t pid_ = 0;
  bool spawned_ = false;
  bool waited_ = false;
};

// Runs the client to completion and returns what it printed.
std::string run_client(const std::vector<std::string>& args) {
  std::string command;
  for (const std::string& arg : client_command(args)) command += "'" + arg + "' ";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string output;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) output.append(chunk, n);
  ::pclose(pipe);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

std::vector<Event> read_events(const std::string& path) {
  std::vector<Event> events;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    const std::size_t a = line.find('\t');
    const std::size_t b = line.find('\t', a + 1);
    const std::size_t c = line.find('\t', b + 1);
    if (c == std::string::npos) continue;
    events.push_back(Event{std::stoll(line.substr(0, a)), std::stoi(line.substr(a + 1, b - a - 1)),
                           line.substr(b + 1, c - b - 1), line.substr(c + 1)});
  }
  return events;
}

bool wait_until(const std::function<bool()>& done, milliseconds timeout = milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

SimulatorOptions two_pairs() {
  SimulatorOptions options;
  SimulatedPair eth_btc;
  eth_btc.y_symbol = "ETHUSDT";
  eth_btc.x_symbol = "BTCUSDT";
  eth_btc.x_start_price = 60000;
  eth_btc.alpha = 100;
  eth_btc.beta = 0.05;
  eth_btc.price_tick = 0.1;
  SimulatedPair sol_avax;
  sol_avax.y_symbol = "SOLUSDT";
  sol_avax.x_symbol = "AVAXUSDT";
  sol_avax.x_start_price = 30;
  sol_avax.alpha = 10;
  sol_avax.beta = 4;
  sol_avax.price_tick = 0.001;
  options.pairs = {eth_btc, sol_avax};
  return options;
}

std::unique_ptr<BinanceSimulator> start_or_die(SimulatorOptions options) {
  Result<std::unique_ptr<BinanceSimulator>> simulator = BinanceSimulator::start(std::move(options));
  if (!simulator) ADD_FAILURE() << simulator.error();
  return simulator ? std::move(simulator).value() : nullptr;
}

// The frames of one connection parsed, in arrival order.
struct Parsed {
  std::vector<AggTrade> trades;
  std::vector<std::string> frames;
  std::vector<std::int64_t> receive_ns;
  int failures = 0;
};

Parsed parse_frames(const std::vector<Event>& events, int connection) {
  Parsed parsed;
  AggTradeParser parser;
  for (const Event& event : events) {
    if (event.connection != connection || event.kind != "frame") continue;
    AggTrade trade;
    const ParseStatus status = parser.parse(event.text, trade);
    if (!status) {
      ++parsed.failures;
      continue;
    }
    parsed.trades.push_back(trade);
    parsed.frames.push_back(event.text);
    parsed.receive_ns.push_back(event.receive_ns);
  }
  return parsed;
}

std::map<std::string, std::vector<std::int64_t>> ids_by_symbol(const std::vector<AggTrade>& trades) {
  std::map<std::string, std::vector<std::int64_t>> ids;
  for (const AggTrade& trade : trades) ids[std::string(trade.symbol.view())].push_back(trade.agg_trade_id);
  return ids;
}

// The steps between consecutive ids other than +1, as (previous id, step).
std::vector<std::pair<std::int64_t, std::int64_t>> irregular_steps(const std::vector<std::int64_t>& ids) {
  std::vector<std::pair<std::int64_t, std::int64_t>> steps;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] != ids[i - 1] + 1) steps.emplace_back(ids[i - 1], ids[i] - ids[i - 1]);
  }
  return steps;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(BinanceSimulator, StartRejectsOptionsThatCannotBeServed) {
  SimulatorOptions twice = two_pairs();
  twice.pairs[1].x_symbol = "BTCUSDT";
  Result<std::unique_ptr<BinanceSimulator>> started = BinanceSimulator::start(twice);
  ASSERT_FALSE(started);
  EXPECT_TRUE(started.status().is_invalid_input());
  EXPECT_EQ(started.error(), "simulator: pairs[1]: symbol \"BTCUSDT\" is served twice");

  SimulatorOptions lower_case;
  lower_case.pairs[0].y_symbol = "ethusdt";
  EXPECT_THAT(BinanceSimulator::start(lower_case).error(), HasSubstr("\"ethusdt\": expected upper case"));

  SimulatorOptions no_rate;
  no_rate.trades_per_second = 0;
  EXPECT_THAT(BinanceSimulator::start(no_rate).error(), HasSubstr("trades_per_second"));
  no_rate.trades_per_second = 1001;  // more than one id per ms
  EXPECT_THAT(BinanceSimulator::start(no_rate).error(), HasSubstr("trades_per_second"));

  SimulatorOptions bad_tick;
  bad_tick.pairs[0].price_tick = -1;
  EXPECT_EQ(BinanceSimulator::start(bad_tick).error(),
            "simulator: pairs[0]: pair generator: price_tick: expected a number above zero");
}

TEST(BinanceSimulator, FramesParseAndEachSubscribedSymbolCountsUpByOne) {
  const std::int64_t started_ms = now_ms();
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  EXPECT_EQ(simulator->url(), "ws://127.0.0.1:" + std::to_string(simulator->port()) + "/market/stream");
  const std::string out = work_dir() + "/frames.tsv";
  // Three of the four symbols: SOLUSDT is served but not subscribed.
  const std::string url = simulator->url() + "?streams=ethusdt@aggTrade/btcusdt@aggTrade/avaxusdt@aggTrade";
  ASSERT_EQ(run_client({"record", url, out, "--seconds", "1.5"}), "");
  const std::int64_t finished_ms = now_ms();

  const std::vector<Event> events = read_events(out);
  const Parsed parsed = parse_frames(events, 0);
  EXPECT_EQ(parsed.failures, 0);
  const auto ids = ids_by_symbol(parsed.trades);
  EXPECT_THAT(ids, testing::ElementsAre(testing::Key("AVAXUSDT"), testing::Key("BTCUSDT"), testing::Key("ETHUSDT")));
  for (const auto& [symbol, symbol_ids] : ids) {
    // 50 trades/s for about a second, Poisson: far above 10 whatever the seed.
    EXPECT_GT(symbol_ids.size(), 10u) << symbol;
    EXPECT_THAT(irregular_steps(symbol_ids), testing::IsEmpty()) << symbol;
  }
  const std::regex layout(
      R"re(\{"stream":"([a-z]+)@aggTrade","data":\{"e":"aggTrade","E":\d+,"a":\d+,"s":"([A-Z]+)",)re"
      R"re("p":"\d+\.(\d+)","q":"(\d+\.\d{3})","nq":"(\d+\.\d{3})","f":\d+,"l":\d+,"T":\d+,)re"
      R"re("m":(true|false)\}\})re");
  const std::map<std::string, std::size_t> decimals = {{"BTCUSDT", 1}, {"ETHUSDT", 1}, {"AVAXUSDT", 3}};
  for (std::size_t i = 0; i < parsed.trades.size(); ++i) {
    const AggTrade& trade = parsed.trades[i];
    std::smatch match;
    ASSERT_TRUE(std::regex_match(parsed.frames[i], match, layout)) << parsed.frames[i];
    const std::string symbol(trade.symbol.view());
    std::string lowered = symbol;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
    EXPECT_EQ(match[1], lowered);
    EXPECT_EQ(match[2], symbol);
    EXPECT_EQ(match[3].length(), static_cast<long>(decimals.at(symbol))) << parsed.frames[i];
    EXPECT_EQ(match[4], match[5]);
    EXPECT_GE(trade.transact_time_ms, started_ms);
    // Ids start at the start time in ms and grow by fewer than one per ms.
    EXPECT_GE(trade.agg_trade_id, started_ms);
    EXPECT_LT(trade.agg_trade_id, finished_ms);
    EXPECT_GE(trade.first_trade_id, 4 * started_ms);
    EXPECT_LE(trade.event_time_ms, finished_ms);
    EXPECT_GE(trade.event_time_ms, trade.transact_time_ms);
    EXPECT_LT(trade.event_time_ms - trade.transact_time_ms, 500) << parsed.frames[i];
    EXPECT_LE(trade.first_trade_id, trade.last_trade_id);
    EXPECT_GT(trade.quantity, 0);
  }
  const SimulatorStats stats = simulator->stats();
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_GE(stats.frames_sent, parsed.trades.size());
}

TEST(BinanceSimulator, BothLegsOfAPairFollowTheCointegrationModel) {
  SimulatorOptions options = two_pairs();
  options.pairs.resize(1);
  options.pairs[0].spread_sigma_per_sqrt_s = 0;  // y = alpha + beta x exactly, up to the tick
  auto simulator = start_or_die(options);
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ASSERT_EQ(run_client({"record", simulator->url() + "?streams=ethusdt@aggTrade/btcusdt@aggTrade", out,
                        "--seconds", "1"}),
            "");
  const Parsed parsed = parse_frames(read_events(out), 0);
  double last_x = 0;
  int y_checked = 0;
  for (const AggTrade& trade : parsed.trades) {
    if (trade.symbol.view() == "BTCUSDT") last_x = trade.price;
    if (trade.symbol.view() != "ETHUSDT" || last_x == 0) continue;
    // x moves little between trades (1e-4 per sqrt(s)): 60000 -> about 6 per s.
    EXPECT_NEAR(trade.price, 100 + 0.05 * last_x, 0.5);
    ++y_checked;
  }
  EXPECT_GT(y_checked, 10);
}

TEST(BinanceSimulator, OverlappingConnectionsReceiveIdenticalFrames) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ASSERT_EQ(run_client({"record", simulator->url() + "?streams=ethusdt@aggTrade/btcusdt@aggTrade", out,
                        "--seconds", "2", "--second-after", "0.7"}),
            "");
  const std::vector<Event> events = read_events(out);
  const Parsed first = parse_frames(events, 0);
  const Parsed second = parse_frames(events, 1);
  ASSERT_GT(second.frames.size(), 20u);
  // The second connection joined late: its frames are a tail of the first's.
  const auto start = std::find(first.frames.begin(), first.frames.end(), second.frames.front());
  ASSERT_NE(start, first.frames.end());
  const std::vector<std::string> first_tail(start, first.frames.end());
  const std::size_t common = std::min(first_tail.size(), second.frames.size());
  EXPECT_GE(common + 5, second.frames.size());  // the deadline may cut either short by a few
  EXPECT_TRUE(std::equal(second.frames.begin(), second.frames.begin() + static_cast<long>(common),
                         first_tail.begin()));
  EXPECT_EQ(simulator->stats().connections_accepted, 2u);
}

TEST(BinanceSimulator, SkipIdsLeavesAGapOfExactlyThatManyIds) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ClientProcess client(client_command(
      {"record", simulator->url() + "?streams=ethusdt@aggTrade/btcusdt@aggTrade", out, "--seconds", "1.5"}));
  ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
  std::this_thread::sleep_for(milliseconds(300));
  simulator->skip_ids("ETHUSDT", 1000);
  ASSERT_EQ(client.wait(), 0);

  const auto ids = ids_by_symbol(parse_frames(read_events(out), 0).trades);
  ASSERT_EQ(ids.count("ETHUSDT"), 1u);
  const auto steps = irregular_steps(ids.at("ETHUSDT"));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].second, 1001);  // 1000 ids never sent
  EXPECT_THAT(irregular_steps(ids.at("BTCUSDT")), testing::IsEmpty());
}

// Moves clock to until in 10 ms steps, a millisecond of real time apart, so
// the server's timers see each step; then lets it publish what is due.
void advance_to(ManualClock& clock, Clock::SteadyTime until) {
  while (clock.steady_now() < until) {
    clock.advance(std::min<std::chrono::nanoseconds>(milliseconds(10), until - clock.steady_now()));
    std::this_thread::sleep_for(milliseconds(1));
  }
  std::this_thread::sleep_for(milliseconds(20));
}

// On a manual clock: no frame while the clock is inside the stall, however
// long real time runs, then the stalled trades in a burst with no id lost.
TEST(BinanceSimulator, StallSilencesTheStreamThenCatchesUpWithoutLosingIds) {
  ManualClock clock;
  SimulatorOptions options = two_pairs();
  options.clock = &clock;
  auto simulator = start_or_die(options);
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ClientProcess client(client_command(
      {"record", simulator->url() + "?streams=ethusdt@aggTrade/btcusdt@aggTrade", out, "--seconds", "20"}));
  ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
  const Clock::SteadyTime start = clock.steady_now();
  advance_to(clock, start + milliseconds(300));
  const std::uint64_t before_stall = simulator->stats().frames_sent;
  EXPECT_GT(before_stall, 5u);  // 100 trades/s over the two symbols

  simulator->stall(milliseconds(800));  // from start + 300 ms: the clock stands still
  advance_to(clock, start + milliseconds(1090));
  EXPECT_EQ(simulator->stats().frames_sent, before_stall) << "frames sent during the stall";
  advance_to(clock, start + milliseconds(1200));
  // About 90 stalled and new trades; fewer than 30 has probability < 1e-12.
  EXPECT_GT(simulator->stats().frames_sent, before_stall + 30);
  simulator->drop_connections();
  ASSERT_EQ(client.wait(), 0);

  const Parsed parsed = parse_frames(read_events(out), 0);
  EXPECT_EQ(parsed.trades.size(), simulator->stats().frames_sent);
  for (const auto& [symbol, symbol_ids] : ids_by_symbol(parsed.trades)) {
    EXPECT_THAT(irregular_steps(symbol_ids), testing::IsEmpty()) << symbol;
  }
}

TEST(BinanceSimulator, PingsOnTheIntervalAndOnDemandAreAnsweredWithPongs) {
  ManualClock clock;
  SimulatorOptions options = two_pairs();
  options.clock = &clock;
  options.ping_interval = milliseconds(200);
  auto simulator = start_or_die(options);
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  {
    ClientProcess client(
        client_command({"record", simulator->url() + "?streams=btcusdt@aggTrade", out, "--seconds", "20"}));
    ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
    const Clock::SteadyTime start = clock.steady_now();
    advance_to(clock, start + milliseconds(190));
    EXPECT_EQ(simulator->stats().pings_sent, 0u) << "pinged before the interval";
    // One ping per 200 ms of the clock, each answered.
    for (std::uint64_t n = 1; n <= 3; ++n) {
      advance_to(clock, start + milliseconds(200 * static_cast<int>(n)));
      EXPECT_TRUE(wait_until([&] { return simulator->stats().pongs_received == n; }))
          << "after " << n << " intervals: " << simulator->stats().pongs_received;
    }
    EXPECT_EQ(simulator->stats().pings_sent, 3u);
    simulator->drop_connections();
    EXPECT_EQ(client.wait(), 0);
  }

  auto on_demand = start_or_die(two_pairs());  // pings every 3 minutes: none during the test
  ASSERT_TRUE(on_demand);
  ClientProcess client(
      client_command({"record", on_demand->url() + "?streams=btcusdt@aggTrade", out, "--seconds", "20"}));
  ASSERT_TRUE(wait_until([&] { return on_demand->stats().connections_open == 1; }));
  EXPECT_EQ(on_demand->stats().pongs_received, 0u);
  on_demand->send_ping();
  EXPECT_TRUE(wait_until([&] { return on_demand->stats().pongs_received == 1; }));
  on_demand->drop_connections();
  EXPECT_EQ(client.wait(), 0);
  EXPECT_EQ(on_demand->stats().pings_sent, 1u);
}

TEST(BinanceSimulator, DropConnectionsClosesTheSocketWithoutACloseFrame) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  const auto started = std::chrono::steady_clock::now();
  ClientProcess client(
      client_command({"record", simulator->url() + "?streams=btcusdt@aggTrade", out, "--seconds", "20"}));
  ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
  std::this_thread::sleep_for(milliseconds(200));
  simulator->drop_connections();
  ASSERT_EQ(client.wait(), 0);
  // The client stopped because the connection closed, not at its deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  const std::vector<Event> events = read_events(out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "closed");
  EXPECT_EQ(events.back().text, "1006");  // abnormal closure: no close frame
  EXPECT_EQ(simulator->stats().connections_open, 0u);

  // The server still accepts new connections.
  EXPECT_EQ(run_client({"connect", simulator->url() + "?streams=btcusdt@aggTrade"}), "ok");
}

TEST(BinanceSimulator, SendRawDeliversAMalformedFrameVerbatim) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ClientProcess client(
      client_command({"record", simulator->url() + "?streams=btcusdt@aggTrade", out, "--seconds", "1"}));
  ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
  const std::string truncated = R"({"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":17)";
  simulator->send_raw(truncated);
  ASSERT_EQ(client.wait(), 0);

  const std::vector<Event> events = read_events(out);
  EXPECT_EQ(std::count_if(events.begin(), events.end(), [&](const Event& e) { return e.text == truncated; }), 1);
  AggTradeParser parser;
  AggTrade trade;
  EXPECT_EQ(parser.parse(truncated, trade).error, ParseError::kMalformedJson);
  EXPECT_EQ(parse_frames(events, 0).failures, 1);
}

TEST(BinanceSimulator, BadRequestsAreRefusedWithHttp400AndAReason) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string port = std::to_string(simulator->port());
  const auto request = [&](const std::string& target, bool upgrade = true) {
    std::vector<std::string> args = {"request", "127.0.0.1", port, target};
    if (!upgrade) args.push_back("--no-upgrade");
    return run_client(args);
  };
  EXPECT_EQ(request("/ws/btcusdt@aggTrade"),
            "400\tunknown path \"/ws/btcusdt@aggTrade\": expected /market/stream?streams=<symbol>@aggTrade/...");
  EXPECT_EQ(request("/market/stream"),
            "400\tmissing streams parameter: expected /market/stream?streams=<symbol>@aggTrade/...");
  EXPECT_EQ(request("/market/stream?streams=btcusdt@aggTrade/dogeusdt@aggTrade"),
            "400\tunknown stream \"dogeusdt@aggTrade\": serving btcusdt@aggTrade ethusdt@aggTrade "
            "avaxusdt@aggTrade solusdt@aggTrade");
  EXPECT_THAT(request("/market/stream?streams=BTCUSDT@aggTrade"), HasSubstr("400\tunknown stream \"BTCUSDT@aggTrade\""));
  EXPECT_THAT(request("/market/stream?streams=btcusdt@depth"), HasSubstr("400\tunknown stream \"btcusdt@depth\""));
  EXPECT_EQ(request("/market/stream?streams=btcusdt@aggTrade", false), "400\texpected a websocket upgrade request");
  // A websocket library sees the refusal as a status, not a broken socket.
  EXPECT_EQ(run_client({"connect", simulator->url() + "?streams=xrpusdt@aggTrade"}), "status 400");
  EXPECT_EQ(simulator->stats().handshakes_rejected, 7u);
  EXPECT_EQ(simulator->stats().connections_accepted, 0u);
}

TEST(BinanceSimulator, TlsClientVerifiesTheWrittenCertificateByNameAndAddress) {
  SimulatorOptions options = two_pairs();
  options.tls = true;
  const std::string dir = work_dir();
  options.ca_file_out = dir + "/simulator-ca.pem";
  auto simulator = start_or_die(options);
  ASSERT_TRUE(simulator);
  const std::string port = std::to_string(simulator->port());
  EXPECT_EQ(simulator->url(), "wss://127.0.0.1:" + port + "/market/stream");
  const std::string by_name = "wss://localhost:" + port + "/market/stream?streams=btcusdt@aggTrade";
  EXPECT_EQ(run_client({"connect", by_name, "--ca", options.ca_file_out}), "ok");

  const std::string out = dir + "/frames.tsv";
  ASSERT_EQ(run_client({"record", simulator->url() + "?streams=btcusdt@aggTrade/ethusdt@aggTrade", out, "--ca",
                        options.ca_file_out, "--seconds", "1"}),
            "");
  const Parsed parsed = parse_frames(read_events(out), 0);
  EXPECT_EQ(parsed.failures, 0);
  EXPECT_GT(parsed.trades.size(), 20u);

  // Without the CA file the system trust store does not know the certificate.
  EXPECT_THAT(run_client({"connect", by_name}), HasSubstr("error certificate"));
  EXPECT_EQ(run_client({"connect", "ws://127.0.0.1:" + port + "/market/stream?streams=btcusdt@aggTrade"}).rfind(
                "error", 0),
            0u);
}

TEST(BinanceSimulator, StopClosesConnectionsAndIsIdempotent) {
  auto simulator = start_or_die(two_pairs());
  ASSERT_TRUE(simulator);
  const std::string out = work_dir() + "/frames.tsv";
  ClientProcess client(
      client_command({"record", simulator->url() + "?streams=btcusdt@aggTrade", out, "--seconds", "20"}));
  ASSERT_TRUE(wait_until([&] { return simulator->stats().connections_open == 1; }));
  simulator->stop();
  simulator->stop();
  simulator->send_ping();  // ignored after stop
  ASSERT_EQ(client.wait(), 0);
  const std::vector<Event> events = read_events(out);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "closed");
}

}  // namespace
}  // namespace alphastream
