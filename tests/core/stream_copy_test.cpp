// stream_copy: the bytes arrive as memcpy would put them, whatever the
// alignment of either end and the length (the streamed middle, the plain
// head and tail).
#include "core/stream_copy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace alphastream {
namespace {

TEST(StreamCopy, CopiesEveryByteAtEveryAlignmentAndLength) {
  std::vector<unsigned char> source(300);
  for (std::size_t i = 0; i < source.size(); ++i) source[i] = static_cast<unsigned char>(i * 37 + 11);
  for (std::size_t from = 0; from < 16; ++from) {
    for (std::size_t to = 0; to < 16; ++to) {
      for (std::size_t bytes : {0, 1, 15, 16, 17, 31, 32, 33, 96, 200, 250}) {
        std::vector<unsigned char> target(300, 0xEE);
        stream_copy(target.data() + to, source.data() + from, bytes);
        for (std::size_t i = 0; i < target.size(); ++i) {
          const bool inside = i >= to && i < to + bytes;
          ASSERT_EQ(target[i], inside ? source[from + i - to] : 0xEE)
              << "from +" << from << " to +" << to << ", " << bytes << " bytes, byte " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace alphastream
