#include "simulator/binance_simulator.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/agg_trade.h"
#include "core/clock_timer.h"
#include "simulator/agg_trade_frame.h"
#include "simulator/pair_trade_generator.h"
#include "simulator/tls_certificate.h"

namespace alphastream {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using SteadyTime = Clock::SteadyTime;

constexpr std::string_view kStreamPath = "/market/stream";
constexpr std::string_view kRestAggTradesPath = "/fapi/v1/aggTrades";
constexpr std::int64_t kRestWeight = 20;  // fapi aggTrades
constexpr std::int64_t kRestMaxLimit = 1000;
constexpr std::string_view kStreamSuffix = "@aggTrade";
// Binance publishes an aggregate a few milliseconds after its trade time.
constexpr std::chrono::milliseconds kPublishDelay{2};
constexpr std::chrono::seconds kHandshakeTimeout{10};
// A client this far behind is dropped rather than buffered without bound.
constexpr std::size_t kMaxQueuedFrames = 100'000;
// The generator's run never ends in practice: 30 years of virtual seconds.
constexpr double kEndlessDurationS = 1e9;
constexpr int kQuantityDecimals = 3;  // the generator's quantity step is 0.001
// Agg ids start at the start time in ms, so a later run's ids are above an
// earlier run's as long as a symbol trades at most once per ms; trade ids
// start at 4x, as an aggregate holds 2.5 fills on average.
constexpr double kMaxTradesPerSecond = 1000;
constexpr std::int64_t kTradeIdsPerMs = 4;

// The decimals of a tick (0.01 -> 2, 0.5 -> 1, 5 -> 0), at most 12.
int tick_decimals(double tick) {
  for (int decimals = 0; decimals < 12; ++decimals) {
    const double scaled = tick * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, scaled)) return decimals;
  }
  return 12;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// One served symbol: what its frames say and how its ids are shifted.
struct SymbolFeed {
  std::string name;         // "BTCUSDT"
  std::string stream_name;  // "btcusdt@aggTrade"
  int price_decimals = 2;
  // Added to the generator's ids: they start at start_ms (agg) and
  // 4 * start_ms (trade), and skip_ids adds to both.
  std::int64_t agg_id_shift = 0;
  std::int64_t trade_id_shift = 0;
  std::int64_t drop_next = 0;     // trades still to generate without sending
  std::deque<AggTrade> history;   // the latest trades as sent (ids shifted), for REST
};

// A pair's generator with its next trade already drawn, so the earliest
// trade over all pairs can be found without drawing ahead twice.
struct PairFeed {
  PairTradeGenerator generator;
  AggTrade next;
  bool has_next = false;
  std::size_t x_symbol = 0;  // indexes into the symbol table
  std::size_t y_symbol = 0;

  explicit PairFeed(PairGeneratorConfig config) : generator(std::move(config)) {
    has_next = generator.next(next);
  }
};

// The trade as symbol's subscribers see it: ids shifted.
AggTrade as_sent(const SymbolFeed& symbol, AggTrade trade, std::int64_t event_time_ms) {
  trade.agg_trade_id += symbol.agg_id_shift;
  trade.first_trade_id += symbol.trade_id_shift;
  trade.last_trade_id += symbol.trade_id_shift;
  trade.event_time_ms = event_time_ms;
  return trade;
}

// Its frame, printed with the symbol's tick decimals.
std::string format_frame(const SymbolFeed& symbol, const AggTrade& trade) {
  std::string frame;
  frame.reserve(kMaxAggTradeFrameSize);
  append_agg_trade_frame(frame, trade, {symbol.price_decimals, kQuantityDecimals});
  return frame;
}

Status validate_options(const SimulatorOptions& options) {
  if (options.pairs.empty()) return Status::invalid_input("simulator: pairs: expected at least one pair");
  if (!(options.trades_per_second > 0) || !(options.trades_per_second <= kMaxTradesPerSecond)) {
    return Status::invalid_input("simulator: trades_per_second: expected a number above zero, at most " +
                                 std::to_string(static_cast<int>(kMaxTradesPerSecond)));
  }
  if (options.ping_interval.count() <= 0) {
    return Status::invalid_input("simulator: ping_interval: expected a duration above zero");
  }
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < options.pairs.size(); ++i) {
    const SimulatedPair& pair = options.pairs[i];
    const std::string where = "simulator: pairs[" + std::to_string(i) + "]: ";
    for (const std::string* symbol : {&pair.y_symbol, &pair.x_symbol}) {
      if (*symbol != upper(*symbol)) {
        return Status::invalid_input(where + "symbol \"" + *symbol + "\": expected upper case");
      }
      if (std::find(seen.begin(), seen.end(), *symbol) != seen.end()) {
        return Status::invalid_input(where + "symbol \"" + *symbol + "\" is served twice");
      }
      seen.push_back(*symbol);
    }
  }
  return Status::ok();
}

