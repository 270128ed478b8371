// The trade bus: NATS JetStream carrying every accepted trade from ingest
// processes to workers. One subject per market and symbol
// (<subject_prefix>.<market>.<SYMBOL>), the journal's record encoding as the
// payload (storage/trade_record.h, versioned) and "<SYMBOL>:<agg id>" as the
// Nats-Msg-Id, so two ingests fed by the same exchange store each trade
// once (JetStream drops a repeated id within the stream's duplicate window).
// The NATS C client stays inside the .cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/agg_trade.h"
#include "core/bus_access.h"
#include "core/status.h"

namespace alphastream {

struct TradeBusSettings {
  std::vector<std::string> servers;
  BusAccess access;  // credentials and TLS  // nats://host:port
  std::string stream;
  std::string subject_prefix;
  std::string market;  // um, cm, spot
  int replicas = 1;
  std::chrono::seconds max_age{7 * 86400};
  std::chrono::seconds duplicate_window{120};
  // Unacknowledged publishes in flight; past it publish() waits for acks.
  std::int64_t max_pending = 4096;
};

// Written by the publishing thread and the client's threads; read anywhere.
struct TradeBusCounters {
  std::atomic<std::uint64_t> published_total{0};   // publishes handed to the client
  std::atomic<std::uint64_t> acked_total{0};       // stored (or found duplicate) by JetStream
  std::atomic<std::uint64_t> duplicates_total{0};  // acknowledged as a repeated Nats-Msg-Id
  std::atomic<std::uint64_t> retries_total{0};     // publishes sent again after a failure or timeout
  std::atomic<std::uint64_t> failed_total{0};      // given up after the retries, or refused at once
  std::atomic<std::uint64_t> received_total{0};    // trades a subscription decoded
  std::atomic<std::uint64_t> undecodable_total{0}; // messages that were no trade record
  // Stream messages after the last one received (the lag); -1 until a
  // delivery has said.
  std::atomic<std::int64_t> consumer_pending{-1};
  // Set by the consuming source: trades that arrived ahead of an older one
  // of their symbol and were put back in id order, and those waiting now.
  std::atomic<std::uint64_t> reordered_total{0};
  std::atomic<std::int64_t> reorder_held{0};
};

// The consumer's pending count a JetStream delivery carries in its reply
// subject ("$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer
// seq>.<time>.<pending>", and the newer form with domain and account hash
// before the stream and a token after); false for anything else. Parsed in
// place: no allocation per message.
bool jetstream_pending_from_reply(std::string_view reply, std::uint64_t& pending);

// "<subject_prefix>.<market>.<symbol>" into out (symbol ">": every symbol's);
// no allocation once out has held a subject as long.
void format_trade_subject(const TradeBusSettings& settings, std::string_view symbol, std::string& out);

class TradeBus {
 public:
  // Connects (the servers in turn, reconnecting for ever after) and makes
  // sure the stream exists as configured: created when missing; an existing
  // one with other subjects, replicas or duplicate window is an error naming
  // the setting (changing a stream is an operator's decision).
  static Result<std::unique_ptr<TradeBus>> connect(const TradeBusSettings& settings);
  // Waits up to two seconds for the acks still due, then disconnects.
  ~TradeBus();
  TradeBus(const TradeBus&) = delete;
  TradeBus& operator=(const TradeBus&) = delete;

  // "<prefix>.<market>.<SYMBOL>"
  std::string subject(std::string_view symbol) const;

  // Publishes asynchronously; a publish refused by JetStream or not
  // acknowledged within 5 s is retried on a thread of the bus (the same
  // Nats-Msg-Id, so it is stored once) with a backoff, for up to 30 s, then
  // counted as failed and logged. Waits while max_pending are unacknowledged.
  // Returns an error only when the client refuses the publish at once.
  // [one thread]
  Status publish(const AggTrade& trade);
  // Waits until every publish so far is acknowledged and no retry is
  // waiting, up to timeout.
  Status flush(std::chrono::milliseconds timeout);

  // Delivers every trade of the stream's subjects for this market, from the
  // first stored, in stream order, then live (an ordered consumer: a gap is
  // healed by the client). on_trade runs on a client thread; it must not
  // block for long. [once]
  Status subscribe(std::function<void(const AggTrade&)> on_trade);

  bool connected() const;
  const TradeBusCounters& counters() const;
  TradeBusCounters& counters();
  const TradeBusSettings& settings() const;

 private:
  class Impl;
  explicit TradeBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphastream
