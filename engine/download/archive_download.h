// Downloads data.binance.vision archive files into one folder, each checked
// against its published SHA-256, a few at a time, resuming a file whose
// transfer was cut where it stopped. A file already there with its checksum
// beside it is not fetched again, so a second run completes the first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "download/binance_archive.h"
#include "feed/https_client.h"

namespace alphastream {

struct ArchiveDownloadOptions {
  std::string base_url = "https://data.binance.vision";
  std::string dir;            // the files land here as <name>, beside <name>.CHECKSUM
  unsigned parallel = 4;      // files fetched at once
  unsigned attempts = 3;      // per file; each resumes the bytes already there
  HttpsClientOptions https;
  bool show_progress = false;
  bool terminal = false;      // stderr is a terminal
};

struct ArchiveFileResult {
  enum class Outcome { kDownloaded, kAlreadyThere, kMissing, kFailed };
  ArchiveFile file;
  Outcome outcome = Outcome::kFailed;
  std::string message;        // for kMissing and kFailed: what happened, naming the file
  std::uint64_t bytes = 0;    // fetched by this run
};

struct ArchiveDownloadSummary {
  std::vector<ArchiveFileResult> files;  // in the order asked
  double elapsed_s = 0;
  std::size_t count(ArchiveFileResult::Outcome outcome) const;
};

ArchiveDownloadSummary download_archive_files(const std::vector<ArchiveFile>& files,
                                              const ArchiveDownloadOptions& options);


}  // namespace alphastream
