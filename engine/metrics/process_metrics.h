// Collectors every AlphaStream process exports: the standard process_*
// metrics of the Prometheus client libraries (prometheus-cpp has none) and
// alphastream_build_info.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "metrics/metric_writer.h"

namespace alphastream {

// The fields of /proc/<pid>/stat the process metrics use, in kernel units.
struct ProcStat {
  std::uint64_t utime_ticks = 0;      // field 14: user CPU, in clock ticks
  std::uint64_t stime_ticks = 0;      // field 15: system CPU, in clock ticks
  std::uint64_t starttime_ticks = 0;  // field 22: start, in clock ticks after boot
  std::uint64_t vsize_bytes = 0;      // field 23
  std::uint64_t rss_pages = 0;        // field 24
};

// Parses one /proc/<pid>/stat line. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from its last ')'.
Result<ProcStat> parse_proc_stat(std::string_view line);

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_start_time_seconds, process_open_fds
// and process_max_fds (soft RLIMIT_NOFILE), read from /proc at each scrape.
// A source that cannot be read is left out of that scrape.
std::shared_ptr<const MetricsCollector> make_process_metrics_collector();

// alphastream_build_info{version="<version>"} 1: a constant series whose
// label dashboards join on.
std::shared_ptr<const MetricsCollector> make_build_info_collector(std::string version);

}  // namespace alphastream
