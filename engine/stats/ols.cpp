#include "stats/ols.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

namespace alphastream {

OlsFit fit_ols(std::span<const double> x, std::span<const double> y) {
  if (y.size() != x.size()) {
    OlsFit undefined = fit_ols_visiting(0, [](auto&&) {});
    undefined.n = static_cast<std::int64_t>(x.size());
    return undefined;
  }
  return fit_ols_visiting(x.size(), visit_spans(x, y));
}

Result<LeastSquaresFit> fit_least_squares(const Eigen::MatrixXd& design,
                                          const Eigen::VectorXd& response) {
  const Eigen::Index n = design.rows();
  const Eigen::Index k = design.cols();
  if (response.size() != n) {
    return Status::error("least squares: design has " + std::to_string(n) +
                         " rows but the response has " + std::to_string(response.size()));
  }
  if (k == 0 || n <= k) {
    return Status::error("least squares: " + std::to_string(n) + " observations for " +
                         std::to_string(k) + " regressors; need more observations than regressors");
  }
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(design);
  if (qr.rank() < k) {
    return Status::error("least squares: the " + std::to_string(k) +
                         " regressors are collinear (rank " + std::to_string(qr.rank()) + ")");
  }
  LeastSquaresFit fit;
  fit.coefficients = qr.solve(response);
  const Eigen::VectorXd residuals = response - design * fit.coefficients;
  fit.ssr = residuals.squaredNorm();
  // A residual norm this small is rounding, not noise: the t-values would be
  // ratios of rounding errors.
  if (!(std::sqrt(fit.ssr) > kExactFitTolerance * response.norm())) {
    return Status::error("least squares: the fit is exact to rounding (residual sum of squares " +
                         std::to_string(fit.ssr) + "), standard errors are undefined");
  }
  fit.nobs = n;
  fit.k = static_cast<int>(k);
  const double nd = static_cast<double>(n);
  const double scale = fit.ssr / (nd - static_cast<double>(k));
  // X P = Q R, so (X'X)^-1 = P R^-1 R^-T P'; its diagonal is the squared row
  // norms of R^-1, moved back to the original column order.
  const auto r = qr.matrixR().topLeftCorner(k, k).triangularView<Eigen::Upper>();
  const Eigen::MatrixXd r_inv = r.solve(Eigen::MatrixXd::Identity(k, k));
  const Eigen::VectorXd permuted_var = r_inv.rowwise().squaredNorm() * scale;
  fit.std_errors = qr.colsPermutation() * permuted_var.cwiseSqrt();
  fit.t_values = fit.coefficients.cwiseQuotient(fit.std_errors);
  // Summed in statsmodels' order so that near-tied AICs rank the same way.
  const double half_n = nd / 2;
  fit.llf = -half_n * std::log(2 * std::numbers::pi) - half_n * std::log(fit.ssr / nd) - half_n;
  fit.aic = -2 * fit.llf + 2 * static_cast<double>(k);
  return fit;
}

}  // namespace alphastream
