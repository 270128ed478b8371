#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "download/archive_download.h"

namespace alphastream::cli {

namespace {

ArchiveDate today_utc() {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace

void add_download_options(CLI::App& command, DownloadArgs& args) {
  command.add_option("--market", args.market, "um (USD-M futures), cm (COIN-M futures) or spot")
      ->capture_default_str()
      ->check(CLI::IsMember({"um", "cm", "spot"}));
  command.add_option("--symbols", args.symbols, "symbols, e.g. BTCUSDT,ETHUSDT")->required()->delimiter(',');
  command.add_option("--from", args.from, "first day, YYYY-MM-DD (UTC), included")->required();
  command.add_option("--to", args.to, "last day, YYYY-MM-DD (UTC), included")->required();
  command.add_option("--dir", args.dir, "folder for the files (backtest --data SYMBOL=<dir> reads them)")->required();
  command.add_option("--parallel", args.parallel, "files fetched at once")->capture_default_str()->check(
      CLI::Range(1, 32));
  command.add_option("--base-url", args.base_url, "the archive's address")->capture_default_str();
  command.add_option("--ca-file", args.ca_file, "a CA certificate to trust besides the system's");
  command.add_flag("--no-progress", args.no_progress, "no progress line on stderr");
}

int run_download(const DownloadArgs& args) {
  const auto market = parse_archive_market(args.market);
  const auto from = parse_archive_date(args.from);
  const auto to = parse_archive_date(args.to);
  if (!from || !to) {
    spdlog::error("--{} {}: expected a date YYYY-MM-DD from 2017 on", !from ? "from" : "to", !from ? args.from : args.to);
    return kExitBadInput;
  }
  if (*to < *from) {
    spdlog::error("--to {} is before --from {}", args.to, args.from);
    return kExitBadInput;
  }
  std::vector<std::string> symbols;
  for (std::string symbol : args.symbols) {
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (symbol.empty() || symbol.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos) {
      spdlog::error("--symbols: '{}' is not a Binance symbol (letters, digits, '_')", symbol);
      return kExitBadInput;
    }
    symbols.push_back(symbol);
  }
  std::error_code error;
  std::filesystem::create_directories(args.dir, error);
  if (error) {
    spdlog::error("--dir {}: cannot create: {}", args.dir, error.message());
    return kExitBadInput;
  }

  const std::vector<ArchiveFile> files = plan_archive_files(*market, symbols, *from, *to, today_utc());
  ArchiveDownloadOptions options;
  options.base_url = args.base_url;
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  options.dir = args.dir;
  options.parallel = args.parallel;
  options.https.ca_file = args.ca_file;
  options.terminal = isatty(STDERR_FILENO) != 0;
  options.show_progress = !args.no_progress;
  spdlog::info("download: {} file(s) of {} symbol(s) from {} into {}", files.size(), symbols.size(), options.base_url,
               args.dir);
  const ArchiveDownloadSummary summary = download_archive_files(files, options);

  using Outcome = ArchiveFileResult::Outcome;
  std::uint64_t bytes = 0;
  for (const ArchiveFileResult& file : summary.files) {
    bytes += file.bytes;
    if (file.outcome == Outcome::kMissing) spdlog::warn("missing: {}", file.message);
    if (file.outcome == Outcome::kFailed) spdlog::error("failed: {}", file.message);
  }
  std::printf("done    %zu files: %zu downloaded (%.1f MB), %zu already there, %zu missing, %zu failed in %.1f s\n",
              summary.files.size(), summary.count(Outcome::kDownloaded), static_cast<double>(bytes) / 1e6,
              summary.count(Outcome::kAlreadyThere), summary.count(Outcome::kMissing),
              summary.count(Outcome::kFailed), summary.elapsed_s);
  const bool complete = summary.count(Outcome::kMissing) + summary.count(Outcome::kFailed) == 0;
  return complete ? kExitOk : kExitFailure;
}

}  // namespace alphastream::cli
