#include "metrics/metrics_registry.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <mutex>
#include <shared_mutex>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace alphastream {

class MetricsRegistry::Impl : public prometheus::Collectable {
 public:
  void add(std::shared_ptr<const MetricsCollector> collector) {
    std::lock_guard lock(mutex_);
    collectors_.push_back(std::move(collector));
  }

  bool remove(const MetricsCollector* collector) {
    {
      std::lock_guard lock(mutex_);
      const auto it = std::find_if(collectors_.begin(), collectors_.end(),
                                   [&](const auto& registered) { return registered.get() == collector; });
      if (it == collectors_.end()) return false;
      collectors_.erase(it);
    }
    // Scrapes that copied the list before the erase hold the gate shared;
    // taking it exclusively waits them out. Later scrapes no longer see it.
    std::unique_lock drain(collect_gate_);
    return true;
  }

  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return collectors_.size();
  }

  std::uint64_t invalid_samples() const { return invalid_samples_total_.load(std::memory_order_relaxed); }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::shared_lock gate(collect_gate_);
    std::vector<std::shared_ptr<const MetricsCollector>> collectors;
    {
      std::lock_guard lock(mutex_);
      collectors = collectors_;
    }
    MetricWriter writer(invalid_samples_total_);
    for (const auto& collector : collectors) collect_one(*collector, writer);
    writer.counter("alphastream_metrics_invalid_samples_total",
                   "Metric samples dropped because a collector wrote an invalid name, label or value.", {},
                   static_cast<double>(invalid_samples_total_.load(std::memory_order_relaxed)));
    writer.counter("alphastream_metrics_collect_errors_total",
                   "Scrapes in which a collector threw; its samples written before the throw are kept.", {},
                   static_cast<double>(collect_errors_total_.load(std::memory_order_relaxed)));
    return writer.take_families();
  }

 private:
  // An exception must not reach the HTTP server's thread.
  void collect_one(const MetricsCollector& collector, MetricWriter& writer) const {
    try {
      collector.collect(writer);
    } catch (const std::exception& e) {
      collect_errors_total_.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr, "alphastream metrics: a collector threw during a scrape: %s\n", e.what());
    } catch (...) {
      collect_errors_total_.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr, "alphastream metrics: a collector threw a non-std exception during a scrape\n");
    }
  }

  mutable std::mutex mutex_;  // guards collectors_
  std::vector<std::shared_ptr<const MetricsCollector>> collectors_;
  mutable std::shared_mutex collect_gate_;  // held shared for a whole scrape
  mutable std::atomic<std::uint64_t> invalid_samples_total_{0};
  mutable std::atomic<std::uint64_t> collect_errors_total_{0};
};

MetricsRegistry::MetricsRegistry() : impl_(std::make_shared<Impl>()) {}
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::add_collector(std::shared_ptr<const MetricsCollector> collector) {
  impl_->add(std::move(collector));
}

bool MetricsRegistry::remove_collector(const MetricsCollector* collector) { return impl_->remove(collector); }

std::size_t MetricsRegistry::collector_count() const { return impl_->count(); }

std::uint64_t MetricsRegistry::invalid_samples_total() const { return impl_->invalid_samples(); }

std::string MetricsRegistry::scrape_text() const {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->Collect());
}

}  // namespace alphastream
