// A whole fundingRate file (plain CSV or a zip) through the reader: every
// input ends in settlements or an error naming the file and line; accepted
// settlements are plausible times, in strict time order, within ±5 %.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/agg_trade.h"
#include "feed/funding_rates.h"
#include "memfd_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const MemfdInput input(data, size);
  if (!input.ok()) return 0;
  const auto rates = alphastream::read_funding_rates({input.path()});
  if (rates) {
    std::int64_t last = -1;
    for (const alphastream::FundingRate& rate : rates.value()) {
      if (rate.time_ms <= last || !alphastream::is_plausible_trade_time(rate.time_ms) || !std::isfinite(rate.rate) ||
          std::abs(rate.rate) > alphastream::kMaxFundingRate) {
        std::abort();
      }
      last = rate.time_ms;
    }
  }
  return 0;
}
