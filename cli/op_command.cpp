#include "op_command.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <crgb/crgb.hpp>
#include <cstdlib>
#include <limits>
#include <memory>

#include "quote.h"

namespace crgb::cli {
namespace {

Error invalid(const std::string &message) {
  return Error(CRGB_INVALID_ARGUMENT, message);
}

int parse_threads(const std::string &text) {
  errno = 0;
  char *end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || n < 0 || n > 65536)
    throw invalid("--threads must be an integer in [0, 65536], got " + npy::quoted(text));
  return static_cast<int>(n);
}

// strtoll and strtof skip leading white space; a flag's number must start at once.
bool starts_like_a_number(const std::string &text) {
  return !text.empty() && !std::isspace(static_cast<unsigned char>(text[0]));
}

std::string shape_text(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The physical memory of this machine in bytes (0 when unknown). An output
// larger than that cannot be written here; refusing it up front beats being
// killed by the kernel halfway through (allocations themselves may overcommit).
uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 0;
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(pages), static_cast<uint64_t>(page), &bytes))
    return std::numeric_limits<uint64_t>::max();
  return bytes;
}

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
using Buffer = std::unique_ptr<unsigned char, FreeDeleter>;

// An uninitialized buffer of `bytes` (at least one cache line), 64-byte
// aligned as the AVX-512 variants prefer; null when it cannot be had.
Buffer allocate(uint64_t bytes) {
  const uint64_t memory = physical_memory();
  if (memory != 0 && bytes > memory) return nullptr;
  const uint64_t rounded = (std::max<uint64_t>(bytes, 1) + 63) / 64 * 64;
  if (rounded < bytes || rounded > std::numeric_limits<size_t>::max()) return nullptr;
  return Buffer(static_cast<unsigned char *>(std::aligned_alloc(64, static_cast<size_t>(rounded))));
}

// Elements of `shape`: 0 when an extent is negative or zero, -1 when the
// element or byte count (of `item`-byte elements) overflows.
int64_t element_count(const std::vector<int64_t> &shape, int item) {
  for (int64_t d : shape)
    if (d <= 0) return 0;
  int64_t n = 1, bytes = 0;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n)) return -1;
  if (__builtin_mul_overflow(n, static_cast<int64_t>(item), &bytes)) return -1;
  return n;
}

}  // namespace

Flags parse_op_flags(const char *command, const Args &args, std::vector<FlagSpec> specs) {
  for (const char *name : {"out", "method", "variant", "threads"}) specs.push_back({name, true});
  return Flags(command, args, specs);
}

OpOptions op_options(const Flags &flags, std::initializer_list<const char *> required) {
  for (const char *f : required) flags.required(f);
  OpOptions o;
  o.out = flags.required("out");
  if (o.out.empty()) throw invalid("--out must not be empty");
  o.method = flags.get("method", "bilinear");
  o.variant = flags.get("variant", "");
  o.set_threads = flags.has("threads");
  if (o.set_threads) o.threads = parse_threads(flags.required("threads"));
  return o;
}

npy::Array load_input(const Flags &flags, const char *flag) {
  try {
    return npy::load_npy(flags.required(flag));
  } catch (const npy::Error &e) {
    throw invalid(std::string("--") + flag + ": " + e.what());
  }
}

std::vector<int32_t> parse_int32_list(const Flags &flags, const char *flag) {
  const std::string &text = flags.required(flag);
  std::vector<int32_t> values;
  if (text.empty()) return values;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(item.c_str(), &end, 10);
    if (!starts_like_a_number(item) || *end != '\0')
      throw invalid(std::string("--") + flag + " must be comma-separated integers, got " +
                    npy::quoted(text));
    if (errno == ERANGE || v < std::numeric_limits<int32_t>::min() ||
        v > std::numeric_limits<int32_t>::max())
      throw invalid(std::string("--") + flag + " value " + npy::quoted(item) +
                    " is outside the int32 range");
    values.push_back(static_cast<int32_t>(v));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

float parse_float(const Flags &flags, const char *flag, float fallback) {
  if (!flags.has(flag)) return fallback;
  const std::string &text = flags.required(flag);
  errno = 0;
  char *end = nullptr;
  const float v = std::strtof(text.c_str(), &end);
  if (!starts_like_a_number(text) || *end != '\0')
    throw invalid(std::string("--") + flag + " must be a number, got " + npy::quoted(text));
  // ERANGE also flags underflow, which rounds to a tiny or zero float, as
  // TensorFlow's float attribute would; only overflow is refused.
  if (errno == ERANGE && std::isinf(v))
    throw invalid(std::string("--") + flag + " value " + npy::quoted(text) +
                  " is outside the float32 range");
  return v;
}

crgb_tensor host_vector(const std::vector<int32_t> &values) {
  static const int32_t kEmpty[1] = {};
  crgb_tensor t{};
  t.data = values.empty() ? kEmpty : values.data();
  t.dtype = CRGB_INT32;
  t.rank = 1;
  t.shape[0] = static_cast<int64_t>(values.size());
  t.device = CRGB_DEVICE_HOST;
  return t;
}

int run_op(const OpOptions &opts, crgb_dtype dtype, const std::vector<int64_t> &shape,
           const OpCall &call) {
  const int item = crgb_dtype_size(dtype);
  const int64_t elems = element_count(shape, item);
  Buffer out = elems < 0 ? nullptr : allocate(static_cast<uint64_t>(elems) * item);
  if (out == nullptr) {
    // No room for the result. The op's own checks come first, as in
    // TensorFlow (which validates, then allocates): asked to write into no
    // buffer, the library reports a bad input, or else the buffer, in a
    // message that begins "output holds ".
    unsigned char spare[64];
    crgb_error err{};
    const crgb_status s = call(spare, 0, &err);
    if (s != CRGB_OK && std::string(err.message).rfind("output holds ", 0) != 0)
      throw Error(s, err.message);
    if (s == CRGB_OK)
      throw Error(CRGB_INTERNAL,
                  "the op accepted an empty output where " + shape_text(shape) + " was expected");
    throw invalid("cannot allocate the output, shape " + shape_text(shape) + " of " +
                  crgb_dtype_name(dtype) + ": too large for this machine's memory");
  }

  if (opts.set_threads) crgb_set_num_threads(opts.threads);
  crgb_error err{};
  const crgb_status s = call(out.get(), elems, &err);
  if (s != CRGB_OK) throw Error(s, err.message);

  try {
    npy::save_npy(opts.out, out.get(), dtype, shape);
  } catch (const npy::Error &e) {
    throw invalid(std::string("--out: ") + e.what());
  }
  return 0;
}

}  // namespace crgb::cli
