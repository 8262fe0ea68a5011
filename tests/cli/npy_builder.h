// Builds .npy files byte by byte from the format specification
// (numpy.lib.format), independently of the reader under test, so that a shared
// misunderstanding cannot make a round trip pass.
#ifndef CRGB_TESTS_CLI_NPY_BUILDER_H
#define CRGB_TESTS_CLI_NPY_BUILDER_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace crgb_test {

// "(2, 3)", "(5,)", "()" as Python writes tuples.
inline std::string py_shape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

inline std::string npy_dict(const std::string &descr, const std::vector<int64_t> &shape,
                            bool fortran_order = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran_order ? "True" : "False") +
         ", 'shape': " + py_shape(shape) + ", }";
}

// Magic, version major.0, header length (2 bytes for version 1, else 4), the
// dict padded with spaces and a newline to a multiple of 64 bytes, then payload.
inline std::vector<unsigned char> make_npy(int major, const std::string &dict,
                                           const std::vector<unsigned char> &payload) {
  const size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((6 + 2 + len_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<unsigned char> out = {
      0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major), 0};
  for (size_t i = 0; i < len_bytes; ++i) out.push_back((header.size() >> (8 * i)) & 0xff);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// Little-endian bytes of integers, `size` bytes each (two's complement).
inline std::vector<unsigned char> le_bytes(const std::vector<int64_t> &values, int size) {
  std::vector<unsigned char> out;
  for (int64_t v : values)
    for (int i = 0; i < size; ++i)
      out.push_back(static_cast<unsigned char>(static_cast<uint64_t>(v) >> (8 * i)));
  return out;
}

// Little-endian bytes of an array of any trivially copyable type, via its bits.
template <typename T>
std::vector<unsigned char> le_bytes_of(const std::vector<T> &values) {
  std::vector<int64_t> bits;
  for (const T &v : values) {
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));  // little-endian host: low bytes first
    bits.push_back(static_cast<int64_t>(b));
  }
  return le_bytes(bits, sizeof(T));
}

}  // namespace crgb_test

#endif  // CRGB_TESTS_CLI_NPY_BUILDER_H
