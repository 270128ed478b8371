#include "screen/pair_screen.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <tuple>

#include "stats/half_life.h"

namespace alphastream {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Pearson correlation, centred two-pass; NaN with fewer than 2 values or a
// constant side.
double correlation(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = a.size();
  if (n < 2) return kNan;
  double mean_a = 0, mean_b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean_a += a[i];
    mean_b += b[i];
  }
  mean_a /= static_cast<double>(n);
  mean_b /= static_cast<double>(n);
  double saa = 0, sbb = 0, sab = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double da = a[i] - mean_a;
    const double db = b[i] - mean_b;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  if (saa == 0 || sbb == 0) return kNan;
  return sab / std::sqrt(saa * sbb);
}

double population_std(std::span<const double> v) {
  double mean = 0;
  for (double e : v) mean += e;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double e : v) ss += (e - mean) * (e - mean);
  return std::sqrt(ss / static_cast<double>(v.size()));
}

struct Direction {
  CointResult coint;
  double half_life_obs = kNan;
  double spread_std = kNan;
};

// Ranks a before b when a is the better direction.
bool better(const CointResult& a, const CointResult& b) {
  if (a.pvalue != b.pvalue) return a.pvalue < b.pvalue;
  return a.stat < b.stat;
}

}  // namespace

PairScreenResult screen_pair(const UniverseGrid& grid, std::size_t a, std::size_t b, CointWorkspace& workspace) {
  const UniverseGrid::Rows rows = grid.pair_rows(a, b);
  const auto pa = grid.prices(a).subspan(rows.begin, rows.size());
  const auto pb = grid.prices(b).subspan(rows.begin, rows.size());
  PairScreenResult out;
  out.y = a;
  out.x = b;
  out.n_obs = static_cast<std::int64_t>(rows.size());
  out.first_ts_ms = grid.row_ts_ms(rows.begin);
  out.last_ts_ms = grid.row_ts_ms(rows.end - 1);
  out.price_correlation = correlation(pa, pb);
  out.return_correlation = rows.size() < 2 ? kNan
                                           : correlation(grid.log_returns(a).subspan(rows.begin + 1, rows.size() - 1),
                                                         grid.log_returns(b).subspan(rows.begin + 1, rows.size() - 1));
  auto run = [&](std::span<const double> y0, std::span<const double> y1) -> Result<Direction> {
    auto test = workspace.test(y0, y1);
    if (!test) return test.status();
    Direction d{*test};
    d.half_life_obs = fit_half_life(workspace.residuals()).half_life_obs;
    d.spread_std = population_std(workspace.residuals());
    return d;
  };
  auto forward = run(pa, pb);
  auto reverse = forward ? run(pb, pa) : forward;
  if (!forward || !reverse) {
    out.error = forward ? reverse.error() : forward.error();
    out.coint.stat = out.coint.pvalue = kNan;
    out.coint.hedge.alpha = out.coint.hedge.beta = kNan;
    out.reverse_pvalue = out.reverse_stat = out.half_life_obs = out.spread_std = kNan;
    return out;
  }
  const bool swap = better(reverse->coint, forward->coint);
  const Direction& chosen = swap ? *reverse : *forward;
  const Direction& other = swap ? *forward : *reverse;
  if (swap) std::swap(out.y, out.x);
  out.coint = chosen.coint;
  out.half_life_obs = chosen.half_life_obs;
  out.spread_std = chosen.spread_std;
  out.reverse_pvalue = other.coint.pvalue;
  out.reverse_stat = other.coint.stat;
  return out;
}

void rank_pairs(std::vector<PairScreenResult>& pairs) {
  auto key = [](const PairScreenResult& p) {
    const bool failed = !p.error.empty();
    return std::make_tuple(failed, failed ? 0.0 : p.coint.pvalue, failed ? 0.0 : p.coint.stat,
                           std::min(p.y, p.x), std::max(p.y, p.x));
  };
  std::stable_sort(pairs.begin(), pairs.end(),
                   [&](const PairScreenResult& l, const PairScreenResult& r) { return key(l) < key(r); });
}

ScreenRun screen_pairs(const UniverseGrid& grid, const ScreenOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t n = grid.symbol_count();
  std::vector<std::pair<std::size_t, std::size_t>> work;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) work.emplace_back(a, b);
  }
  ScreenRun run;
  run.pairs.resize(work.size());
  run.threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  run.threads = static_cast<unsigned>(std::min<std::size_t>(run.threads, std::max<std::size_t>(work.size(), 1)));

  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::vector<std::uint64_t> fallbacks(run.threads, 0);
  {
    std::vector<std::jthread> workers;
    for (unsigned w = 0; w < run.threads; ++w) {
      workers.emplace_back([&, w] {
        CointWorkspace workspace;
        for (std::size_t i = next.fetch_add(1, std::memory_order_relaxed); i < work.size();
             i = next.fetch_add(1, std::memory_order_relaxed)) {
          run.pairs[i] = screen_pair(grid, work[i].first, work[i].second, workspace);
          done.fetch_add(1, std::memory_order_release);
        }
        fallbacks[w] = workspace.fallbacks();
      });
    }
    auto last_report = std::chrono::steady_clock::now();
    while (done.load(std::memory_order_acquire) < work.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const auto now = std::chrono::steady_clock::now();
      if (options.on_progress && now - last_report >= std::chrono::milliseconds(200)) {
        options.on_progress(done.load(std::memory_order_relaxed), work.size());
        last_report = now;
      }
    }
  }  // joins the workers
  if (options.on_progress) options.on_progress(work.size(), work.size());
  for (std::uint64_t f : fallbacks) run.qr_fallbacks += f;
  rank_pairs(run.pairs);
  run.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

}  // namespace alphastream
