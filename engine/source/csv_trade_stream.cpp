#include "source/csv_trade_stream.h"

#include "source/prefetch_trade_stream.h"

namespace alphastream {

Result<std::unique_ptr<CsvTradeStream>> CsvTradeStream::open(std::span<const Source> sources,
                                                             const CsvImportOptions& options, TimeRange range,
                                                             bool read_ahead) {
  std::unique_ptr<CsvTradeStream> stream(new CsvTradeStream());
  for (const Source& source : sources) {
    CsvImportOptions import = options;
    import.symbol = Symbol(source.symbol);
    auto reader = SymbolFileStream::open(source.files, import, range);
    if (!reader) return reader.status();
    if (read_ahead) {
      stream->readers_.push_back(std::make_unique<PrefetchTradeStream>(std::move(reader.value())));
    } else {
      stream->readers_.push_back(std::move(reader.value()));
    }
  }
  stream->heads_.resize(stream->readers_.size());
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
  auto more = readers_[index]->next(heads_[index]);
  if (!more) return more.status();
  if (more.value()) heap_.emplace(heads_[index].transact_time_ms, index);
  return Status::ok();
}

Result<bool> CsvTradeStream::next(AggTrade& out) {
  if (heap_.empty()) return false;
  const std::size_t index = heap_.top().second;
  heap_.pop();
  out = heads_[index];
  Status status = refill(index);
  if (!status) return status;
  return true;
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

std::vector<std::string> CsvTradeStream::skipped_rows() const {
  std::vector<std::string> rows;
  for (const auto& reader : readers_) {
    const std::vector<std::string> skipped = reader->skipped_rows();
    rows.insert(rows.end(), skipped.begin(), skipped.end());
  }
  return rows;
}

}  // namespace alphastream
