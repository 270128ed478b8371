// A worker's side of sharing the pairs (bus.share_pairs): the lease rounds
// of bus/pair_leases.h on a thread of their own, every third of the TTL, the
// changes handed to the service to start and stop pipelines, and the counts
// for /metrics.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/pair_leases.h"
#include "core/status.h"

namespace alphastream {

// Written by the lease thread, read by scrapes.
struct LeaseCounters {
  std::atomic<std::uint64_t> gained_total{0};
  std::atomic<std::uint64_t> lost_total{0};
  std::atomic<std::uint64_t> released_total{0};
  std::atomic<std::uint64_t> failed_rounds_total{0};
  std::atomic<std::int64_t> owned{0};
  std::atomic<std::int64_t> workers{0};
  std::atomic<std::int64_t> unowned{0};
};

class PairLeaseKeeper {
 public:
  // started: pairs to build and run; stopped: pairs to stop. Called on the
  // lease thread; it must hand the work over, not do it.
  using OnChange = std::function<void(std::vector<std::string> started, std::vector<std::string> stopped)>;

  // Connects, checks the bucket and runs the first round at once, so the
  // service starts with the pairs it holds; errors name the bus or the bucket.
  static Result<std::unique_ptr<PairLeaseKeeper>> connect(const PairLeaseSettings& settings,
                                                          std::vector<std::string> pairs);
  // Stops the rounds and releases every lease: a clean stop hands the pairs
  // to the other workers at once.
  ~PairLeaseKeeper();
  PairLeaseKeeper(const PairLeaseKeeper&) = delete;
  PairLeaseKeeper& operator=(const PairLeaseKeeper&) = delete;

  // The pairs held after the first round.
  const std::vector<std::string>& first_owned() const { return first_owned_; }
  // Starts the rounds. [once]
  void start(OnChange on_change);
  // The configured pairs changed (a reload). [any thread]
  void set_pairs(std::vector<std::string> pairs);
  // Ends the rounds and releases the leases now (the destructor would). [once]
  void stop();

  const LeaseCounters& counters() const { return counters_; }
  const std::string& worker() const { return settings_.worker; }

 private:
  PairLeaseKeeper(PairLeaseSettings settings, std::unique_ptr<PairLeases> leases, std::vector<std::string> pairs);
  void record(const LeaseRound& round);
  void run_rounds();

  PairLeaseSettings settings_;
  std::unique_ptr<PairLeases> leases_;
  std::vector<std::string> first_owned_;
  OnChange on_change_;
  LeaseCounters counters_;
  std::mutex mutex_;  // the lease thread's wake-ups and the pairs; never on a trade's path
  std::condition_variable wake_;
  std::vector<std::string> pairs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace alphastream
