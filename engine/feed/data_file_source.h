// The bytes of a data.binance.vision file: a plain .csv, or the one file a
// .zip holds (recognised by its signature, not its name), decompressed as it
// is read. Shared by the aggTrades importer and the funding-rate reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace alphastream {

class DataFileSource {
 public:
  virtual ~DataFileSource() = default;
  // Reads up to size bytes into out; returns 0 at the end.
  virtual Result<std::size_t> read(char* out, std::size_t size) = 0;

  std::uint64_t total_bytes = 0;  // uncompressed size; 0 when unknown
  std::uint64_t bytes_read = 0;
};

// Opens path; errors name it (cannot open, a directory, a zip that is not
// readable or holds other than exactly one file).
Result<std::unique_ptr<DataFileSource>> open_data_file(const std::string& path);

}  // namespace alphastream
