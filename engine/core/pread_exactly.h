// Reading a block of a file at an offset, whatever pread returns at a time.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>

namespace alphastream {

// Reads exactly `bytes` at `offset` of fd into out, going on after a short
// read; false on an error or when the file ends first.
inline bool pread_exactly(int fd, void* out, std::size_t bytes, off_t offset) {
  auto* to = static_cast<char*>(out);
  std::size_t done = 0;
  while (done < bytes) {
    const ssize_t got = ::pread(fd, to + done, bytes - done, offset + static_cast<off_t>(done));
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

}  // namespace alphastream
