// Workers sharing the pairs through leases in a JetStream key-value bucket.
// Key "pair.<name>" holds the owning worker's id while its lease lives (an
// empty value: released); key "worker.<id>" is each worker's heartbeat. The
// bucket's TTL is the lease time: an entry not written again within it
// disappears, so a worker that dies or loses the bus loses its heartbeat and
// its leases, and its pairs go to the others.
// Which worker should own a pair is decided by rendezvous hashing over the
// live workers: every worker reaches the same division from the same view,
// and a worker joining or leaving moves only the pairs it gains or held.
// A pair is claimed with create-if-absent (or a compare-and-set on a released
// entry) and kept with a compare-and-set on its revision, so two workers
// never hold one lease. The NATS C client stays inside the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bus_access.h"
#include "core/status.h"
#include "core/worker_id.h"

namespace alphastream {

struct PairLeaseSettings {
  std::vector<std::string> servers;
  BusAccess access;  // credentials and TLS  // nats://host:port
  std::string bucket = "ALPHASTREAM_LEASES";
  int replicas = 1;
  std::chrono::milliseconds ttl{10000};
  std::string worker;  // this worker's id (core/worker_id.h)
};

// What one round changed, and what it saw.
struct LeaseRound {
  std::vector<std::string> gained;    // claimed this round
  std::vector<std::string> lost;      // held, then found taken, or not refreshed within the TTL
  std::vector<std::string> released;  // handed over to the worker that should own them
  std::vector<std::string> owned;     // held after the round, sorted
  std::size_t workers = 0;            // live workers seen, this one included
  std::size_t unowned = 0;            // configured pairs no worker holds after the round
  std::string error;                  // why the round stopped early; empty when it ran through
};

// The host name and the process id, with anything is_worker_id refuses
// replaced by '-'.
std::string default_worker_id();

// The worker that should own `pair` among `workers` (not empty): the highest
// rendezvous hash, ties to the smaller id.
const std::string& rendezvous_owner(std::string_view pair, const std::vector<std::string>& workers);

// Not thread-safe: one thread runs the rounds.
class PairLeases {
 public:
  // Connects and makes sure the bucket exists: created when missing; one
  // with another TTL or replica count is an error naming both values.
  static Result<std::unique_ptr<PairLeases>> connect(const PairLeaseSettings& settings);
  // Releases every lease held (a clean stop hands its pairs over at once),
  // then disconnects.
  ~PairLeases();
  PairLeases(const PairLeases&) = delete;
  PairLeases& operator=(const PairLeases&) = delete;

  // One round over the configured pairs: writes the heartbeat, refreshes the
  // leases held, reads the bucket, releases what another live worker should
  // own and claims what this one should and nobody holds. Run it every third
  // of the TTL. A bus error ends the round early (`error`, and what it had
  // changed so far); a lease not refreshed for a whole TTL is given up at the
  // next round's start, since another worker may hold it by now.
  LeaseRound run_round(const std::vector<std::string>& pairs);

  // Whether this worker holds `pair`'s lease, as of the last round.
  bool owns(std::string_view pair) const;
  const PairLeaseSettings& settings() const;

 private:
  class Impl;
  explicit PairLeases(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace alphastream
