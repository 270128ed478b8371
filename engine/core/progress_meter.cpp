#include "core/progress_meter.h"


namespace alphastream {

namespace {

// Terminal lines are cheap to rewrite; log lines are not.
constexpr auto kTerminalPeriod = std::chrono::milliseconds(200);
constexpr auto kLogPeriod = std::chrono::seconds(5);

std::string amount(double value, ProgressMeter::Unit unit) {
  char text[48];
  if (unit == ProgressMeter::Unit::kBytes) {
    std::snprintf(text, sizeof text, "%.1f MB", value / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.2fM trades", value / 1e6);
  }
  return text;
}

}  // namespace

ProgressMeter::ProgressMeter(std::string label, Unit unit, bool enabled, bool terminal, std::FILE* out)
    : label_(std::move(label)), unit_(unit), enabled_(enabled), terminal_(terminal), out_(out) {}

void ProgressMeter::set_total(std::uint64_t total) {
  std::lock_guard lock(mutex_);
  total_ = total;
}

void ProgressMeter::add(std::uint64_t amount_done) {
  std::lock_guard lock(mutex_);
  done_ += amount_done;
  maybe_print(std::chrono::steady_clock::now());
}

void ProgressMeter::update(std::uint64_t done) {
  std::lock_guard lock(mutex_);
  done_ = done;
  maybe_print(std::chrono::steady_clock::now());
}

std::uint64_t ProgressMeter::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

std::string ProgressMeter::describe(std::uint64_t done, std::uint64_t total, double elapsed_s, Unit unit) {
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string line;
  char text[64];
  if (total > 0) {
    std::snprintf(text, sizeof text, "%.1f%% ", 100.0 * static_cast<double>(done) / static_cast<double>(total));
    line = text + amount(static_cast<double>(done), unit) + " of " + amount(static_cast<double>(total), unit);
  } else {
    line = amount(static_cast<double>(done), unit);
  }
  line += ", " + amount(rate, unit) + "/s";
  if (total > done && rate > 0) {
    std::snprintf(text, sizeof text, ", ETA %.0f s", static_cast<double>(total - done) / rate);
    line += text;
  }
  return line;
}

void ProgressMeter::maybe_print(std::chrono::steady_clock::time_point now) {
  if (!enabled_) return;
  if (now - last_print_ < (terminal_ ? std::chrono::steady_clock::duration(kTerminalPeriod)
                                     : std::chrono::steady_clock::duration(kLogPeriod))) {
    return;
  }
  // The first line of a log waits a period too: a short run prints only its summary.
  if (!terminal_ && last_print_ == std::chrono::steady_clock::time_point{}) {
    last_print_ = now;
    return;
  }
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const std::string line = label_ + ": " + describe(done_, total_, elapsed, unit_);
  if (terminal_) {
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    printed_in_place_ = true;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void ProgressMeter::finish(const std::string& summary) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  std::fprintf(out_, "%s%s: %s\n", printed_in_place_ ? "\r\033[K" : "", label_.c_str(), summary.c_str());
  std::fflush(out_);
}

}  // namespace alphastream
