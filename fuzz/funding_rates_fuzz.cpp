// A whole fundingRate file (plain CSV or a zip) through the reader: every
// input ends in settlements or an error naming the file and line; accepted
// settlements are plausible times, in strict time order, within ±5 %.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/agg_trade.h"
#include "feed/funding_rates.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("fuzz-funding.csv", 0);
  if (fd < 0) return 0;
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const auto rates = alphastream::read_funding_rates({"/proc/self/fd/" + std::to_string(fd)});
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
  close(fd);
  return 0;
}
