#include "stats/coint.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>

#include "stats/adf.h"
#include "stats/mackinnon.h"

namespace alphastream {
namespace {

// statsmodels: res_co.rsquared < 1 - 100 * SQRTEPS runs the ADF.
const double kCollinearRSquared = 1 - 100 * std::sqrt(std::numeric_limits<double>::epsilon());

// A column of the normal equations must keep this share of its squared norm
// outside the span of the columns before it (and the response outside the
// span of all). Below it, forming X'X would cost more than ~6 of the 16
// digits, so the QR path takes over.
constexpr double kMinPivotShare = 1e-6;

Status check_leg(std::span<const double> v, const char* name) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return Status::error(std::string("coint: ") + name + "[" + std::to_string(i) + "] is not finite");
    }
  }
  return Status::ok();
}

// The first step, shared by both paths: the hedge regression, the residuals
// into *residuals, and everything that does not depend on the ADF.
Result<CointResult> hedge_step(std::span<const double> y0, std::span<const double> y1,
                               std::vector<double>* residuals) {
  if (y0.size() != y1.size()) {
    return Status::error("coint: y0 has " + std::to_string(y0.size()) + " observations, y1 has " +
                         std::to_string(y1.size()));
  }
  if (y0.size() < 4) return Status::error("coint: " + std::to_string(y0.size()) + " observations, need at least 4");
  if (Status s = check_leg(y0, "y0"); !s) return s;
  if (Status s = check_leg(y1, "y1"); !s) return s;

  CointResult result;
  result.hedge = fit_ols(y1, y0);
  if (std::isnan(result.hedge.beta)) return Status::error("coint: y1 is constant, the hedge regression is undefined");
  const std::size_t n = y0.size();
  // Centred form: for legs near 1e5 the plain y0 - alpha - beta y1 cancels to
  // residuals of ~1e-3 and keeps only ~8 of their digits.
  double mean0 = 0, mean1 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mean0 += y0[i];
    mean1 += y1[i];
  }
  mean0 /= static_cast<double>(n);
  mean1 /= static_cast<double>(n);
  residuals->resize(n);
  for (std::size_t i = 0; i < n; ++i) (*residuals)[i] = (y0[i] - mean0) - result.hedge.beta * (y1[i] - mean1);

  result.collinear = !(result.hedge.r_squared < kCollinearRSquared);
  const auto crit = mackinnon_critical_values(2, static_cast<double>(n - 1));
  result.crit_1pct = crit[0];
  result.crit_5pct = crit[1];
  result.crit_10pct = crit[2];
  if (result.collinear) {
    result.stat = -std::numeric_limits<double>::infinity();
    result.pvalue = mackinnon_pvalue(result.stat, 2);
  }
  return result;
}

// statsmodels' default max lag for the 'n' regression.
int default_max_lag(std::size_t n) {
  const int schwert = static_cast<int>(std::ceil(12.0 * std::pow(static_cast<double>(n) / 100.0, 0.25)));
  return std::min(static_cast<int>(n / 2) - 1, schwert);
}

// Cross-products of the residual ADF's columns over rows t in [s, m): the
// level e[t], the response dx[t] and the lags dx[t-j]. All of them come from
// P(k) = sum_{u=p}^{m-1} dx[u] dx[u-k] plus O(p) edge terms, so any sample
// s <= p costs no further pass over the data.
class LagProducts {
 public:
  LagProducts(const std::vector<double>& e, const std::vector<double>& dx, const std::vector<double>& p_k, int p)
      : e_(e), dx_(dx), p_k_(p_k), p_(p), m_(static_cast<std::ptrdiff_t>(dx.size())) {
    for (std::ptrdiff_t t = p; t < m_; ++t) {
      level_dx0_ += e_[at(t)] * dx_[at(t)];
      level_sq_ += e_[at(t)] * e_[at(t)];
    }
  }

  // sum_{t=s}^{m-1} dx[t-i] dx[t-j]; lag 0 is the response.
  double lags(int i, int j, std::ptrdiff_t s) const {
    if (i > j) std::swap(i, j);
    const std::ptrdiff_t k = j - i;
    double sum = p_k_[static_cast<std::size_t>(k)];
    for (std::ptrdiff_t u = s - i; u < p_; ++u) sum += dx_[at(u)] * dx_[at(u - k)];
    for (std::ptrdiff_t u = m_ - i; u < m_; ++u) sum -= dx_[at(u)] * dx_[at(u - k)];
    return sum;
  }