PairGeneratorConfig generator_config(const SimulatedPair& pair, const SimulatorOptions& options,
                                     std::size_t index, std::int64_t start_ms) {
  PairGeneratorConfig config;
  config.x_symbol = pair.x_symbol;
  config.y_symbol = pair.y_symbol;
  config.x_start_price = pair.x_start_price;
  config.alpha = pair.alpha;
  config.beta = pair.beta;
  config.x_volatility_per_sqrt_s = pair.x_volatility_per_sqrt_s;
  config.spread_theta_per_s = pair.spread_theta_per_s;
  config.spread_sigma_per_sqrt_s = pair.spread_sigma_per_sqrt_s;
  config.price_tick = pair.price_tick;
  config.mean_quantity = pair.mean_quantity;
  config.x_trades_per_s = options.trades_per_second;
  config.y_trades_per_s = options.trades_per_second;
  config.start_ms = start_ms;
  config.duration_s = kEndlessDurationS;
  config.seed = options.seed + index;
  return config;
}

// The value of query parameter `name` in target ("a=1&b=2"), if present.
std::optional<std::string_view> query_param(std::string_view target, std::string_view name) {
  const std::size_t question = target.find('?');
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.size() > name.size() && param.starts_with(name) && param[name.size()] == '=') {
      return param.substr(name.size() + 1);
    }
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::int64_t> to_int64(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// A REST answer: status, body and the headers Binance sends with it.
struct RestAnswer {
  unsigned status = 200;
  std::string body;
  std::int64_t used_weight = 0;
  std::int64_t retry_after_s = -1;  // set on 429
};

// The symbols a request subscribes to, or why it is rejected.
struct Subscription {
  std::vector<bool> symbols;  // indexed like the symbol table
  std::string rejection;      // empty when accepted
};

Subscription parse_target(std::string_view target, const std::vector<SymbolFeed>& table) {
  Subscription out;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (path != kStreamPath) {
    out.rejection = "unknown path \"" + std::string(path) + "\": expected " + std::string(kStreamPath) +
                    "?streams=<symbol>@aggTrade/...";
    return out;
  }
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  std::optional<std::string_view> streams;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.starts_with("streams=")) streams = param.substr(8);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  if (!streams || streams->empty()) {
    out.rejection = "missing streams parameter: expected " + std::string(kStreamPath) +
                    "?streams=<symbol>@aggTrade/...";
    return out;
  }
  out.symbols.assign(table.size(), false);
  std::string_view rest = *streams;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view stream = rest.substr(0, slash);
    const auto known = std::find_if(table.begin(), table.end(),
                                    [&](const SymbolFeed& s) { return s.stream_name == stream; });
    if (known == table.end()) {
      out.rejection = "unknown stream \"" + std::string(stream) + "\": serving";
      for (const SymbolFeed& s : table) out.rejection += " " + s.stream_name;
      return out;
    }
    out.symbols[static_cast<std::size_t>(known - table.begin())] = true;
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

class ServerCore;

// One client connection, from TCP accept to close. Owned by shared_ptrs in
// its pending handlers and in the server's list; all calls on the server
// thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  virtual void start() = 0;
  // Queues frame; a no-op unless the websocket is open.
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  virtual void ping() = 0;
  // Resets the TCP connection: no close frame, no TLS close_notify.
  virtual void reset() = 0;

  bool is_open() const { return open_; }
  bool subscribed(std::size_t symbol) const { return symbol < symbols_.size() && symbols_[symbol]; }

 protected:
  bool open_ = false;
  std::vector<bool> symbols_;
};

// Everything that runs on the server thread; BinanceSimulator::Server owns
// it with the thread.
class ServerCore {
 public:
  ServerCore(SimulatorOptions options, std::vector<SymbolFeed> symbols, std::vector<PairFeed> pairs,
             std::optional<ssl::context> tls)
      : options_(std::move(options)),
        symbols_(std::move(symbols)),
        pairs_(std::move(pairs)),
        tls_(std::move(tls)),
        acceptor_(io_),
        trade_timer_(io_, *options_.clock),
        ping_timer_(io_, *options_.clock) {}

