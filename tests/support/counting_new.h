// Counts every global operator new in the binary that links counting_new.cpp,
// including calls from dlopened plugins, which bind to the same definition.
// Link it only into a binary of its own: it changes allocation for all tests
// in that binary.
#pragma once

#include <cstdint>

namespace alphastream::testing {

std::uint64_t allocation_count();

}  // namespace alphastream::testing
