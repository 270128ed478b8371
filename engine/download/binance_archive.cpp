#include "download/binance_archive.h"

#include <chrono>
#include <cstdio>

namespace alphastream {

namespace {

using std::chrono::year_month_day;

year_month_day to_ymd(const ArchiveDate& date) {
  return year_month_day{std::chrono::year{date.year}, std::chrono::month{static_cast<unsigned>(date.month)},
                        std::chrono::day{static_cast<unsigned>(date.day)}};
}

ArchiveDate from_ymd(const year_month_day& ymd) {
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

ArchiveDate next_day(const ArchiveDate& date) {
  return from_ymd(year_month_day{std::chrono::sys_days{to_ymd(date)} + std::chrono::days{1}});
}

ArchiveDate last_of_month(const ArchiveDate& date) {
  const std::chrono::year_month_day_last last{std::chrono::year{date.year},
                                              std::chrono::month_day_last{std::chrono::month{
                                                  static_cast<unsigned>(date.month)}}};
  return from_ymd(year_month_day{last});
}

std::string market_root(ArchiveMarket market) {
  switch (market) {
    case ArchiveMarket::kUsdM:
      return "data/futures/um";
    case ArchiveMarket::kCoinM:
      return "data/futures/cm";
    case ArchiveMarket::kSpot:
      return "data/spot";
  }
  return "data";
}

}  // namespace

std::optional<ArchiveMarket> parse_archive_market(std::string_view name) {
  if (name == "um") return ArchiveMarket::kUsdM;
  if (name == "cm") return ArchiveMarket::kCoinM;
  if (name == "spot") return ArchiveMarket::kSpot;
  return std::nullopt;
}

std::optional<ArchiveDate> parse_archive_date(std::string_view text) {
  int year = 0, month = 0, day = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3) return std::nullopt;
  const ArchiveDate date{year, month, day};
  if (year < 2017 || year > 2100 || !to_ymd(date).ok()) return std::nullopt;
  return date;
}

std::string format_archive_date(const ArchiveDate& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

std::vector<ArchiveFile> plan_archive_files(ArchiveMarket market, const std::vector<std::string>& symbols,
                                            ArchiveDate from, ArchiveDate to, ArchiveDate today) {
  std::vector<ArchiveFile> files;
  for (const std::string& symbol : symbols) {
    const std::string root = market_root(market) + "/";
    for (ArchiveDate day = from; day <= to;) {
      const ArchiveDate month_end = last_of_month(day);
      const bool whole_month = day.day == 1 && month_end <= to && month_end < today;
      if (whole_month) {
        char month[8];
        std::snprintf(month, sizeof month, "%04d-%02d", day.year, day.month);
        const std::string name = symbol + "-aggTrades-" + month + ".zip";
        files.push_back({symbol, name, root + "monthly/aggTrades/" + symbol + "/" + name, true});
        day = next_day(month_end);
        continue;
      }
      const std::string name = symbol + "-aggTrades-" + format_archive_date(day) + ".zip";
      files.push_back({symbol, name, root + "daily/aggTrades/" + symbol + "/" + name, false});
      day = next_day(day);
    }
  }
  return files;
}

Result<std::string> parse_archive_checksum(std::string_view text, std::string_view name) {
  const auto bad = [&](const std::string& why) {
    return Status::error("the .CHECKSUM of " + std::string(name) + " " + why);
  };
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const std::size_t space = text.find(' ');
  if (space != 64) return bad("does not start with a 64-digit SHA-256");
  std::string hex(text.substr(0, 64));
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return bad("does not start with a 64-digit SHA-256");
  }
  std::string_view rest = text.substr(space);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '*')) rest.remove_prefix(1);
  if (rest != name) return bad("names another file: '" + std::string(rest) + "'");
  return hex;
}

}  // namespace alphastream
