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
//
// State (the "alphastream.state/1" extension): a model that lists its state
// once, for saving and loading alike,
//
//     static constexpr std::uint32_t kStateVersion = 1;  // bump when the list changes
//     template <class Archive> void state(Archive& archive) {
//       archive.expect("window", window_);  // a parameter the state depends on
//       archive(ring_, next_, count_, sum_x_, sum_y_);
//       archive.check(ring_.size() == window_ && next_ < window_, "ring");  // on load
//     }
//
// gets save and load: fields go as raw bytes in that order (trivially
// copyable values, and vectors of them with their length), after a header
// with the descriptor id and kStateVersion. Loading checks every length and
// the exact size, so hostile bytes give an error, never undefined
// behaviour, and a failed load leaves the model as it was.
//
// AS_PLUGIN_MIN_MINOR, defined before this header, is the lowest ABI minor
// the plugin needs (0 when unset): the state extension needs none, as a host
// that does not know it simply never asks.
#ifndef ALPHASTREAM_PLUGIN_HPP_
#define ALPHASTREAM_PLUGIN_HPP_

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "alphastream/plugin.h"

#ifndef AS_PLUGIN_MIN_MINOR
#define AS_PLUGIN_MIN_MINOR 0
#endif

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
    if (host_ != nullptr && host_->log != nullptr) host_->log(host_, static_cast<std::uint32_t>(level), message);
  }
  const as_host* host() const { return host_; }

 private:
  const as_host* host_;
  const as_params* params_;
};

// Writes a model's state fields (see the header comment).
class StateWriter {
 public:
  template <class... T>
  void operator()(const T&... fields) {
    (put(fields), ...);
  }
  template <class T>
  void expect(const char*, const T& value) {
    put(value);
  }
  // What loading must hold of the fields read (indices within their rings,
  // sizes as the parameters make them); nothing to check when saving.
  void check(bool, const char*) {}
  const std::vector<unsigned char>& bytes() const { return bytes_; }

 private:
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "state fields are trivially copyable values or vectors of them");
    const auto* raw = reinterpret_cast<const unsigned char*>(&value);
    bytes_.insert(bytes_.end(), raw, raw + sizeof(T));
  }
  template <class T>
  void put(const std::vector<T>& values) {
    put(static_cast<std::uint64_t>(values.size()));
    for (const T& value : values) put(value);
  }
  std::vector<unsigned char> bytes_;
};

// Reads them back into a scratch copy of the model, checking every size.
class StateReader {
 public:
  StateReader(const void* bytes, std::size_t size) : at_(static_cast<const unsigned char*>(bytes)), left_(size) {}

  template <class... T>
  void operator()(T&... fields) {
    (get(fields), ...);
  }
  // A parameter the state depends on: it must equal the model's own.
  template <class T>
  void expect(const char* name, const T& value) {
    T stored{};
    get(stored);
    if (!(stored == value)) throw std::invalid_argument(std::string("state was saved with another ") + name);
  }
  // Refuses state bytes that would break the model: hostile input.
  void check(bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("state is inconsistent: ") + what);
  }
  bool done() const { return left_ == 0; }

 private:
  template <class T>
  void get(T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "state fields are trivially copyable values or vectors of them");
    if constexpr (std::is_same_v<T, bool>) {
      // Any byte but 0 and 1 is no bool: read it as a byte first.
      unsigned char byte = 0;
      take(&byte, 1);
      if (byte > 1) throw std::invalid_argument("state holds a bad boolean");
      value = byte != 0;
    } else {
      take(&value, sizeof(T));
    }
  }
  template <class T>
  void get(std::vector<T>& values) {
    std::uint64_t count = 0;
    get(count);
    if (count > left_ / (sizeof(T) == 0 ? 1 : sizeof(T))) throw std::invalid_argument("state is truncated");
    // A vector's capacity is part of a model's no-allocation promise: keep it.
    if (count > values.capacity()) values.reserve(static_cast<std::size_t>(count));
    values.resize(static_cast<std::size_t>(count));
    for (T& value : values) get(value);
  }
  void take(void* out, std::size_t size) {
    if (size > left_) throw std::invalid_argument("state is truncated");
    std::memcpy(out, at_, size);
    at_ += size;
    left_ -= size;
  }
  const unsigned char* at_;
  std::size_t left_;
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

