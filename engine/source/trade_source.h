// Where a running service's trades come from. One implementation per kind
// of source (the Binance websocket, the built-in simulator, a journal
// replay, CSV/ZIP files), made by make_trade_source from the config's
// `feed` section; a new source (a message bus, a REST backfill) is one new
// class and one case there. Everything downstream (sequencing, recording,
// the shards) is the sink's and the same for every source.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/engine_config.h"
#include "core/agg_trade.h"
#include "core/clock.h"
#include "core/status.h"
#include "feed/binance_stream_client.h"

namespace alphastream {

// What a source delivers to: websocket frames (StreamHandler) from live
// sources, parsed trades from the others. [the io_context's thread]
class TradeSink : public StreamHandler {
 public:
  // A trade parsed elsewhere. A live one is dropped (and counted) where a
  // queue is full; with wait_when_full (a replay, a file) the call waits for
  // room instead, so nothing is lost.
  virtual void accept(const AggTrade& trade, bool wait_when_full) = 0;
};

// Where the venue answers REST aggTrades queries for a live source's
// symbols, for the gap backfill, and how to reach it; an empty url: nowhere
// known.
struct VenueRest {
  std::string agg_trades_url;
  std::string ca_file;
  bool verify_tls = true;
};

// The source as /readyz and alphastream_feed_* report it.
struct SourceHealth {
  bool up = false;  // every connection open, or a file source being read
  std::uint64_t connections_open = 0;
  std::size_t connections_needed = 0;  // 0 for file sources
  std::array<std::uint64_t, kReconnectReasonCount> reconnects{};  // every client's, replaced ones included
};

class TradeSource {
 public:
  // How a finite source reports its end, called on the io_context's thread.
  struct Events {
    // Every trade was delivered (`trades` of them); `summary` has one line
    // per input for a person.
    std::function<void(std::uint64_t trades, const std::vector<std::string>& summary)> on_end;
    // Reading failed; nothing more is delivered.
    std::function<void(const Status& failure)> on_failure;
  };

  virtual ~TradeSource() = default;

  // Live sources' intervals close on the wall clock even when a leg is
  // quiet; the others' on the data's own time, so replays repeat exactly.
  virtual bool live() const = 0;
  // Starts delivering the trades of `symbols` (upper case) to the sink.
  // Problems that need the operator (a bad URL, a file that cannot be read)
  // are Status::invalid_input. [I/O thread, once]
  virtual Status start(const std::vector<std::string>& symbols) = 0;
  // A reload changed the symbols. Live sources subscribe anew without a gap
  // (the old connections deliver until the new ones are up; the sink's
  // sequencers drop what both deliver); file sources keep their inputs.
  // [I/O thread]
  virtual Status resubscribe(const std::vector<std::string>& symbols) = 0;
  // Stops delivering and closes connections cleanly; returns at once.
  // [I/O thread; idempotent]
  virtual void stop() = 0;
  // After stop(): every connection has closed. [I/O thread]
  virtual bool closed() const = 0;
  // [any thread]
  virtual SourceHealth health() const = 0;
  virtual VenueRest venue_rest() const { return {}; }
  // One line for the log, e.g. "simulator: 1 pair(s) at wss://127.0.0.1:41003/market/stream".
  virtual std::string description() const = 0;
};

// What every source needs from the service.
struct TradeSourceContext {
  boost::asio::io_context& io;  // run by one thread: the service's I/O thread
  TradeSink& sink;              // outlives the source
  TradeSource::Events events;
  // The live sources' time (the feed client's timers and receive times, the
  // simulator's pacing); outlives the source.
  const Clock& clock = system_clock();
  // The journal's last aggregate id per symbol: the built-in simulator, a
  // venue that restarts with the service, continues its ids after them so a
  // restart shows no gap that no venue would have.
  std::vector<std::pair<std::string, std::int64_t>> recorded_last_ids = {};
};

// The source the config's feed.source names, for `symbols` (upper case, in
// the order a file merge breaks ties in time). Errors name the config key.
Result<std::unique_ptr<TradeSource>> make_trade_source(const EngineConfig& config,
                                                       const std::vector<std::string>& symbols,
                                                       TradeSourceContext context);

}  // namespace alphastream