  // sum_{t=s}^{m-1} e[t]^2.
  double level_sq(std::ptrdiff_t s) const {
    double sum = level_sq_;
    for (std::ptrdiff_t t = s; t < p_; ++t) sum += e_[at(t)] * e_[at(t)];
    return sum;
  }

  // sum_{t=s}^{m-1} e[t] dx[t-j] for j = 0..lags, into out. Since
  // e[t] = e[t-1] + dx[t-1], the lag-j sum is the lag-(j-1) sum over rows
  // shifted by one plus the lag products of columns 1 and j.
  // REQUIRES: s >= lags.
  void level_lags(std::ptrdiff_t s, int lags, std::vector<double>& out) const {
    out.resize(static_cast<std::size_t>(lags) + 1);
    double sum = level_dx0_;
    for (std::ptrdiff_t t = s; t < p_; ++t) sum += e_[at(t)] * dx_[at(t)];
    out[0] = sum;
    for (int j = 1; j <= lags; ++j) {
      sum += e_[at(s - 1)] * dx_[at(s - j)] - e_[at(m_ - 1)] * dx_[at(m_ - j)] + this->lags(1, j, s);
      out[static_cast<std::size_t>(j)] = sum;
    }
  }

 private:
  static std::size_t at(std::ptrdiff_t i) { return static_cast<std::size_t>(i); }

  const std::vector<double>& e_;
  const std::vector<double>& dx_;
  const std::vector<double>& p_k_;
  const std::ptrdiff_t p_;
  const std::ptrdiff_t m_;
  double level_dx0_ = 0;  // over [p, m)
  double level_sq_ = 0;   // over [p, m)
};

// Upper Cholesky factor of gram into *upper; false unless every pivot keeps
// kMinPivotShare of its column's squared norm.
bool factor(const Eigen::MatrixXd& gram, Eigen::MatrixXd* upper) {
  const Eigen::LLT<Eigen::MatrixXd> llt(gram);
  if (llt.info() != Eigen::Success) return false;
  *upper = llt.matrixU();
  for (Eigen::Index i = 0; i < gram.rows(); ++i) {
    const double pivot = (*upper)(i, i);
    if (!(pivot * pivot > kMinPivotShare * gram(i, i))) return false;
  }
  return true;
}

}  // namespace

Result<CointResult> coint(std::span<const double> y0, std::span<const double> y1) {
  std::vector<double> residuals;
  auto result = hedge_step(y0, y1, &residuals);
  if (!result || result->collinear) return result;
  auto adf = adf_test(residuals, {.max_lag = std::nullopt, .autolag = true, .trend = AdfTrend::kNone});
  if (!adf) return Status::error("coint: residuals: " + adf.error());
  result->stat = adf->stat;
  result->pvalue = mackinnon_pvalue(adf->stat, 2);
  result->used_lag = adf->used_lag;
  result->adf_nobs = adf->nobs;
  return result;
}

Result<CointResult> CointWorkspace::test(std::span<const double> y0, std::span<const double> y1) {
  auto result = hedge_step(y0, y1, &residuals_);
  if (!result) {
    residuals_.clear();
    return result;
  }
  if (result->collinear) return result;
  if (residual_adf(*result)) {
    result->pvalue = mackinnon_pvalue(result->stat, 2);
    return result;
  }
  ++fallbacks_;
  auto exact = coint(y0, y1);
  if (!exact) residuals_.clear();
  return exact;
}

