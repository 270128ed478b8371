// One model created from a plugin with checked parameters: the object a
// shard drives with observations (pair models) or trades (symbol models).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alphastream/plugin.h"
#include "core/status.h"
#include "plugin_host/plugin_library.h"

namespace alphastream {

// One `model.params` entry as the config gave it.
struct ParamSetting {
  std::string key;
  double value = 0;
  std::string text;       // the value as written, for messages
  std::string location;   // "config.yaml:14" or a longer prefix; may be empty
  bool is_bool = false;   // written as true/false: only a bool parameter takes it
};

// Where plugins' log lines go: the plugin id, the model's context (as given
// to ModelInstance::create) and the line. May be called from any thread.
using PluginLogSink = void (*)(as_log_level level, std::string_view plugin, std::string_view context,
                               std::string_view message);

// Routes plugin log lines to `sink`; nullptr restores the default, which
// writes "[plugin <id>] <context>: <message>" to stderr. The CLI sets a sink
// that forwards to spdlog. Not meant to change while models are logging.
void set_plugin_log_sink(PluginLogSink sink);

// Writes a line of the host's about a plugin through the same sink.
void log_plugin_host_line(as_log_level level, std::string_view plugin, std::string_view context,
                          std::string_view message);

class ModelInstance {
 public:
  // Checks `settings` against the plugin's parameters (every key known and
  // given once, integers integral, booleans true/false or 0/1, values within
  // bounds), fills the defaults of those not given and calls the plugin's
  // create. Errors list every problem, one per line, each prefixed by the
  // setting's location (or by `context` when it has none), e.g.
  //   config.yaml:14: plugin 'ols' has no parameter 'windw' (did you mean 'window'?); known: window
  // `context` names the model's owner in messages and logs, e.g. "pairs[0] BTC-ETH".
  // REQUIRES: library is not null.
  static Result<std::unique_ptr<ModelInstance>> create(std::shared_ptr<PluginLibrary> library,
                                                       std::span<const ParamSetting> settings,
                                                       const std::string& context);

  // Destroys the plugin's model, then releases the library.
  ~ModelInstance();
  ModelInstance(const ModelInstance&) = delete;
  ModelInstance& operator=(const ModelInstance&) = delete;

  // Feeds one observation (pair models) or trade (symbol models) and
  // refreshes outputs(). Returns false, with every output NaN, if the plugin
  // reported an error or the event does not suit the model's kind.
  // Allocates nothing. [the model's shard thread]
  bool update(const as_observation& observation);
  bool update(const as_trade& trade);

  // The latest outputs in descriptor order; NaN means not available yet.
  std::span<const double> outputs() const { return outputs_; }
  // The index of the output called `name` in outputs(), or -1.
  int output_index(std::string_view name) const;
  // Updates the plugin refused so far.
  std::uint64_t update_errors() const { return update_errors_; }
  // The plugin let an exception escape from update: the model is paused
  // (never called again; every later update fails with NaN outputs) and the
  // message, logged once, says why. [faulted(): any thread]
  bool faulted() const { return faulted_.load(std::memory_order_acquire); }
  const std::string& fault_message() const { return fault_message_; }

  // Time spent in the plugin's update. Measured only once a budget is set,
  // so a backtest does not pay for the clock reads; an update that takes
  // longer than the budget is counted (the service alerts on the share).
  // Real time (steady_clock), not an injected clock: this measures work.
  struct UpdateTiming {
    std::uint64_t updates = 0;      // updates timed
    std::uint64_t total_ns = 0;     // their time in the plugin
    std::uint64_t over_budget = 0;  // of them, longer than the budget
  };
  // REQUIRES: budget > 0. [the model's thread, or before it starts]
  void set_update_budget(std::chrono::nanoseconds budget) { update_budget_ns_ = budget.count(); }
  std::chrono::nanoseconds update_budget() const { return std::chrono::nanoseconds(update_budget_ns_); }
  // [any thread]; the three are read one at a time, so may be an update apart.
  UpdateTiming update_timing() const {
    return {timed_updates_.load(std::memory_order_relaxed), timed_ns_.load(std::memory_order_relaxed),
            over_budget_.load(std::memory_order_relaxed)};
  }

  // The model's state through the plugin's "alphastream.state/1" extension,
  // or an error naming the plugin when it has none or its save fails.
  // [the model's thread, between updates]
  Result<std::vector<std::uint8_t>> save_state() const;
  // Replaces the model's state with bytes save_state gave (of a model with
  // the same parameters); the plugin refuses other bytes, naming why, and
  // then the model is as it was. [the model's thread, between updates]
  Status restore_state(std::span<const std::uint8_t> bytes);

  // The parameter values passed to create, in descriptor order.
  std::span<const double> param_values() const { return param_values_; }
  const as_model_descriptor& descriptor() const { return library_->descriptor(); }
  const PluginLibrary& library() const { return *library_; }
  const std::string& context() const { return context_; }

 private:
  ModelInstance(std::shared_ptr<PluginLibrary> library, std::vector<double> param_values, std::string context);
  bool fail_update();
  void record_update_time(std::chrono::nanoseconds took);
  template <class Event, class Update>
  bool call_update(Update update, const Event& event);
  void fault(const std::string& what);
  static void log_to_sink(const as_host* host, as_log_level level, const char* message);
  static void log_from_plugin(const as_host* host, std::uint32_t level, const char* message);

  // Declared first so it is released last, after the model is destroyed.
  std::shared_ptr<PluginLibrary> library_;
  std::vector<double> param_values_;
  std::string context_;
  as_host host_{};  // the model may keep a pointer to it: instances never move
  as_model* model_ = nullptr;
  std::vector<double> outputs_;  // sized once from the descriptor
  std::uint64_t update_errors_ = 0;
  std::atomic<bool> faulted_{false};
  std::string fault_message_;
  std::int64_t update_budget_ns_ = 0;  // 0: not timed
  // Written by the model's thread only.
  std::atomic<std::uint64_t> timed_updates_{0}, timed_ns_{0}, over_budget_{0};
};

}  // namespace alphastream
