// Where a run's trades come from. The backtest merges CSV files; the replay
// reads a journal; both hand the same consumer one time-ordered sequence, so
// the same trades give the same outputs byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/agg_trade.h"
#include "core/progress_meter.h"
#include "core/status.h"

namespace alphastream {

class TradeStream {
 public:
  virtual ~TradeStream() = default;

  // Stores the next trade, its symbol set, and returns true, or returns
  // false at the end. Trades come in non-decreasing transact time across
  // symbols (within a symbol, in agg id order) and the order is the same on
  // every run over the same data. An error names where it happened; after an
  // error the stream is not read again. [one thread]
  virtual Result<bool> next(AggTrade& out) = 0;
  // The next trades, as next() would give them, into the front of out: how
  // many; 0 only at the end. A stream that reads in bulk overrides it, so a
  // consumer pays a call per batch, not per trade. An error is reported
  // after the trades before it are handed out, by the next read. [one thread]
  virtual Result<std::size_t> read(std::span<AggTrade> out);

  // One line per source for a person, e.g. "<path>: 1000 rows, 998 accepted, ...".
  virtual std::vector<std::string> summary() const = 0;
  // Rows a lenient source skipped, "<where>: <what>", the first few per source.
  virtual std::vector<std::string> skipped_rows() const { return {}; }

  // How far the stream has come, for a progress line: files count the bytes
  // of their files on disk (a zip by its compressed size), a journal its
  // trades. total 0: unknown. [the reading thread]
  struct Progress {
    std::uint64_t done = 0;
    std::uint64_t total = 0;
    ProgressMeter::Unit unit = ProgressMeter::Unit::kTrades;
  };
  virtual Progress progress() const { return {}; }

  // Threads the stream runs of its own (read-ahead), beside the one that
  // reads it: a consumer deciding whether its threads have cores to spare
  // counts them.
  virtual unsigned own_threads() const { return 0; }

 protected:
  // read()'s error after a partial batch, for its next call.
  Status deferred_error_;
};

}  // namespace alphastream
