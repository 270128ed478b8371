// Built with NDEBUG (see CMakeLists.txt): what a release build does with an
// invalid sample. It is dropped, counted, and the scrape goes on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invalid_samples.h"
#include "metrics/metrics_registry.h"
#include "scrape_client.h"

#ifndef NDEBUG
#error "this test checks release behaviour: compile it with NDEBUG"
#endif

namespace alphastream {
namespace {

class ValidThenInvalid : public MetricsCollector {
 public:
  explicit ValidThenInvalid(void (*write_invalid)(MetricWriter&)) : write_invalid_(write_invalid) {}
  void collect(MetricWriter& out) const override {
    out.gauge("alphastream_valid", "A valid sample beside the invalid one.", {}, 5);
    write_invalid_(out);
  }

 private:
  void (*write_invalid_)(MetricWriter&);
};

TEST(InvalidSampleInReleaseBuild, IsDroppedAndCountedWhileValidSamplesAreServed) {
  for (const ::alphastream::testing::InvalidSample& sample : ::alphastream::testing::invalid_samples()) {
    SCOPED_TRACE(sample.what);
    MetricsRegistry registry;
    registry.add_collector(std::make_shared<ValidThenInvalid>(sample.write));
    const std::string text = registry.scrape_text();
    auto samples = ::alphastream::testing::sample_lines(text);

    EXPECT_EQ(registry.invalid_samples_total(), 1u);
    EXPECT_EQ(samples["alphastream_metrics_invalid_samples_total"], "1");
    EXPECT_EQ(samples["alphastream_valid"], "5");
    // Only the valid samples remain: ours, the self-metrics, and the first
    // "taken_total" sample of the cases that need one.
    for (const auto& [series, value] : samples) {
      EXPECT_THAT(series, ::testing::AnyOf(::testing::StartsWith("alphastream_valid"),
                                           ::testing::StartsWith("alphastream_metrics_"),
                                           ::testing::StartsWith("taken_total")));
    }
    EXPECT_LE(::alphastream::testing::lines_starting_with(text, "taken_total").size(), 1u);
  }
}

TEST(InvalidSampleInReleaseBuild, TheCountAccumulatesAcrossScrapes) {
  MetricsRegistry registry;
  registry.add_collector(std::make_shared<ValidThenInvalid>([](MetricWriter& w) { w.counter("trades", "h", {}, 1); }));
  (void)registry.scrape_text();
  (void)registry.scrape_text();
  const std::string text = registry.scrape_text();
  EXPECT_EQ(::alphastream::testing::sample_lines(text)["alphastream_metrics_invalid_samples_total"], "3");
}

}  // namespace
}  // namespace alphastream
