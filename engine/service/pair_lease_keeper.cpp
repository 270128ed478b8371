#include "service/pair_lease_keeper.h"

#include <spdlog/spdlog.h>

namespace alphastream {

Result<std::unique_ptr<PairLeaseKeeper>> PairLeaseKeeper::connect(const PairLeaseSettings& settings,
                                                                  std::vector<std::string> pairs) {
  auto leases = PairLeases::connect(settings);
  if (!leases) return leases.status();
  std::unique_ptr<PairLeaseKeeper> keeper(
      new PairLeaseKeeper(settings, std::move(leases.value()), std::move(pairs)));
  const LeaseRound first = keeper->leases_->run_round(keeper->pairs_);
  if (!first.error.empty()) return Status::error(first.error);
  keeper->record(first);
  keeper->first_owned_ = first.owned;
  spdlog::info("pairs shared through {} as worker {}: {} of {} held, {} worker(s) seen, leases for {} ms",
               settings.bucket, settings.worker, first.owned.size(), keeper->pairs_.size(), first.workers,
               settings.ttl.count());
  return keeper;
}

PairLeaseKeeper::PairLeaseKeeper(PairLeaseSettings settings, std::unique_ptr<PairLeases> leases,
                                 std::vector<std::string> pairs)
    : settings_(std::move(settings)), leases_(std::move(leases)), pairs_(std::move(pairs)) {}

PairLeaseKeeper::~PairLeaseKeeper() { stop(); }

void PairLeaseKeeper::start(OnChange on_change) {
  on_change_ = std::move(on_change);
  thread_ = std::thread([this] { run_rounds(); });
}

void PairLeaseKeeper::set_pairs(std::vector<std::string> pairs) {
  std::lock_guard lock(mutex_);
  pairs_ = std::move(pairs);
  wake_.notify_one();  // a new pair is claimed now, not a third of a TTL later
}

void PairLeaseKeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (leases_) {
    leases_.reset();  // releases every lease and the heartbeat
    counters_.owned.store(0);
  }
}

void PairLeaseKeeper::record(const LeaseRound& round) {
  counters_.gained_total.fetch_add(round.gained.size());
  counters_.lost_total.fetch_add(round.lost.size());
  counters_.released_total.fetch_add(round.released.size());
  counters_.owned.store(static_cast<std::int64_t>(round.owned.size()));
  if (round.error.empty()) {
    counters_.workers.store(static_cast<std::int64_t>(round.workers));
    counters_.unowned.store(static_cast<std::int64_t>(round.unowned));
  } else {
    counters_.failed_rounds_total.fetch_add(1);
  }
}

void PairLeaseKeeper::run_rounds() {
  const auto period = settings_.ttl / 3;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period);
    if (stopping_) break;
    const std::vector<std::string> pairs = pairs_;
    lock.unlock();
    const LeaseRound round = leases_->run_round(pairs);
    record(round);
    if (!round.error.empty()) spdlog::warn("pair leases: {} (held leases stay until their TTL)", round.error);
    for (const std::string& pair : round.lost) spdlog::warn("pair leases: lost {} (taken or expired)", pair);
    if (!round.gained.empty() || !round.released.empty()) {
      spdlog::info("pair leases: {} gained, {} handed over; {} held, {} worker(s) seen", round.gained.size(),
                   round.released.size(), round.owned.size(), round.workers);
    }
    std::vector<std::string> stopped = round.lost;
    stopped.insert(stopped.end(), round.released.begin(), round.released.end());
    if (!round.gained.empty() || !stopped.empty()) on_change_(round.gained, std::move(stopped));
    lock.lock();
  }
}

}  // namespace alphastream
