// The ols plugin against numpy.polyfit and statsmodels RollingOLS, on the
// series make_ols_reference.py generates (x a random walk near 100, y =
// 5 + 1.7 x + an AR(1) spread, window 60).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ols_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

struct ReferenceRow {
  double x, y, polyfit_beta, polyfit_alpha, sm_beta, sm_alpha, sm_r_squared, sm_residual_std;
};

double parse_cell(const std::string& cell) { return cell.empty() ? NAN : std::stod(cell); }

// Reads the CSV; sets window from its "# window=N" first line.
std::vector<ReferenceRow> read_reference(int& window) {
  const char* path = std::getenv("ALPHASTREAM_OLS_REFERENCE");
  EXPECT_NE(path, nullptr) << "ALPHASTREAM_OLS_REFERENCE is not set: run through ctest";
  std::vector<ReferenceRow> rows;
  if (path == nullptr) return rows;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path << ": cannot open";
  std::string line;
  std::getline(in, line);
  window = std::stoi(line.substr(line.find('=') + 1));
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<double> cells;
    std::stringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) cells.push_back(parse_cell(cell));
    while (cells.size() < 8) cells.push_back(NAN);  // trailing empty cells
    rows.push_back({cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]});
  }
  return rows;
}

// Tolerance 1e-9 relative: polyfit's beta and statsmodels' agree to ~1e-12
// here, and the plugin matches a long double two-pass fit to ~1e-11 (see
// OlsPlugin.MatchesTwoPassRecomputationOnEveryWindow).
constexpr double kTolerance = 1e-9;

// `scale` is the size the error is relative to: the value itself, except for
// alpha = mean(y) - beta mean(x), a difference of two numbers near y's level
// (~170 here) whose error scales with that level; statsmodels' alpha, from
// the inverse of X'X, is ~1e-9 of alpha away from polyfit's.
void expect_close(double got, double want, double scale, const char* what, std::size_t row) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << " row " << row;
    return;
  }
  EXPECT_NEAR(got, want, kTolerance * std::fabs(scale)) << what << " row " << row;
}

TEST(OlsReference, MatchesNumpyPolyfitAndStatsmodelsRollingOls) {
  int window = 0;
  const std::vector<ReferenceRow> rows = read_reference(window);
  ASSERT_EQ(rows.size(), 3000u);
  ASSERT_EQ(window, 60);
  auto model = make_ols(window);
  ASSERT_NE(model, nullptr);
  std::size_t fitted = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ReferenceRow& r = rows[i];
    ASSERT_TRUE(model->update(observation(r.x, r.y)));
    const auto out = model->outputs();
    expect_close(out[kBeta], r.polyfit_beta, r.polyfit_beta, "beta vs polyfit", i);
    expect_close(out[kAlpha], r.polyfit_alpha, r.y, "alpha vs polyfit", i);
    expect_close(out[kBeta], r.sm_beta, r.sm_beta, "beta vs statsmodels", i);
    expect_close(out[kAlpha], r.sm_alpha, r.y, "alpha vs statsmodels", i);
    expect_close(out[kRSquared], r.sm_r_squared, r.sm_r_squared, "r_squared vs statsmodels", i);
    expect_close(out[kResidualStd], r.sm_residual_std, r.sm_residual_std, "residual_std vs statsmodels", i);
    if (!std::isnan(r.sm_beta)) ++fitted;
  }
  EXPECT_EQ(fitted, 3000u - 59u);
}

}  // namespace
}  // namespace alphastream
