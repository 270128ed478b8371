// Compares the stats layer with statsmodels 0.13.5 on the cases that
// make_reference.py writes (path in ALPHASTREAM_STATS_REFERENCE).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "stats/adf.h"
#include "stats/coint.h"
#include "stats/engle_granger.h"
#include "stats/half_life.h"
#include "stats/mackinnon.h"
#include "stats/ols.h"

namespace alphastream {
namespace {

// The ADF statistic comes from a QR solve here and a pinv (SVD) there: the
// same regression, different rounding (at most ~2e-13 relative seen on these
// cases); 1e-10 leaves room for other libm/BLAS builds.
constexpr double kStatRelTol = 1e-10;
// Same formula and coefficients, so p moves only with the statistic's
// rounding and erfc (libm) against ndtr (cephes): ~4e-14 seen.
constexpr double kPvalueAbsTol = 1e-10;
// Same products summed in the same Horner order: equal to the last bit.
constexpr double kCritAbsTol = 1e-12;
// The AIC (~1e3) is log(ssr) and ssr agrees to ~1e-15 relative.
constexpr double kAicRelTol = 1e-12;

std::string text(simdjson::dom::element e) { return std::string(e.get_string().value()); }

class StatsmodelsReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* path = std::getenv("ALPHASTREAM_STATS_REFERENCE");
    ASSERT_NE(path, nullptr) << "ALPHASTREAM_STATS_REFERENCE is not set (run through ctest)";
    auto error = parser_.load(path).get(doc_);
    ASSERT_EQ(error, simdjson::SUCCESS) << path << ": " << simdjson::error_message(error);
  }
  static simdjson::dom::element at(const char* key) { return doc_[key].value(); }
  static simdjson::dom::array cases(const char* key) { return doc_[key].get_array().value(); }
  // The case of `group` named `name`; fails the test if there is none.
  static simdjson::dom::element named(const char* group, const std::string& name) {
    for (auto c : cases(group)) {
      if (text(c["name"]) == name) return c;
    }
    ADD_FAILURE() << "no case '" << name << "' in " << group;
    return doc_;
  }

  static simdjson::dom::parser parser_;
  static simdjson::dom::element doc_;
};
simdjson::dom::parser StatsmodelsReference::parser_;
simdjson::dom::element StatsmodelsReference::doc_;

// null stands for +infinity (JSON has none).
double number(simdjson::dom::element e) {
  if (e.is_null()) return std::numeric_limits<double>::infinity();
  return e.get_double().value();
}

std::vector<double> numbers(simdjson::dom::element e) {
  std::vector<double> out;
  const simdjson::dom::array values = e.get_array().value();  // named: a temporary would dangle
  for (auto v : values) out.push_back(number(v));
  return out;
}


double rel_diff(double actual, double expected) {
  return std::abs(actual - expected) / std::max(std::abs(expected), 1e-300);
}

void expect_adf_matches(const AdfResult& got, simdjson::dom::element want) {
  EXPECT_LE(rel_diff(got.stat, number(want["stat"])), kStatRelTol)
      << got.stat << " vs " << number(want["stat"]);
  EXPECT_NEAR(got.pvalue, number(want["pvalue"]), kPvalueAbsTol);
  EXPECT_EQ(got.used_lag, want["used_lag"].get_int64().value());
  EXPECT_EQ(got.nobs, want["nobs"].get_int64().value());
  EXPECT_NEAR(got.crit_1pct, number(want["crit_1pct"]), kCritAbsTol);
  EXPECT_NEAR(got.crit_5pct, number(want["crit_5pct"]), kCritAbsTol);
  EXPECT_NEAR(got.crit_10pct, number(want["crit_10pct"]), kCritAbsTol);
}

TEST_F(StatsmodelsReference, WasWrittenByStatsmodels0135) {
  // Debian's build reports "0.13.5+dfsg".
  EXPECT_EQ(text(at("statsmodels_version")).rfind("0.13.5", 0), 0u) << text(at("statsmodels_version"));
  EXPECT_GE(cases("series").size(), 10u);
}

TEST_F(StatsmodelsReference, AdfWithAicLagSearchMatchesAdfullerOnEverySeries) {
  for (auto c : cases("series")) {
    SCOPED_TRACE(text(c["name"]));
    auto got = adf_test(numbers(c["values"]));
    ASSERT_TRUE(got) << got.error();
    expect_adf_matches(*got, c["adf"]);
    EXPECT_LE(rel_diff(got->icbest, number(c["adf"]["icbest"])), kAicRelTol);
  }
}

