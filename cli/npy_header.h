// The header of a .npy file: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// parsed strictly, without a Python interpreter.
#ifndef CRGB_CLI_NPY_HEADER_H
#define CRGB_CLI_NPY_HEADER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crgb::npy::detail {

struct NpyHeader {
  std::string descr;  // the dtype string, e.g. "<f4"
  bool fortran_order = false;
  std::vector<int64_t> shape;  // every entry >= 0
};

// Parses the header text; throws npy::Error with a message that does not name the
// file (the caller adds that). Accepts what NumPy's reader accepts for the keys
// it needs: exactly 'descr', 'fortran_order' and 'shape', in any order, either
// quote style, any whitespace, trailing commas.
NpyHeader parse_npy_header(const char *text, size_t size);

}  // namespace crgb::npy::detail

#endif  // CRGB_CLI_NPY_HEADER_H
