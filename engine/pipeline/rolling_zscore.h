// The z-score of a spread against its own recent history.
#pragma once

#include <cstdint>
#include <vector>

namespace alphastream {

// z of each spread over the last `window` spreads, the current one included:
// (s - mean) / std with the sample std (ddof = 1). The ring buffer is
// allocated once, in the constructor; push() allocates nothing.
//
// The mean and the sum of squared deviations are updated in O(1) per push
// (Welford's add and replace, on values shifted by a reference close to the
// mean) and recomputed exactly from the ring buffer every `window`
// replacements, and sooner when the running sum has fallen far below the
// magnitudes it was computed from (cancellation: e.g. a window that turns
// constant after large moves), so a constant window gives exactly std 0.
class RollingZScore {
 public:
  // REQUIRES: window >= 2 (the config layer checks it).
  explicit RollingZScore(int window);

  // Adds spread to the window and returns its z. Returns NaN, without adding
  // anything, when spread is not finite (NaN: the hedge model is not warm).
  // Returns NaN until `window` spreads were added, and when the window's std
  // is 0 (z would be infinite or 0/0).
  double push(double spread);

  int window() const { return window_; }
  // Spreads in the window: min(spreads added, window).
  int count() const { return count_; }
  bool ready() const { return count_ == window_; }
  // Of the spreads in the window; NaN when it is empty.
  double mean() const;
  // Sample std (ddof = 1) of the spreads in the window; NaN below 2 spreads.
  double stddev() const;
  // Exact recomputations done so far (for tests and metrics).
  std::uint64_t recomputes() const { return recomputes_; }

 private:
  void recompute();

  int window_;
  std::vector<double> ring_;  // the spreads themselves, unshifted
  int count_ = 0;
  int next_ = 0;  // slot of the next write: the oldest spread once full

  double shift_ = 0;   // reference subtracted before the running sums
  double mean_d_ = 0;  // mean of (spread - shift_)
  double m2_ = 0;      // sum of squared deviations from the mean
  // Largest sum of squares of shifted spreads since the last recompute: the
  // rounding errors of the O(1) updates are relative to it.
  double error_scale_ = 0;
  int replaces_since_recompute_ = 0;
  std::uint64_t recomputes_ = 0;
};

}  // namespace alphastream
