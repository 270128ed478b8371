// The SHA-256 of a file, as data.binance.vision publishes beside each
// archive (.CHECKSUM) and as a run's provenance names its inputs.
#pragma once

#include <string>

#include "core/status.h"

namespace alphastream {

// 64 lower-case hex digits; an error names the file.
Result<std::string> sha256_of_file(const std::string& path);

}  // namespace alphastream
