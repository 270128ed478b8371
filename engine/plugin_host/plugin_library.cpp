#include "plugin_host/plugin_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <string_view>
#include <system_error>
#include <vector>

#include "plugin_host/model_instance.h"

namespace alphastream {

namespace {

template <class T>
const T& strided(const T* array, std::uint32_t i) {
  const auto* bytes = reinterpret_cast<const char*>(array);
  return *reinterpret_cast<const T*>(bytes + std::size_t{i} * array[0].struct_size);
}

std::string quoted(const char* s) {
  if (s == nullptr) return "(null)";
  std::string out = "'";
  out += s;
  out += '\'';
  return out;
}

bool empty(const char* s) { return s == nullptr || *s == '\0'; }

// The element size of a params/outputs array is its stride: at least the
// host's struct (a newer plugin's may be larger), a multiple of its
// alignment (as any C array's is) and at most kMaxDescriptorStructSize, so
// a corrupt size cannot send the walk far past the array. Returns what was
// expected, or an empty string.
template <class T>
std::string check_stride(std::uint32_t size) {
  if (size < sizeof(T) || size > kMaxDescriptorStructSize || size % alignof(T) != 0) {
    return "a multiple of " + std::to_string(alignof(T)) + " from " + std::to_string(sizeof(T)) + " to " +
           std::to_string(kMaxDescriptorStructSize);
  }
  return {};
}

// Collects every problem with one descriptor, so a plugin author fixes them
// in one round.
class DescriptorChecker {
 public:
  explicit DescriptorChecker(const as_model_descriptor& d) : d_(d) {}

  std::vector<std::string> check() {
    if (empty(d_.id)) problems_.push_back("descriptor id is empty");
    if (d_.name == nullptr) problems_.push_back("descriptor name is NULL");
    if (d_.version == nullptr) problems_.push_back("descriptor version is NULL");
    if (d_.description == nullptr) problems_.push_back("descriptor description is NULL");
    if (d_.kind != AS_MODEL_PAIR && d_.kind != AS_MODEL_SYMBOL) {
      problems_.push_back("descriptor kind " + std::to_string(static_cast<int>(d_.kind)) +
                          " is neither AS_MODEL_PAIR (1) nor AS_MODEL_SYMBOL (2)");
    }
    check_params();
    check_outputs();
    return std::move(problems_);
  }

 private:
  void check_params() {
    if (d_.param_count == 0) return;
    if (d_.param_count > kMaxDescriptorEntries) {
      problems_.push_back("descriptor declares " + std::to_string(d_.param_count) + " parameters, more than the " +
                          std::to_string(kMaxDescriptorEntries) + " a model may have");
      return;
    }
    if (d_.params == nullptr) {
      problems_.push_back("descriptor declares " + std::to_string(d_.param_count) +
                          " parameters but params is NULL");
      return;
    }
    const std::uint32_t size = d_.params[0].struct_size;
    if (std::string problem = check_stride<as_param_descriptor>(size); !problem.empty()) {
      problems_.push_back("params[0].struct_size is " + std::to_string(size) + ", expected " + problem);
      return;
    }
    std::set<std::string_view> names;
    for (std::uint32_t i = 0; i < d_.param_count; ++i) {
      const as_param_descriptor& p = strided(d_.params, i);
      const std::string where = "parameter " + std::to_string(i) + " " + quoted(p.name);
      if (p.struct_size != size) {
        problems_.push_back(where + ": struct_size " + std::to_string(p.struct_size) +
                            " differs from params[0]'s " + std::to_string(size));
        return;  // the stride is unknown: later elements cannot be found
      }
      if (empty(p.name)) {
        problems_.push_back(where + ": name is empty");
        continue;
      }
      if (!names.insert(p.name).second) problems_.push_back(where + ": name declared twice");
      check_param_values(p, where);
    }
  }

  void check_param_values(const as_param_descriptor& p, const std::string& where) {
    if (p.type != AS_PARAM_INT && p.type != AS_PARAM_DOUBLE && p.type != AS_PARAM_BOOL) {
      problems_.push_back(where + ": type " + std::to_string(static_cast<int>(p.type)) +
                          " is not AS_PARAM_INT, AS_PARAM_DOUBLE or AS_PARAM_BOOL");
      return;
    }
    char text[160];
    if (!(p.min_value <= p.default_value && p.default_value <= p.max_value)) {
      std::snprintf(text, sizeof(text), ": default %.17g is outside [%.17g, %.17g]", p.default_value,
                    p.min_value, p.max_value);
      problems_.push_back(where + text);
    } else if (p.type == AS_PARAM_INT && p.default_value != std::floor(p.default_value)) {
      std::snprintf(text, sizeof(text), ": default %.17g of an integer parameter is not an integer",
                    p.default_value);
      problems_.push_back(where + text);
    } else if (p.type == AS_PARAM_BOOL && p.default_value != 0.0 && p.default_value != 1.0) {
      std::snprintf(text, sizeof(text), ": default %.17g of a boolean parameter is not 0 or 1",
                    p.default_value);
      problems_.push_back(where + text);
    }
  }

