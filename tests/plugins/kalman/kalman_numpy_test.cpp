// The kalman plugin against an independent numpy implementation of the
// same equations (make_kalman_reference.py), on the series it generates.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kalman_test_support.h"

namespace alphastream {
namespace {

using namespace ::alphastream::testing;

struct ReferenceRow {
  double x, y, beta, alpha, spread, forecast_std;
};

// Reads the CSV; sets params from its "# delta=.. ve=.. p0=.." first line.
std::vector<ReferenceRow> read_reference(KalmanParams& params) {
  const char* path = std::getenv("ALPHASTREAM_KALMAN_REFERENCE");
  EXPECT_NE(path, nullptr) << "ALPHASTREAM_KALMAN_REFERENCE is not set: run through ctest";
  std::vector<ReferenceRow> rows;
  if (path == nullptr) return rows;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path << ": cannot open";
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(std::sscanf(line.c_str(), "# delta=%lf ve=%lf p0=%lf", &params.delta, &params.ve, &params.p0), 3)
      << path << ":1: " << line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    ReferenceRow r{};
    EXPECT_EQ(
        std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf", &r.x, &r.y, &r.beta, &r.alpha, &r.spread, &r.forecast_std),
        6)
        << path << ":" << rows.size() + 3;
    rows.push_back(r);
  }
  return rows;
}

TEST(KalmanNumpy, MatchesAnIndependentNumpyFilter) {
  // Tolerance 1e-10 with the scales of WorstErrors: numpy evaluates the
  // textbook steps in float64, which near 100 lose ~3 digits to the H R H'
  // and R - K H R cancellations (the plain double filter is ~5e-13 off a
  // long double one on such data); the plugin is within ~1e-15 of exact.
  KalmanParams params;
  const std::vector<ReferenceRow> rows = read_reference(params);
  ASSERT_EQ(rows.size(), 10000u);
  EXPECT_EQ(params.delta, 1e-4);
  auto model = make_kalman(params);
  ASSERT_NE(model, nullptr);
  WorstErrors worst;
  for (const ReferenceRow& r : rows) {
    ASSERT_TRUE(model->update(observation(r.x, r.y)));
    const TextbookStep<long double> want{r.beta, r.alpha, r.spread,
                                         static_cast<long double>(r.forecast_std) * r.forecast_std};
    worst.add(model->outputs(), want, r.x);
  }
  std::printf("worst relative error vs numpy: beta %.3g alpha %.3g spread %.3g forecast_std %.3g\n", worst.beta,
              worst.alpha, worst.spread, worst.forecast_std);
  EXPECT_LT(worst.beta, 1e-10);
  EXPECT_LT(worst.alpha, 1e-10);
  EXPECT_LT(worst.spread, 1e-10);
  EXPECT_LT(worst.forecast_std, 1e-10);
}

}  // namespace
}  // namespace alphastream
