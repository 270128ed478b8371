// One funding settlement of a perpetual future: at time_ms a position pays
// (or receives) its notional x rate; a long pays a positive rate.
#pragma once

#include <cstdint>

namespace alphastream {

struct FundingRate {
  std::int64_t time_ms = 0;  // the settlement (Binance's calc_time), Unix ms
  double rate = 0;           // a fraction: 0.0001 is 0.01 %
};

}  // namespace alphastream
