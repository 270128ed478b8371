#include "feed/funding_rates.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "core/agg_trade.h"
#include "feed/data_file_source.h"

namespace alphastream {

namespace {

Result<std::string> read_all(const std::string& path) {
  auto source = open_data_file(path);
  if (!source) return Status::invalid_input(source.error());
  std::string text;
  char buffer[1 << 16];
  while (true) {
    auto n = source.value()->read(buffer, sizeof buffer);
    if (!n) return Status::invalid_input(n.error());
    if (n.value() == 0) return text;
    if (text.size() + n.value() > kMaxFundingFileBytes) {
      return Status::invalid_input(path + ": more than " + std::to_string(kMaxFundingFileBytes >> 20) +
                                   " MB: no fundingRate file");
    }
    text.append(buffer, n.value());
  }
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Status parse_file(const std::string& path, const std::string& text, std::vector<FundingRate>& out) {
  std::size_t line_start = 0;
  for (int line = 1; line_start < text.size(); ++line) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string_view row(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.empty()) continue;
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (line == 1 && row.starts_with("calc_time")) continue;
    std::string_view fields[3];
    std::size_t count = 0, start = 0;
    while (count < 3) {
      const std::size_t comma = row.find(',', start);
      fields[count++] = row.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (count != 3 || std::count(row.begin(), row.end(), ',') != 2) {
      return Status::invalid_input(where + "expected calc_time,funding_interval_hours,last_funding_rate");
    }
    FundingRate rate;
    int hours = 0;
    if (!parse_number(fields[0], rate.time_ms) || !is_plausible_trade_time(rate.time_ms)) {
      return Status::invalid_input(where + "calc_time '" + std::string(fields[0]) + "' is no plausible Unix ms time");
    }
    if (!parse_number(fields[1], hours) || hours < 1 || hours > 24) {
      return Status::invalid_input(where + "funding_interval_hours '" + std::string(fields[1]) +
                                   "' is not 1 to 24");
    }
    if (!parse_number(fields[2], rate.rate) || !std::isfinite(rate.rate) || std::abs(rate.rate) > kMaxFundingRate) {
      return Status::invalid_input(where + "last_funding_rate '" + std::string(fields[2]) + "' is not within ±" +
                                   std::to_string(static_cast<int>(kMaxFundingRate * 100)) + " %");
    }
    out.push_back(rate);
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<FundingRate>> read_funding_rates(const std::vector<std::string>& paths) {
  std::vector<FundingRate> rates;
  for (const std::string& path : paths) {
    auto text = read_all(path);
    if (!text) return text.status();
    std::vector<FundingRate> file;
    if (Status parsed = parse_file(path, text.value(), file); !parsed) return parsed;
    if (file.empty()) return Status::invalid_input(path + ": no settlement in the file");
    rates.insert(rates.end(), file.begin(), file.end());
  }
  std::stable_sort(rates.begin(), rates.end(),
                   [](const FundingRate& a, const FundingRate& b) { return a.time_ms < b.time_ms; });
  rates.erase(std::unique(rates.begin(), rates.end(),
                          [](const FundingRate& a, const FundingRate& b) { return a.time_ms == b.time_ms; }),
              rates.end());
  return rates;
}

}  // namespace alphastream
