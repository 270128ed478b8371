// A catalog entry (a binary file on disk, so outside input) on arbitrary
// bytes. The entry's bytes 24..39 (source size and modification time) are
// overwritten to match the data file the harness made, and bytes 40..47
// (the reorder window) to the default, so that inputs reach the record
// checks instead of stopping at the identity check. Whatever is opened must
// hand out only plausible trades in rising id order, all of them or, when it
// breaks, the good ones before the damage; the rest is no entry.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "source/trade_catalog.h"

namespace {

namespace fs = std::filesystem;

struct Harness {
  fs::path dir;
  std::string data_path;
  std::string entry_path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;

  Harness() {
    dir = fs::temp_directory_path() / ("alphastream-fuzz-catalog-" + std::to_string(::getpid()));
    fs::create_directories(dir / "catalog");
    data_path = (dir / "BTCUSDT-aggTrades-2024-03-01.csv").string();
    std::ofstream(data_path) << "1,100.5,0.25,1,1,1709251200000,false\n";
    // The entry's name comes from the catalog itself: write one real entry.
    alphastream::CsvImportOptions options;
    options.symbol = alphastream::Symbol("BTCUSDT");
    auto writer = alphastream::CatalogWriter::create((dir / "catalog").string(), data_path, options);
    alphastream::AggTrade trade;
    trade.agg_trade_id = 1;
    trade.price = 100.5;
    trade.transact_time_ms = 1709251200000;
    writer->add(trade);
    alphastream::CsvImportStats stats;
    stats.rows = stats.accepted = 1;
    if (!writer->commit(stats)) std::abort();
    for (const auto& file : fs::directory_iterator(dir / "catalog")) entry_path = file.path().string();
    struct stat info {};
    ::stat(data_path.c_str(), &info);
    size = static_cast<std::uint64_t>(info.st_size);
    mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness harness;
  std::vector<std::uint8_t> bytes(data, data + size);
  if (bytes.size() >= 48) {
    const std::uint64_t window = alphastream::CsvImportOptions{}.reorder_window;
    std::memcpy(bytes.data() + 24, &harness.size, 8);
    std::memcpy(bytes.data() + 32, &harness.mtime_ns, 8);
    std::memcpy(bytes.data() + 40, &window, 8);
  }
  {
    std::ofstream out(harness.entry_path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  alphastream::CsvImportOptions options;
  options.symbol = alphastream::Symbol("BTCUSDT");
  auto entry = alphastream::CatalogEntry::open((harness.dir / "catalog").string(), harness.data_path, options);
  if (!entry) return 0;
  alphastream::AggTrade trade;
  std::int64_t previous = -1;
  std::uint64_t count = 0;
  while (entry->next(trade)) {
    if (!alphastream::is_plausible_trade_time(trade.transact_time_ms) || !(trade.price > 0) ||
        !(trade.quantity >= 0) || trade.agg_trade_id <= previous || trade.first_trade_id < 0 ||
        trade.last_trade_id < trade.first_trade_id || trade.transact_time_us >= 1000 ||
        trade.symbol.view() != "BTCUSDT") {
      std::abort();
    }
    previous = trade.agg_trade_id;
    ++count;
  }
  // A whole entry, or one that broke (and says so) after what it handed out.
  if (entry->broken() ? count >= entry->stats().accepted || entry->last_id() != previous
                      : count != entry->stats().accepted || count == 0) {
    std::abort();
  }
  return 0;
}
