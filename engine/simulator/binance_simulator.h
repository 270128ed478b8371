// An in-process Binance USD-M Futures market stream server on loopback, so
// the live service runs offline and tests drive the real websocket client.
// It serves combined aggTrade streams
//   GET /market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade
// with Binance's frame layout, pings every ping_interval, and generates the
// trades of each configured pair with one PairTradeGenerator, so the two
// legs are cointegrated. Trades are paced by the options' clock: each is
// stamped with its wall time (T) and sent a few milliseconds later (E >= T).
// It also answers Binance's REST aggTrades query
//   GET /fapi/v1/aggTrades?symbol=BTCUSDT&fromId=N&limit=L
// from the symbol's recent trades (sent or not), with the
// X-MBX-USED-WEIGHT-1M header and, past rest_weight_limit, 429 and
// Retry-After, so the engine's gap backfill runs against it.
// Every connection subscribed to a symbol gets the same frames, so
// overlapping connections see the same trades with the same ids. A symbol's
// first agg id is the start time in ms, so the ids of a restarted simulator
// continue above the previous run's, as a real venue's would.
//
// The server runs on its own thread. Its public methods are thread-safe;
// fault injections are posted to that thread and take effect in the order
// they were called, before any trade generated after the call returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace alphastream {

// One cointegrated pair: the PairGeneratorConfig model without its clock,
// rates and seed, which the simulator sets.
struct SimulatedPair {
  std::string y_symbol = "SIMYUSDT";  // upper case, as Binance spells symbols
  std::string x_symbol = "SIMXUSDT";
  double x_start_price = 100.0;
  double alpha = 20.0;  // y = alpha + beta * x + spread
  double beta = 1.5;
  double x_volatility_per_sqrt_s = 1e-4;
  double spread_theta_per_s = 0.005;
  double spread_sigma_per_sqrt_s = 0.05;
  // Prices are multiples of this tick and print with its decimals
  // (0.01 -> "123.45"), as Binance prints with a symbol's tick size.
  double price_tick = 0.01;
  double mean_quantity = 1.0;  // quantities print with 3 decimals
};

struct SimulatorOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, see BinanceSimulator::port()
  bool tls = false;        // serve wss:// with a fresh self-signed certificate
  // When tls and not empty, the certificate PEM is written here before
  // start() returns, for the client's CA file.
  std::string ca_file_out;
  std::vector<SimulatedPair> pairs = {SimulatedPair{}};
  double trades_per_second = 50;  // per symbol, on average (Poisson); at most 1000
  std::uint64_t seed = 7;         // pair i uses seed + i
  std::chrono::milliseconds ping_interval{180000};  // Binance pings every 3 minutes
  // Per symbol, an aggregate id to continue after (a recording's last): the
  // first id is the next one. Symbols not listed start at the start time in
  // ms, above any earlier run's.
  std::vector<std::pair<std::string, std::int64_t>> continue_after_ids;
  // Trades per symbol the REST endpoint remembers, the latest ones.
  std::size_t rest_history = 100'000;
  // Request weight per minute (20 a request, as fapi's aggTrades); 0: no limit.
  std::int64_t rest_weight_limit = 2400;
  // Paces trades, pings and stalls and stamps trade times; must outlive the
  // simulator. Tests pass a ManualClock and move it. The handshake timeout
  // is Beast's and real.
  const Clock* clock = &system_clock();
};

// Counters since start(); each read is atomic on its own.
struct SimulatorStats {
  std::uint64_t connections_accepted = 0;  // websocket handshakes completed
  std::uint64_t connections_open = 0;
  std::uint64_t handshakes_rejected = 0;   // answered with HTTP 400
  std::uint64_t frames_sent = 0;           // data frames written, summed over connections
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_received = 0;
  std::uint64_t rest_requests = 0;       // REST queries answered, rate-limited ones included
  std::uint64_t rest_rate_limited = 0;   // answered 429
};

class BinanceSimulator {
 public:
  // Validates options (symbols distinct, each pair a valid generator model,
  // rate above zero), binds and listens, and starts the server thread.
  // Returns an error naming the bad option, or the address that could not
  // be bound, or the CA file that could not be written.
  static Result<std::unique_ptr<BinanceSimulator>> start(SimulatorOptions options);

  // Stops (see stop()).
  ~BinanceSimulator();
  BinanceSimulator(const BinanceSimulator&) = delete;
  BinanceSimulator& operator=(const BinanceSimulator&) = delete;

  std::uint16_t port() const;
  // "ws://127.0.0.1:<port>/market/stream", or "wss://localhost:<port>/..."
  // with tls (the name the certificate is for); append "?streams=...".
  std::string url() const;

  // The REST aggTrades endpoint: "http(s)://<host>:<port>/fapi/v1/aggTrades".
  std::string rest_url() const;

  // Closes every connection without a close frame and joins the thread.
  // Idempotent; the other methods do nothing after it.
  void stop();

  // Fault injection. Resets every open TCP connection (SO_LINGER 0, no close
  // frame); new connections are still accepted.
  void drop_connections();
  // Sends nothing (trades nor pings) for duration, keeping connections open;
  // the trades that fall in the stall are sent in a burst when it ends, as
  // after a network hiccup, so no agg id is lost.
  void stall(std::chrono::milliseconds duration);
  // Advances the agg id (and trade ids) of symbol by count without sending:
  // subscribers see a gap of exactly count ids. Unknown symbols are ignored.
  void skip_ids(const std::string& symbol, std::int64_t count);
  // Generates the next count trades of symbol without sending them (the
  // REST endpoint still has them): subscribers see a gap of count ids that
  // a backfill can fill, as after trades lost in transit.
  void drop_trades(const std::string& symbol, std::int64_t count);
  // Delays every later REST answer by delay (0: none).
  void delay_rest(std::chrono::milliseconds delay);
  // Sends frame verbatim as a text message to every open connection.
  void send_raw(std::string frame);
  // Pings every open connection now (empty payload, as Binance does).
  void send_ping();

  SimulatorStats stats() const;

 private:
  class Server;
  explicit BinanceSimulator(std::unique_ptr<Server> server);
  std::unique_ptr<Server> server_;
};

}  // namespace alphastream
