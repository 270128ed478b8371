// AdfWorkspace factoring its regressions a block of rows at a time against
// the same test in one block, which is a Householder QR of the whole design
// (the algorithm adf.cpp used before blocks, bit for bit), and the memory a
// long series needs.
#include "stats/adf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "process_memory.h"

namespace alphastream {
namespace {

enum class Kind { kStationary, kRandomWalk, kOutliers, kLagged, kPrice };

const char* name(Kind kind) {
  switch (kind) {
    case Kind::kStationary: return "AR(1) 0.5";
    case Kind::kRandomWalk: return "random walk";
    case Kind::kOutliers: return "AR(1) 0.95 with outliers";
    case Kind::kLagged: return "AR(1) differences";
    case Kind::kPrice: return "price 1e5";
  }
  return "?";
}

std::vector<double> series(Kind kind, std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise;
  std::vector<double> s(n);
  double v = 0, dv = 0;
  for (std::size_t t = 0; t < n; ++t) {
    switch (kind) {
      case Kind::kStationary: v = 0.5 * v + noise(rng); break;
      case Kind::kRandomWalk: v += noise(rng); break;
      case Kind::kOutliers: v = 0.95 * v + noise(rng); break;
      case Kind::kLagged: v += (dv = 0.6 * dv + noise(rng)); break;
      case Kind::kPrice: v = 0.9 * v + 1e-2 * noise(rng); break;
    }
    s[t] = kind == Kind::kPrice ? 1e5 + v : v;
  }
  if (kind == Kind::kOutliers) {
    // Spikes of 50 sigma, some of them in a row.
    for (std::size_t t = n / 7; t < n; t += n / 7 + 3) {
      s[t] += t % 2 ? 50 : -50;
      if (t + 1 < n) s[t + 1] += 40;
    }
  }
  return s;
}

// |a - b| within `relative` of the larger magnitude; equal infinities and NaNs
// count as equal.
::testing::AssertionResult close(double a, double b, double relative) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return ::testing::AssertionSuccess();
  if (std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b << " (relative " << std::abs(a - b) / std::abs(b) << ")";
}

void expect_same_test(const AdfResult& got, const AdfResult& want) {
  constexpr double kRel = 1e-9;
  EXPECT_TRUE(close(got.stat, want.stat, kRel));
  EXPECT_TRUE(close(got.pvalue, want.pvalue, kRel));
  EXPECT_EQ(got.used_lag, want.used_lag);
  EXPECT_EQ(got.nobs, want.nobs);
  EXPECT_TRUE(close(got.icbest, want.icbest, kRel));
  EXPECT_TRUE(close(got.crit_1pct, want.crit_1pct, kRel));
  EXPECT_TRUE(close(got.crit_5pct, want.crit_5pct, kRel));
  EXPECT_TRUE(close(got.crit_10pct, want.crit_10pct, kRel));
}

// Reruns `s` in one workspace per block size given (reused across calls, so
// anything a run leaves behind would show) against one block; returns whether
// the test gave a result.
class BlockedVsWhole {
 public:
  BlockedVsWhole(std::size_t max_n, AdfOptions options)
      : whole_(max_n, options, max_n), smallest_(max_n, options, 1), default_(max_n, options) {}

  bool check(const std::vector<double>& s) {
    const bool ok = whole_.run(s);
    for (AdfWorkspace* blocked : {&smallest_, &default_}) {
      SCOPED_TRACE(blocked == &smallest_ ? "blocks of max_lag + 3 rows" : "blocks of kAdfBlockRows");
      EXPECT_EQ(blocked->run(s), ok);
      if (ok) {
        expect_same_test(blocked->result(), whole_.result());
      } else {
        EXPECT_EQ(blocked->failure().error, whole_.failure().error);
        EXPECT_EQ(blocked->failure().lag, whole_.failure().lag);
        EXPECT_EQ(blocked->failure().in_lag_search, whole_.failure().in_lag_search);
      }
    }
    return ok;
  }

