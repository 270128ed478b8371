// Screens every pair of a universe for cointegration: the Engle-Granger test
// (statsmodels coint) both ways round on each pair's grid rows, in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "screen/universe_grid.h"
#include "stats/coint.h"

namespace alphastream {

struct PairScreenResult {
  // Grid symbol indices in the chosen direction: y regressed on x, the
  // direction with the smaller p-value (ties: the smaller statistic, then the
  // symbol given first as y).
  std::size_t y = 0;
  std::size_t x = 0;
  std::int64_t n_obs = 0;
  std::int64_t first_ts_ms = 0;
  std::int64_t last_ts_ms = 0;
  CointResult coint;           // y on x
  double reverse_pvalue = 0;   // x on y
  double reverse_stat = 0;
  // Of the static residual y - alpha - beta x: half-life of its AR(1) fit
  // (fit_half_life) and its standard deviation (ddof 0, numpy's np.std).
  double half_life_obs = 0;
  double spread_std = 0;
  // Pearson correlations over the pair's rows: of the prices, and of the
  // one-row log returns log(p_r / p_{r-1}) (forward-filled rows give 0).
  double price_correlation = 0;
  double return_correlation = 0;
  // Non-empty if the test failed (e.g. a constant leg); the numbers are then
  // NaN and the pair ranks last.
  std::string error;
};

struct ScreenOptions {
  // Worker threads; 0: std::thread::hardware_concurrency().
  unsigned threads = 0;
  // Called on the calling thread about 5 times a second while pairs run, and
  // once at the end, with the pairs done and the total.
  std::function<void(std::size_t done, std::size_t total)> on_progress;
};

struct ScreenRun {
  std::vector<PairScreenResult> pairs;  // ranked, see rank_pairs
  unsigned threads = 0;
  double elapsed_s = 0;
  // Tests handed from the normal equations to the QR path (CointWorkspace).
  std::uint64_t qr_fallbacks = 0;
};

// Tests every pair (a, b), a < b, of the grid's symbols. Workers take pair
// indices from an atomic counter and write only their own result slots; each
// owns its buffers, so the pairs run without locks.
ScreenRun screen_pairs(const UniverseGrid& grid, const ScreenOptions& options);

// Tests one pair of grid symbols (a listed first), as screen_pairs does.
PairScreenResult screen_pair(const UniverseGrid& grid, std::size_t a, std::size_t b, CointWorkspace& workspace);

// Orders by p-value ascending (failed pairs last), then by statistic, then by
// the symbols' grid order, so the ranking is total and reproducible.
void rank_pairs(std::vector<PairScreenResult>& pairs);

}  // namespace alphastream