  Status listen() {
    beast::error_code ec;
    const net::ip::address address = net::ip::make_address(options_.listen_host, ec);
    if (ec) return Status::invalid_input("simulator: listen_host \"" + options_.listen_host + "\": " + ec.message());
    const tcp::endpoint endpoint(address, options_.port);
    const std::string where = "simulator: " + options_.listen_host + ":" + std::to_string(options_.port);
    if (acceptor_.open(endpoint.protocol(), ec); ec) return Status::error(where + ": open: " + ec.message());
    if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) {
      return Status::error(where + ": SO_REUSEADDR: " + ec.message());
    }
    if (acceptor_.bind(endpoint, ec); ec) return Status::error(where + ": bind: " + ec.message());
    if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) {
      return Status::error(where + ": listen: " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    return Status::ok();
  }

  // Queues the accept loop and the timers; run() then serves until stop.
  void begin(SteadyTime start_steady, std::int64_t start_ms) {
    start_steady_ = start_steady;
    start_ms_ = start_ms;
    accept();
    arm_trade_timer();
    ping_timer_.expires_after(options_.ping_interval);
    ping_timer_.async_wait([this](beast::error_code ec) { on_ping_timer(ec); });
  }

  void run() { io_.run(); }
  net::io_context& io() { return io_; }
  std::uint16_t port() const { return port_; }
  const SimulatorOptions& options() const { return options_; }
  ssl::context* tls() { return tls_ ? &*tls_ : nullptr; }
  const std::vector<SymbolFeed>& symbols() const { return symbols_; }

  // Ends every operation so that run() returns.
  void shutdown() {
    stopping_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    trade_timer_.cancel();
    ping_timer_.cancel();
    drop_connections();
  }

  void drop_connections() {
    // reset() may call forget(): iterate over a copy.
    const std::vector<std::shared_ptr<Session>> sessions = sessions_;
    for (const auto& session : sessions) session->reset();
  }

  void stall(std::chrono::milliseconds duration) {
    stall_until_ = std::max(stall_until_, options_.clock->steady_now() + duration);
  }

  void drop_trades(const std::string& symbol, std::int64_t count) {
    for (SymbolFeed& feed : symbols_) {
      if (feed.name == upper(symbol)) feed.drop_next += count;
    }
  }

  void delay_rest(std::chrono::milliseconds delay) { rest_delay_ = delay; }
  std::chrono::milliseconds rest_delay() const { return rest_delay_; }

  // Answers GET /fapi/v1/aggTrades as Binance does, from the history.
  RestAnswer answer_agg_trades(std::string_view target) {
    RestAnswer answer;
    ++rest_requests;
    const std::int64_t now = options_.clock->wall_ms();
    if (now / 60'000 != weight_minute_) {
      weight_minute_ = now / 60'000;
      used_weight_ = 0;
    }
    if (options_.rest_weight_limit > 0 && used_weight_ + kRestWeight > options_.rest_weight_limit) {
      ++rest_rate_limited;
      answer.status = 429;
      answer.used_weight = used_weight_;
      answer.retry_after_s = (weight_minute_ + 1) * 60 - now / 1000;
      answer.body = R"({"code":-1003,"msg":"Too many requests; current limit is )" +
                    std::to_string(options_.rest_weight_limit) + R"( request weight per 1 MINUTE."})";
      return answer;
    }
    used_weight_ += kRestWeight;
    answer.used_weight = used_weight_;
    const auto bad = [&](std::string_view message) {
      answer.status = 400;
      answer.body = R"({"code":-1100,"msg":")" + std::string(message) + R"("})";
      return answer;
    };
    const auto symbol = query_param(target, "symbol");
    const auto feed = std::find_if(symbols_.begin(), symbols_.end(),
                                   [&](const SymbolFeed& f) { return symbol && f.name == *symbol; });
    if (feed == symbols_.end()) {
      answer.status = 400;
      answer.body = R"({"code":-1121,"msg":"Invalid symbol."})";
      return answer;
    }
    std::int64_t limit = 500;
    if (const auto text = query_param(target, "limit")) {
      const auto value = to_int64(*text);
      if (!value || *value < 1 || *value > kRestMaxLimit) return bad("Illegal characters found in parameter 'limit'.");
      limit = *value;
    }
    const std::deque<AggTrade>& history = feed->history;
    auto from = history.end() - std::min<std::ptrdiff_t>(limit, static_cast<std::ptrdiff_t>(history.size()));
    if (const auto text = query_param(target, "fromId")) {
      const auto from_id = to_int64(*text);
      if (!from_id || *from_id < 0) return bad("Illegal characters found in parameter 'fromId'.");
      from = std::lower_bound(history.begin(), history.end(), *from_id,
                              [](const AggTrade& t, std::int64_t id) { return t.agg_trade_id < id; });
    }
    answer.body = "[";
    for (std::int64_t n = 0; from != history.end() && n < limit; ++from, ++n) {
      if (n > 0) answer.body += ',';
      append_rest_agg_trade(answer.body, *from, {feed->price_decimals, kQuantityDecimals});
    }
    answer.body += ']';
    return answer;
  }

  void skip_ids(const std::string& symbol, std::int64_t count) {
    const std::string name = upper(symbol);
    for (SymbolFeed& feed : symbols_) {
      if (feed.name != name) continue;
      feed.agg_id_shift += count;
      feed.trade_id_shift += count;
    }
  }

  void send_raw(std::string frame) {
    const auto shared = std::make_shared<const std::string>(std::move(frame));
    for (const auto& session : sessions_) session->send(shared);
  }

  void send_ping() {
    for (const auto& session : sessions_) session->ping();
  }

  void remember(std::shared_ptr<Session> session) { sessions_.push_back(std::move(session)); }
  // Idempotent.
  void forget(Session* session) {
    std::erase_if(sessions_, [&](const std::shared_ptr<Session>& s) { return s.get() == session; });
  }

  // Counters, written on the server thread only.
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> handshakes_rejected{0};
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> pings_sent{0};
  std::atomic<std::uint64_t> pongs_received{0};
  std::atomic<std::uint64_t> rest_requests{0};
  std::atomic<std::uint64_t> rest_rate_limited{0};

 private:
  void accept();

  SteadyTime due_time(const AggTrade& trade) const {
    return start_steady_ + std::chrono::milliseconds(trade.transact_time_ms - start_ms_) + kPublishDelay;
  }

  PairFeed* earliest_pair() {
    PairFeed* earliest = nullptr;
    for (PairFeed& pair : pairs_) {
      if (pair.has_next &&
          (earliest == nullptr || pair.next.transact_time_ms < earliest->next.transact_time_ms)) {
        earliest = &pair;
      }
    }
    return earliest;
  }

  void arm_trade_timer() {
    if (stopping_) return;
    const PairFeed* pair = earliest_pair();
    if (pair == nullptr) return;
    trade_timer_.expires_at(std::max(due_time(pair->next), stall_until_));
    trade_timer_.async_wait([this](beast::error_code ec) { on_trade_timer(ec); });
  }

  void on_trade_timer(beast::error_code ec) {
    if (ec || stopping_) return;
    const SteadyTime now = options_.clock->steady_now();
    if (now >= stall_until_) {
      for (PairFeed* pair = earliest_pair(); pair != nullptr && due_time(pair->next) <= now;
           pair = earliest_pair()) {
        publish(*pair);
      }
    }
    arm_trade_timer();
  }

  void publish(PairFeed& pair) {
    const std::size_t index = pair.next.symbol == Symbol(symbols_[pair.x_symbol].name) ? pair.x_symbol
                                                                                        : pair.y_symbol;
    SymbolFeed& feed = symbols_[index];
    const std::int64_t event_time_ms = std::max(options_.clock->wall_ms(), pair.next.transact_time_ms);
    const AggTrade sent = as_sent(feed, pair.next, event_time_ms);
    if (options_.rest_history > 0) {
      if (feed.history.size() >= options_.rest_history) feed.history.pop_front();
      feed.history.push_back(sent);
    }
    const bool dropped = feed.drop_next > 0;
    if (dropped) --feed.drop_next;
    const bool wanted = !dropped && std::any_of(sessions_.begin(), sessions_.end(), [&](const std::shared_ptr<Session>& s) {
      return s->subscribed(index);
    });
    if (wanted) {
      const auto frame = std::make_shared<const std::string>(format_frame(feed, sent));
      for (const auto& session : sessions_) {
        if (session->subscribed(index)) session->send(frame);
      }
    }
    pair.has_next = pair.generator.next(pair.next);
  }

  void on_ping_timer(beast::error_code ec) {
    if (ec || stopping_) return;
    const SteadyTime now = options_.clock->steady_now();
    if (now < stall_until_) {
      ping_timer_.expires_at(stall_until_);
    } else {
      send_ping();
      ping_timer_.expires_after(options_.ping_interval);
    }
    ping_timer_.async_wait([this](beast::error_code e) { on_ping_timer(e); });
  }

  const SimulatorOptions options_;
  std::vector<SymbolFeed> symbols_;
  std::vector<PairFeed> pairs_;
  std::optional<ssl::context> tls_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  ClockTimer trade_timer_;
  ClockTimer ping_timer_;
  std::uint16_t port_ = 0;
  SteadyTime start_steady_;
  std::int64_t start_ms_ = 0;
  SteadyTime stall_until_{};
  bool stopping_ = false;
  std::chrono::milliseconds rest_delay_{0};
  std::int64_t weight_minute_ = -1;
  std::int64_t used_weight_ = 0;
  // Every connection, from accept (still handshaking) to close.
  std::vector<std::shared_ptr<Session>> sessions_;
};