  void check_outputs() {
    if (d_.output_count > kMaxDescriptorEntries) {
      problems_.push_back("descriptor declares " + std::to_string(d_.output_count) + " outputs, more than the " +
                          std::to_string(kMaxDescriptorEntries) + " a model may have");
      return;
    }
    if (d_.output_count > 0 && d_.outputs == nullptr) {
      problems_.push_back("descriptor declares " + std::to_string(d_.output_count) +
                          " outputs but outputs is NULL");
      return;
    }
    std::set<std::string_view> names;
    if (d_.output_count > 0) {
      const std::uint32_t size = d_.outputs[0].struct_size;
      if (std::string problem = check_stride<as_output_descriptor>(size); !problem.empty()) {
        problems_.push_back("outputs[0].struct_size is " + std::to_string(size) + ", expected " + problem);
        return;
      }
      for (std::uint32_t i = 0; i < d_.output_count; ++i) {
        const as_output_descriptor& o = strided(d_.outputs, i);
        const std::string where = "output " + std::to_string(i) + " " + quoted(o.name);
        if (o.struct_size != size) {
          problems_.push_back(where + ": struct_size " + std::to_string(o.struct_size) +
                              " differs from outputs[0]'s " + std::to_string(size));
          return;
        }
        if (empty(o.name)) {
          problems_.push_back(where + ": name is empty");
        } else if (!names.insert(o.name).second) {
          problems_.push_back(where + ": name declared twice");
        }
      }
    }
    if (d_.kind == AS_MODEL_PAIR) {
      for (const char* required : {"beta", "alpha"}) {
        if (names.count(required) == 0) {
          problems_.push_back(std::string("pair model declares no output named '") + required + "'");
        }
      }
    }
  }

  const as_model_descriptor& d_;
  std::vector<std::string> problems_;
};

// The entry as ABI 1.0 released it: everything before get_extension.
constexpr std::size_t kEntrySize_1_0 = offsetof(as_plugin_entry, get_extension);

// Returns the problem with the entry's ABI version, or an empty string.
// abi.minor is the lowest minor the plugin needs.
std::string check_abi(const as_version& abi) {
  if (abi.major == AS_ABI_MAJOR && abi.minor <= AS_ABI_MINOR) return {};
  std::string supported = std::to_string(AS_ABI_MAJOR) + ".0";
  if (AS_ABI_MINOR > 0) supported += " to " + std::to_string(AS_ABI_MAJOR) + "." + std::to_string(AS_ABI_MINOR);
  if (abi.major == AS_ABI_MAJOR) {
    return "needs plugin ABI " + std::to_string(abi.major) + "." + std::to_string(abi.minor) +
           ", this host supports " + supported;
  }
  return "built for plugin ABI " + std::to_string(abi.major) + "." + std::to_string(abi.minor) +
         ", this host supports " + supported;
}

std::vector<std::string> check_entry(const as_plugin_entry& e) {
  std::vector<std::string> problems;
  if (e.descriptor == nullptr) problems.push_back("entry.descriptor is NULL");
  if (e.create == nullptr) problems.push_back("entry.create is NULL");
  if (e.destroy == nullptr) problems.push_back("entry.destroy is NULL");
  return problems;
}

std::vector<std::string> check_update_functions(const as_plugin_entry& e, std::uint32_t kind) {
  std::vector<std::string> problems;
  if (kind == AS_MODEL_PAIR && e.update_pair == nullptr) {
    problems.push_back("pair model has no update_pair");
  }
  if (kind == AS_MODEL_SYMBOL && e.update_trade == nullptr) {
    problems.push_back("symbol model has no update_trade");
  }
  return problems;
}

std::string join(const std::string& path, const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) {
    if (!out.empty()) out += '\n';
    out += path + ": " + p;
  }
  return out;
}

// Whoever can write the library, or the directory it is in, can run code in
// this process: said once per file and directory, as a warning.
void warn_if_writable_by_others(const std::string& library, const char* plugin_id) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  for (const std::string& path : {library, std::filesystem::path(library).parent_path().string()}) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) continue;
    const bool others = (status.st_mode & S_IWOTH) != 0;
    const bool group = (status.st_mode & S_IWGRP) != 0;
    if (!others && !group) continue;
    {
      std::lock_guard lock(mutex);
      if (!warned.insert(path).second) continue;
    }
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    log_plugin_host_line(AS_LOG_WARN, plugin_id, library,
                         path + " is writable by " + (others ? "every user" : "its group") + " (mode " + mode +
                             "): whoever can write there can run code in this process");
  }
}

}  // namespace

