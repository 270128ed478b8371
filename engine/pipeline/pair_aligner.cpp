#include "pipeline/pair_aligner.h"

namespace alphastream {

PairAligner::PairAligner(const SamplingConfig& config)
    : mode_(config.mode), interval_ms_(config.interval_ms) {}

std::int64_t PairAligner::interval_end_containing(std::int64_t t) const {
  // Floor division, so times before the epoch fall in the right interval too.
  std::int64_t k = t / interval_ms_;
  if (t % interval_ms_ < 0) --k;
  return (k + 1) * interval_ms_;
}

void PairAligner::emit_observation(std::int64_t ts_ms, ObservationSink& emit) {
  ++observations_;
  emit(Observation{ts_ms, x_, y_});
}

void PairAligner::close_through(std::int64_t t, ObservationSink& emit) {
  if (open_end_ms_ > t) return;
  if (!both_priced()) {
    // Nothing to emit yet: jump straight to the interval holding t.
    open_end_ms_ = interval_end_containing(t);
  } else {
    for (; open_end_ms_ <= t; open_end_ms_ += interval_ms_) emit_observation(open_end_ms_, emit);
  }
  open_has_trade_ = false;
}

void PairAligner::on_trade(Leg leg, std::int64_t transact_time_ms, double price,
                           ObservationSink emit) {
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
      open_end_ms_ = interval_end_containing(transact_time_ms);
    }
    latest_trade_ms_ = transact_time_ms;
  } else {
    latest_trade_ms_ = transact_time_ms;
  }
  started_ = true;

  if (leg == Leg::kX) {
    x_ = price;
    has_x_ = true;
  } else {
    y_ = price;
    has_y_ = true;
  }

  if (mode_ == SamplingConfig::Mode::kTime) {
    open_has_trade_ = true;
  } else if (both_priced()) {
    emit_observation(latest_trade_ms_, emit);
  }
}

void PairAligner::advance_to(std::int64_t now_ms, ObservationSink emit) {
  if (mode_ != SamplingConfig::Mode::kTime || !started_) return;
  close_through(now_ms, emit);
}

void PairAligner::flush(ObservationSink emit) {
  if (mode_ != SamplingConfig::Mode::kTime || !started_ || !open_has_trade_) return;
  if (both_priced()) emit_observation(open_end_ms_, emit);
  open_end_ms_ += interval_ms_;
  open_has_trade_ = false;
}

}  // namespace alphastream