// A Session over plain TCP (beast::tcp_stream) or TLS
// (beast::ssl_stream<beast::tcp_stream>).
template <class NextLayer>
class StreamSession final : public Session {
 public:
  template <class... Args>
  StreamSession(ServerCore& server, Args&&... args) : server_(server), ws_(std::forward<Args>(args)...) {}

  void start() override {
    beast::get_lowest_layer(ws_).expires_after(kHandshakeTimeout);
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(ssl::stream_base::server,
                                       [self = shared()](beast::error_code ec) {
                                         if (ec) return self->close_quietly();
                                         self->read_request();
                                       });
    } else {
      read_request();
    }
  }

  void send(std::shared_ptr<const std::string> frame) override {
    if (!open_) return;
    if (queue_.size() >= kMaxQueuedFrames) {
      // Not reset() here: the caller is iterating over the server's list.
      net::post(ws_.get_executor(), [self = shared()] { self->reset(); });
      return;
    }
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) write_front();
  }

  void ping() override {
    if (!open_ || ping_in_flight_) return;
    ping_in_flight_ = true;
    ws_.async_ping({}, [self = shared()](beast::error_code ec) {
      self->ping_in_flight_ = false;
      if (!ec) ++self->server_.pings_sent;
    });
  }

  void reset() override {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    closed();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<NextLayer, beast::tcp_stream>;

  std::shared_ptr<StreamSession> shared() {
    return std::static_pointer_cast<StreamSession>(shared_from_this());
  }

  void read_request() {
    http::async_read(ws_.next_layer(), buffer_, request_, [self = shared()](beast::error_code ec, std::size_t) {
      if (ec) return self->close_quietly();
      self->on_request();
    });
  }

  void on_request() {
    const beast::string_view target = request_.target();
    if (path_of({target.data(), target.size()}) == kRestAggTradesPath && !websocket::is_upgrade(request_)) {
      return answer_rest({target.data(), target.size()});
    }
    Subscription subscription = parse_target({target.data(), target.size()}, server_.symbols());
    if (subscription.rejection.empty() && !websocket::is_upgrade(request_)) {
      subscription.rejection = "expected a websocket upgrade request";
    }
    if (!subscription.rejection.empty()) return reject(std::move(subscription.rejection));
    symbols_ = std::move(subscription.symbols);
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "alphastream-simulator"); }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++server_.pongs_received;
    });
    ws_.async_accept(request_, [self = shared()](beast::error_code ec) {
      if (ec) return self->close_quietly();
      self->open_ = true;
      ++self->server_.connections_accepted;
      ++self->server_.connections_open;
      self->read_message();
    });
  }

  void reject(std::string reason) {
    ++server_.handshakes_rejected;
    response_.result(http::status::bad_request);
    response_.version(request_.version());
    response_.set(http::field::server, "alphastream-simulator");
    response_.set(http::field::content_type, "text/plain");
    response_.keep_alive(false);
    response_.body() = std::move(reason) + "\n";
    response_.prepare_payload();
    http::async_write(ws_.next_layer(), response_, [self = shared()](beast::error_code, std::size_t) {
      self->close_quietly();
    });
  }

  void answer_rest(std::string_view target) {
    RestAnswer answer = server_.answer_agg_trades(target);
    response_.result(static_cast<http::status>(answer.status));
    response_.version(request_.version());
    response_.set(http::field::server, "alphastream-simulator");
    response_.set(http::field::content_type, "application/json");
    response_.set("X-MBX-USED-WEIGHT-1M", std::to_string(answer.used_weight));
    if (answer.retry_after_s >= 0) response_.set(http::field::retry_after, std::to_string(answer.retry_after_s));
    response_.keep_alive(false);
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    const auto write = [self = shared()] {
      http::async_write(self->ws_.next_layer(), self->response_, [self](beast::error_code, std::size_t) {
        self->close_quietly();
      });
    };
    if (server_.rest_delay().count() == 0) return write();
    rest_timer_ = std::make_unique<ClockTimer>(server_.io(), *server_.options().clock);
    rest_timer_->expires_after(server_.rest_delay());
    rest_timer_->async_wait([write](beast::error_code ec) {
      if (!ec) write();
    });
  }

  // Reads (and drops) client messages: reading is what processes the
  // client's pongs and close frames.
  void read_message() {
    ws_.async_read(incoming_, [self = shared()](beast::error_code ec, std::size_t) {
      if (ec) return self->closed();
      self->incoming_.clear();
      self->read_message();
    });
  }

  void write_front() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared()](beast::error_code ec, std::size_t) {
      if (ec) return self->closed();
      ++self->server_.frames_sent;
      self->queue_.pop_front();
      if (self->open_ && !self->queue_.empty()) self->write_front();
    });
  }

  void close_quietly() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    closed();
  }

  // Idempotent: leaves the server's list and the open count once. The
  // queue stays: a pending write may still point into its front frame.
  void closed() {
    if (open_) {
      open_ = false;
      --server_.connections_open;
    }
    server_.forget(this);
  }

  ServerCore& server_;
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer incoming_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool ping_in_flight_ = false;
  std::unique_ptr<ClockTimer> rest_timer_;
};

