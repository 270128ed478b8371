#include "stats/engle_granger.h"

#include <cmath>
#include <string>
#include <vector>

namespace alphastream {
namespace detail {

Status engle_granger_check_size(std::size_t n) {
  if (n < 4) return Status::error("Engle-Granger: " + std::to_string(n) + " observations, need at least 4");
  return Status::ok();
}

Status engle_granger_not_finite(const char* leg, std::size_t i) {
  return Status::error(std::string("Engle-Granger: ") + leg + "[" + std::to_string(i) + "] is not finite");
}

Result<EngleGrangerResult> engle_granger_residuals(EngleGrangerResult result, std::span<const double> residuals) {
  auto adf = adf_test(residuals);
  if (!adf) return Status::error("Engle-Granger: residuals: " + adf.error());
  result.adf = *adf;
  result.residual_half_life = fit_half_life(residuals);
  return result;
}

}  // namespace detail

Result<EngleGrangerResult> engle_granger(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    return Status::error("Engle-Granger: x has " + std::to_string(x.size()) + " observations, y has " +
                         std::to_string(y.size()));
  }
  return engle_granger_visiting(x.size(), visit_spans(x, y));
}

}  // namespace alphastream
