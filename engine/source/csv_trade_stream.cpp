#include "source/csv_trade_stream.h"

#include <algorithm>
#include <utility>

#include "source/prefetch_trade_stream.h"
#include "source/trade_catalog.h"

namespace alphastream {

namespace {
// Trades read from a source at a time: enough to cross a call per trade off
// the merge, few enough to stay in cache.
constexpr std::size_t kBlockTrades = 512;
}  // namespace

Result<std::unique_ptr<CsvTradeStream>> CsvTradeStream::open(std::span<const Source> sources,
                                                             const CsvImportOptions& options, TimeRange range,
                                                             bool read_ahead) {
  std::unique_ptr<CsvTradeStream> stream(new CsvTradeStream());
  for (const Source& source : sources) {
    CsvImportOptions import = options;
    import.symbol = Symbol(source.symbol);
    auto reader = SymbolFileStream::open(source.files, import, range);
    if (!reader) return reader.status();
    // Reading a catalog entry costs less than handing its trades between
    // threads: a thread of its own only for files to parse, so a catalogued
    // day leaves the other core to the pipelines.
    const bool catalogued =
        !import.catalog_dir.empty() && std::all_of(source.files.begin(), source.files.end(), [&](const DataFile& file) {
          return CatalogEntry::open(import.catalog_dir, file.path, import) != nullptr;
        });
    if (read_ahead && !catalogued) {
      stream->readers_.push_back(std::make_unique<PrefetchTradeStream>(std::move(reader.value())));
    } else {
      stream->readers_.push_back(std::move(reader.value()));
    }
  }
  stream->pending_.resize(stream->readers_.size());
  for (Pending& pending : stream->pending_) pending.block.resize(kBlockTrades);
  // A heap of one entry per source: reserved now, it never allocates again.
  std::vector<HeapEntry> storage;
  storage.reserve(stream->readers_.size());
  stream->heap_ = decltype(heap_)(std::greater<>(), std::move(storage));
  for (std::size_t i = 0; i < stream->readers_.size(); ++i) {
    Status status = stream->refill(i);
    if (!status) return status;
  }
  return stream;
}

Status CsvTradeStream::refill(std::size_t index) {
  Pending& pending = pending_[index];
  auto got = readers_[index]->read(pending.block);
  if (!got) return got.status();
  pending.position = 0;
  pending.end = got.value();
  if (pending.end > 0 && pending_.size() != 2) heap_.emplace(pending.block.front().transact_time_ms, index);
  return Status::ok();
}

std::size_t CsvTradeStream::merge_two(std::span<AggTrade> out) {
  std::size_t count = 0;
  while (count < out.size()) {
    Pending& a = pending_[0];
    Pending& b = pending_[1];
    // A source with no trade left in its block has ended (an empty block).
    if (a.position < a.end && b.position < b.end) {
      const AggTrade* const trades_a = a.block.data();
      const AggTrade* const trades_b = b.block.data();
      std::size_t next_a = a.position;
      std::size_t next_b = b.position;
      do {
        // Ties in time go to the source listed first.
        const bool take_b = trades_b[next_b].transact_time_ms < trades_a[next_a].transact_time_ms;
        out[count++] = *(take_b ? trades_b + next_b : trades_a + next_a);
        next_b += take_b;
        next_a += !take_b;
      } while (count < out.size() && next_a < a.end && next_b < b.end);
      a.position = next_a;
      b.position = next_b;
    } else {
      Pending& only = a.position < a.end ? a : b;
      if (only.position == only.end) break;  // both have ended
      const std::size_t take = std::min(out.size() - count, only.end - only.position);
      std::copy_n(only.block.begin() + static_cast<std::ptrdiff_t>(only.position), take,
                  out.begin() + static_cast<std::ptrdiff_t>(count));
      only.position += take;
      count += take;
    }
    for (std::size_t index : {std::size_t{0}, std::size_t{1}}) {
      Pending& pending = pending_[index];
      if (pending.position < pending.end || pending.end == 0) continue;
      Status status = refill(index);
      if (!status) {
        deferred_error_ = status;
        return count;
      }
    }
  }
  return count;
}

Result<std::size_t> CsvTradeStream::read(std::span<AggTrade> out) {
  if (!deferred_error_.is_ok()) return std::exchange(deferred_error_, Status::ok());
  if (pending_.size() == 2) {
    const std::size_t count = merge_two(out);
    if (count == 0 && !deferred_error_.is_ok()) return std::exchange(deferred_error_, Status::ok());
    return count;
  }
  std::size_t count = 0;
  while (count < out.size() && !heap_.empty()) {
    const std::size_t index = heap_.top().second;
    heap_.pop();
    Pending& pending = pending_[index];
    // The source's trades go out while they stay ahead of every other
    // source's next one (ties to the source listed first): no heap work
    // for a run of one symbol.
    const bool others = !heap_.empty();
    const HeapEntry next_other = others ? heap_.top() : HeapEntry{};
    do {
      out[count++] = pending.block[pending.position++];
    } while (count < out.size() && pending.position < pending.end &&
             (!others || HeapEntry{pending.block[pending.position].transact_time_ms, index} < next_other));
    if (pending.position < pending.end) {
      heap_.emplace(pending.block[pending.position].transact_time_ms, index);
      continue;
    }
    Status status = refill(index);
    if (!status) {
      deferred_error_ = status;
      break;
    }
  }
  if (count == 0 && !deferred_error_.is_ok()) return std::exchange(deferred_error_, Status::ok());
  return count;
}

Result<bool> CsvTradeStream::next(AggTrade& out) {
  auto got = read(std::span<AggTrade>(&out, 1));
  if (!got) return got.status();
  return got.value() == 1;
}

std::vector<std::string> CsvTradeStream::summary() const {
  std::vector<std::string> lines;
  for (const auto& reader : readers_) {
    const std::vector<std::string> own = reader->summary();
    lines.insert(lines.end(), own.begin(), own.end());
  }
  return lines;
}

TradeStream::Progress CsvTradeStream::progress() const {
  Progress sum{0, 0, ProgressMeter::Unit::kBytes};
  for (const auto& reader : readers_) {
    const Progress one = reader->progress();
    sum.done += one.done;
    sum.total += one.total;
  }
  return sum;
}

unsigned CsvTradeStream::own_threads() const {
  unsigned threads = 0;
  for (const auto& reader : readers_) threads += reader->own_threads();
  return threads;
}

std::vector<std::string> CsvTradeStream::skipped_rows() const {
  std::vector<std::string> rows;
  for (const auto& reader : readers_) {
    const std::vector<std::string> skipped = reader->skipped_rows();
    rows.insert(rows.end(), skipped.begin(), skipped.end());
  }
  return rows;
}

}  // namespace alphastream
