#include "screen/universe_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

namespace alphastream {
namespace {

// Floor division, so times before the epoch fall in the right interval too.
std::int64_t interval_of(std::int64_t t, std::int64_t interval_ms) {
  std::int64_t k = t / interval_ms;
  if (t % interval_ms < 0) --k;
  return k;
}

}  // namespace

IntervalCloser::IntervalCloser(std::string symbol, std::int64_t interval_ms) : interval_ms_(interval_ms) {
  closes_.symbol = std::move(symbol);
}

void IntervalCloser::add(std::int64_t transact_time_ms, double price) {
  // A trade older than the latest counts in the latest's interval (see the
  // header): the aligner never re-opens a closed interval.
  if (!any_ || transact_time_ms > latest_ms_) latest_ms_ = transact_time_ms;
  any_ = true;
  const std::int64_t k = interval_of(latest_ms_, interval_ms_);
  if (!closes_.interval.empty() && closes_.interval.back() == k) {
    closes_.price.back() = price;
  } else {
    closes_.interval.push_back(k);
    closes_.price.push_back(price);
  }
}

Result<IntervalCloses> read_interval_closes(const std::string& symbol, TradeStream& trades, std::int64_t interval_ms) {
  IntervalCloser closer(symbol, interval_ms);
  std::vector<AggTrade> block(1024);
  for (;;) {
    auto got = trades.read(block);
    if (!got) return got.status();
    if (got.value() == 0) break;
    for (std::size_t i = 0; i < got.value(); ++i) closer.add(block[i].transact_time_ms, block[i].price);
  }
  IntervalCloses closes = std::move(closer).take();
  closes.import_summary = trades.summary();
  if (closes.interval.empty()) {
    std::string read;
    for (const std::string& line : closes.import_summary) read += "\n  " + line;
    return Status::error(symbol + ": no trades" + read);
  }
  return closes;
}

Result<UniverseGrid> UniverseGrid::build(std::vector<IntervalCloses> symbols, std::int64_t interval_ms) {
  if (interval_ms <= 0) return Status::error("grid: interval_ms must be positive, got " + std::to_string(interval_ms));
  std::set<std::string> seen;
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (const IntervalCloses& s : symbols) {
    if (!seen.insert(s.symbol).second) return Status::error("grid: symbol " + s.symbol + " given twice");
    if (s.interval.empty()) return Status::error("grid: symbol " + s.symbol + " has no trades");
    first = std::min(first, s.interval.front());
    last = std::max(last, s.interval.back());
  }
  UniverseGrid grid;
  grid.interval_ms_ = interval_ms;
  grid.first_interval_ = first;
  grid.rows_ = symbols.empty() ? 0 : static_cast<std::size_t>(last - first + 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  grid.prices_.assign(symbols.size() * grid.rows_, nan);
  grid.log_returns_.assign(symbols.size() * grid.rows_, nan);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const IntervalCloses& s = symbols[i];
    grid.names_.push_back(s.symbol);
    const auto row_of = [&](std::size_t c) { return static_cast<std::size_t>(s.interval[c] - first); };
    grid.first_row_.push_back(row_of(0));
    grid.last_row_.push_back(row_of(s.interval.size() - 1));
    double* prices = grid.prices_.data() + i * grid.rows_;
    double* returns = grid.log_returns_.data() + i * grid.rows_;
    std::size_t c = 0;
    double price = nan;
    for (std::size_t r = grid.first_row_.back(); r < grid.rows_; ++r) {
      if (c < s.interval.size() && row_of(c) == r) price = s.price[c++];
      prices[r] = price;
      if (r > grid.first_row_.back()) returns[r] = std::log(price / prices[r - 1]);
    }
  }
  return grid;
}

UniverseGrid::Rows UniverseGrid::pair_rows(std::size_t a, std::size_t b) const {
  return Rows{std::max(first_row_[a], first_row_[b]), std::max(last_row_[a], last_row_[b]) + 1};
}

}  // namespace alphastream
