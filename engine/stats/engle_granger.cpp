#include "stats/engle_granger.h"

#include <cmath>
#include <string>
#include <vector>

namespace alphastream {
namespace {

Status check_leg(std::span<const double> v, const char* name) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return Status::error(std::string("Engle-Granger: ") + name + "[" + std::to_string(i) +
                           "] is not finite");
    }
  }
  return Status::ok();
}

}  // namespace

Result<EngleGrangerResult> engle_granger(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    return Status::error("Engle-Granger: x has " + std::to_string(x.size()) + " observations, y has " +
                         std::to_string(y.size()));
  }
  if (x.size() < 4) {
    return Status::error("Engle-Granger: " + std::to_string(x.size()) +
                         " observations, need at least 4");
  }
  if (Status s = check_leg(x, "x"); !s) return s;
  if (Status s = check_leg(y, "y"); !s) return s;

  EngleGrangerResult result;
  result.hedge = fit_ols(x, y);
  if (std::isnan(result.hedge.beta)) {
    return Status::error("Engle-Granger: x is constant, the hedge regression is undefined");
  }
  // y - alpha - beta x in its centred form: for legs near 1e5 the plain form
  // cancels to residuals of ~1e-3 and keeps only ~8 of their digits.
  double x_mean = 0, y_mean = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    x_mean += x[i];
    y_mean += y[i];
  }
  x_mean /= static_cast<double>(x.size());
  y_mean /= static_cast<double>(y.size());
  std::vector<double> residuals(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    residuals[i] = (y[i] - y_mean) - result.hedge.beta * (x[i] - x_mean);
  }
  auto adf = adf_test(residuals);
  if (!adf) return Status::error("Engle-Granger: residuals: " + adf.error());
  result.adf = *adf;
  result.residual_half_life = fit_half_life(residuals);
  return result;
}

}  // namespace alphastream
