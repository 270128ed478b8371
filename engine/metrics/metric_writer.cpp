#include "metrics/metric_writer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace alphastream {
namespace {

using Label = prometheus::ClientMetric::Label;
using LabelSet = std::vector<Label>;

bool is_name_start(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':');
}

bool is_name_char(char c, bool colon_allowed) { return is_name_start(c, colon_allowed) || (c >= '0' && c <= '9'); }

bool is_valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty() || !is_name_start(name[0], colon_allowed)) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) { return is_name_char(c, colon_allowed); });
}

// prometheus-cpp 1.0.1 writes HELP verbatim; the format wants \ and newline escaped.
std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool is_valid_metric_name(std::string_view name) { return is_valid_name(name, true); }

bool is_valid_label_name(std::string_view name) {
  return is_valid_name(name, false) && name.substr(0, 2) != "__";
}

namespace {

// Counts, explains on stderr, and stops a debug build: an invalid sample is a
// bug in the collector that wrote it.
void reject(std::atomic<std::uint64_t>& invalid_samples_total, std::string_view name, std::string_view why) {
  invalid_samples_total.fetch_add(1, std::memory_order_relaxed);
  std::fprintf(stderr, "alphastream metrics: dropped invalid sample \"%.*s\": %.*s\n", static_cast<int>(name.size()),
               name.data(), static_cast<int>(why.size()), why.data());
  assert(!"invalid metric sample (see the message above)");
}

// Sorts the labels by name into out; returns why they are invalid, or "".
std::string canonical_labels(const MetricLabels& labels, prometheus::MetricType type, LabelSet& out) {
  out.clear();
  out.reserve(labels.size());
  for (const MetricLabel& label : labels) {
    if (!is_valid_label_name(label.name)) return "invalid label name \"" + label.name + "\"";
    if (type == prometheus::MetricType::Histogram && label.name == "le") return "label \"le\" is reserved in histograms";
    out.push_back(Label{label.name, label.value});
  }
  std::sort(out.begin(), out.end());
  const auto same_name = [](const Label& a, const Label& b) { return a.name == b.name; };
  const auto repeated = std::adjacent_find(out.begin(), out.end(), same_name);
  if (repeated != out.end()) return "repeated label name \"" + repeated->name + "\"";
  return "";
}

}  // namespace

struct MetricWriter::State {
  std::vector<prometheus::MetricFamily> families;
  std::unordered_map<std::string, std::size_t> family_index;
  std::vector<std::set<LabelSet>> series;  // per family: label sets already written

  // The new sample's slot in its family, or nullptr after rejecting it.
  prometheus::ClientMetric* add(std::string_view name, std::string_view help, const MetricLabels& labels,
                                prometheus::MetricType type, std::atomic<std::uint64_t>& invalid) {
    if (!is_valid_metric_name(name)) {
      reject(invalid, name, "invalid metric name");
      return nullptr;
    }
    LabelSet label_set;
    if (const std::string why = canonical_labels(labels, type, label_set); !why.empty()) {
      reject(invalid, name, why);
      return nullptr;
    }
    auto [it, inserted] = family_index.try_emplace(std::string(name), families.size());
    if (inserted) {
      prometheus::MetricFamily family;
      family.name = std::string(name);
      family.help = escape_help(help);
      family.type = type;
      families.push_back(std::move(family));
      series.emplace_back();
    }
    prometheus::MetricFamily& family = families[it->second];
    if (family.type != type) {
      reject(invalid, name, "name already written with another type in this scrape");
      return nullptr;
    }
    if (!series[it->second].insert(label_set).second) {
      reject(invalid, name, "label set already written for this name in this scrape");
      return nullptr;
    }
    family.metric.emplace_back();
    family.metric.back().label = std::move(label_set);
    return &family.metric.back();
  }
};

MetricWriter::MetricWriter(std::atomic<std::uint64_t>& invalid_samples_total)
    : state_(std::make_unique<State>()), invalid_samples_total_(invalid_samples_total) {}

MetricWriter::~MetricWriter() = default;

void MetricWriter::counter(std::string_view name, std::string_view help, const MetricLabels& labels, double value) {
  if (name.size() < 6 || name.substr(name.size() - 6) != "_total") {
    reject(invalid_samples_total_, name, "a counter's name must end in _total");
    return;
  }
  if (!(value >= 0)) {
    reject(invalid_samples_total_, name, "a counter must be >= 0");
    return;
  }
  if (auto* sample = state_->add(name, help, labels, prometheus::MetricType::Counter, invalid_samples_total_)) {
    sample->counter.value = value;
  }
}

void MetricWriter::gauge(std::string_view name, std::string_view help, const MetricLabels& labels, double value) {
  if (auto* sample = state_->add(name, help, labels, prometheus::MetricType::Gauge, invalid_samples_total_)) {
    sample->gauge.value = value;
  }
}

void MetricWriter::histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                             std::span<const double> bucket_upper_bounds,
                             std::span<const std::uint64_t> cumulative_counts, double sum, std::uint64_t count) {
  const char* why = nullptr;
  if (bucket_upper_bounds.size() != cumulative_counts.size()) why = "bucket bounds and counts differ in size";
  for (std::size_t i = 0; why == nullptr && i < bucket_upper_bounds.size(); ++i) {
    if (!std::isfinite(bucket_upper_bounds[i])) why = "bucket bounds must be finite (+Inf is implied)";
    if (i > 0 && !(bucket_upper_bounds[i] > bucket_upper_bounds[i - 1])) why = "bucket bounds must increase";
    if (i > 0 && cumulative_counts[i] < cumulative_counts[i - 1]) why = "bucket counts must be cumulative";
    if (cumulative_counts[i] > count) why = "a bucket count exceeds the total count";
  }
  if (why != nullptr) {
    reject(invalid_samples_total_, name, why);
    return;
  }
  auto* sample = state_->add(name, help, labels, prometheus::MetricType::Histogram, invalid_samples_total_);
  if (sample == nullptr) return;
  sample->histogram.sample_count = count;
  sample->histogram.sample_sum = sum;
  sample->histogram.bucket.reserve(bucket_upper_bounds.size());
  for (std::size_t i = 0; i < bucket_upper_bounds.size(); ++i) {
    sample->histogram.bucket.push_back({cumulative_counts[i], bucket_upper_bounds[i]});
  }
}

std::vector<prometheus::MetricFamily> MetricWriter::take_families() {
  std::vector<prometheus::MetricFamily> families = std::move(state_->families);
  state_ = std::make_unique<State>();
  return families;
}

}  // namespace alphastream
