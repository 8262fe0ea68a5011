// .npy reading and writing. Format reference:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#include "npy.h"

#include <cstring>

#include "bytes.h"
#include "file_io.h"
#include "npy_header.h"
#include "quote.h"

// Array::bytes is little-endian by contract and is handed to the library as is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "crgb's npy I/O assumes a little-endian host");

namespace crgb::npy {
namespace {

using detail::checked_mul;

constexpr unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

struct DtypeInfo {
  char kind;  // NumPy's kind letter: 'u', 'i', 'f', or 'V' (ml_dtypes' bfloat16)
  int size;   // bytes
  crgb_dtype dtype;
};

constexpr DtypeInfo kDtypes[] = {
    {'u', 1, CRGB_UINT8},   {'u', 2, CRGB_UINT16},   {'i', 1, CRGB_INT8},    {'i', 2, CRGB_INT16},
    {'i', 4, CRGB_INT32},   {'i', 8, CRGB_INT64},    {'f', 2, CRGB_FLOAT16}, {'f', 4, CRGB_FLOAT32},
    {'f', 8, CRGB_FLOAT64}, {'V', 2, CRGB_BFLOAT16},
};

// ml_dtypes' bfloat16 has no NumPy kind of its own: np.save writes its
// dtype.str, "<V2" (2 bytes of "void", little-endian). Only that exact
// spelling is read as bfloat16; another void ("|V2", a plain np.void) is not.
constexpr char kBfloat16Descr[] = "<V2";

const char kSupported[] =
    "; supported: uint8, uint16, int8, int16, int32, int64, float16, float32, float64, "
    "bfloat16 (as ml_dtypes writes it, '<V2')";

const DtypeInfo *find_dtype(crgb_dtype dtype) {
  for (const DtypeInfo &d : kDtypes)
    if (d.dtype == dtype) return &d;
  return nullptr;
}

int itemsize(crgb_dtype dtype) {
  const DtypeInfo *d = find_dtype(dtype);
  return d == nullptr ? 0 : d->size;
}

// What NumPy would call a descr we do not read, to make the error obvious.
// `digits` is the item size in bytes, "" when absent or not a small number.
std::string describe(char kind, const std::string &digits) {
  static const std::pair<char, const char *> kNames[] = {
      {'b', "bool"},  {'?', "bool"}, {'c', "complex"}, {'O', "object"},     {'S', "bytes"},
      {'a', "bytes"}, {'U', "str"},  {'V', "void"},    {'M', "datetime64"}, {'m', "timedelta64"},
      {'u', "uint"},  {'i', "int"},  {'f', "float"},
  };
  for (const auto &[k, name] : kNames) {
    if (k != kind) continue;
    if (kind != 'u' && kind != 'i' && kind != 'f') return name;
    return name + (digits.empty() ? std::string("?") : std::to_string(8 * std::stoi(digits)));
  }
  return "";
}

// Maps a descr such as "<f4" to a crgb_dtype. Byte order: '<' is little-endian;
// '|' (not applicable), '=' (native) and no prefix are accepted too, since the
// host is little-endian; '>' is accepted only for one-byte types, where it means
// nothing (NumPy itself normalizes '>u1' to '|u1').
crgb_dtype parse_descr(const std::string &descr, const std::string &what) {
  char order = '=';
  std::string code = descr;
  if (!code.empty() && std::string("<>|=").find(code[0]) != std::string::npos) {
    order = code[0];
    code.erase(0, 1);
  }
  if (descr == kBfloat16Descr) return CRGB_BFLOAT16;
  const std::string digits = code.empty() ? "" : code.substr(1);
  const bool numeric = !digits.empty() && digits.size() <= 2 &&
                       digits.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    const int size = std::stoi(digits);
    for (const DtypeInfo &d : kDtypes) {
      if (d.kind != code[0] || d.size != size || d.kind == 'V') continue;
      if (order == '>' && size > 1)
        throw Error(what + ": big-endian data (dtype " + quoted(descr) +
                    ") is not supported; convert it with .astype('<" + code + "')");
      return d.dtype;
    }
  }
  std::string name = code.empty() ? "" : describe(code[0], numeric ? digits : "");
  throw Error(what + ": unsupported dtype " + quoted(descr) +
              (name.empty() ? "" : " (" + name + ")") + kSupported);
}

std::string shape_string(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Bytes of a dense array of this shape, or false when that overflows uint64.
bool byte_count(const std::vector<int64_t> &shape, int item, uint64_t *out) {
  uint64_t n = static_cast<uint64_t>(item);
  for (int64_t d : shape)
    if (d == 0) n = 0;  // a zero extent makes the rest irrelevant, however large
  if (n == 0) {
    *out = 0;
    return true;
  }
  for (int64_t d : shape)
    if (!checked_mul(n, static_cast<uint64_t>(d), &n)) return false;
  *out = n;
  return true;
}

}  // namespace

int64_t Array::size() const {
  uint64_t n = 0;
  if (!byte_count(shape, 1, &n) || n > static_cast<uint64_t>(INT64_MAX))
    throw Error("element count of shape " + shape_string(shape) + " overflows int64");
  return static_cast<int64_t>(n);
}

crgb_tensor Array::tensor() const {
  // Never a null pointer, even for an empty array: the library may check it.
  static const unsigned char kEmpty[8] = {};
  if (shape.size() > CRGB_MAX_RANK)
    throw Error("rank " + std::to_string(shape.size()) + " exceeds CRGB_MAX_RANK");
  crgb_tensor t{};
  t.data = bytes.empty() ? static_cast<const void *>(kEmpty) : bytes.data();
  t.dtype = dtype;
  t.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t.shape[i] = shape[i];
  t.device = CRGB_DEVICE_HOST;
  return t;
}

Array parse_npy(const unsigned char *data, size_t size, const std::string &what) {
  auto fail = [&](const std::string &problem) { return Error(what + ": " + problem); };
  if (size == 0) throw fail("empty file, not a .npy file");
  if (std::memcmp(data, kMagic, size < 6 ? size : 6) != 0)
    throw fail("not a .npy file (bad magic)");
  if (size < 8) throw fail("truncated header");
  const int major = data[6], minor = data[7];
  if (!(major >= 1 && major <= 3 && minor == 0))
    throw fail("unsupported .npy format version " + std::to_string(major) + "." +
               std::to_string(minor));
  // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 in 4 (3.0 only
  // changes the header's text encoding to UTF-8, which the parser need not know).
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (size < 8 + len_bytes) throw fail("truncated header");
  const uint64_t header_len =
      major == 1 ? detail::load_le16(data + 8) : detail::load_le32(data + 8);
  const size_t header_start = 8 + len_bytes;
  if (header_len > size - header_start)
    throw fail("truncated header (declares " + std::to_string(header_len) + " bytes, " +
               std::to_string(size - header_start) + " present)");

  detail::NpyHeader header;
  try {
    header = detail::parse_npy_header(reinterpret_cast<const char *>(data + header_start),
                                      static_cast<size_t>(header_len));
  } catch (const Error &e) {
    throw fail(e.what());
  }

  Array a;
  a.dtype = parse_descr(header.descr, what);
  if (header.shape.size() > CRGB_MAX_RANK)
    throw fail("rank " + std::to_string(header.shape.size()) + " exceeds the maximum of " +
               std::to_string(CRGB_MAX_RANK));
  // A Fortran-ordered array of rank <= 1 has the same layout as a C-ordered one.
  if (header.fortran_order && header.shape.size() > 1)
    throw fail(
        "fortran_order arrays are not supported; save a C-ordered array "
        "(np.ascontiguousarray)");
  uint64_t expected = 0;
  if (!byte_count(header.shape, itemsize(a.dtype), &expected))
    throw fail("shape " + shape_string(header.shape) + " is too large");
  const size_t data_start = header_start + static_cast<size_t>(header_len);
  const uint64_t present = size - data_start;
  if (present != expected)
    throw fail(std::string(present < expected ? "truncated data" : "trailing data") + ": shape " +
               shape_string(header.shape) + " of " + header.descr + " needs " +
               std::to_string(expected) + " bytes, " + std::to_string(present) + " present");
  a.shape = std::move(header.shape);
  a.bytes.assign(data + data_start, data + size);
  return a;
}

Array load_npy(const std::string &path) {
  const std::vector<unsigned char> data = detail::read_file(path);
  return parse_npy(data.data(), data.size(), printable(path));
}

std::string descr_of(crgb_dtype dtype) {
  const DtypeInfo *d = find_dtype(dtype);
  if (d == nullptr) throw Error("unknown dtype " + std::to_string(static_cast<int>(dtype)));
  if (d->dtype == CRGB_BFLOAT16) return kBfloat16Descr;
  // NumPy writes '|' for one-byte types, where byte order means nothing.
  return std::string(d->size == 1 ? "|" : "<") + d->kind + std::to_string(d->size);
}

void save_npy(const std::string &path, const void *data, crgb_dtype dtype,
              const std::vector<int64_t> &shape) {
  const DtypeInfo *d = find_dtype(dtype);
  if (d == nullptr) throw Error("cannot write " + quoted(path) + ": unknown dtype");
  for (int64_t n : shape)
    if (n < 0) throw Error("cannot write " + quoted(path) + ": negative dimension");
  uint64_t bytes = 0;
  if (shape.size() > 64 || !byte_count(shape, d->size, &bytes) || bytes > SIZE_MAX)
    throw Error("cannot write " + quoted(path) + ": shape " + shape_string(shape) +
                " is too large");
  if (bytes > 0 && data == nullptr) throw Error("cannot write " + quoted(path) + ": no data");

  // The dict as NumPy writes it, padded with spaces and a final newline so that
  // the data starts at a multiple of 64 bytes, as NumPy's own files do.
  std::string header = "{'descr': '" + descr_of(dtype) +
                       "', 'fortran_order': False, 'shape': " + shape_string(shape) + ", }";
  const size_t prefix = sizeof(kMagic) + 2 + 2;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string head(reinterpret_cast<const char *>(kMagic), sizeof(kMagic));
  head += '\x01';
  head += '\x00';
  head += static_cast<char>(header.size() & 0xff);
  head += static_cast<char>(header.size() >> 8);
  head += header;
  detail::write_file_atomically(path,
                                {{head.data(), head.size()}, {data, static_cast<size_t>(bytes)}});
}

void save_npy(const std::string &path, const float *data, const std::vector<int64_t> &shape) {
  save_npy(path, data, CRGB_FLOAT32, shape);
}

}  // namespace crgb::npy
