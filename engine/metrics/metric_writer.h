// The scrape-time side of metrics. Engine code counts in plain per-thread
// fields or relaxed atomics; at scrape time a MetricsCollector reads them and
// writes samples into a MetricWriter. Nothing here touches a hot path, and no
// prometheus-cpp type appears in the engine-facing calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
struct MetricFamily;
}

namespace alphastream {

struct MetricLabel {
  std::string name;   // [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__"
  std::string value;  // any UTF-8; escaped on output
};
using MetricLabels = std::vector<MetricLabel>;

// Collects the samples of one scrape. Samples of the same metric name from
// several collectors are merged into one family (the exposition format allows
// one HELP/TYPE header per name); the first HELP seen for a name wins.
//
// An invalid sample is a programming error: it asserts in debug builds and,
// in release builds, is dropped and counted in the registry's
// alphastream_metrics_invalid_samples_total. Invalid means: a metric name not
// matching [a-zA-Z_:][a-zA-Z0-9_:]*, a bad or repeated label name, a counter
// whose name lacks the "_total" suffix or whose value is negative or NaN, a
// name already used with another type in this scrape, a label set already
// written for the name, or a histogram whose buckets are inconsistent.
class MetricWriter {
 public:
  // invalid_samples_total: incremented once per dropped sample; must outlive
  // the writer.
  explicit MetricWriter(std::atomic<std::uint64_t>& invalid_samples_total);
  ~MetricWriter();
  MetricWriter(const MetricWriter&) = delete;
  MetricWriter& operator=(const MetricWriter&) = delete;

  // REQUIRES: name ends in "_total"; value >= 0.
  void counter(std::string_view name, std::string_view help, const MetricLabels& labels, double value);
  void gauge(std::string_view name, std::string_view help, const MetricLabels& labels, double value);
  // Prometheus bucket semantics: cumulative_counts[i] counts observations
  // <= bucket_upper_bounds[i]; the +Inf bucket is implied and equals count.
  // REQUIRES: both spans have the same size; bounds finite and strictly
  // increasing; counts non-decreasing and <= count; no label named "le".
  void histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                 std::span<const double> bucket_upper_bounds, std::span<const std::uint64_t> cumulative_counts,
                 double sum, std::uint64_t count);

  // The families written so far, in the order their names first appeared;
  // leaves the writer empty. For the registry, not for collectors.
  std::vector<prometheus::MetricFamily> take_families();

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::atomic<std::uint64_t>& invalid_samples_total_;
};

// Reads engine counters at scrape time. collect() may run on an HTTP thread
// concurrently with the engine, so it must only read what the engine
// publishes for reading (relaxed atomics, snapshots), never plain fields a
// shard is writing.
class MetricsCollector {
 public:
  virtual ~MetricsCollector() = default;
  // [any thread; possibly concurrent with other collectors' collect()]
  virtual void collect(MetricWriter& out) const = 0;
};

// A collector made of a function, for a fixed set of metrics read from
// counters that outlive it.
class FunctionCollector : public MetricsCollector {
 public:
  explicit FunctionCollector(std::function<void(MetricWriter&)> collect) : collect_(std::move(collect)) {}
  void collect(MetricWriter& out) const override { collect_(out); }

 private:
  std::function<void(MetricWriter&)> collect_;
};

// True if name is a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
bool is_valid_metric_name(std::string_view name);
// True if name is a valid label name ([a-zA-Z_][a-zA-Z0-9_]*) and does not
// start with "__" (reserved for Prometheus' own use).
bool is_valid_label_name(std::string_view name);

}  // namespace alphastream
