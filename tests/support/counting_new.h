// Counts every global operator new, and (except under AddressSanitizer) every
// malloc, calloc, realloc and aligned allocation, in the binary that links
// counting_new.cpp,
// including calls from dlopened plugins, which bind to the same definition.
// Link it only into a binary of its own: it changes allocation for all tests
// in that binary.
#pragma once

#include <cstdint>

namespace alphastream::testing {

// Allocations by every thread.
std::uint64_t allocation_count();
// Allocations by the calling thread only.
std::uint64_t allocation_count_this_thread();

}  // namespace alphastream::testing
