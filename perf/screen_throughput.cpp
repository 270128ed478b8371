// screen_throughput: pairs per second of the cointegration screen on one day
// of 1-second observations, built in memory (no file I/O: the screen's cost
// is the pairs, reading is per symbol). Half the symbols are random walks,
// half are 1.5 x + an AR(1) spread on one of them, all on a 0.01 tick.
// Prints one row per thread count, plus the QR path's cost for one pair.
//
// Usage: screen_throughput [--symbols 50] [--rows 86400] [--threads 1,2]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "screen/pair_screen.h"
#include "screen/universe_grid.h"
#include "stats/coint.h"

namespace {

using alphastream::IntervalCloses;

std::vector<IntervalCloses> generate(int symbols, std::int64_t rows) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise;
  std::vector<std::vector<double>> walks;
  std::vector<IntervalCloses> out;
  for (int s = 0; s < symbols; ++s) {
    IntervalCloses c;
    c.symbol = "SYM" + std::to_string(s);
    std::vector<double> path(static_cast<std::size_t>(rows));
    double level = 100 + s, spread = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
      level += 0.03 * noise(rng);
      spread = 0.995 * spread + 0.01 * noise(rng);
      const double price = s % 2 == 0 ? level : 20 + 1.5 * walks.back()[static_cast<std::size_t>(r)] + spread;
      path[static_cast<std::size_t>(r)] = price;
      c.interval.push_back(1'704'067'200 + r);  // 1 s intervals from 2024-01-01
      c.price.push_back(std::round(price * 100) / 100);
    }
    walks.push_back(std::move(path));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int symbols = 50;
  std::int64_t rows = 86'400;
  std::vector<unsigned> thread_counts{1, 2};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--symbols") symbols = std::atoi(argv[i + 1]);
    else if (flag == "--rows") rows = std::atoll(argv[i + 1]);
    else if (flag == "--threads") {
      thread_counts.clear();
      for (const char* p = argv[i + 1]; *p;) {
        char* end = nullptr;
        thread_counts.push_back(static_cast<unsigned>(std::strtoul(p, &end, 10)));
        p = *end == ',' ? end + 1 : end;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--symbols N] [--rows N] [--threads 1,2]\n", argv[0]);
      return 2;
    }
  }
  auto grid = alphastream::UniverseGrid::build(generate(symbols, rows), 1000);
  if (!grid) {
    std::fprintf(stderr, "%s\n", grid.error().c_str());
    return 1;
  }
  std::printf("%-28s %8s %8s %10s %12s %10s\n", "case", "symbols", "rows", "pairs", "elapsed_s", "pairs_per_s");
  for (unsigned threads : thread_counts) {
    const auto run = alphastream::screen_pairs(*grid, {.threads = threads, .on_progress = {}});
    std::printf("%-28s %8d %8lld %10zu %12.3f %10.1f\n", ("screen, " + std::to_string(threads) + " threads").c_str(),
                symbols, static_cast<long long>(rows), run.pairs.size(), run.elapsed_s,
                static_cast<double>(run.pairs.size()) / run.elapsed_s);
  }
  // One pair both ways by the QR reference path, for comparison.
  const auto y = grid->prices(1);
  const auto x = grid->prices(0);
  const auto started = std::chrono::steady_clock::now();
  auto forward = alphastream::coint(y, x);
  auto reverse = alphastream::coint(x, y);
  const double qr_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!forward || !reverse) return 1;
  std::printf("%-28s %8d %8lld %10d %12.3f %10.1f\n", "coint() QR path, 1 thread", 2, static_cast<long long>(rows), 1,
              qr_s, 1 / qr_s);
  return 0;
}
