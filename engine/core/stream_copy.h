// Copying data that another core reads next, around this core's cache.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace alphastream {

// Copies bytes from src to dst with non-temporal (streaming) stores where
// the CPU has them, then fences them, so they are visible before any later
// store (a queue's release). A producer refilling a buffer that a consumer
// on another core has just read would otherwise wait for every line to be
// taken back from that core's cache: measured at half the backtest's reading
// thread on a day of two legs. Use only for data this core does not read
// again soon; memcpy elsewhere.
inline void stream_copy(void* dst, const void* src, std::size_t bytes) {
#if defined(__SSE2__)
  auto* out = static_cast<unsigned char*>(dst);
  const auto* in = static_cast<const unsigned char*>(src);
  // Streaming stores take 16-byte aligned addresses: the head up to the
  // first one, and the tail past the last whole block, are copied plainly.
  const std::size_t head = std::min(bytes, (16 - reinterpret_cast<std::uintptr_t>(out) % 16) % 16);
  std::memcpy(out, in, head);
  std::size_t done = head;
  for (; done + 16 <= bytes; done += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(out + done),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + done)));
  }
  std::memcpy(out + done, in + done, bytes - done);
  _mm_sfence();
#else
  std::memcpy(dst, src, bytes);
#endif
}

}  // namespace alphastream
