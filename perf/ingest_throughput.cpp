// CSV ingest against a bare scan of the same bytes, and the catalog against
// both, in one process: (1) read(2) plus memchr for every newline, the floor
// any text reader pays; (2) the importer (SymbolFileStream: parse, re-sort,
// dedupe) with no catalog; (3) the same files through a catalog written
// before the timing. Each is repeated --repeat times, interleaved; figures
// are medians, printed as one JSON object for perf/report.py.
//
//   ingest_throughput --catalog DIR [--repeat R] SYMBOL=FILE...
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "source/symbol_files.h"

namespace {

using namespace alphastream;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Input {
  std::string symbol;
  std::string path;
};

// Lines in the files, by read(2) and memchr: the bare scan.
std::uint64_t scan(const std::vector<Input>& inputs) {
  std::vector<char> buffer(1 << 20);
  std::uint64_t lines = 0;
  for (const Input& input : inputs) {
    const int fd = ::open(input.path.c_str(), O_RDONLY);
    if (fd < 0) return 0;
    for (ssize_t got = ::read(fd, buffer.data(), buffer.size()); got > 0;
         got = ::read(fd, buffer.data(), buffer.size())) {
      const char* p = buffer.data();
      const char* end = p + got;
      while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
        ++lines;
        ++p;
      }
    }
    ::close(fd);
  }
  return lines;
}

// Trades through the importer; 0 on an error (printed).
std::uint64_t import(const std::vector<Input>& inputs, const std::string& catalog_dir, std::uint64_t* from_catalog) {
  std::uint64_t trades = 0;
  for (const Input& input : inputs) {
    CsvImportOptions options;
    options.symbol = Symbol(input.symbol);
    options.catalog_dir = catalog_dir;
    auto stream = SymbolFileStream::open({*parse_data_file_name(input.path)}, options, TimeRange{});
    if (!stream) {
      std::fprintf(stderr, "%s\n", stream.error().c_str());
      return 0;
    }
    std::vector<AggTrade> block(4096);
    Result<std::size_t> got = stream.value()->read(block);
    for (; got && *got > 0; got = stream.value()->read(block)) trades += *got;
    if (!got) {
      std::fprintf(stderr, "%s\n", got.error().c_str());
      return 0;
    }
    if (from_catalog != nullptr) *from_catalog += stream.value()->catalog_reads();
  }
  return trades;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CSV ingest vs a bare memchr scan vs the catalog"};
  std::string catalog_dir;
  int repeat = 5;
  std::vector<std::string> args;
  app.add_option("--catalog", catalog_dir, "catalog directory (written first, then timed)")->required();
  app.add_option("--repeat", repeat)->check(CLI::PositiveNumber);
  app.add_option("inputs", args, "SYMBOL=FILE")->required();
  CLI11_PARSE(app, argc, argv);
  std::vector<Input> inputs;
  std::uint64_t bytes = 0;
  for (const std::string& arg : args) {
    const std::size_t equals = arg.find('=');
    if (equals == std::string::npos) {
      std::fprintf(stderr, "%s: expected SYMBOL=FILE\n", arg.c_str());
      return 2;
    }
    inputs.push_back({arg.substr(0, equals), arg.substr(equals + 1)});
    bytes += std::filesystem::file_size(inputs.back().path);
  }
  std::filesystem::remove_all(catalog_dir);
  const std::uint64_t expected = import(inputs, catalog_dir, nullptr);  // writes the catalog
  if (expected == 0) return 1;

  std::vector<double> scan_s, parse_s, catalog_s;
  for (int r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (scan(inputs) < expected) return 1;
    scan_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    start = std::chrono::steady_clock::now();
    if (import(inputs, "", nullptr) != expected) return 1;
    parse_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::uint64_t from_catalog = 0;
    start = std::chrono::steady_clock::now();
    if (import(inputs, catalog_dir, &from_catalog) != expected || from_catalog != inputs.size()) return 1;
    catalog_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  const double trades = static_cast<double>(expected);
  std::printf(
      "{\"bytes\": %llu, \"trades\": %llu, \"scan_s\": %.4f, \"parse_s\": %.4f, \"catalog_s\": %.4f, "
      "\"scan_mb_per_s\": %.1f, \"parse_mb_per_s\": %.1f, \"parse_trades_per_s\": %.0f, "
      "\"catalog_trades_per_s\": %.0f}\n",
      static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(expected), median(scan_s),
      median(parse_s), median(catalog_s), mb / median(scan_s), mb / median(parse_s), trades / median(parse_s),
      trades / median(catalog_s));
  return 0;
}
