#include "plugin_host/model_instance.h"

#include "core/nearest_name.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/number_text.h"

namespace alphastream {

namespace {

void log_to_stderr(as_log_level level, std::string_view plugin, std::string_view context,
                   std::string_view message) {
  static constexpr const char* kLevels[] = {"debug", "info", "warn", "error"};
  const char* level_name = (level >= AS_LOG_DEBUG && level <= AS_LOG_ERROR) ? kLevels[level] : "?";
  std::fprintf(stderr, "[plugin %.*s] %s: %.*s: %.*s\n", static_cast<int>(plugin.size()), plugin.data(),
               level_name, static_cast<int>(context.size()), context.data(), static_cast<int>(message.size()),
               message.data());
}

std::atomic<PluginLogSink> g_log_sink{&log_to_stderr};

std::string bounds_text(const as_param_descriptor& p) {
  const bool has_min = std::isfinite(p.min_value);
  const bool has_max = std::isfinite(p.max_value);
  if (has_min && has_max) return "in [" + number_text(p.min_value) + ", " + number_text(p.max_value) + "]";
  if (has_min) return ">= " + number_text(p.min_value);
  if (has_max) return "<= " + number_text(p.max_value);
  return "finite";
}

// Checks the settings against the descriptor; returns the values in
// descriptor order, or every problem found.
class ParamBinder {
 public:
  ParamBinder(const PluginLibrary& library, const std::string& context) : library_(library), context_(context) {
    values_.reserve(library.param_count());
    for (std::uint32_t i = 0; i < library.param_count(); ++i) values_.push_back(library.param(i).default_value);
    given_.assign(library.param_count(), false);
  }

  Result<std::vector<double>> bind(std::span<const ParamSetting> settings) {
    for (const ParamSetting& s : settings) bind_one(s);
    if (!problems_.empty()) return Status::error(problems_);
    return std::move(values_);
  }

 private:
  void bind_one(const ParamSetting& s) {
    const int index = find(s.key);
    if (index < 0) {
      report(s, "has no parameter '" + s.key + "'" + suggestion(s.key) + "; known: " + known_names());
      return;
    }
    const as_param_descriptor& p = library_.param(static_cast<std::uint32_t>(index));
    if (given_[index]) {
      report(s, "parameter '" + s.key + "' is given twice");
      return;
    }
    given_[index] = true;
    const std::string got = ", got " + (s.text.empty() ? number_text(s.value) : "\"" + s.text + "\"");
    if (p.type == AS_PARAM_BOOL && !(s.value == 0.0 || s.value == 1.0)) {
      report(s, "parameter '" + s.key + "' must be true or false (or 0 or 1)" + got);
    } else if (p.type != AS_PARAM_BOOL && s.is_bool) {
      report(s, "parameter '" + s.key + "' must be a number" + got);
    } else if (p.type == AS_PARAM_INT && !(std::isfinite(s.value) && s.value == std::floor(s.value))) {
      report(s, "parameter '" + s.key + "' must be an integer" + got);
    } else if (!(p.min_value <= s.value && s.value <= p.max_value)) {
      report(s, "parameter '" + s.key + "' must be " + bounds_text(p) + got);
    } else {
      values_[index] = s.value;
    }
  }

  int find(std::string_view key) const {
    for (std::uint32_t i = 0; i < library_.param_count(); ++i) {
      if (key == library_.param(i).name) return static_cast<int>(i);
    }
    return -1;
  }

  // " (did you mean 'window'?)" for the nearest known name within two
  // edits, if it is not the whole key that would change.
  std::string suggestion(std::string_view key) const {
    std::vector<std::string_view> names;
    for (std::uint32_t i = 0; i < library_.param_count(); ++i) names.emplace_back(library_.param(i).name);
    const std::string_view best = nearest_name(key, names);
    return best.empty() ? "" : " (did you mean '" + std::string(best) + "'?)";
  }

  std::string known_names() const {
    if (library_.param_count() == 0) return "(none)";
    std::string names;
    for (std::uint32_t i = 0; i < library_.param_count(); ++i) {
      if (i > 0) names += ", ";
      names += library_.param(i).name;
    }
    return names;
  }

