// Which data.binance.vision files hold a market's aggregate trades for a span
// of days: whole past months as monthly files, the other days as daily ones,
// each with its published .CHECKSUM (SHA-256).
//
//   data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-03-01.zip
//   data/futures/cm/monthly/aggTrades/BTCUSD_PERP/BTCUSD_PERP-aggTrades-2024-03.zip
//   data/spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-03-01.zip
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace alphastream {

enum class ArchiveMarket { kUsdM, kCoinM, kSpot };
std::optional<ArchiveMarket> parse_archive_market(std::string_view name);  // "um", "cm", "spot"

// A civil UTC date.
struct ArchiveDate {
  int year = 0;
  int month = 0;
  int day = 0;

  bool operator==(const ArchiveDate&) const = default;
  auto operator<=>(const ArchiveDate&) const = default;
};
// "YYYY-MM-DD"; nullopt for anything else (including 2024-02-30).
std::optional<ArchiveDate> parse_archive_date(std::string_view text);
std::string format_archive_date(const ArchiveDate& date);

struct ArchiveFile {
  std::string symbol;
  std::string name;  // e.g. "BTCUSDT-aggTrades-2024-03.zip"
  std::string path;  // under the base URL, e.g. "data/futures/um/monthly/aggTrades/BTCUSDT/<name>"
  bool monthly = false;
};

// The files covering [from, to] (both included) for each symbol, symbol by
// symbol in date order: a month lying wholly inside the span and ended
// before `today` (Binance publishes a month once it is over) is one
// monthly file, every other day a daily file.
// REQUIRES: from <= to.
std::vector<ArchiveFile> plan_archive_files(ArchiveMarket market, const std::vector<std::string>& symbols,
                                            ArchiveDate from, ArchiveDate to, ArchiveDate today);

// The SHA-256 (64 lower-case hex digits) a .CHECKSUM file gives for `name`:
// "<hex>  <name>". Errors say what the file held instead.
Result<std::string> parse_archive_checksum(std::string_view text, std::string_view name);

}  // namespace alphastream