TEST_F(StatsmodelsReference, AdfWithAFixedLagOfTwoMatchesAdfullerWithoutAutolag) {
  for (auto c : cases("series")) {
    SCOPED_TRACE(text(c["name"]));
    auto got = adf_test(numbers(c["values"]), {.max_lag = 2, .autolag = false});
    ASSERT_TRUE(got) << got.error();
    expect_adf_matches(*got, c["adf_lag_2"]);
    EXPECT_TRUE(std::isnan(got->icbest));
  }
}

TEST_F(StatsmodelsReference, HalfLifeMatchesStatsmodelsOlsOfTheDifferenceOnTheLaggedLevel) {
  // Centred sums against pinv: ~1e-13 relative; half-life adds one log.
  for (auto c : cases("series")) {
    SCOPED_TRACE(text(c["name"]));
    const HalfLifeFit got = fit_half_life(numbers(c["values"]));
    EXPECT_LE(rel_diff(got.slope, number(c["half_life"]["slope"])), 1e-9);
    EXPECT_LE(rel_diff(got.half_life_obs, number(c["half_life"]["half_life_obs"])), 1e-9);
  }
}

TEST_F(StatsmodelsReference, MackinnonPvaluesMatchOnAGridForOneToSixSeries) {
  int checked = 0;
  for (auto c : cases("mackinnonp")) {
    const double stat = number(c["stat"]);
    const int n_vars = static_cast<int>(c["n_vars"].get_int64().value());
    // Identical polynomial; Phi differs by libm erfc against cephes ndtr, a
    // few ulps of p.
    EXPECT_NEAR(mackinnon_pvalue(stat, n_vars), number(c["pvalue"]), 1e-14)
        << "stat " << stat << " n_vars " << n_vars;
    ++checked;
  }
  EXPECT_GT(checked, 6 * 90);
}

TEST_F(StatsmodelsReference, MackinnonCriticalValuesMatchForOneToTwelveSeries) {
  for (auto c : cases("mackinnoncrit")) {
    const int n_vars = static_cast<int>(c["n_vars"].get_int64().value());
    const double nobs = number(c["nobs"]);
    const auto got = mackinnon_critical_values(n_vars, nobs);
    const auto want = numbers(c["crit"]);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(got[i], want[i], kCritAbsTol) << "n_vars " << n_vars << " nobs " << nobs << " level " << i;
    }
  }
}

TEST_F(StatsmodelsReference, OlsMatchesExactRationalArithmetic) {
  // make_reference.py solves these in Python fractions: the true least-squares
  // answer for the given doubles. Centring keeps us within 1e-12 of it even
  // for prices near 1e5, except alpha there: it inherits beta's rounding
  // times mean(x) = 1e5, against an alpha of ~20 (2e-12 seen).
  for (auto c : cases("ols")) {
    SCOPED_TRACE(text(c["name"]));
    const OlsFit got = fit_ols(numbers(c["x"]), numbers(c["y"]));
    const auto exact = c["exact"];
    EXPECT_LE(rel_diff(got.beta, number(exact["beta"])), 1e-12);
    EXPECT_LE(rel_diff(got.alpha, number(exact["alpha"])), 1e-9);
    EXPECT_LE(rel_diff(got.beta_se, number(exact["beta_se"])), 1e-12);
    EXPECT_LE(rel_diff(got.alpha_se, number(exact["alpha_se"])), 1e-12);
    EXPECT_LE(rel_diff(got.residual_std, number(exact["residual_std"])), 1e-12);
    EXPECT_NEAR(got.r_squared, number(exact["r_squared"]), 1e-12);
  }
}

TEST_F(StatsmodelsReference, OlsOnPricesNear1e5BeatsStatsmodelsOnTheUncentredDesign) {
  // statsmodels' pinv of [1, x] with x ~ 1e5 +- 0.3 loses ~5 digits of the
  // residual spread; the centred fit keeps all but the last few bits.
  const auto c = named("ols", "price_1e5_tiny_moves");
  const OlsFit got = fit_ols(numbers(c["x"]), numbers(c["y"]));
  const double exact = number(c["exact"]["residual_std"]);
  const double statsmodels_error = rel_diff(number(c["statsmodels"]["residual_std"]), exact);
  EXPECT_GT(statsmodels_error, 1e-7);
  EXPECT_LT(rel_diff(got.residual_std, exact), statsmodels_error * 1e-6);
}

TEST_F(StatsmodelsReference, OlsMatchesStatsmodelsAndLstsqWhenTheDataAreWellScaled) {
  const auto c = named("ols", "noisy_line");
  const OlsFit got = fit_ols(numbers(c["x"]), numbers(c["y"]));
  for (const char* source : {"statsmodels", "lstsq"}) {
    SCOPED_TRACE(source);
    EXPECT_LE(rel_diff(got.beta, number(c[source]["beta"])), 1e-12);
    EXPECT_LE(rel_diff(got.alpha, number(c[source]["alpha"])), 1e-12);
  }
  EXPECT_LE(rel_diff(got.beta_se, number(c["statsmodels"]["beta_se"])), 1e-12);
  EXPECT_LE(rel_diff(got.residual_std, number(c["statsmodels"]["residual_std"])), 1e-12);
}