void ServerCore::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (stopping_) return;
    if (!ec) {
      std::shared_ptr<Session> session;
      if (tls_) {
        session = std::make_shared<StreamSession<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket),
                                                                                       *tls_);
      } else {
        session = std::make_shared<StreamSession<beast::tcp_stream>>(*this, std::move(socket));
      }
      remember(session);
      session->start();
    }
    accept();
  });
}

Result<ssl::context> make_tls_context(const std::string& ca_file_out) {
  Result<TlsCertificate> certificate = make_localhost_certificate();
  if (!certificate) return certificate.status();
  ssl::context context(ssl::context::tls_server);
  beast::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                      ec);
  if (!ec) context.use_certificate_chain(net::buffer(certificate->certificate_pem), ec);
  if (!ec) context.use_private_key(net::buffer(certificate->private_key_pem), ssl::context::pem, ec);
  if (ec) return Status::error("simulator: tls context: " + ec.message());
  if (!ca_file_out.empty()) {
    std::ofstream file(ca_file_out, std::ios::binary | std::ios::trunc);
    file << certificate->certificate_pem;
    file.close();
    if (!file) return Status::error("simulator: ca_file_out: cannot write " + ca_file_out);
  }
  return context;
}

}  // namespace

class BinanceSimulator::Server {
 public:
  explicit Server(std::unique_ptr<ServerCore> core) : core_(std::move(core)) {}
  ~Server() { stop(); }

