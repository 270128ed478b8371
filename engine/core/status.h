// Errors are values: a fallible call returns Status, or Result<T> when it
// also produces something. Messages say what was wrong and where.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace alphastream {

class Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), false); }
  // The input (config, arguments, a plugin or its parameters, a file name)
  // was rejected before any work started: callers map it to a usage exit code.
  static Status invalid_input(std::string message) { return Status(std::move(message), true); }

  bool is_ok() const { return !message_.has_value(); }
  bool is_invalid_input() const { return invalid_input_; }
  explicit operator bool() const { return is_ok(); }
  // REQUIRES: !is_ok()
  const std::string& message() const { return *message_; }
  // The same failure, of the same kind, its message after `prefix`.
  // REQUIRES: !is_ok()
  Status prefixed(const std::string& prefix) const { return Status(prefix + *message_, invalid_input_); }

 private:
  Status(std::string message, bool invalid_input) : message_(std::move(message)), invalid_input_(invalid_input) {}
  std::optional<std::string> message_;
  bool invalid_input_ = false;
};

template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT; REQUIRES: !status.is_ok()

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  // REQUIRES: is_ok()
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !is_ok()
  const Status& status() const { return std::get<Status>(state_); }
  const std::string& error() const { return status().message(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace alphastream
