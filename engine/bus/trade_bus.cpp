#include "bus/trade_bus.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <future>
#include <mutex>
#include <queue>
#include <thread>

#include "bus/nats_client.h"
#include "storage/trade_record.h"

namespace alphastream {

void format_trade_subject(const TradeBusSettings& settings, std::string_view symbol, std::string& out) {
  out.clear();
  out.append(settings.subject_prefix).append(".").append(settings.market).append(".").append(symbol);
}
bool jetstream_pending_from_reply(std::string_view reply, std::uint64_t& pending) {
  if (!reply.starts_with("$JS.ACK.")) return false;
  std::string_view tokens[12];
  std::size_t count = 0;
  for (std::size_t start = 0; count < 12;) {
    const std::size_t dot = reply.find('.', start);
    tokens[count++] = reply.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
    if (count == 12) return false;  // longer than either form
  }
  // 9 tokens: the first form; 12: the newer one, pending 11th.
  std::string_view text;
  if (count == 9) text = tokens[8];
  else if (count == 12) text = tokens[10];
  else return false;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return false;
  pending = value;
  return true;
}

namespace {

// A publish JetStream did not acknowledge is sent again under the same
// Nats-Msg-Id (so it is stored once however many arrive), after a backoff
// doubling from kFirstRetryDelay to kMaxRetryDelay, until kRetryWindow has
// passed since its first failure: long enough for a replicated stream to
// elect a new leader when a node dies (a few seconds), or for a client to
// reconnect. Past the window, or past kMaxHeldRetries waiting, it counts as
// failed.
constexpr auto kFirstRetryDelay = std::chrono::milliseconds(100);
constexpr auto kMaxRetryDelay = std::chrono::milliseconds(2000);
constexpr auto kRetryWindow = std::chrono::seconds(30);
constexpr std::size_t kMaxHeldRetries = 1 << 16;
// An ack not back within this is a failure, retried like any other: a
// publish sent to a node as it died is never answered.
constexpr std::int64_t kAckWaitMs = 5000;
constexpr const char* kAttemptHeader = "AlphaStream-Attempt";
constexpr const char* kFirstFailureHeader = "AlphaStream-First-Failure-Ms";

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t header_number(natsMsg* msg, const char* name, std::int64_t otherwise) {
  const char* text = nullptr;
  if (natsMsgHeader_Get(msg, name, &text) != NATS_OK || text == nullptr) return otherwise;
  std::int64_t value = otherwise;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

void bump(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

class TradeBus::Impl {
 public:
  explicit Impl(TradeBusSettings settings) : settings_(std::move(settings)) {}
  ~Impl() {
    if (retry_thread_.joinable()) {
      // Everything published gets the retry window to be stored: an ingest
      // stopped while a stream elects its leader loses nothing it accepted.
      const auto deadline = std::chrono::steady_clock::now() + kRetryWindow;
      while (js_ != nullptr && std::chrono::steady_clock::now() < deadline) {
        if (!wait_for_retries(deadline)) break;
        jsPubOptions options;
        jsPubOptions_Init(&options);
        options.MaxWait = 500;
        if (js_PublishAsyncComplete(js_, &options) == NATS_OK && wait_for_retries(deadline)) break;
      }
      {
        std::lock_guard lock(retry_mutex_);
        retry_stopping_ = true;
      }
      retry_wake_.notify_one();
      retry_thread_.join();
      for (; !retries_.empty(); retries_.pop()) give_up(retries_.top().msg, "the bus was closing");
    }
    if (subscription_ != nullptr) {
      // The client may be inside on_message on its delivery thread: wait for
      // the completion callback, which runs after the last one has returned
      // (bounded, in case the connection is already gone).
      if (natsSubscription_Unsubscribe(subscription_) == NATS_OK && callbacks_done_.valid()) {
        callbacks_done_.wait_for(std::chrono::seconds(5));
      }
      natsSubscription_Destroy(subscription_);
    }
    if (js_ != nullptr) jsCtx_Destroy(js_);
    // What is still unacknowledged now is lost to this process: counted, never silent.
    const std::uint64_t published = counters_.published_total.load(), acked = counters_.acked_total.load(),
                        failed = counters_.failed_total.load();
    if (published > acked + failed) {
      counters_.failed_total.fetch_add(published - acked - failed);
      std::fprintf(stderr, "bus: %llu publish(es) still unacknowledged when the bus closed; counted as failed\n",
                   static_cast<unsigned long long>(published - acked - failed));
    }
    if (connection_ != nullptr) {
      natsConnection_Close(connection_);
      natsConnection_Destroy(connection_);
    }
  }

  Status connect() {
    if (Status connected = connect_nats(settings_.servers, settings_.access, &connection_); !connected) return connected;
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.PublishAsync.MaxPending = settings_.max_pending;
    js_options.PublishAsync.AckHandler = &Impl::on_ack;
    js_options.PublishAsync.AckHandlerClosure = this;
    if (natsStatus s = natsConnection_JetStream(&js_, connection_, &js_options); s != NATS_OK) {
      return Status::error(nats_error("JetStream context", s));
    }
    retry_thread_ = std::thread([this] { resend_when_due(); });
    return ensure_stream();
  }

  std::string subject(std::string_view symbol) const {
    std::string out;
    format_trade_subject(settings_, symbol, out);
    return out;
  }
  std::string wildcard() const { return subject(">"); }

  Status publish(const AggTrade& trade) {
    const std::string_view symbol = trade.symbol.view();
    // "SYMBOL:id", at most 23 + 1 + 20 characters.
    char id[64];
    std::snprintf(id, sizeof id, "%.*s:%lld", static_cast<int>(symbol.size()), symbol.data(),
                  static_cast<long long>(trade.agg_trade_id));
    // Reused: after the first publish, formatting allocates nothing.
    format_trade_subject(settings_, symbol, subject_text_);
    const char* subject_text = subject_text_.c_str();
    const TradeValueBytes payload = encode_trade_value(trade);
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = id;
    options.MaxWait = kAckWaitMs;
    const natsStatus s = js_PublishAsync(js_, subject_text, payload.data(), static_cast<int>(payload.size()), &options);
    if (s != NATS_OK) {
      // Refused at once (max_pending unacknowledged for the stall wait, the
      // connection gone): queued for a retry like a failed ack, within the
      // retry queue's bound, rather than dropped.
      natsMsg* msg = nullptr;
      if (natsMsg_Create(&msg, subject_text, nullptr, reinterpret_cast<const char*>(payload.data()),
                         static_cast<int>(payload.size())) == NATS_OK &&
          natsMsgHeader_Set(msg, "Nats-Msg-Id", id) == NATS_OK) {
        bump(counters_.published_total);
        schedule_retry(msg, natsStatus_GetText(s));
        return Status::ok();
      }
      natsMsg_Destroy(msg);
      bump(counters_.failed_total);
      return Status::error(nats_error(std::string("publish to ") + subject_text, s));
    }
    bump(counters_.published_total);
    return Status::ok();
  }

  Status flush(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!wait_for_retries(deadline)) return Status::error("bus: publishes still waiting to be retried");
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    const natsStatus s = js_PublishAsyncComplete(js_, &options);
    if (s != NATS_OK) return Status::error(nats_error("waiting for acknowledgements", s));
    // An ack that failed meanwhile is being retried: wait for that too.
    return wait_for_retries(deadline) ? Status::ok() : Status::error("bus: publishes still waiting to be retried");
  }

  Status subscribe(std::function<void(const AggTrade&)> on_trade) {
    on_trade_ = std::move(on_trade);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = settings_.stream.c_str();
    options.Ordered = true;
    jsErrCode js_code = static_cast<jsErrCode>(0);
    const std::string filter = wildcard();
    const natsStatus s =
        js_Subscribe(&subscription_, js_, filter.c_str(), &Impl::on_message, this, nullptr, &options, &js_code);
    if (s != NATS_OK) return Status::error(nats_error("subscribe to " + filter, s, js_code));
    // A worker that falls behind keeps what it has not read rather than
    // losing it to the client's default pending limits.
    natsSubscription_SetPendingLimits(subscription_, -1, -1);
    callbacks_done_ = callbacks_finished_.get_future();
    natsSubscription_SetOnCompleteCB(subscription_, &Impl::on_complete, this);
    return Status::ok();
  }

  bool connected() const { return connection_ != nullptr && natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED; }

  TradeBusSettings settings_;
  std::string subject_text_;
  std::promise<void> callbacks_finished_;
  std::future<void> callbacks_done_;
  TradeBusCounters counters_;

 private:
  Status ensure_stream() {
    jsStreamInfo* info = nullptr;
    jsErrCode js_code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js_, settings_.stream.c_str(), nullptr, &js_code);
    const std::string subjects = wildcard();
    if (s == NATS_NOT_FOUND || js_code == JSStreamNotFoundErr) {
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      config.Name = settings_.stream.c_str();
      const char* subject_list[] = {subjects.c_str()};
      config.Subjects = subject_list;
      config.SubjectsLen = 1;
      config.Storage = js_FileStorage;
      config.Replicas = settings_.replicas;
      config.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.max_age).count();
      config.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.duplicate_window).count();
      js_code = static_cast<jsErrCode>(0);
      s = js_AddStream(&info, js_, &config, nullptr, &js_code);
      if (s != NATS_OK) return Status::error(nats_error("cannot create stream " + settings_.stream, s, js_code));
      jsStreamInfo_Destroy(info);
      return Status::ok();
    }
    if (s != NATS_OK) return Status::error(nats_error("cannot read stream " + settings_.stream, s, js_code));
    std::string problem;
    const jsStreamConfig& config = *info->Config;
    const bool has_subject =
        std::any_of(config.Subjects, config.Subjects + config.SubjectsLen,
                    [&](const char* subject) { return subject != nullptr && subjects == subject; });
    const auto duplicates =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.duplicate_window).count();
    if (!has_subject) problem = "it does not take the subjects " + subjects;
    else if (config.Replicas != settings_.replicas)
      problem = "it has " + std::to_string(config.Replicas) + " replicas, the config " +
                std::to_string(settings_.replicas);
    else if (config.Duplicates != duplicates)
      problem = "its duplicate window is " + std::to_string(config.Duplicates / 1'000'000'000) +
                " s, the config's " + std::to_string(settings_.duplicate_window.count()) + " s";
    jsStreamInfo_Destroy(info);
    if (!problem.empty()) {
      return Status::invalid_input("bus: stream " + settings_.stream + " exists but " + problem +
                                   "; change bus.* to match it, or the stream (nats stream edit) to match the config");
    }
    return Status::ok();
  }

  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (ack != nullptr) {
      bump(self->counters_.acked_total);
      if (ack->Duplicate) bump(self->counters_.duplicates_total);
    } else if (error != nullptr) {
      self->schedule_retry(msg, error->ErrText != nullptr ? error->ErrText : natsStatus_GetText(error->Err));
      return;  // the retry queue owns msg now
    }
    natsMsg_Destroy(msg);
  }

  // Queues msg to be sent again after its backoff, or gives it up. Takes msg.
  void schedule_retry(natsMsg* msg, const char* why) {
    const std::int64_t now = steady_ms();
    const std::int64_t attempt = header_number(msg, kAttemptHeader, 1);
    const std::int64_t first_failure = header_number(msg, kFirstFailureHeader, now);
    if (now - first_failure > std::chrono::duration_cast<std::chrono::milliseconds>(kRetryWindow).count()) {
      give_up(msg, why);
      return;
    }
    const std::string next = std::to_string(attempt + 1), first = std::to_string(first_failure);
    natsMsgHeader_Set(msg, kAttemptHeader, next.c_str());
    natsMsgHeader_Set(msg, kFirstFailureHeader, first.c_str());
    const auto delay = std::min<std::chrono::milliseconds>(
        kMaxRetryDelay, kFirstRetryDelay * (std::int64_t{1} << std::min<std::int64_t>(attempt - 1, 10)));
    {
      std::lock_guard lock(retry_mutex_);
      if (retries_.size() < kMaxHeldRetries && !retry_stopping_) {
        retries_.push({std::chrono::steady_clock::now() + delay, msg});
        msg = nullptr;
      }
    }
    if (msg != nullptr) {
      give_up(msg, "too many publishes waiting to be retried");
      return;
    }
    retry_wake_.notify_one();
  }

  // Counts msg as failed, logs the first failures and then one in 1000, and destroys it.
  void give_up(natsMsg* msg, const char* why) {
    const std::uint64_t failed = counters_.failed_total.fetch_add(1, std::memory_order_relaxed) + 1;
    if (failed <= 10 || failed % 1000 == 0) {
      std::fprintf(stderr, "bus: a trade on %s was not stored after retrying for %lld s (%llu so far): %s\n",
                   natsMsg_GetSubject(msg), static_cast<long long>(kRetryWindow.count()),
                   static_cast<unsigned long long>(failed), why);
    }
    natsMsg_Destroy(msg);
  }

  // The retry thread: sends each queued message when its backoff is over.
  void resend_when_due() {
    std::unique_lock lock(retry_mutex_);
    while (!retry_stopping_) {
      if (retries_.empty()) {
        retry_wake_.wait(lock);
        continue;
      }
      // A copy: a push while waiting may move the queue's storage.
      const auto next_due = retries_.top().due;
      if (retry_wake_.wait_until(lock, next_due) != std::cv_status::timeout && !retry_stopping_) continue;
      if (retry_stopping_) break;
      Retry due = retries_.top();
      retries_.pop();
      ++resending_;
      lock.unlock();
      natsMsg* msg = due.msg;
      jsPubOptions options;
      jsPubOptions_Init(&options);
      options.MaxWait = kAckWaitMs;
      if (js_PublishMsgAsync(js_, &msg, &options) == NATS_OK) {
        bump(counters_.retries_total);
      } else {
        schedule_retry(msg, "the client refused the publish");  // the client left msg to us
      }
      lock.lock();
      --resending_;
      retry_wake_.notify_all();
    }
  }

  // Whether the retry queue emptied before deadline.
  bool wait_for_retries(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(retry_mutex_);
    return retry_wake_.wait_until(lock, deadline, [&] { return retries_.empty() && resending_ == 0; });
  }

  static void on_complete(void* closure) { static_cast<Impl*>(closure)->callbacks_finished_.set_value(); }

  static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    AggTrade trade;
    const std::string_view data(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    std::uint64_t pending = 0;
    if (const char* reply = natsMsg_GetReply(msg); reply != nullptr && jetstream_pending_from_reply(reply, pending)) {
      self->counters_.consumer_pending.store(static_cast<std::int64_t>(std::min<std::uint64_t>(pending, INT64_MAX)),
                                            std::memory_order_relaxed);
    }
    if (decode_trade_value(data, trade)) {
      bump(self->counters_.received_total);
      self->on_trade_(trade);
    } else {
      bump(self->counters_.undecodable_total);
    }
    natsMsg_Destroy(msg);
  }

  struct Retry {
    std::chrono::steady_clock::time_point due;
    natsMsg* msg;
    bool operator>(const Retry& other) const { return due > other.due; }
  };

  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* subscription_ = nullptr;
  std::mutex retry_mutex_;  // the retry queue: failed acks only, never a first publish
  std::condition_variable retry_wake_;
  std::priority_queue<Retry, std::vector<Retry>, std::greater<>> retries_;
  int resending_ = 0;
  bool retry_stopping_ = false;
  std::thread retry_thread_;
  std::function<void(const AggTrade&)> on_trade_;
};

Result<std::unique_ptr<TradeBus>> TradeBus::connect(const TradeBusSettings& settings) {
  if (settings.servers.empty()) return Status::invalid_input("bus: no servers");
  auto impl = std::make_unique<Impl>(settings);
  if (Status connected = impl->connect(); !connected) return connected;
  return std::unique_ptr<TradeBus>(new TradeBus(std::move(impl)));
}

TradeBus::TradeBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TradeBus::~TradeBus() = default;
std::string TradeBus::subject(std::string_view symbol) const { return impl_->subject(symbol); }
Status TradeBus::publish(const AggTrade& trade) { return impl_->publish(trade); }
Status TradeBus::flush(std::chrono::milliseconds timeout) { return impl_->flush(timeout); }
Status TradeBus::subscribe(std::function<void(const AggTrade&)> on_trade) {
  return impl_->subscribe(std::move(on_trade));
}
bool TradeBus::connected() const { return impl_->connected(); }
const TradeBusCounters& TradeBus::counters() const { return impl_->counters_; }
TradeBusCounters& TradeBus::counters() { return impl_->counters_; }
const TradeBusSettings& TradeBus::settings() const { return impl_->settings_; }

}  // namespace alphastream
