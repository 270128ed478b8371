// The progress line of a long command (download, backtest, replay): done so
// far, the rate, and with a known total the percentage and an ETA. On a
// terminal one line rewritten in place at most five times a second;
// otherwise (a log file, systemd) a full line every few seconds, so a long
// run is visible without flooding its log. Thread-safe: workers may report.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace alphastream {

class ProgressMeter {
 public:
  enum class Unit { kBytes, kTrades };

  // `label` starts every line ("download", "backtest"). Disabled: silent.
  ProgressMeter(std::string label, Unit unit, bool enabled, bool terminal, std::FILE* out = stderr);

  // The amount the whole run will reach, when known (0: unknown).
  void set_total(std::uint64_t total);
  // Adds to what is done; prints when a line is due.
  void add(std::uint64_t amount);
  // Sets what is done; prints when a line is due.
  void update(std::uint64_t done);
  // Prints the final line, "<label>: <summary>", on a line of its own.
  void finish(const std::string& summary);

  std::uint64_t done() const;

  // "41.0% 123.4 of 300.0 MB, 12.3 MB/s, ETA 14 s" (no total: "123.4 MB, 12.3 MB/s").
  static std::string describe(std::uint64_t done, std::uint64_t total, double elapsed_s, Unit unit);

 private:
  void maybe_print(std::chrono::steady_clock::time_point now);  // REQUIRES: mutex_ held

  const std::string label_;
  const Unit unit_;
  const bool enabled_;
  const bool terminal_;
  std::FILE* const out_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point last_print_{};
  bool printed_in_place_ = false;
};

}  // namespace alphastream