template <class Model, class = void>
struct HasState : std::false_type {};
template <class Model>
struct HasState<Model, std::void_t<decltype(std::declval<Model&>().state(std::declval<StateWriter&>())),
                                   decltype(Model::kStateVersion)>> : std::true_type {};

// "AS" "ST", the descriptor id and the model's state version lead the bytes.
inline void write_state_header(StateWriter& out, const char* id, std::uint32_t version) {
  out(std::uint32_t{0x54534153});
  const std::string name(id);
  out(static_cast<std::uint64_t>(name.size()));
  for (char c : name) out(c);
  out(version);
}

inline void read_state_header(StateReader& in, const char* id, std::uint32_t version) {
  std::uint32_t magic = 0;
  std::uint64_t length = 0;
  in(magic, length);
  if (magic != 0x54534153) throw std::invalid_argument("not a model state");
  const std::string name(id);
  if (length != name.size()) throw std::invalid_argument("state of another plugin");
  for (char expected : name) {
    char c = 0;
    in(c);
    if (c != expected) throw std::invalid_argument("state of another plugin");
  }
  std::uint32_t stored = 0;
  in(stored);
  if (stored != version) {
    throw std::invalid_argument("state version " + std::to_string(stored) + ", this model reads version " +
                                std::to_string(version));
  }
}

template <class Model, const as_model_descriptor* Descriptor>
struct StateExtension {
  static std::uint32_t save(const as_model* model, const as_state_sink* sink) noexcept {
    try {
      StateWriter out;
      write_state_header(out, Descriptor->id, Model::kStateVersion);
      // state() only reads when handed a writer.
      const_cast<Model&>(*reinterpret_cast<const Model*>(model)).state(out);
      return sink->write(sink, out.bytes().data(), out.bytes().size());
    } catch (...) {
      return AS_ERROR;
    }
  }

  static std::uint32_t load(as_model* model, const void* bytes, std::size_t size, as_error* err) noexcept {
    try {
      auto& self = *reinterpret_cast<Model*>(model);
      // A scratch copy reads first, so a bad state leaves the model as it
      // was; then the model reads the same, now known good, bytes.
      Model scratch = self;
      StateReader check(bytes, size);
      read_state_header(check, Descriptor->id, Model::kStateVersion);
      scratch.state(check);
      if (!check.done()) throw std::invalid_argument("state has trailing bytes");
      StateReader in(bytes, size);
      read_state_header(in, Descriptor->id, Model::kStateVersion);
      self.state(in);
      return AS_OK;
    } catch (const std::exception& e) {
      set_error(err, e.what());
    } catch (...) {
      set_error(err, "unknown exception in load");
    }
    return AS_ERROR;
  }

  static constexpr as_state_extension kExtension = {sizeof(as_state_extension), &save, &load};
};

template <class Model, class Event>
std::uint32_t update(as_model* model, const Event* event, double* outputs) noexcept {
  try {
    auto& self = *reinterpret_cast<Model*>(model);
    if constexpr (std::is_same_v<decltype(self.update(*event, outputs)), as_status>) {
      return static_cast<std::uint32_t>(self.update(*event, outputs));
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

  static const void* get_extension(const char* id) noexcept {
    if constexpr (detail::HasState<Model>::value) {
      if (id != nullptr && std::strcmp(id, AS_EXT_STATE) == 0) {
        return &detail::StateExtension<Model, Descriptor>::kExtension;
      }
    }
    return nullptr;
  }

  static constexpr as_plugin_entry make() {
    as_plugin_entry entry{};
    entry.struct_size = sizeof(as_plugin_entry);
    entry.abi = as_version{AS_ABI_MAJOR, AS_PLUGIN_MIN_MINOR, 0};
    entry.descriptor = &descriptor;
    entry.create = &create;
    entry.destroy = &destroy;
    if constexpr (kPair) entry.update_pair = &detail::update<Model, as_observation>;
    if constexpr (kSymbol) entry.update_trade = &detail::update<Model, as_trade>;
    entry.get_extension = &get_extension;
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
