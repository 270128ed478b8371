// The filter class behind the plugin, included directly, for what the ABI
// does not show: its covariance.
#include "kalman_filter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "kalman_test_support.h"

namespace alphastream {
namespace {

using ::alphastream::kalman::KalmanCovariance;
using ::alphastream::kalman::KalmanHedgeFilter;
using ::alphastream::kalman::KalmanStep;
using ::alphastream::testing::PairSeries;
using ::alphastream::testing::random_walk_pair;

// det P from the entries, in __float128 so that the check does not suffer
// the cancellation it looks for.
__float128 entries_det(const KalmanCovariance& c) {
  return static_cast<__float128>(c.p11) * c.p22 - static_cast<__float128>(c.p12) * c.p12;
}

TEST(KalmanFilter, FirstCovarianceMatchesHandComputation) {
  // delta 0.5, ve 1, p0 1, (x, y) = (2, 7): P = [6 -8; -8 18] / 11, det 4 / 11.
  KalmanHedgeFilter filter(0.5, 1.0, 1.0);
  KalmanStep step{};
  ASSERT_TRUE(filter.update(2, 7, step));
  const KalmanCovariance c = filter.covariance();
  EXPECT_NEAR(static_cast<double>(c.p11), 6.0 / 11, 1e-18);
  EXPECT_NEAR(static_cast<double>(c.p12), -8.0 / 11, 1e-18);
  EXPECT_NEAR(static_cast<double>(c.p22), 18.0 / 11, 1e-18);
  EXPECT_NEAR(static_cast<double>(c.det), 4.0 / 11, 1e-18);
}

TEST(KalmanFilter, CovarianceStaysPositiveDefiniteOverAMillionUpdatesAtBtcPrices) {
  // P is stored as its upper triangle, so it is symmetric by construction;
  // positive definite means p11 > 0 and det > 0. Both the tracked det and
  // the one from the entries are checked, and they must agree to 1e-10
  // (measured: ~4e-14): the entries and the recursion describe the same P.
  for (double delta : {1e-12, 1e-8, 1e-4}) {
    const PairSeries s = random_walk_pair(1'000'000, 1e5, 10, 0.8, 2e4, 1.0, 9);
    KalmanHedgeFilter filter(delta, 1e-3, 1.0);
    KalmanStep step{};
    double worst_det_mismatch = 0;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      ASSERT_TRUE(filter.update(s.x[i], s.y[i], step)) << "step " << i;
      const KalmanCovariance c = filter.covariance();
      const __float128 det = entries_det(c);
      ASSERT_TRUE(c.p11 > 0 && c.p22 > 0 && c.det > 0 && det > 0) << "delta " << delta << " step " << i;
      const double mismatch = static_cast<double>(std::fabs(static_cast<long double>(det / c.det - 1)));
      worst_det_mismatch = std::max(worst_det_mismatch, mismatch);
    }
    EXPECT_LT(worst_det_mismatch, 1e-10) << "delta " << delta;
    const KalmanCovariance c = filter.covariance();
    std::printf("delta %g after 1e6 updates: p11 %.3Lg p12 %.3Lg p22 %.3Lg det %.3Lg; entries vs tracked det %.3g\n",
                delta, c.p11, c.p12, c.p22, c.det, worst_det_mismatch);
  }
}

TEST(KalmanFilter, CovarianceMatchesTextbookInQuadPrecision) {
  // The closed form (ve R + det R u u') / Q against P = R - K H R computed
  // with 113-bit mantissas, at the hardest setting; relative to each
  // entry's own diagonal scale, sqrt(p_ii p_jj).
  const PairSeries s = random_walk_pair(20'000, 1e5, 10, 0.8, 2e4, 1.0, 10);
  KalmanHedgeFilter filter(1e-12, 1e-3, 1.0);
  __float128 p[2][2] = {{1, 0}, {0, 1}};
  const __float128 vw = static_cast<__float128>(1e-12) / (1 - static_cast<__float128>(1e-12));
  KalmanStep step{};
  double worst = 0;
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    ASSERT_TRUE(filter.update(s.x[i], s.y[i], step));
    const __float128 h[2] = {s.x[i], 1};
    const __float128 r[2][2] = {{p[0][0] + vw, p[0][1]}, {p[1][0], p[1][1] + vw}};
    const __float128 rh[2] = {r[0][0] * h[0] + r[0][1], r[1][0] * h[0] + r[1][1]};
    const __float128 q = h[0] * rh[0] + rh[1] + static_cast<__float128>(1e-3);
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b) p[a][b] = r[a][b] - rh[a] / q * rh[b];  // K H R = R H' H R / Q
    const KalmanCovariance c = filter.covariance();
    const long double got[2][2] = {{c.p11, c.p12}, {c.p12, c.p22}};
    for (int a = 0; a < 2; ++a) {
      for (int b = 0; b < 2; ++b) {
        const long double scale = std::sqrt(static_cast<long double>(p[a][a] * p[b][b]));
        const long double error = std::fabs(got[a][b] - static_cast<long double>(p[a][b])) / scale;
        worst = std::max(worst, static_cast<double>(error));
      }
    }
  }
  std::printf("worst relative error of P against __float128 textbook: %.3g\n", worst);
  EXPECT_LT(worst, 1e-14);
}

}  // namespace
}  // namespace alphastream
