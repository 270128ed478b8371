#include "download/archive_download.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "core/progress_meter.h"
#include "feed/file_digest.h"

namespace alphastream {

namespace {

namespace fs = std::filesystem;
using Outcome = ArchiveFileResult::Outcome;

// A .CHECKSUM is one line; anything longer is not one.
constexpr std::size_t kMaxChecksumBytes = 4096;

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > kMaxChecksumBytes ? std::string() : text;
}

Status write_small_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::error(path + ": cannot write");
  return Status::ok();
}

class FileDownload {
 public:
  FileDownload(const ArchiveFile& file, const ArchiveDownloadOptions& options, HttpsClient& client,
               ProgressMeter& progress)
      : file_(file), options_(options), client_(client), progress_(progress) {
    const fs::path dir(options.dir);
    final_path_ = (dir / file.name).string();
    part_path_ = final_path_ + ".part";
    checksum_path_ = final_path_ + ".CHECKSUM";
    url_ = options.base_url + "/" + file.path;
  }

  ArchiveFileResult run() {
    ArchiveFileResult result;
    result.file = file_;
    // Already complete: the file and its checksum, and they agree.
    if (fs::exists(final_path_) && fs::exists(checksum_path_)) {
      auto expected = parse_archive_checksum(read_small_file(checksum_path_), file_.name);
      auto actual = sha256_of_file(final_path_);
      if (expected && actual && *expected == *actual) {
        result.outcome = Outcome::kAlreadyThere;
        return result;
      }
    }
    HttpsResponse head;
    auto checksum_text = client_.get_text(url_ + ".CHECKSUM", kMaxChecksumBytes, &head);
    const unsigned status = head.status;
    if (!checksum_text) return fail(result, checksum_text.error());
    if (status == 404) {
      result.outcome = Outcome::kMissing;
      result.message = url_ + ": no such file on the server (Binance lists no file for days a symbol did not trade)";
      return result;
    }
    if (status != 200) return fail(result, url_ + ".CHECKSUM: HTTP " + std::to_string(status));
    auto expected = parse_archive_checksum(*checksum_text, file_.name);
    if (!expected) return fail(result, url_ + ": " + expected.error());

    Status fetched = Status::error(url_ + ": not fetched");
    for (unsigned attempt = 0; attempt < std::max(1u, options_.attempts); ++attempt) {
      fetched = fetch(result.bytes);
      if (fetched || fetched.is_invalid_input()) break;  // invalid_input: the server's answer will not change
    }
    if (!fetched) return fail(result, fetched.message());
    auto actual = sha256_of_file(part_path_);
    if (!actual) return fail(result, actual.error());
    if (*actual != *expected) {
      std::error_code ignored;
      fs::remove(part_path_, ignored);
      return fail(result, url_ + ": checksum mismatch: the .CHECKSUM says " + *expected + ", the file hashes to " +
                              *actual + "; the file was removed");
    }
    std::error_code error;
    fs::rename(part_path_, final_path_, error);
    if (error) return fail(result, final_path_ + ": cannot move into place: " + error.message());
    if (Status written = write_small_file(checksum_path_, *checksum_text); !written) {
      return fail(result, written.message());
    }
    result.outcome = Outcome::kDownloaded;
    return result;
  }

 private:
  static ArchiveFileResult fail(ArchiveFileResult& result, std::string message) {
    result.outcome = Outcome::kFailed;
    result.message = std::move(message);
    return result;
  }

  // Fetches what the .part file lacks; it keeps what arrived if cut.
  Status fetch(std::uint64_t& fetched_bytes) {
    std::error_code error;
    const std::uint64_t have = fs::exists(part_path_, error) ? fs::file_size(part_path_, error) : 0;
    std::ofstream out;
    bool opened = false;
    bool write_failed = false;
    auto response = client_.get(url_, have, [&](std::string_view piece) {
      if (!opened) return false;
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      if (!out) {
        write_failed = true;
        return false;
      }
      fetched_bytes += piece.size();
      progress_.add(piece.size());
      return true;
    }, [&](const HttpsResponse& head) {
      // A resumed transfer appends; a server that ignored the range sends it all again.
      out.open(part_path_, std::ios::binary | (head.partial ? std::ios::app : std::ios::trunc));
      opened = static_cast<bool>(out);
    });
    if (write_failed || (response && !opened && response->status / 100 == 2)) {
      return Status::error(part_path_ + ": cannot write");
    }
    if (!response) return response.status();
    // 416: the range starts at the end: the .part is whole already.
    if (response->status == 416 && have > 0) return Status::ok();
    if (response->status == 404) return Status::invalid_input(url_ + ": no such file on the server");
    if (response->status / 100 != 2) return Status::invalid_input(url_ + ": HTTP " + std::to_string(response->status));
    out.close();
    if (!out) return Status::error(part_path_ + ": cannot write");
    return Status::ok();
  }

  const ArchiveFile& file_;
  const ArchiveDownloadOptions& options_;
  HttpsClient& client_;
  ProgressMeter& progress_;
  std::string final_path_, part_path_, checksum_path_, url_;
};

}  // namespace

std::size_t ArchiveDownloadSummary::count(ArchiveFileResult::Outcome outcome) const {
  std::size_t n = 0;
  for (const ArchiveFileResult& file : files) n += file.outcome == outcome ? 1 : 0;
  return n;
}


ArchiveDownloadSummary download_archive_files(const std::vector<ArchiveFile>& files,
                                              const ArchiveDownloadOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  ArchiveDownloadSummary summary;
  summary.files.resize(files.size());
  ProgressMeter progress("download", ProgressMeter::Unit::kBytes, options.show_progress, options.terminal);
  std::atomic<std::size_t> next{0};
  {
    std::vector<std::jthread> workers;
    const std::size_t count = std::min<std::size_t>(std::max(1u, options.parallel), files.size());
    for (std::size_t w = 0; w < count; ++w) {
      workers.emplace_back([&] {
        HttpsClient client(options.https);
        for (std::size_t i = next.fetch_add(1); i < files.size(); i = next.fetch_add(1)) {
          summary.files[i] = FileDownload(files[i], options, client, progress).run();
        }
      });
    }
  }
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace alphastream
