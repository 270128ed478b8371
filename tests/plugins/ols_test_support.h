// Loading the ols plugin and the long double two-pass fit it is checked against.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "plugin_host/model_instance.h"

namespace alphastream::testing {

// Output slots of the ols descriptor.
enum OlsOutput { kBeta = 0, kAlpha = 1, kRSquared = 2, kResidualStd = 3 };

inline std::unique_ptr<ModelInstance> make_ols(int window) {
  auto library = PluginLibrary::load(OLS_PLUGIN_PATH);
  EXPECT_TRUE(library.is_ok()) << library.error();
  if (!library) return nullptr;
  const std::vector<ParamSetting> settings = {{"window", static_cast<double>(window), std::to_string(window), ""}};
  auto model = ModelInstance::create(*library, settings, "test");
  EXPECT_TRUE(model.is_ok()) << model.error();
  return model ? std::move(*model) : nullptr;
}

inline as_observation observation(double x, double y) { return as_observation{sizeof(as_observation), 0, x, y}; }

struct ReferenceFit {
  long double beta, alpha, r_squared, residual_std;
};

// y on x with an intercept over x[begin, end), two passes in long double,
// residuals summed directly.
inline ReferenceFit two_pass_fit(const std::vector<double>& x, const std::vector<double>& y, std::size_t begin,
                                 std::size_t end) {
  const long double n = static_cast<long double>(end - begin);
  long double mx = 0, my = 0;
  for (std::size_t i = begin; i < end; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  long double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = begin; i < end; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  const long double beta = sxy / sxx;
  const long double alpha = my - beta * mx;
  long double ssr = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const long double e = (y[i] - my) - beta * (x[i] - mx);
    ssr += e * e;
  }
  return {beta, alpha, 1 - ssr / syy, std::sqrt(ssr / (n - 2))};
}

inline double relative_error(double got, long double want) {
  return static_cast<double>(std::fabs((static_cast<long double>(got) - want) / want));
}

}  // namespace alphastream::testing