  void report(const ParamSetting& s, const std::string& what) {
    if (!problems_.empty()) problems_ += '\n';
    problems_ += (s.location.empty() ? context_ : s.location) + ": plugin '" + library_.descriptor().id + "' " + what;
  }

  const PluginLibrary& library_;
  const std::string& context_;
  std::vector<double> values_;
  std::vector<bool> given_;
  std::string problems_;
};

}  // namespace

void set_plugin_log_sink(PluginLogSink sink) { g_log_sink.store(sink != nullptr ? sink : &log_to_stderr); }

void log_plugin_host_line(as_log_level level, std::string_view plugin, std::string_view context,
                          std::string_view message) {
  g_log_sink.load()(level, plugin, context, message);
}

Result<std::unique_ptr<ModelInstance>> ModelInstance::create(std::shared_ptr<PluginLibrary> library,
                                                             std::span<const ParamSetting> settings,
                                                             const std::string& context) {
  Result<std::vector<double>> values = ParamBinder(*library, context).bind(settings);
  if (!values) return values.status();
  std::unique_ptr<ModelInstance> instance(new ModelInstance(std::move(library), std::move(*values), context));

  const as_params params{sizeof(as_params), instance->param_values_.data(),
                         static_cast<std::uint32_t>(instance->param_values_.size())};
  as_error error{};
  error.struct_size = sizeof(as_error);
  const PluginLibrary& lib = *instance->library_;
  // No C++ exception may cross the ABI; one that does is contained here, so a
  // careless plugin fails its own model, not the process.
  try {
    instance->model_ = lib.entry().create(&instance->host_, &params, &error);
  } catch (const std::exception& e) {
    return Status::error(context + ": plugin '" + lib.descriptor().id + "' (" + lib.path() +
                         ") threw from create: " + e.what());
  } catch (...) {
    return Status::error(context + ": plugin '" + lib.descriptor().id + "' (" + lib.path() +
                         ") threw from create");
  }
  if (instance->model_ == nullptr) {
    error.message[sizeof(error.message) - 1] = '\0';  // the plugin may not have terminated it
    const std::string why = error.message[0] != '\0' ? error.message : "no reason given";
    return Status::error(context + ": plugin '" + lib.descriptor().id + "' (" + lib.path() +
                         ") could not create its model: " + why);
  }
  return instance;
}

ModelInstance::ModelInstance(std::shared_ptr<PluginLibrary> library, std::vector<double> param_values,
                             std::string context)
    : library_(std::move(library)),
      param_values_(std::move(param_values)),
      context_(std::move(context)),
      outputs_(library_->output_count(), std::numeric_limits<double>::quiet_NaN()) {
  host_.struct_size = sizeof(as_host);
  host_.abi = as_version{AS_ABI_MAJOR, AS_ABI_MINOR, 0};
  host_.host_data = this;
  host_.log = &ModelInstance::log_from_plugin;
  host_.get_extension = [](const as_host*, const char*) -> const void* { return nullptr; };
}

ModelInstance::~ModelInstance() {
  if (model_ != nullptr) library_->entry().destroy(model_);
}

// Levels cross the ABI as numbers; one outside the enumeration is logged as
// an error rather than loaded into an as_log_level it cannot be.
void ModelInstance::log_from_plugin(const as_host* host, std::uint32_t level, const char* message) {
  log_to_sink(host, level <= AS_LOG_ERROR ? static_cast<as_log_level>(level) : AS_LOG_ERROR, message);
}

void ModelInstance::log_to_sink(const as_host* host, as_log_level level, const char* message) {
  if (host == nullptr || host->host_data == nullptr) return;
  const auto* self = static_cast<const ModelInstance*>(host->host_data);
  g_log_sink.load()(level, self->descriptor().id, self->context_, message != nullptr ? message : "");
}

// Single writer: plain load-and-store, no locked read-modify-write.
void ModelInstance::record_update_time(std::chrono::nanoseconds took) {
  const auto bump = [](std::atomic<std::uint64_t>& counter, std::uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  };
  bump(timed_updates_, 1);
  bump(timed_ns_, static_cast<std::uint64_t>(std::max<std::int64_t>(0, took.count())));
  if (took.count() > update_budget_ns_) bump(over_budget_, 1);
}

bool ModelInstance::fail_update() {
  ++update_errors_;
  std::fill(outputs_.begin(), outputs_.end(), std::numeric_limits<double>::quiet_NaN());
  return false;
}

template <class Event, class Update>
bool ModelInstance::call_update(Update update, const Event& event) {
  if (update == nullptr || faulted()) return fail_update();
  Event sized = event;
  sized.struct_size = sizeof(Event);
  try {
    if (update_budget_ns_ == 0) {
      if (update(model_, &sized, outputs_.data()) != AS_OK) return fail_update();
      return true;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::uint32_t status = update(model_, &sized, outputs_.data());
    record_update_time(std::chrono::steady_clock::now() - started);
    if (status != AS_OK) return fail_update();
    return true;
  } catch (const std::exception& e) {
    fault(e.what());
  } catch (...) {
    fault("an exception that is not a std::exception");
  }
  return fail_update();
}

bool ModelInstance::update(const as_observation& observation) {
  return call_update(library_->entry().update_pair, observation);
}

bool ModelInstance::update(const as_trade& trade) { return call_update(library_->entry().update_trade, trade); }

// A model that threw may have left its state half-updated: it is never
// called again. Allocates (the message): an exception already did.
void ModelInstance::fault(const std::string& what) {
  fault_message_ = "plugin '" + std::string(library_->descriptor().id) + "' threw from update: " + what +
                   "; the model is paused";
  faulted_.store(true, std::memory_order_release);
  log_to_sink(&host_, AS_LOG_ERROR, fault_message_.c_str());
}

Result<std::vector<std::uint8_t>> ModelInstance::save_state() const {
  const auto* state = static_cast<const as_state_extension*>(library_->extension(AS_EXT_STATE));
  if (state == nullptr || state->save == nullptr) {
    return Status::error("plugin '" + std::string(descriptor().id) + "' has no state extension (" AS_EXT_STATE ")");
  }
  std::vector<std::uint8_t> bytes;
  const as_state_sink sink{sizeof(as_state_sink), &bytes,
                           [](const as_state_sink* self, const void* data, std::size_t size) -> std::uint32_t {
                             auto* out = static_cast<std::vector<std::uint8_t>*>(self->host_data);
                             const auto* begin = static_cast<const std::uint8_t*>(data);
                             out->insert(out->end(), begin, begin + size);
                             return AS_OK;
                           }};
  std::uint32_t saved = AS_ERROR;
  try {
    saved = state->save(model_, &sink);
  } catch (...) {
    saved = AS_ERROR;
  }
  if (saved != AS_OK) return Status::error(context_ + ": plugin '" + descriptor().id + "' could not save its state");
  return bytes;
}

Status ModelInstance::restore_state(std::span<const std::uint8_t> bytes) {
  const auto* state = static_cast<const as_state_extension*>(library_->extension(AS_EXT_STATE));
  if (state == nullptr || state->load == nullptr) {
    return Status::error("plugin '" + std::string(descriptor().id) + "' has no state extension (" AS_EXT_STATE ")");
  }
  as_error error{};
  error.struct_size = sizeof(as_error);
  std::uint32_t loaded = AS_ERROR;
  try {
    loaded = state->load(model_, bytes.data(), bytes.size(), &error);
  } catch (...) {
    loaded = AS_ERROR;
  }
  if (loaded == AS_OK) return Status::ok();
  error.message[sizeof(error.message) - 1] = '\0';
  return Status::error(context_ + ": plugin '" + descriptor().id + "' refused the state: " +
                       (error.message[0] != '\0' ? error.message : "no reason given"));
}

int ModelInstance::output_index(std::string_view name) const {
  for (std::uint32_t i = 0; i < library_->output_count(); ++i) {
    if (name == library_->output(i).name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace alphastream