std::vector<std::string> check_descriptor(const as_model_descriptor& descriptor) {
  return DescriptorChecker(descriptor).check();
}

const as_param_descriptor& param_at(const as_model_descriptor& descriptor, std::uint32_t i) {
  return strided(descriptor.params, i);
}

const as_output_descriptor& output_at(const as_model_descriptor& descriptor, std::uint32_t i) {
  return strided(descriptor.outputs, i);
}

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::load(const std::string& path) {
  std::error_code ec;
  // Absolute, so dlopen never searches LD_LIBRARY_PATH for a bare name.
  const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec || !std::filesystem::is_regular_file(absolute, ec)) {
    return Status::error(path + ": plugin library not found");
  }
  void* handle = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::error(absolute + ": cannot load plugin library: " + (why ? why : "unknown dlopen error"));
  }
  // Owned from here so every early return closes it.
  std::unique_ptr<void, int (*)(void*)> guard(handle, &dlclose);
  dlerror();
  const auto* entry = static_cast<const as_plugin_entry*>(dlsym(handle, AS_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) {
    return Status::error(absolute + ": not an AlphaStream plugin: no symbol '" AS_PLUGIN_ENTRY_SYMBOL "'");
  }
  // The ABI version is checked before the full size: a plugin of another
  // major version may have another layout, and saying so is the useful message.
  constexpr std::size_t kAbiEnd = offsetof(as_plugin_entry, abi) + sizeof(as_version);
  if (entry->struct_size >= kAbiEnd) {
    if (std::string problem = check_abi(entry->abi); !problem.empty()) return Status::error(absolute + ": " + problem);
  }
  // A 1.0 plugin's entry ends before get_extension: accepted, without
  // extensions (extension() reads the field only when the size covers it).
  if (entry->struct_size < kEntrySize_1_0) {
    return Status::error(absolute + ": entry struct_size is " + std::to_string(entry->struct_size) +
                         ", expected at least " + std::to_string(kEntrySize_1_0));
  }
  if (auto problems = check_entry(*entry); !problems.empty()) return Status::error(join(absolute, problems));

  const as_model_descriptor* descriptor = entry->descriptor();
  if (descriptor == nullptr) return Status::error(absolute + ": entry.descriptor() returned NULL");
  if (descriptor->struct_size < sizeof(as_model_descriptor)) {
    return Status::error(absolute + ": descriptor struct_size is " + std::to_string(descriptor->struct_size) +
                         ", expected at least " + std::to_string(sizeof(as_model_descriptor)));
  }
  std::vector<std::string> problems = check_descriptor(*descriptor);
  for (std::string& p : check_update_functions(*entry, descriptor->kind)) problems.push_back(std::move(p));
  if (!problems.empty()) return Status::error(join(absolute, problems));

  guard.release();
  warn_if_writable_by_others(absolute, descriptor->id);
  return std::shared_ptr<PluginLibrary>(new PluginLibrary(absolute, handle, entry, descriptor));
}

PluginLibrary::~PluginLibrary() { dlclose(handle_); }

const void* PluginLibrary::extension(const char* id) const {
  constexpr std::size_t kEnd = offsetof(as_plugin_entry, get_extension) + sizeof(entry_->get_extension);
  if (entry_->struct_size < kEnd || entry_->get_extension == nullptr) return nullptr;
  try {
    return entry_->get_extension(id);
  } catch (...) {  // nothing may cross the ABI, but a careless plugin might let it
    return nullptr;
  }
}

const as_param_descriptor& PluginLibrary::param(std::uint32_t i) const { return param_at(*descriptor_, i); }

const as_output_descriptor& PluginLibrary::output(std::uint32_t i) const { return output_at(*descriptor_, i); }

}  // namespace alphastream
