#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace alphastream {
namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Boot time in seconds since the epoch: the "btime" line of /proc/stat.
std::optional<std::uint64_t> boot_time_s() {
  const std::optional<std::string> stat = read_file("/proc/stat");
  if (!stat) return std::nullopt;
  const std::size_t at = stat->find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  const char* first = stat->data() + at + 7;
  std::uint64_t value = 0;
  if (std::from_chars(first, stat->data() + stat->size(), value).ec != std::errc()) return std::nullopt;
  return value;
}

// Entries of /proc/self/fd, less the one opendir itself holds.
std::optional<std::uint64_t> open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::uint64_t entries = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++entries;
  }
  ::closedir(dir);
  return entries - 1;
}

class ProcessMetricsCollector : public MetricsCollector {
 public:
  void collect(MetricWriter& out) const override {
    write_stat(out);
    if (const std::optional<std::uint64_t> fds = open_fds()) {
      out.gauge("process_open_fds", "Number of open file descriptors.", {}, static_cast<double>(*fds));
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      out.gauge("process_max_fds", "Maximum number of open file descriptors.", {},
                static_cast<double>(limit.rlim_cur));
    }
  }

 private:
  static void write_stat(MetricWriter& out) {
    const std::optional<std::string> line = read_file("/proc/self/stat");
    if (!line) return;
    const Result<ProcStat> stat = parse_proc_stat(*line);
    if (!stat) return;
    const double ticks_per_s = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
    out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {},
                static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks_per_s);
    out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
              static_cast<double>(stat->rss_pages) * page_bytes);
    out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
              static_cast<double>(stat->vsize_bytes));
    if (const std::optional<std::uint64_t> boot_s = boot_time_s()) {
      out.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
                static_cast<double>(*boot_s) + static_cast<double>(stat->starttime_ticks) / ticks_per_s);
    }
  }
};

class BuildInfoCollector : public MetricsCollector {
 public:
  explicit BuildInfoCollector(std::string version) : labels_{{"version", std::move(version)}} {}
  void collect(MetricWriter& out) const override {
    out.gauge("alphastream_build_info", "A constant 1, labelled with the AlphaStream version.", labels_, 1);
  }

 private:
  MetricLabels labels_;
};

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view line) {
  const std::size_t close = line.rfind(')');
  if (close == std::string_view::npos) return Status::error("/proc/self/stat: no ')' after the command name");
  // After ')' come fields 3 (state), 4, ...; field n is token n - 3.
  std::string_view rest = line.substr(close + 1);
  ProcStat stat;
  const std::pair<int, std::uint64_t*> wanted[] = {{14, &stat.utime_ticks},
                                                   {15, &stat.stime_ticks},
                                                   {22, &stat.starttime_ticks},
                                                   {23, &stat.vsize_bytes},
                                                   {24, &stat.rss_pages}};
  std::size_t next = 0;
  for (int field = 3; field <= 24 && next < std::size(wanted); ++field) {
    const std::size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) {
      return Status::error("/proc/self/stat: ends before field " + std::to_string(field));
    }
    rest.remove_prefix(begin);
    const std::size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    if (field == wanted[next].first) {
      const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + end, *wanted[next].second);
      if (ec != std::errc() || ptr != rest.data() + end) {
        return Status::error("/proc/self/stat: field " + std::to_string(field) + " is not a count: \"" +
                             std::string(rest.substr(0, end)) + "\"");
      }
      ++next;
    }
    rest.remove_prefix(end);
  }
  return stat;
}

std::shared_ptr<const MetricsCollector> make_process_metrics_collector() {
  return std::make_shared<ProcessMetricsCollector>();
}

std::shared_ptr<const MetricsCollector> make_build_info_collector(std::string version) {
  return std::make_shared<BuildInfoCollector>(std::move(version));
}

}  // namespace alphastream
