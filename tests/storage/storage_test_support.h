// Shared by the storage tests and journal_helper: a temporary journal
// directory, a trade whose every field follows from its index (so a reader
// can check any trade it gets back), and a helper child process.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agg_trade.h"
#include "core/status.h"

#ifdef JOURNAL_HELPER
#include <gtest/gtest.h>
#endif

extern char** environ;

namespace alphastream::testing {

// Trade number index of the one-symbol stream the helper records: agg ids
// 1, 2, 3, ..., four trades per millisecond.
inline AggTrade numbered_trade(std::uint64_t index) {
  const auto i = static_cast<std::int64_t>(index);
  AggTrade trade;
  trade.symbol = Symbol("BTCUSDT");
  trade.agg_trade_id = i + 1;
  trade.price = 60000.0 + 0.1 * static_cast<double>(i % 1000);
  trade.quantity = 0.001 * static_cast<double>(1 + i % 7);
  trade.first_trade_id = 10 * i;
  trade.last_trade_id = 10 * i + i % 3;
  trade.transact_time_ms = 1'717'200'000'000 + i / 4;
  trade.event_time_ms = trade.transact_time_ms + 5;
  trade.receive_time_ns = trade.event_time_ms * 1'000'000 + 12'345;
  trade.is_buyer_maker = i % 2 == 1;
  return trade;
}

inline bool same_trade(const AggTrade& a, const AggTrade& b) {
  return a.symbol == b.symbol && a.agg_trade_id == b.agg_trade_id && a.price == b.price &&
         a.quantity == b.quantity && a.first_trade_id == b.first_trade_id &&
         a.last_trade_id == b.last_trade_id && a.transact_time_ms == b.transact_time_ms &&
         a.event_time_ms == b.event_time_ms && a.receive_time_ns == b.receive_time_ns &&
         a.is_buyer_maker == b.is_buyer_maker;
}

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/alphastream_storage_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A journal directory inside, not yet created.
  std::string journal(const std::string& name = "journal") const { return path_ + "/" + name; }

 private:
  std::string path_;
};

#ifdef JOURNAL_HELPER  // defined for the tests, not for journal_helper itself
// The journal_helper program (built by tests/storage/CMakeLists.txt) as a
// child process, its stdin and stdout on pipes.
class HelperProcess {
 public:
  explicit HelperProcess(const std::vector<std::string>& args) {
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) std::abort();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<std::string> argv_text = {JOURNAL_HELPER};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, JOURNAL_HELPER, &actions, nullptr, argv.data(), environ) != 0) std::abort();
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_fd_ = to_child[1];
    stdout_ = ::fdopen(from_child[0], "r");
  }
  ~HelperProcess() {
    close_stdin();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (stdout_ != nullptr) std::fclose(stdout_);
  }
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  // The next line the child wrote, without its newline; nullopt at EOF.
  std::optional<std::string> read_line() {
    char* line = nullptr;
    std::size_t capacity = 0;
    const ssize_t size = ::getline(&line, &capacity, stdout_);
    std::optional<std::string> out;
    if (size > 0) out = std::string(line, line[size - 1] == '\n' ? size - 1 : size);
    std::free(line);
    return out;
  }
  // The child treats EOF on stdin as "finish now".
  void close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
  void kill_now() { ::kill(pid_, SIGKILL); }
  // The wait status (see waitpid); the child is gone afterwards.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::FILE* stdout_ = nullptr;
};

// The opened recorder or journal, or nullptr after recording a test failure.
template <class T>
std::unique_ptr<T> opened(Result<std::unique_ptr<T>> result) {
  if (!result) {
    ADD_FAILURE() << result.error();
    return nullptr;
  }
  return std::move(result).value();
}
#endif  // JOURNAL_HELPER

}  // namespace alphastream::testing
