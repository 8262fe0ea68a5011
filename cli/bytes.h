// Little-endian loads and overflow-checked size arithmetic, shared by the .npy and
// .npz readers. Both formats are little-endian by definition, whatever the host.
#ifndef CRGB_CLI_BYTES_H
#define CRGB_CLI_BYTES_H

#include <cstddef>
#include <cstdint>

namespace crgb::npy::detail {

inline uint16_t load_le16(const unsigned char *p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

inline uint32_t load_le32(const unsigned char *p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline uint64_t load_le64(const unsigned char *p) {
  return static_cast<uint64_t>(load_le32(p)) | (static_cast<uint64_t>(load_le32(p + 4)) << 32);
}

// Sets *out = a + b (a * b) and returns true, or returns false on overflow.
inline bool checked_add(uint64_t a, uint64_t b, uint64_t *out) {
  return !__builtin_add_overflow(a, b, out);
}
inline bool checked_mul(uint64_t a, uint64_t b, uint64_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes.
inline bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace crgb::npy::detail

#endif  // CRGB_CLI_BYTES_H