  void run_thread() {
    thread_ = std::thread([this] { core_->run(); });
  }

  template <class F>
  void post(F f) {
    if (stopped_.load()) return;
    net::post(core_->io(), std::move(f));
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    net::post(core_->io(), [core = core_.get()] { core->shutdown(); });
    if (thread_.joinable()) thread_.join();
  }

  ServerCore& core() { return *core_; }
  const ServerCore& core() const { return *core_; }

 private:
  std::unique_ptr<ServerCore> core_;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
};

Result<std::unique_ptr<BinanceSimulator>> BinanceSimulator::start(SimulatorOptions options) {
  if (Status valid = validate_options(options); !valid) return valid;
  if (options.clock == nullptr) options.clock = &system_clock();
  const std::int64_t start_ms = options.clock->wall_ms();
  const SteadyTime start_steady = options.clock->steady_now();
  std::vector<SymbolFeed> symbols;
  std::vector<PairFeed> pairs;
  pairs.reserve(options.pairs.size());
  for (std::size_t i = 0; i < options.pairs.size(); ++i) {
    const SimulatedPair& pair = options.pairs[i];
    PairGeneratorConfig config = generator_config(pair, options, i, start_ms);
    if (Status valid = validate(config); !valid) {
      return Status::invalid_input("simulator: pairs[" + std::to_string(i) + "]: " + valid.message());
    }
    pairs.emplace_back(std::move(config));
    const int decimals = tick_decimals(pair.price_tick);
    for (const std::string* name : {&pair.x_symbol, &pair.y_symbol}) {
      SymbolFeed& feed = symbols.emplace_back();
      feed.name = *name;
      feed.stream_name = lower(*name) + std::string(kStreamSuffix);
      feed.price_decimals = decimals;
      std::int64_t first_id = start_ms;
      for (const auto& [recorded, last_id] : options.continue_after_ids) {
        if (recorded == *name && last_id >= 0) first_id = last_id + 1;
      }
      feed.agg_id_shift = first_id - PairTradeGenerator::kFirstAggTradeId;
      feed.trade_id_shift = kTradeIdsPerMs * start_ms - PairTradeGenerator::kFirstTradeId;
    }
    pairs.back().x_symbol = symbols.size() - 2;
    pairs.back().y_symbol = symbols.size() - 1;
  }
  std::optional<ssl::context> tls;
  if (options.tls) {
    Result<ssl::context> context = make_tls_context(options.ca_file_out);
    if (!context) return context.status();
    tls.emplace(std::move(context).value());
  }
  auto core = std::make_unique<ServerCore>(std::move(options), std::move(symbols), std::move(pairs),
                                           std::move(tls));
  if (Status listening = core->listen(); !listening) return listening;
  core->begin(start_steady, start_ms);
  auto server = std::make_unique<Server>(std::move(core));
  server->run_thread();
  return std::unique_ptr<BinanceSimulator>(new BinanceSimulator(std::move(server)));
}

