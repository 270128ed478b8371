// data.binance.vision's fundingRate files of USD-M and COIN-M futures
// (`<SYMBOL>-fundingRate-YYYY-MM.csv` or the .zip holding it): one row per
// settlement, "calc_time,funding_interval_hours,last_funding_rate", with or
// without that header. A perpetual position pays (or receives) notional x
// rate at each settlement: long pays a positive rate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/funding_rate.h"
#include "core/status.h"

namespace alphastream {

// Bounds on outside input: a rate beyond ±5 % or an interval beyond 24 h is
// no Binance settlement; a file past 16 MB (a month is about 4 KB) is no
// funding file.
inline constexpr double kMaxFundingRate = 0.05;
inline constexpr std::size_t kMaxFundingFileBytes = 16 << 20;

// Every settlement of the files, in time order, each time once (months that
// overlap keep the first). Errors (Status::invalid_input) name the file and
// line and what was wrong; nothing is returned from a file with a bad row.
Result<std::vector<FundingRate>> read_funding_rates(const std::vector<std::string>& paths);

}  // namespace alphastream
