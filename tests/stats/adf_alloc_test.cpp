// Proves AdfWorkspace::run allocates nothing once constructed, on tested and
// refused series alike. This binary replaces the global operator new to count
// calls, so it stays on its own.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <random>
#include <vector>

#include "counting_new.h"
#include "stats/adf.h"

namespace alphastream {
namespace {

std::vector<std::vector<double>> windows(std::size_t n) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise;
  std::vector<std::vector<double>> out;
  for (const double phi : {0.0, 0.5, 0.95, 1.0}) {
    std::vector<double> s(n);
    double v = 0;
    for (double& x : s) x = 1e5 + (v = phi * v + noise(rng));
    out.push_back(s);
  }
  out.emplace_back(n, 3.25);                      // constant
  out.push_back(std::vector<double>(n, 3.25));    // collinear: flat but for the last value
  out.back().back() = 4.0;
  out.emplace_back();                             // exact fit: a straight line
  for (std::size_t i = 0; i < n; ++i) out.back().push_back(0.5 * static_cast<double>(i));
  out.push_back(out[1]);                          // not finite
  out.back()[n / 2] = std::nan("");
  out.push_back({1.0, 2.0});  // too short with the constant, one row for one regressor without
  out.push_back(std::vector<double>(out[2].begin(), out[2].begin() + static_cast<std::ptrdiff_t>(n / 2)));
  return out;
}

TEST(AdfWorkspaceAllocation, RunAllocatesNothingOnGoodOrDegenerateSeries) {
  for (const AdfTrend trend : {AdfTrend::kConstant, AdfTrend::kNone}) {
    for (const bool autolag : {true, false}) {
      // One block for the whole design, blocks of 64 rows folded into R, and
      // series long enough for the search's Gram matrix.
      for (const auto& [n, block_rows] : {std::pair<std::size_t, std::size_t>{500, kAdfBlockRows},
                                         {500, 64},
                                         {6000, kAdfBlockRows}}) {
        const std::vector<std::vector<double>> series = windows(n);
        AdfWorkspace workspace(n, {.max_lag = std::nullopt, .autolag = autolag, .trend = trend}, block_rows);
        const std::uint64_t before = testing::allocation_count();
        int tested = 0;
        for (int round = 0; round < 3; ++round) {
          for (const std::vector<double>& s : series) tested += workspace.run(s) ? 1 : 0;
        }
        EXPECT_EQ(testing::allocation_count() - before, 0u) << "autolag " << autolag << " block " << block_rows;
        // The four AR(1) series and the half-length one, three times each.
        EXPECT_EQ(tested, 15) << "autolag " << autolag << " block " << block_rows;
      }
    }
  }
}

TEST(AdfWorkspaceAllocation, TheCounterSeesAdfTestAllocate) {
  // adf_test builds a workspace per call: proof that the counter is live.
  const std::vector<std::vector<double>> series = windows(100);
  const std::uint64_t before = testing::allocation_count();
  EXPECT_TRUE(adf_test(series[1]));
  EXPECT_GT(testing::allocation_count() - before, 0u);
}

}  // namespace
}  // namespace alphastream
