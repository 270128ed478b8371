#include "feed/data_file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <zip.h>

#include "core/pread_exactly.h"

namespace alphastream {

namespace {

class FileSource final : public DataFileSource {
 public:
  FileSource(std::string path, int fd, std::uint64_t size) : path_(std::move(path)), fd_(fd) {
    total_bytes = size;
  }
  ~FileSource() override { ::close(fd_); }

  Result<std::size_t> read(char* out, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, out, size);
      if (n >= 0) {
        bytes_read += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
      }
      if (errno != EINTR) return Status::error(path_ + ": read failed: " + std::strerror(errno));
    }
  }

 private:
  const std::string path_;
  const int fd_;
};

class ZipSource final : public DataFileSource {
 public:
  ZipSource(std::string path, zip_t* archive, zip_file_t* file, std::uint64_t size)
      : path_(std::move(path)), archive_(archive), file_(file) {
    total_bytes = size;
  }
  ~ZipSource() override {
    zip_fclose(file_);
    zip_discard(archive_);
  }

  Result<std::size_t> read(char* out, std::size_t size) override {
    const zip_int64_t n = zip_fread(file_, out, size);
    if (n < 0) {
      return Status::error(path_ + ": cannot decompress: " +
                           zip_error_strerror(zip_file_get_error(file_)));
    }
    bytes_read += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }

 private:
  const std::string path_;
  zip_t* const archive_;
  zip_file_t* const file_;
};

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

// Takes fd (a zip archive); on success libzip owns it, otherwise it is closed.
Result<std::unique_ptr<DataFileSource>> open_zip(const std::string& path, int fd) {
  int code = 0;
  zip_t* archive = zip_fdopen(fd, 0, &code);
  if (archive == nullptr) {
    ::close(fd);
    return Status::error(path + ": not a readable zip archive: " + zip_error_text(code));
  }
  const zip_int64_t entries = zip_get_num_entries(archive, 0);
  zip_int64_t found = -1;
  int files = 0;
  zip_stat_t found_stat;
  zip_stat_init(&found_stat);
  std::string found_name;
  for (zip_int64_t i = 0; i < entries; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
    const std::string_view name = (stat.valid & ZIP_STAT_NAME) ? stat.name : "";
    if (!name.empty() && name.back() == '/') continue;  // a directory
    ++files;
    found = i;
    found_stat = stat;
    found_name = name;
  }
  if (files != 1) {
    zip_discard(archive);
    return Status::error(path + ": expected exactly one file in the zip archive, found " +
                         std::to_string(files));
  }
  zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(found), 0);
  if (file == nullptr) {
    const std::string reason = zip_error_strerror(zip_get_error(archive));
    zip_discard(archive);
    return Status::error(path + ": cannot open " + found_name + " in the zip archive: " +
                         reason);
  }
  const std::uint64_t size = (found_stat.valid & ZIP_STAT_SIZE) ? found_stat.size : 0;
  return std::unique_ptr<DataFileSource>(new ZipSource(path, archive, file, size));
}

}  // namespace

Result<std::unique_ptr<DataFileSource>> open_data_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error(path + ": cannot open: " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    const std::string reason = S_ISDIR(info.st_mode) ? "is a directory" : std::strerror(errno);
    ::close(fd);
    return Status::error(path + ": cannot open: " + reason);
  }
  // "PK\3\4" starts a zip with entries, "PK\5\6" an empty one.
  char magic[4] = {};
  const bool is_zip = pread_exactly(fd, magic, sizeof magic, 0) &&
                      (std::memcmp(magic, "PK\3\4", 4) == 0 || std::memcmp(magic, "PK\5\6", 4) == 0);
  std::unique_ptr<DataFileSource> source;
  if (is_zip) {
    auto zip = open_zip(path, fd);
    if (!zip) return zip.status();
    source = std::move(zip.value());
  } else {
    source = std::make_unique<FileSource>(path, fd, static_cast<std::uint64_t>(info.st_size));
  }
  return source;
}

}  // namespace alphastream