bool CointWorkspace::residual_adf(CointResult& result) {
  const std::vector<double>& e = residuals_;
  const std::size_t n = e.size();
  const int p = default_max_lag(n);
  if (p < 0) return false;
  const std::ptrdiff_t m = static_cast<std::ptrdiff_t>(n) - 1;
  if (m - p <= p + 1) return false;  // too few rows: let adf_test say so
  diffs_.resize(static_cast<std::size_t>(m));
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    diffs_[static_cast<std::size_t>(i)] = e[static_cast<std::size_t>(i) + 1] - e[static_cast<std::size_t>(i)];
  }

  // P(k) for k = 0..p in one matrix-vector product: the overlapping columns
  // dx[c .. c + m - p), c = 0..p, are the lags k = p - c of the search rows.
  const Eigen::Index rows = m - p;
  const Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>> lagged(diffs_.data(), rows, p + 1,
                                                                          Eigen::OuterStride<>(1));
  const Eigen::Map<const Eigen::VectorXd> response(diffs_.data() + p, rows);
  const Eigen::VectorXd by_column = lagged.transpose() * response;
  lag_products_.resize(static_cast<std::size_t>(p) + 1);
  for (int k = 0; k <= p; ++k) lag_products_[static_cast<std::size_t>(k)] = by_column(p - k);
  const LagProducts products(e, diffs_, lag_products_, p);

  // The lag search: columns [level, lag 1..p, response] on rows [p, m).
  std::vector<double> level_lags;
  products.level_lags(p, p, level_lags);
  const Eigen::Index q = p + 2;
  gram_.resize(q, q);
  auto lag_of = [&](Eigen::Index c) { return c == q - 1 ? 0 : static_cast<int>(c); };
  gram_(0, 0) = products.level_sq(p);
  for (Eigen::Index c = 1; c < q; ++c) gram_(0, c) = gram_(c, 0) = level_lags[static_cast<std::size_t>(lag_of(c))];
  for (Eigen::Index a = 1; a < q; ++a) {
    for (Eigen::Index b = a; b < q; ++b) gram_(a, b) = gram_(b, a) = products.lags(lag_of(a), lag_of(b), p);
  }
  Eigen::MatrixXd upper;
  if (!factor(gram_, &upper)) return false;
  // As adf.cpp: the regression on the first k columns leaves
  // ssr_k = ssr_all + sum_{i >= k} c_i^2, with c the response's column of R.
  const double nd = static_cast<double>(rows);
  const double half_n = nd / 2;
  double ssr = upper(q - 1, q - 1) * upper(q - 1, q - 1);
  std::vector<double> ssr_by_k(static_cast<std::size_t>(q));
  ssr_by_k[static_cast<std::size_t>(q - 1)] = ssr;
  for (Eigen::Index k = q - 2; k >= 1; --k) {
    ssr += upper(k, q - 1) * upper(k, q - 1);
    ssr_by_k[static_cast<std::size_t>(k)] = ssr;
  }
  int best_lag = 0;
  double best_aic = 0;
  for (Eigen::Index k = 1; k < q; ++k) {
    const int lag = static_cast<int>(k - 1);
    const double llf = -half_n * std::log(2 * std::numbers::pi) -
                       half_n * std::log(ssr_by_k[static_cast<std::size_t>(k)] / nd) - half_n;
    const double aic = -2 * llf + 2 * static_cast<double>(k);
    if (lag == 0 || aic < best_aic) {
      best_aic = aic;
      best_lag = lag;
    }
  }

  // The final regression: columns [lag 1..L, level, response] on rows [L, m),
  // so the level's t-value is c_L / s (the last regressor of a triangular R).
  const int lags = best_lag;
  const Eigen::Index f = lags + 2;
  products.level_lags(lags, lags, level_lags);
  gram_.resize(f, f);
  const Eigen::Index level = lags;
  const Eigen::Index resp = lags + 1;
  auto final_lag_of = [&](Eigen::Index c) { return c == resp ? 0 : static_cast<int>(c) + 1; };
  gram_(level, level) = products.level_sq(lags);
  for (Eigen::Index c = 0; c < f; ++c) {
    if (c == level) continue;
    gram_(level, c) = gram_(c, level) = level_lags[static_cast<std::size_t>(final_lag_of(c))];
    for (Eigen::Index d = c; d < f; ++d) {
      if (d == level) continue;
      gram_(c, d) = gram_(d, c) = products.lags(final_lag_of(c), final_lag_of(d), lags);
    }
  }
  if (!factor(gram_, &upper)) return false;
  const std::int64_t final_rows = m - lags;
  const double final_ssr = upper(resp, resp) * upper(resp, resp);
  const double s = std::sqrt(final_ssr / static_cast<double>(final_rows - (lags + 1)));
  result.stat = upper(level, resp) / s;
  result.used_lag = lags;
  result.adf_nobs = final_rows;
  return true;
}

}  // namespace alphastream
