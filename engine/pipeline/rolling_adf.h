// The ADF test of a pair's spread over its last `window` values, rerun every
// `every` spreads: the same definition as the full-sample test (constant, AIC
// lag choice, MacKinnon p-value), so a stationarity gate and the summary
// agree on what "stationary" means.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "config/pipeline_config.h"
#include "stats/adf.h"

namespace alphastream {

class RollingAdf {
 public:
  explicit RollingAdf(const StationarityConfig& config);

  // Adds one spread; NaN (model not warm) is not added. Returns true when a
  // test ran on this spread. Allocates nothing: the test runs in a workspace
  // sized at construction.
  bool push(double spread);

  // The latest test's figures; NaN before the first test or after a failed
  // one (e.g. a window of identical spreads).
  double stat() const { return stat_; }
  double pvalue() const { return pvalue_; }
  std::uint64_t tests() const { return tests_; }
  std::uint64_t failed_tests() const { return failed_tests_; }

 private:
  StationarityConfig config_;
  std::vector<double> ring_;
  std::vector<double> window_;  // the ring in time order, for the test
  AdfWorkspace workspace_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::uint64_t since_test_ = 0;
  double stat_ = std::numeric_limits<double>::quiet_NaN();
  double pvalue_ = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t tests_ = 0;
  std::uint64_t failed_tests_ = 0;
};

}  // namespace alphastream
