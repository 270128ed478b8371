// The set of collectors one /metrics endpoint serves. Collectors come and go
// (pairs on config reload); each scrape asks every registered collector for
// its samples and merges them into one exposition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "metrics/metric_writer.h"

namespace alphastream {

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Scrapes that start after this call include the collector. Adding the same
  // collector twice makes its samples duplicates, which are dropped.
  // REQUIRES: collector != nullptr. [any thread]
  void add_collector(std::shared_ptr<const MetricsCollector> collector);

  // Returns true if the collector was registered. Once this returns, the
  // collector's collect() is not running and will not be called again by this
  // registry, so whatever it reads may be destroyed; a scrape in progress
  // delays the return until it finishes.
  // REQUIRES: not called from inside a collect(). [any thread]
  bool remove_collector(const MetricsCollector* collector);

  std::size_t collector_count() const;

  // Samples dropped as invalid since construction (see MetricWriter); also
  // exported as alphastream_metrics_invalid_samples_total.
  std::uint64_t invalid_samples_total() const;

  // Runs one scrape and returns its text exposition (format 0.0.4, written
  // by prometheus-cpp's TextSerializer): what /metrics serves.
  std::string scrape_text() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace alphastream
