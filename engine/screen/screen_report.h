// The screen's ranked report: a CSV or JSON file, and a short table for a
// terminal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "screen/pair_screen.h"
#include "screen/universe_grid.h"

namespace alphastream {

// Writes pairs, in their order, to path: CSV if it ends in .csv, JSON if
// .json. One row (CSV) or object (JSON, under "pairs") per pair with rank,
// y, x, n_obs, first_ts_ms, last_ts_ms, beta, alpha, adf_stat, p_value,
// used_lag, adf_nobs, crit_1pct, crit_5pct, crit_10pct, collinear,
// half_life_obs, spread_std, price_correlation, return_correlation,
// reverse_p_value, error. Non-finite numbers: CSV writes inf, -inf or an
// empty field for NaN; JSON writes null (a collinear pair's adf_stat is
// -infinity, and its collinear field says so).
// Returns an error naming the path for another extension or a write failure.
Status write_screen_report(const std::string& path, const UniverseGrid& grid,
                           const std::vector<PairScreenResult>& pairs, std::int64_t interval_ms);

// The first top_k pairs as an aligned text table, one line per pair.
std::string format_top_pairs(const UniverseGrid& grid, const std::vector<PairScreenResult>& pairs,
                             std::size_t top_k);

}  // namespace alphastream
