// The plugin descriptor checker on descriptors built from arbitrary bytes:
// any kind, strings present, empty or NULL, up to 12 parameters and outputs
// with any struct sizes (strides), names (often repeated), types and bound values
// (NaN and infinities included). It must never crash or read past what the
// descriptor declares; what it passes must hold everything the host relies
// on afterwards, and describe() must print it.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/plugin_catalog.h"
#include "plugin_host/plugin_library.h"

namespace {

// Reads the input front to back; zeros once it runs out.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | u8();
    return v;
  }
  double number() {
    static const double kSpecial[] = {0.0,  1.0,   -1.0, 0.5,  2.0,  10.0, 1e308, -1e308,
                                      1e-9, 100.0, 3.0,  -0.0, std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity()};
    const std::uint8_t pick = u8();
    if (pick < 200) return kSpecial[pick % (sizeof kSpecial / sizeof kSpecial[0])];
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | u8();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  // NULL, a name from a small pool (so duplicates and the required outputs
  // turn up), or up to 15 raw bytes.
  const char* text(std::vector<std::string>& keep) {
    static const char* const kPool[] = {"", "beta", "alpha", "window", "beta", "x", "zscore"};
    const std::uint8_t pick = u8();
    if (pick < 16) return nullptr;
    if (pick < 160) return kPool[pick % (sizeof kPool / sizeof kPool[0])];
    std::string s;
    for (std::uint8_t n = u8() % 16; n > 0; --n) {
      const char c = static_cast<char>(u8());
      if (c != '\0') s += c;
    }
    keep.push_back(std::move(s));
    return keep.back().c_str();
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// An array of count elements of T laid out at stride bytes (at least
// sizeof(T)), each struct_size set as the input says.
template <class T>
struct Strided {
  std::vector<std::uint8_t> memory;
  T& at(std::size_t i, std::size_t stride) { return *reinterpret_cast<T*>(memory.data() + i * stride); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace alphastream;
  Bytes in(data, size);
  std::vector<std::string> strings;
  strings.reserve(64);  // c_str() pointers must stay put

  as_model_descriptor d{};
  d.struct_size = sizeof(as_model_descriptor);
  d.kind = in.u8() % 4;
  d.id = in.text(strings);
  d.name = in.text(strings);
  d.version = in.text(strings);
  d.description = in.text(strings);

  // params[0].struct_size is the array's stride: usually the struct plus 0
  // to 2 words, sometimes any number. The array really holds that many
  // bytes per element when the checker may walk it at that stride; when it
  // may not, only whole structs, and the checker must stop at element 0.
  const auto stride_of = [](std::uint32_t declared, std::size_t minimum, std::size_t align) {
    const bool walkable = declared >= minimum && declared <= kMaxDescriptorStructSize && declared % align == 0;
    return walkable ? std::size_t{declared} : minimum;
  };
  const std::uint32_t param_count = in.u8() % 13;
  const std::uint8_t param_pick = in.u8();
  const std::uint32_t param_size = param_pick < 230 ? sizeof(as_param_descriptor) + 8 * (param_pick % 3) : in.u32();
  const std::size_t param_stride = stride_of(param_size, sizeof(as_param_descriptor), alignof(as_param_descriptor));
  Strided<as_param_descriptor> params;
  params.memory.resize(std::max<std::size_t>(1, param_count) * param_stride);
  for (std::uint32_t i = 0; i < param_count; ++i) {
    as_param_descriptor& p = params.at(i, param_stride);
    p.struct_size = i == 0 || in.u8() < 230 ? param_size : in.u32();
    p.name = in.text(strings);
    p.type = in.u8() % 5;
    p.default_value = in.number();
    p.min_value = in.number();
    p.max_value = in.number();
    p.help = in.text(strings);
  }
  d.params = in.u8() < 250 ? reinterpret_cast<const as_param_descriptor*>(params.memory.data()) : nullptr;
  d.param_count = param_count;

  const std::uint32_t output_count = in.u8() % 13;
  const std::uint8_t output_pick = in.u8();
  const std::uint32_t output_size =
      output_pick < 230 ? sizeof(as_output_descriptor) + 8 * (output_pick % 3) : in.u32();
  const std::size_t output_stride =
      stride_of(output_size, sizeof(as_output_descriptor), alignof(as_output_descriptor));
  Strided<as_output_descriptor> outputs;
  outputs.memory.resize(std::max<std::size_t>(1, output_count) * output_stride);
  for (std::uint32_t i = 0; i < output_count; ++i) {
    as_output_descriptor& o = outputs.at(i, output_stride);
    o.struct_size = i == 0 || in.u8() < 230 ? output_size : in.u32();
    o.name = in.text(strings);
    o.help = in.text(strings);
  }
  d.outputs = in.u8() < 250 ? reinterpret_cast<const as_output_descriptor*>(outputs.memory.data()) : nullptr;
  d.output_count = output_count;
  // A count past the arrays is what the entry bound refuses before reading.
  if (in.u8() == 255) d.param_count = kMaxDescriptorEntries + 1 + in.u8();
  if (in.u8() == 255) d.output_count = kMaxDescriptorEntries + 1 + in.u8();

  const std::vector<std::string> problems = check_descriptor(d);
  for (const std::string& problem : problems) {
    if (problem.empty()) std::abort();
  }
  if (!problems.empty()) return 0;

  // Passed: what the host relies on from here holds.
  if (d.kind != AS_MODEL_PAIR && d.kind != AS_MODEL_SYMBOL) std::abort();
  if (d.id == nullptr || *d.id == '\0' || d.name == nullptr || d.version == nullptr || d.description == nullptr) {
    std::abort();
  }
  if (d.param_count > kMaxDescriptorEntries || d.output_count > kMaxDescriptorEntries) std::abort();
  std::set<std::string_view> names;
  for (std::uint32_t i = 0; i < d.param_count; ++i) {
    const as_param_descriptor& p = param_at(d, i);
    if (p.name == nullptr || *p.name == '\0' || !names.insert(p.name).second) std::abort();
    if (!(p.min_value <= p.default_value && p.default_value <= p.max_value)) std::abort();
    if (p.type == AS_PARAM_INT && p.default_value != std::floor(p.default_value)) std::abort();
    if (p.type == AS_PARAM_BOOL && p.default_value != 0.0 && p.default_value != 1.0) std::abort();
  }
  names.clear();
  for (std::uint32_t i = 0; i < d.output_count; ++i) {
    const as_output_descriptor& o = output_at(d, i);
    if (o.name == nullptr || *o.name == '\0' || !names.insert(o.name).second) std::abort();
  }
  if (d.kind == AS_MODEL_PAIR && (!names.count("beta") || !names.count("alpha"))) std::abort();
  if (describe(d).find(d.id) == std::string::npos) std::abort();
  return 0;
}
