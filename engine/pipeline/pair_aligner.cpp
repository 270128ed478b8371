#include "pipeline/pair_aligner.h"

#include <algorithm>

#include "pipeline/sampling_interval.h"

namespace alphastream {

PairAligner::PairAligner(const SamplingConfig& config)
    : mode_(config.mode), interval_ms_(config.interval_ms), max_stale_ms_(config.max_stale_ms) {}

bool PairAligner::fresh_at(std::int64_t ts_ms) const {
  return ts_ms - time_ms_[0] <= max_stale_ms_ && ts_ms - time_ms_[1] <= max_stale_ms_;
}

void PairAligner::emit_observation(std::int64_t ts_ms, ObservationSink& emit) {
  if (dropped_since_emit_ && observations_ > 0) {
    longest_break_ms_ = std::max(longest_break_ms_, ts_ms - last_emit_ms_);
  }
  dropped_since_emit_ = false;
  last_emit_ms_ = ts_ms;
  ++observations_;
  emit(Observation{ts_ms, price_[static_cast<std::size_t>(Leg::kX)], price_[static_cast<std::size_t>(Leg::kY)]});
}

void PairAligner::close_through(std::int64_t t, ObservationSink& emit) {
  if (open_end_ms_ > t) return;
  const std::int64_t next_open_end = interval_end_containing(t, interval_ms_);
  if (both_priced()) {
    // No trade arrives while closing, so the legs stay fresh up to a fixed
    // time: fill to it, then skip the stale rest in one step.
    const std::int64_t fresh_until = std::min(time_ms_[0], time_ms_[1]) + max_stale_ms_;
    for (; open_end_ms_ <= t && open_end_ms_ <= fresh_until; open_end_ms_ += interval_ms_) {
      emit_observation(open_end_ms_, emit);
    }
    if (open_end_ms_ <= t) {
      stale_drops_ += static_cast<std::uint64_t>((next_open_end - open_end_ms_) / interval_ms_);
      dropped_since_emit_ = true;
    }
  }
  open_end_ms_ = next_open_end;
  open_has_trade_ = false;
}

void PairAligner::on_trade_outside_open_interval(Leg leg, std::int64_t transact_time_ms, double price,
                                                 ObservationSink& emit) {
  ++trades_;
  const bool late = started_ && (transact_time_ms < latest_trade_ms_ ||
                                 (mode_ == SamplingConfig::Mode::kTime &&
                                  transact_time_ms < open_end_ms_ - interval_ms_));
  if (late) {
    ++late_trades_;
  } else if (mode_ == SamplingConfig::Mode::kTime) {
    if (started_) {
      close_through(transact_time_ms, emit);
    } else {
      open_end_ms_ = interval_end_containing(transact_time_ms, interval_ms_);
    }
    latest_trade_ms_ = transact_time_ms;
  } else {
    latest_trade_ms_ = transact_time_ms;
  }
  started_ = true;

  // A late trade counts as fresh from the time it is applied at.
  const std::int64_t applied_ms = std::max(transact_time_ms, latest_trade_ms_);
  set_leg(leg, price, applied_ms);

  if (mode_ == SamplingConfig::Mode::kTime) {
    open_has_trade_ = true;
  } else if (both_priced()) {
    if (fresh_at(latest_trade_ms_)) {
      emit_observation(latest_trade_ms_, emit);
    } else {
      ++stale_drops_;
      dropped_since_emit_ = true;
    }
  }
}

void PairAligner::advance_to(std::int64_t now_ms, ObservationSink emit) {
  if (mode_ != SamplingConfig::Mode::kTime || !started_) return;
  close_through(now_ms, emit);
}

void PairAligner::flush(ObservationSink emit) {
  if (mode_ != SamplingConfig::Mode::kTime || !started_ || !open_has_trade_) return;
  if (both_priced()) {
    if (fresh_at(open_end_ms_)) {
      emit_observation(open_end_ms_, emit);
    } else {
      ++stale_drops_;
      dropped_since_emit_ = true;
    }
  }
  open_end_ms_ += interval_ms_;
  open_has_trade_ = false;
}

}  // namespace alphastream
