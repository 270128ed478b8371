// Samples a collector must never write, each with the reason the writer
// gives. Shared by the debug death test and the release drop-and-count test.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "metrics/metric_writer.h"

namespace alphastream::testing {

struct InvalidSample {
  const char* what;
  const char* reason;            // expected in the writer's message
  void (*write)(MetricWriter&);  // writes the invalid sample only
};

// Each case writes one invalid sample. Cases that need an earlier valid
// sample of the same name write it first under the name "taken_total".
inline std::vector<InvalidSample> invalid_samples() {
  return {
      {"name starting with a digit", "invalid metric name",
       [](MetricWriter& w) { w.gauge("1st_gauge", "h", {}, 1); }},
      {"name with a dash", "invalid metric name", [](MetricWriter& w) { w.gauge("pair-spread", "h", {}, 1); }},
      {"empty name", "invalid metric name", [](MetricWriter& w) { w.gauge("", "h", {}, 1); }},
      {"label name reserved with __", "invalid label name \"__pair\"",
       [](MetricWriter& w) { w.gauge("spread_bps", "h", {{"__pair", "x"}}, 1); }},
      {"label name with a colon", "invalid label name \"pair:leg\"",
       [](MetricWriter& w) { w.gauge("spread_bps", "h", {{"pair:leg", "x"}}, 1); }},
      {"label name repeated", "repeated label name \"pair\"",
       [](MetricWriter& w) { w.gauge("spread_bps", "h", {{"pair", "a"}, {"pair", "b"}}, 1); }},
      {"counter without _total", "must end in _total", [](MetricWriter& w) { w.counter("trades", "h", {}, 1); }},
      {"negative counter", "must be >= 0", [](MetricWriter& w) { w.counter("trades_total", "h", {}, -1); }},
      {"NaN counter", "must be >= 0",
       [](MetricWriter& w) { w.counter("trades_total", "h", {}, std::numeric_limits<double>::quiet_NaN()); }},
      {"name reused with another type", "another type",
       [](MetricWriter& w) {
         w.counter("taken_total", "h", {}, 1);
         w.gauge("taken_total", "h", {}, 1);
       }},
      {"series written twice", "label set already written",
       [](MetricWriter& w) {
         w.counter("taken_total", "h", {{"pair", "a"}}, 1);
         w.counter("taken_total", "h", {{"pair", "a"}}, 2);
       }},
      {"histogram with le label", "\"le\" is reserved",
       [](MetricWriter& w) {
         const std::array<double, 1> bounds{0.1};
         const std::array<std::uint64_t, 1> counts{1};
         w.histogram("latency_seconds", "h", {{"le", "x"}}, bounds, counts, 0.05, 1);
       }},
      {"histogram bounds not increasing", "bounds must increase",
       [](MetricWriter& w) {
         const std::array<double, 2> bounds{0.5, 0.1};
         const std::array<std::uint64_t, 2> counts{1, 1};
         w.histogram("latency_seconds", "h", {}, bounds, counts, 0.05, 1);
       }},
      {"histogram counts not cumulative", "must be cumulative",
       [](MetricWriter& w) {
         const std::array<double, 2> bounds{0.1, 0.5};
         const std::array<std::uint64_t, 2> counts{2, 1};
         w.histogram("latency_seconds", "h", {}, bounds, counts, 0.05, 2);
       }},
      {"histogram bucket above count", "exceeds the total count",
       [](MetricWriter& w) {
         const std::array<double, 1> bounds{0.1};
         const std::array<std::uint64_t, 1> counts{3};
         w.histogram("latency_seconds", "h", {}, bounds, counts, 0.05, 2);
       }},
      {"histogram with an explicit +Inf bound", "must be finite",
       [](MetricWriter& w) {
         const std::array<double, 1> bounds{std::numeric_limits<double>::infinity()};
         const std::array<std::uint64_t, 1> counts{1};
         w.histogram("latency_seconds", "h", {}, bounds, counts, 0.05, 1);
       }},
      {"histogram spans of different sizes", "differ in size",
       [](MetricWriter& w) {
         const std::array<double, 2> bounds{0.1, 0.5};
         const std::array<std::uint64_t, 1> counts{1};
         w.histogram("latency_seconds", "h", {}, bounds, counts, 0.05, 1);
       }},
  };
}

}  // namespace alphastream::testing
