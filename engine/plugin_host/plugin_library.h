// A model plugin's shared library, loaded and checked against the ABI.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alphastream/plugin.h"
#include "core/status.h"

namespace alphastream {

class PluginLibrary {
 public:
  // dlopens the library at `path` (RTLD_NOW | RTLD_LOCAL) and checks its
  // entry and descriptor: ABI major equal to the host's and minor not newer,
  // struct sizes, kind, the update function the kind needs, "beta" and
  // "alpha" outputs for pair models, distinct parameter and output names,
  // parameter types, and defaults within [min, max]. Returns an error that
  // names the file and every problem found, one per line.
  static Result<std::shared_ptr<PluginLibrary>> load(const std::string& path);

  // dlcloses the library. Models hold a shared_ptr to their library, so
  // this runs only after every model is destroyed.
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::string& path() const { return path_; }  // absolute
  // REQUIRES: fields past the 1.0 entry are read through extension() only.
  const as_plugin_entry& entry() const { return *entry_; }
  // The plugin's extension called id (e.g. AS_EXT_STATE), or nullptr: also
  // for a 1.0 plugin, whose entry has no get_extension.
  const void* extension(const char* id) const;
  const as_model_descriptor& descriptor() const { return *descriptor_; }
  std::uint32_t param_count() const { return descriptor_->param_count; }
  std::uint32_t output_count() const { return descriptor_->output_count; }
  // REQUIRES: i < param_count(). Reads by the plugin's element stride.
  const as_param_descriptor& param(std::uint32_t i) const;
  // REQUIRES: i < output_count().
  const as_output_descriptor& output(std::uint32_t i) const;

 private:
  PluginLibrary(std::string path, void* handle, const as_plugin_entry* entry,
                const as_model_descriptor* descriptor)
      : path_(std::move(path)), handle_(handle), entry_(entry), descriptor_(descriptor) {}

  std::string path_;
  void* handle_;
  const as_plugin_entry* entry_;
  const as_model_descriptor* descriptor_;
};

// Every problem with a descriptor, one message each (empty when it is good):
// id, kind, at most kMaxDescriptorEntries parameters and outputs, their
// struct sizes (the strides: see kMaxDescriptorStructSize), distinct non-empty names, parameter types,
// defaults within [min, max] and of their type, "beta" and "alpha" outputs
// of a pair model. PluginLibrary::load runs it; fuzz/ drives it directly.
// REQUIRES: descriptor.struct_size >= sizeof(as_model_descriptor), and its
// arrays and strings are as long as it says (a plugin runs in-process: a
// descriptor that lies about its memory cannot be caught here).
std::vector<std::string> check_descriptor(const as_model_descriptor& descriptor);
// More parameters or outputs than a model could sensibly have: a count past
// this is a corrupt descriptor, refused before its array is read.
inline constexpr std::uint32_t kMaxDescriptorEntries = 256;
// The largest params[0] / outputs[0] struct_size (their arrays' stride)
// taken: room for a future ABI's larger elements, not for a corrupt size.
inline constexpr std::uint32_t kMaxDescriptorStructSize = 1024;

// Element i of a descriptor's params / outputs array, strided by the
// elements' struct_size as plugin.h specifies.
// REQUIRES: the descriptor passed PluginLibrary::load's checks; i in range.
const as_param_descriptor& param_at(const as_model_descriptor& descriptor, std::uint32_t i);
const as_output_descriptor& output_at(const as_model_descriptor& descriptor, std::uint32_t i);

}  // namespace alphastream