TEST_F(StatsmodelsReference, EngleGrangerMatchesStatsmodelsOlsThenAdfullerOfTheResiduals) {
  for (auto c : cases("engle_granger")) {
    SCOPED_TRACE(text(c["name"]));
    auto got = engle_granger(numbers(c["x"]), numbers(c["y"]));
    ASSERT_TRUE(got) << got.error();
    EXPECT_LE(rel_diff(got->hedge.alpha, number(c["alpha"])), 1e-10);
    EXPECT_LE(rel_diff(got->hedge.beta, number(c["beta"])), 1e-10);
    expect_adf_matches(got->adf, c["adf"]);
    EXPECT_LE(rel_diff(got->residual_half_life.half_life_obs, number(c["half_life"]["half_life_obs"])), 1e-9);
  }
}

TEST_F(StatsmodelsReference, AdfWithoutConstantMatchesAdfullerRegressionN) {
  int checked = 0;
  for (auto c : cases("series")) {
    simdjson::dom::element want;
    if (c["adf_n"].get(want) != simdjson::SUCCESS) continue;  // the 1e5 series have none
    SCOPED_TRACE(text(c["name"]));
    auto got = adf_test(numbers(c["values"]), {.max_lag = std::nullopt, .autolag = true, .trend = AdfTrend::kNone});
    ASSERT_TRUE(got) << got.error();
    expect_adf_matches(*got, want);
    EXPECT_LE(rel_diff(got->icbest, number(want["icbest"])), kAicRelTol);
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

// One direction of a coint case: y0 on y1.
void expect_coint_matches(const CointResult& got, simdjson::dom::element want) {
  EXPECT_EQ(got.collinear, want["collinear"].get_bool().value());
  EXPECT_LE(rel_diff(got.hedge.beta, number(want["beta"])), 1e-10);
  EXPECT_LE(rel_diff(got.hedge.alpha, number(want["alpha"])), 1e-10);
  EXPECT_NEAR(got.pvalue, number(want["pvalue"]), kPvalueAbsTol);
  const auto crit = numbers(want["crit"]);
  EXPECT_NEAR(got.crit_1pct, crit[0], kCritAbsTol);
  EXPECT_NEAR(got.crit_5pct, crit[1], kCritAbsTol);
  EXPECT_NEAR(got.crit_10pct, crit[2], kCritAbsTol);
  if (got.collinear) {
    EXPECT_EQ(got.stat, -std::numeric_limits<double>::infinity());
    return;
  }
  EXPECT_LE(rel_diff(got.stat, number(want["stat"])), kStatRelTol) << got.stat << " vs " << number(want["stat"]);
  EXPECT_EQ(got.used_lag, want["used_lag"].get_int64().value());
  EXPECT_EQ(got.adf_nobs, want["adf_nobs"].get_int64().value());
}

TEST_F(StatsmodelsReference, CointMatchesStatsmodelsBothWaysRound) {
  for (auto c : cases("coint")) {
    SCOPED_TRACE(text(c["name"]));
    const auto x = numbers(c["x"]);
    const auto y = numbers(c["y"]);
    auto y_on_x = coint(y, x);
    ASSERT_TRUE(y_on_x) << y_on_x.error();
    expect_coint_matches(*y_on_x, c["y_on_x"]);
    auto x_on_y = coint(x, y);
    ASSERT_TRUE(x_on_y) << x_on_y.error();
    expect_coint_matches(*x_on_y, c["x_on_y"]);
  }
}

TEST_F(StatsmodelsReference, CointWorkspaceMatchesStatsmodelsWithoutFallingBack) {
  // The normal-equation path: same tolerances, and none of these cases is
  // ill-conditioned enough to be handed to the QR path.
  CointWorkspace workspace;
  int collinear = 0;
  for (auto c : cases("coint")) {
    SCOPED_TRACE(text(c["name"]));
    const auto x = numbers(c["x"]);
    const auto y = numbers(c["y"]);
    auto y_on_x = workspace.test(y, x);
    ASSERT_TRUE(y_on_x) << y_on_x.error();
    expect_coint_matches(*y_on_x, c["y_on_x"]);
    auto x_on_y = workspace.test(x, y);
    ASSERT_TRUE(x_on_y) << x_on_y.error();
    expect_coint_matches(*x_on_y, c["x_on_y"]);
    collinear += y_on_x->collinear ? 1 : 0;
  }
  EXPECT_EQ(collinear, 1);  // near_collinear
  EXPECT_EQ(workspace.fallbacks(), 0u);
}

}  // namespace
}  // namespace alphastream
