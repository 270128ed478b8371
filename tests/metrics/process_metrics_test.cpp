// process_* metrics: the /proc/self/stat parser on hand-made lines, and the
// collector's values against what this test process can check itself.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/metrics_registry.h"
#include "metrics/process_metrics.h"
#include "scrape_client.h"

namespace alphastream {
namespace {

using ::testing::HasSubstr;

// Fields 4..52 hold 100 * their field number, so each parsed value names its field.
std::string stat_line(const std::string& command) {
  // Appends rather than "literal" + std::string&&, which GCC 12's -Wrestrict
  // misreads at -O2.
  std::string line = "4242 (";
  line += command;
  line += ") S";
  for (int field = 4; field <= 52; ++field) {
    line += ' ';
    line += std::to_string(field * 100);
  }
  line += '\n';
  return line;
}

TEST(ParseProcStat, ReadsCpuStartAndMemoryFields) {
  const Result<ProcStat> stat = parse_proc_stat(stat_line("alphastream"));
  ASSERT_TRUE(stat) << stat.error();
  EXPECT_EQ(stat->utime_ticks, 1400u);
  EXPECT_EQ(stat->stime_ticks, 1500u);
  EXPECT_EQ(stat->starttime_ticks, 2200u);
  EXPECT_EQ(stat->vsize_bytes, 2300u);
  EXPECT_EQ(stat->rss_pages, 2400u);
}

TEST(ParseProcStat, ACommandNameWithSpacesAndParenthesesDoesNotShiftFields) {
  const Result<ProcStat> stat = parse_proc_stat(stat_line("a) (b c) 7"));
  ASSERT_TRUE(stat) << stat.error();
  EXPECT_EQ(stat->utime_ticks, 1400u);
  EXPECT_EQ(stat->rss_pages, 2400u);
}

TEST(ParseProcStat, ATruncatedLineNamesTheMissingField) {
  const Result<ProcStat> stat = parse_proc_stat("4242 (alphastream) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18");
  ASSERT_FALSE(stat);
  EXPECT_THAT(stat.error(), HasSubstr("ends before field 22"));
  const Result<ProcStat> bad = parse_proc_stat(stat_line("x").replace(stat_line("x").find("1400"), 4, "14x0"));
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error(), HasSubstr("field 14 is not a count: \"14x0\""));
}

double value_of(const std::string& text, const std::string& series) {
  const auto samples = ::alphastream::testing::sample_lines(text);
  const auto it = samples.find(series);
  if (it == samples.end()) {
    ADD_FAILURE() << series << " missing from:\n" << text;
    return -1;
  }
  return std::strtod(it->second.c_str(), nullptr);
}

TEST(ProcessMetrics, ValuesArePlausibleForThisProcess) {
  MetricsRegistry registry;
  registry.add_collector(make_process_metrics_collector());
  const std::string text = registry.scrape_text();

  EXPECT_GT(value_of(text, "process_resident_memory_bytes"), 1e6) << "a gtest binary uses more than 1 MB";
  EXPECT_GE(value_of(text, "process_virtual_memory_bytes"), value_of(text, "process_resident_memory_bytes"));
  EXPECT_GE(value_of(text, "process_cpu_seconds_total"), 0);
  const double now_s = static_cast<double>(std::time(nullptr));
  const double start_s = value_of(text, "process_start_time_seconds");
  EXPECT_LE(start_s, now_s + 2) << "btime has whole seconds";
  EXPECT_GT(start_s, now_s - 600) << "this test process started minutes ago at most";
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_EQ(value_of(text, "process_max_fds"), static_cast<double>(limit.rlim_cur));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
}

TEST(ProcessMetrics, OpenFdsGrowsByTheDescriptorsThisTestOpens) {
  MetricsRegistry registry;
  registry.add_collector(make_process_metrics_collector());
  const double before = value_of(registry.scrape_text(), "process_open_fds");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int third = ::dup(fds[0]);
  const double during = value_of(registry.scrape_text(), "process_open_fds");
  ::close(fds[0]);
  ::close(fds[1]);
  ::close(third);
  EXPECT_EQ(during - before, 3);
  EXPECT_GE(before, 1);
}

TEST(BuildInfo, IsAConstantOneLabelledWithTheVersion) {
  MetricsRegistry registry;
  registry.add_collector(make_build_info_collector("0.1.0"));
  const std::string text = registry.scrape_text();
  EXPECT_EQ(::alphastream::testing::sample_lines(text)["alphastream_build_info{version=\"0.1.0\"}"], "1");
  EXPECT_THAT(text, HasSubstr("# TYPE alphastream_build_info gauge\n"));
}

}  // namespace
}  // namespace alphastream
