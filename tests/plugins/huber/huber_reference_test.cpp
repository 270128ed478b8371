// The huber plugin against statsmodels RLM(y, add_constant(x),
// M=HuberT()).fit(), cold and warm started, on the four series
// make_huber_reference.py generates (window 60, 400 observations each).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "huber_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

// statsmodels' answer for one window, from one start.
struct Fit {
  double beta, alpha, scale, iterations;
};

struct ReferenceRow {
  double x, y;
  Fit cold, warm;  // NaN before the window is full
};

struct Reference {
  int window = 0;
  std::map<std::string, std::vector<ReferenceRow>> series;
};

double parse_cell(const std::string& cell) { return cell.empty() ? NAN : std::stod(cell); }

Reference read_reference() {
  Reference ref;
  const char* path = std::getenv("ALPHASTREAM_HUBER_REFERENCE");
  EXPECT_NE(path, nullptr) << "ALPHASTREAM_HUBER_REFERENCE is not set: run through ctest";
  if (path == nullptr) return ref;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path << ": cannot open";
  std::string line;
  std::getline(in, line);  // "# window=N"
  ref.window = std::stoi(line.substr(line.find('=') + 1));
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string name, cell;
    std::getline(fields, name, ',');
    std::vector<double> cells;
    while (std::getline(fields, cell, ',')) cells.push_back(parse_cell(cell));
    cells.resize(10, NAN);  // trailing empty cells
    ref.series[name].push_back({cells[0], cells[1], {cells[2], cells[3], cells[4], cells[5]},
                                {cells[6], cells[7], cells[8], cells[9]}});
  }
  return ref;
}

// Largest relative errors over a series, and how often the iteration
// counts agree.
struct Agreement {
  double beta = 0, alpha = 0, scale = 0;
  int windows = 0, same_iterations = 0, max_iteration_gap = 0;
};

// The plugin and statsmodels run the same steps and differ by rounding only
// (centred sums here, a pseudo-inverse of raw [1, x] there). Where |dev
// change| falls within that rounding of 1e-8 the two stop an iteration or
// more apart, but by then IRLS's steps are tiny. Measured: beta within
// 1.1e-10, alpha 6e-9, scale 1.4e-9 relative; iteration counts equal in
// >99% of windows (85% for prices ~1e4, where statsmodels' pinv rounds
// most), at most 3 apart. So 1e-6 relative has a wide margin and still
// catches any change of algorithm (one step more or less early on, a scale
// centred at the median, another constant: all >= 1e-4).
constexpr double kTolerance = 1e-6;

double relative(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

Agreement compare(const std::string& name, const std::vector<ReferenceRow>& rows, int window, bool warm) {
  auto model = make_huber({.window = window, .warm_start = warm});
  Agreement a;
  if (model == nullptr) return a;
  const char* start = warm ? "warm" : "cold";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ReferenceRow& row = rows[i];
    const Fit& want = warm ? row.warm : row.cold;
    EXPECT_TRUE(model->update(observation(row.x, row.y)));
    const auto out = model->outputs();
    if (std::isnan(want.beta)) {
      EXPECT_TRUE(std::isnan(out[kBeta])) << name << " " << start << " row " << i;
      continue;
    }
    ++a.windows;
    a.beta = std::max(a.beta, relative(out[kBeta], want.beta));
    a.alpha = std::max(a.alpha, relative(out[kAlpha], want.alpha));
    a.scale = std::max(a.scale, relative(out[kScale], want.scale));
    EXPECT_LE(relative(out[kBeta], want.beta), kTolerance) << name << " " << start << " beta row " << i;
    EXPECT_LE(relative(out[kAlpha], want.alpha), kTolerance) << name << " " << start << " alpha row " << i;
    EXPECT_LE(relative(out[kScale], want.scale), kTolerance) << name << " " << start << " scale row " << i;
    const int gap = static_cast<int>(std::fabs(out[kIterations] - want.iterations));
    a.same_iterations += gap == 0;
    a.max_iteration_gap = std::max(a.max_iteration_gap, gap);
  }
  // Iteration counts agree only up to the rounding described above, not by
  // construction: reported here, and only their overall agreement asserted.
  std::printf("%-11s %s: %d windows, max relative error beta %.1e alpha %.1e scale %.1e; "
              "iterations equal in %d, max gap %d\n",
              name.c_str(), start, a.windows, a.beta, a.alpha, a.scale, a.same_iterations, a.max_iteration_gap);
  return a;
}

const Reference& reference() {
  static const Reference ref = read_reference();
  return ref;
}

class HuberReference : public ::testing::TestWithParam<const char*> {};

TEST_P(HuberReference, MatchesStatsmodelsRlmFromTheOlsStart) {
  const auto it = reference().series.find(GetParam());
  ASSERT_NE(it, reference().series.end()) << GetParam() << " is not in the reference";
  ASSERT_EQ(reference().window, 60);
  ASSERT_EQ(it->second.size(), 400u);
  EXPECT_EQ(compare(it->first, it->second, reference().window, false).windows, 400 - 59);
}

// The warm start is statsmodels' fit(start_params=previous): the reference
// chains its own warm fits the same way.
TEST_P(HuberReference, MatchesStatsmodelsRlmFromThePreviousWindowsAnswer) {
  const auto it = reference().series.find(GetParam());
  ASSERT_NE(it, reference().series.end()) << GetParam() << " is not in the reference";
  EXPECT_EQ(compare(it->first, it->second, reference().window, true).windows, 400 - 59);
}

// beta within 1e-6 cannot tell stopping rules apart: any rule that stops
// late enough lands within 1e-8. The iteration counts can. They agree in
// 95.7% (cold) and 96.5% (warm) of the 1364 windows; most of the rest are
// prices ~1e4, where statsmodels itself, fed the same windows centred,
// agrees with its raw-price fits in only 288 of 341 (so the plugin's
// centred arithmetic matches statsmodels as well as statsmodels matches
// itself). The textbook deviance, residuals over the MAD scale instead of
// statsmodels' WLS variance, brings agreement down to 50%.
TEST(HuberReferenceIterations, AgreeWithStatsmodelsInNineWindowsOfTen) {
  for (bool warm : {false, true}) {
    int windows = 0, same = 0;
    for (const auto& [name, rows] : reference().series) {
      const Agreement a = compare(name, rows, reference().window, warm);
      windows += a.windows;
      same += a.same_iterations;
    }
    ASSERT_EQ(windows, 4 * (400 - 59));
    EXPECT_GE(same, 0.9 * windows) << (warm ? "warm" : "cold") << " start";
  }
}

INSTANTIATE_TEST_SUITE_P(Series, HuberReference, ::testing::Values("clean", "outliers", "level_shift", "prices"));

}  // namespace
}  // namespace alphastream