BinanceSimulator::BinanceSimulator(std::unique_ptr<Server> server) : server_(std::move(server)) {}
BinanceSimulator::~BinanceSimulator() { stop(); }

std::uint16_t BinanceSimulator::port() const { return server_->core().port(); }

std::string BinanceSimulator::url() const {
  const SimulatorOptions& options = server_->core().options();
  return (options.tls ? "wss://" : "ws://") + options.listen_host + ":" + std::to_string(port()) +
         std::string(kStreamPath);
}

std::string BinanceSimulator::rest_url() const {
  const SimulatorOptions& options = server_->core().options();
  return (options.tls ? "https://" : "http://") + options.listen_host + ":" + std::to_string(port()) +
         std::string(kRestAggTradesPath);
}

void BinanceSimulator::stop() { server_->stop(); }

void BinanceSimulator::drop_connections() {
  server_->post([core = &server_->core()] { core->drop_connections(); });
}

void BinanceSimulator::stall(std::chrono::milliseconds duration) {
  server_->post([core = &server_->core(), duration] { core->stall(duration); });
}

void BinanceSimulator::skip_ids(const std::string& symbol, std::int64_t count) {
  server_->post([core = &server_->core(), symbol, count] { core->skip_ids(symbol, count); });
}

void BinanceSimulator::drop_trades(const std::string& symbol, std::int64_t count) {
  server_->post([core = &server_->core(), symbol, count] { core->drop_trades(symbol, count); });
}

void BinanceSimulator::delay_rest(std::chrono::milliseconds delay) {
  server_->post([core = &server_->core(), delay] { core->delay_rest(delay); });
}

void BinanceSimulator::send_raw(std::string frame) {
  server_->post([core = &server_->core(), frame = std::move(frame)]() mutable { core->send_raw(std::move(frame)); });
}

void BinanceSimulator::send_ping() {
  server_->post([core = &server_->core()] { core->send_ping(); });
}

SimulatorStats BinanceSimulator::stats() const {
  const ServerCore& core = server_->core();
  SimulatorStats stats;
  stats.connections_accepted = core.connections_accepted.load();
  stats.connections_open = core.connections_open.load();
  stats.handshakes_rejected = core.handshakes_rejected.load();
  stats.frames_sent = core.frames_sent.load();
  stats.pings_sent = core.pings_sent.load();
  stats.pongs_received = core.pongs_received.load();
  stats.rest_requests = core.rest_requests.load();
  stats.rest_rate_limited = core.rest_rate_limited.load();
  return stats;
}

}  // namespace alphastream
