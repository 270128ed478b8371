#include "source/trade_stream.h"

#include <utility>

namespace alphastream {

Result<std::size_t> TradeStream::read(std::span<AggTrade> out) {
  if (!deferred_error_.is_ok()) return std::exchange(deferred_error_, Status::ok());
  std::size_t count = 0;
  while (count < out.size()) {
    Result<bool> more = next(out[count]);
    if (!more) {
      if (count == 0) return more.status();
      deferred_error_ = more.status();
      break;
    }
    if (!more.value()) break;
    ++count;
  }
  return count;
}

}  // namespace alphastream
