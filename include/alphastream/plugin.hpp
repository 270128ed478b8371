// C++17 glue for writing an AlphaStream model plugin as a plain class.
//
//   class MyModel {
//    public:
//     explicit MyModel(const alphastream::plugin::Params& params);  // may throw
//     // Pair models; a symbol model takes `const as_trade&` instead. Returns
//     // void (a throw means AS_ERROR) or as_status.
//     void update(const as_observation& obs, double* outputs);
//   };
//   static const as_model_descriptor kDescriptor = {...};
//   ALPHASTREAM_PLUGIN(MyModel, kDescriptor)
//
// The macro defines `alphastream_plugin_entry`. Every exported function
// catches every exception: one thrown by the constructor becomes the
// as_error message and a NULL model; one thrown by update becomes AS_ERROR.
// Only the C types of plugin.h cross the boundary. A model that must not
// allocate per event should return as_status rather than throw, since
// throwing allocates.
#ifndef ALPHASTREAM_PLUGIN_HPP_
#define ALPHASTREAM_PLUGIN_HPP_

#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "alphastream/plugin.h"

namespace alphastream {
namespace plugin {

// The checked parameter values handed to a model's constructor, in
// descriptor order, defaults filled in and bounds and types checked by the
// host; and the host, for logging.
class Params {
 public:
  Params(const as_host* host, const as_params* params) : host_(host), params_(params) {}

  std::size_t size() const { return params_ == nullptr ? 0 : params_->count; }
  // Throws std::out_of_range if i >= size(): the descriptor and the model
  // disagree, which the constructor reports as a create error.
  double value(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("parameter index out of range");
    return params_->values[i];
  }
  // For AS_PARAM_INT parameters, whose values the host checked are integral.
  long long as_int(std::size_t i) const { return static_cast<long long>(value(i)); }
  // For AS_PARAM_BOOL parameters, whose values the host checked are 0 or 1.
  bool as_bool(std::size_t i) const { return value(i) != 0.0; }

  // Writes a line to the engine log. [control thread; not on the event path]
  void log(as_log_level level, const char* message) const {
    if (host_ != nullptr && host_->log != nullptr) host_->log(host_, level, message);
  }
  const as_host* host() const { return host_; }

 private:
  const as_host* host_;
  const as_params* params_;
};

namespace detail {

inline void set_error(as_error* err, const char* message) noexcept {
  if (err == nullptr) return;
  std::snprintf(err->message, sizeof(err->message), "%s", message);
}

template <class Model, class Event, class = void>
struct HasUpdate : std::false_type {};
template <class Model, class Event>
struct HasUpdate<Model, Event,
                 std::void_t<decltype(std::declval<Model&>().update(
                     std::declval<const Event&>(), std::declval<double*>()))>>
    : std::true_type {};

template <class Model, class Event>
as_status update(as_model* model, const Event* event, double* outputs) noexcept {
  try {
    auto& self = *reinterpret_cast<Model*>(model);
    if constexpr (std::is_same_v<decltype(self.update(*event, outputs)), as_status>) {
      return self.update(*event, outputs);
    } else {
      self.update(*event, outputs);
      return AS_OK;
    }
  } catch (...) {
    return AS_ERROR;
  }
}

}  // namespace detail

// The entry of a plugin whose model is Model and whose description is
// *Descriptor (an object with static storage duration).
template <class Model, const as_model_descriptor* Descriptor>
struct Entry {
  static constexpr bool kPair = detail::HasUpdate<Model, as_observation>::value;
  static constexpr bool kSymbol = detail::HasUpdate<Model, as_trade>::value;
  static_assert(kPair != kSymbol,
                "Model needs exactly one of update(const as_observation&, double*) "
                "and update(const as_trade&, double*)");

  static const as_model_descriptor* descriptor() noexcept { return Descriptor; }

  static as_model* create(const as_host* host, const as_params* params, as_error* err) noexcept {
    try {
      return reinterpret_cast<as_model*>(new Model(Params(host, params)));
    } catch (const std::exception& e) {
      detail::set_error(err, e.what());
    } catch (...) {
      detail::set_error(err, "unknown exception in create");
    }
    return nullptr;
  }

  static void destroy(as_model* model) noexcept {
    // A throwing destructor would terminate here rather than cross the boundary.
    delete reinterpret_cast<Model*>(model);
  }

  static constexpr as_plugin_entry make() {
    as_plugin_entry entry{};
    entry.struct_size = sizeof(as_plugin_entry);
    entry.abi = as_version{AS_ABI_MAJOR, AS_ABI_MINOR, 0};
    entry.descriptor = &descriptor;
    entry.create = &create;
    entry.destroy = &destroy;
    if constexpr (kPair) entry.update_pair = &detail::update<Model, as_observation>;
    if constexpr (kSymbol) entry.update_trade = &detail::update<Model, as_trade>;
    return entry;
  }
};

}  // namespace plugin
}  // namespace alphastream

// Defines the plugin's one exported symbol. Use once, at namespace scope.
#define ALPHASTREAM_PLUGIN(ModelClass, descriptor_object)                  \
  extern "C" const as_plugin_entry alphastream_plugin_entry =              \
      ::alphastream::plugin::Entry<ModelClass, &(descriptor_object)>::make();

#endif  // ALPHASTREAM_PLUGIN_HPP_
