// The exposition the registry builds from collectors, checked line by line.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "invalid_samples.h"
#include "metrics/metric_writer.h"
#include "metrics/metrics_registry.h"
#include "scrape_client.h"

namespace alphastream {
namespace {

using ::alphastream::testing::lines_starting_with;
using ::alphastream::testing::sample_lines;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const MetricsCollector> collector(std::function<void(MetricWriter&)> write) {
  return std::make_shared<FunctionCollector>(std::move(write));
}

TEST(MetricWriter, SamplesOfOneNameFromSeveralCollectorsShareOneFamilyHeader) {
  MetricsRegistry registry;
  registry.add_collector(collector([](MetricWriter& w) {
    w.counter("alphastream_pair_trades_total", "Trades received per pair.", {{"pair", "BTCUSDT-ETHUSDT"}}, 42);
  }));
  registry.add_collector(collector([](MetricWriter& w) {
    w.gauge("alphastream_shard_queue_depth", "Events waiting in the shard queue.", {{"shard", "1"}}, 3);
    w.counter("alphastream_pair_trades_total", "Trades received per pair.", {{"pair", "SOLUSDT-AVAXUSDT"}}, 7);
  }));

  const std::string text = registry.scrape_text();
  EXPECT_THAT(lines_starting_with(text, "# HELP alphastream_pair_trades_total"),
              ElementsAre("# HELP alphastream_pair_trades_total Trades received per pair."));
  EXPECT_THAT(lines_starting_with(text, "# TYPE alphastream_pair_trades_total"),
              ElementsAre("# TYPE alphastream_pair_trades_total counter"));
  // Both samples sit under the one header, in collector order.
  EXPECT_THAT(lines_starting_with(text, "alphastream_pair_trades_total"),
              ElementsAre("alphastream_pair_trades_total{pair=\"BTCUSDT-ETHUSDT\"} 42",
                          "alphastream_pair_trades_total{pair=\"SOLUSDT-AVAXUSDT\"} 7"));
  EXPECT_EQ(sample_lines(text)["alphastream_shard_queue_depth{shard=\"1\"}"], "3");
}

TEST(MetricWriter, LabelsAreSortedByNameAndValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  registry.add_collector(collector([](MetricWriter& w) {
    w.gauge("alphastream_quote", "First line\nsecond \\ line.", {{"venue", "say \"hi\"\n"}, {"leg", "a\\b"}}, 1.5);
  }));
  const std::string text = registry.scrape_text();
  EXPECT_THAT(lines_starting_with(text, "# HELP alphastream_quote"),
              ElementsAre("# HELP alphastream_quote First line\\nsecond \\\\ line."));
  EXPECT_THAT(lines_starting_with(text, "alphastream_quote{"),
              ElementsAre("alphastream_quote{leg=\"a\\\\b\",venue=\"say \\\"hi\\\"\\n\"} 1.5"));
}

TEST(MetricWriter, HistogramLinesFollowPrometheusBucketSemantics) {
  MetricsRegistry registry;
  registry.add_collector(collector([](MetricWriter& w) {
    const std::array<double, 2> bounds{0.1, 0.5};
    const std::array<std::uint64_t, 2> cumulative{2, 3};  // 2 values <= 0.1, 1 in (0.1, 0.5], 1 above
    w.histogram("alphastream_fill_seconds", "Order fill latency.", {{"pair", "p"}}, bounds, cumulative, 1.25, 4);
  }));
  const std::string text = registry.scrape_text();
  EXPECT_THAT(lines_starting_with(text, "# TYPE alphastream_fill_seconds"),
              ElementsAre("# TYPE alphastream_fill_seconds histogram"));
  EXPECT_THAT(lines_starting_with(text, "alphastream_fill_seconds"),
              ElementsAre("alphastream_fill_seconds_count{pair=\"p\"} 4", "alphastream_fill_seconds_sum{pair=\"p\"} 1.25",
                          "alphastream_fill_seconds_bucket{pair=\"p\",le=\"0.1\"} 2",
                          "alphastream_fill_seconds_bucket{pair=\"p\",le=\"0.5\"} 3",
                          "alphastream_fill_seconds_bucket{pair=\"p\",le=\"+Inf\"} 4"));
}

TEST(MetricWriter, InvalidSamplesCounterIsServedFromTheFirstScrape) {
  MetricsRegistry registry;
  const std::string text = registry.scrape_text();
  EXPECT_EQ(sample_lines(text)["alphastream_metrics_invalid_samples_total"], "0");
  EXPECT_THAT(lines_starting_with(text, "# TYPE alphastream_metrics_invalid_samples_total"),
              ElementsAre("# TYPE alphastream_metrics_invalid_samples_total counter"));
}

TEST(MetricWriter, NameRulesAreThePrometheusOnes) {
  EXPECT_TRUE(is_valid_metric_name("alphastream_pair_trades_total"));
  EXPECT_TRUE(is_valid_metric_name("_private"));
  EXPECT_TRUE(is_valid_metric_name("job:request_rate:5m"));  // colons: recording rules
  EXPECT_FALSE(is_valid_metric_name("5m_rate"));
  EXPECT_FALSE(is_valid_metric_name("spread.bps"));
  EXPECT_FALSE(is_valid_metric_name(""));

  EXPECT_TRUE(is_valid_label_name("pair"));
  EXPECT_TRUE(is_valid_label_name("_leg"));
  EXPECT_FALSE(is_valid_label_name("__name__"));  // reserved
  EXPECT_FALSE(is_valid_label_name("pair:leg"));  // no colons in label names
  EXPECT_FALSE(is_valid_label_name("0pair"));
  EXPECT_FALSE(is_valid_label_name(""));
}

// In a debug build each invalid sample stops the process with its reason; in
// a release build (see invalid_sample_release_test.cpp) it is dropped and counted.
TEST(MetricWriterDeathTest, AnInvalidSampleAssertsInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (const ::alphastream::testing::InvalidSample& sample : ::alphastream::testing::invalid_samples()) {
    SCOPED_TRACE(sample.what);
    std::atomic<std::uint64_t> invalid{0};
    MetricWriter writer(invalid);
    EXPECT_DEBUG_DEATH(sample.write(writer), std::string("dropped invalid sample .*") + sample.reason);
  }
}

TEST(MetricsRegistry, ACollectorThatThrowsIsCountedAndTheOthersAreStillServed) {
  MetricsRegistry registry;
  registry.add_collector(collector([](MetricWriter& w) {
    w.gauge("alphastream_before_throw", "Written before the throw.", {}, 1);
    throw std::runtime_error("shard 3 is gone");
  }));
  registry.add_collector(collector([](MetricWriter& w) { w.gauge("alphastream_healthy", "Still here.", {}, 2); }));
  auto samples = sample_lines(registry.scrape_text());
  EXPECT_EQ(samples["alphastream_before_throw"], "1");
  EXPECT_EQ(samples["alphastream_healthy"], "2");
  EXPECT_EQ(samples["alphastream_metrics_collect_errors_total"], "1");
  samples = sample_lines(registry.scrape_text());
  EXPECT_EQ(samples["alphastream_metrics_collect_errors_total"], "2");
}

TEST(MetricsRegistry, RemovedCollectorIsLeftOutOfTheNextScrape) {
  MetricsRegistry registry;
  const auto pair_a = collector([](MetricWriter& w) { w.gauge("alphastream_z", "z", {{"pair", "a"}}, 1); });
  const auto pair_b = collector([](MetricWriter& w) { w.gauge("alphastream_z", "z", {{"pair", "b"}}, 2); });
  registry.add_collector(pair_a);
  registry.add_collector(pair_b);
  EXPECT_EQ(registry.collector_count(), 2u);

  EXPECT_TRUE(registry.remove_collector(pair_a.get()));
  EXPECT_FALSE(registry.remove_collector(pair_a.get())) << "already removed";
  EXPECT_EQ(registry.collector_count(), 1u);
  EXPECT_THAT(lines_starting_with(registry.scrape_text(), "alphastream_z"), ElementsAre("alphastream_z{pair=\"b\"} 2"));
}

}  // namespace
}  // namespace alphastream