 private:
  AdfWorkspace whole_, smallest_, default_;
};

TEST(AdfBlocked, EqualsOneWholeDesignQrOnGeneratedSeriesOfEveryShape) {
  const std::vector<std::size_t> lengths{20, 45, 131, 300, 2000, 5000, 20000, 200000};
  const std::size_t max_n = lengths.back();
  for (const AdfTrend trend : {AdfTrend::kConstant, AdfTrend::kNone}) {
    // The default search up to Schwert's lag, costly in Debug beyond a few
    // thousand rows; an explicit search; a fixed lag.
    const AdfOptions searched{.max_lag = std::nullopt, .autolag = true, .trend = trend};
    const AdfOptions short_search{.max_lag = 6, .autolag = true, .trend = trend};
    const AdfOptions fixed{.max_lag = 3, .autolag = false, .trend = trend};
    BlockedVsWhole by_default(5000, searched), by_short_search(max_n, short_search), by_fixed(max_n, fixed);
    int tested = 0;
    for (const std::size_t n : lengths) {
      for (const Kind kind : {Kind::kStationary, Kind::kRandomWalk, Kind::kOutliers, Kind::kLagged, Kind::kPrice}) {
        if (trend == AdfTrend::kNone && kind == Kind::kPrice) continue;  // a level of 1e5 needs the constant
        // The long series on two shapes only: Debug is slow.
        if (n == max_n && kind != Kind::kRandomWalk && kind != Kind::kOutliers) continue;
        const std::vector<double> s = series(kind, n, static_cast<unsigned>(n) + static_cast<unsigned>(kind));
        SCOPED_TRACE(::testing::Message() << name(kind) << " n " << n << " trend "
                                          << (trend == AdfTrend::kConstant ? "c" : "n"));
        if (n <= 5000) tested += by_default.check(s) ? 1 : 0;
        if (n >= 20) tested += by_short_search.check(s) ? 1 : 0;
        tested += by_fixed.check(s) ? 1 : 0;
      }
    }
    // 30 + 35 + 35 + 4 with the constant; without it, 24 + 28 + 28 + 4 less the
    // default search at n = 20 (max_lag 9 leaves 10 rows for 10 regressors).
    EXPECT_EQ(tested, trend == AdfTrend::kConstant ? 104 : 80);
  }
}

TEST(AdfBlocked, DegenerateSeriesFailForTheSameReasonAtTheSameLag) {
  // Long enough for many blocks of max_lag + 3 rows, and for the search to
  // try the Gram matrix first (which must give way to the QR on these).
  const std::size_t n = 6000;
  std::vector<double> line, flat_then_jump(n, 2.5), spike(n, 2.5);
  for (std::size_t i = 0; i < n; ++i) line.push_back(0.5 * static_cast<double>(i));
  flat_then_jump.back() = 3.0;
  // Flat but for one spike: each lag column is zero in all but one or two
  // blocks, and the test still runs.
  spike[2700] = 2.75;
  for (const AdfTrend trend : {AdfTrend::kConstant, AdfTrend::kNone}) {
    for (const bool autolag : {true, false}) {
      BlockedVsWhole check(n, {.max_lag = 4, .autolag = autolag, .trend = trend});
      for (const auto* s : {&line, &flat_then_jump, &spike}) {
        const char* what = s == &line ? "line" : s == &flat_then_jump ? "flat then jump" : "spike";
        SCOPED_TRACE(::testing::Message() << what << " autolag " << autolag);
        EXPECT_EQ(check.check(*s), s == &spike);
      }
    }
  }
  AdfWorkspace blocked(n, {.max_lag = 4}, 1);
  ASSERT_FALSE(blocked.run(line));
  EXPECT_EQ(blocked.failure().error, AdfError::kExactFit);
  ASSERT_FALSE(blocked.run(flat_then_jump));
  EXPECT_EQ(blocked.failure().error, AdfError::kCollinear);
}

constexpr std::size_t kMonthOfSeconds = 2'592'000;

TEST(AdfBlockedMemory, AWorkspaceForAMonthOfSecondsTakesAboutAMegabyte) {
  // A whole design would be 2.6e6 x 155 doubles, 3.2 GB.
  const long before = testing::proc_status_kb("VmRSS");
  ASSERT_GT(before, 0);
  const AdfWorkspace workspace(kMonthOfSeconds);
  EXPECT_EQ(workspace.max_n(), kMonthOfSeconds);
  EXPECT_LT(testing::proc_status_kb("VmRSS") - before, 4 * 1024);
}

TEST(AdfBlockedMemory, TestingAMonthOfSecondsPeaksAFewMegabytesAboveTheSeries) {
  // max_lag 4 keeps it fast in Debug; one whole design would still be
  // 2.6e6 x 7 doubles (145 MB), so the bound tells the two apart.
  const std::vector<double> s = series(Kind::kOutliers, kMonthOfSeconds, 3);
  if (!testing::reset_peak_rss()) GTEST_SKIP() << "/proc/self/clear_refs is not writable";
  const long before = testing::proc_status_kb("VmHWM");
  auto adf = adf_test(s, {.max_lag = 4});
  ASSERT_TRUE(adf) << adf.error();
  EXPECT_LT(testing::proc_status_kb("VmHWM") - before, 16 * 1024);
  EXPECT_EQ(adf->nobs, static_cast<std::int64_t>(kMonthOfSeconds) - 1 - adf->used_lag);
  EXPECT_LT(adf->pvalue, 1e-6);  // AR(1) 0.95 is stationary
}

}  // namespace
}  // namespace alphastream
