// The id a worker has among the workers sharing pairs (bus.worker_id): a key
// token of the lease bucket and a metric label.
#pragma once

#include <algorithm>
#include <string_view>

namespace alphastream {

// [A-Za-z0-9_-]{1,64}
inline bool is_worker_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace alphastream
