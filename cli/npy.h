// Reading and writing NumPy .npy and .npz files, for the crgb command-line tool
// and its tests. Only what crgb needs: the ten dtypes of crgb_dtype (bfloat16 as
// ml_dtypes' np.save writes it, descr '<V2'), little-endian, C order. Every malformed input is
// reported as npy::Error with a one-line message that names the file; nothing is ever read outside
// the bytes given.
#ifndef CRGB_CLI_NPY_H
#define CRGB_CLI_NPY_H

#include <crgb/crgb.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace crgb::npy {

// A one-line message, prefixed with the file (and npz entry) it is about.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Array {
  crgb_dtype dtype = CRGB_FLOAT32;
  std::vector<int64_t> shape;        // C order; empty for a 0-d array
  std::vector<unsigned char> bytes;  // dense, little-endian, C order

  int64_t size() const;        // element count (1 for a 0-d array)
  crgb_tensor tensor() const;  // host descriptor pointing into bytes
};

// Reads a whole .npy file.
Array load_npy(const std::string &path);

// Parses .npy bytes held in memory; `what` names them in error messages.
Array parse_npy(const unsigned char *data, size_t size, const std::string &what);

// Reads every array of an .npz archive (np.savez or np.savez_compressed). Keys are
// the entry names without their ".npy" suffix.
std::map<std::string, Array> load_npz(const std::string &path);

// The descr NumPy writes for a dtype ("<f4"; bfloat16: "<V2", as ml_dtypes does);
// throws npy::Error for a value outside crgb_dtype.
std::string descr_of(crgb_dtype dtype);

// Writes an array of `dtype` (little-endian elements) as a version 1.0 .npy file.
// The data goes to a temporary file in the same directory that is renamed over
// `path` only once complete, so a failure never leaves a partial output behind.
void save_npy(const std::string &path, const void *data, crgb_dtype dtype,
              const std::vector<int64_t> &shape);
// The same for float32.
void save_npy(const std::string &path, const float *data, const std::vector<int64_t> &shape);

}  // namespace crgb::npy

#endif  // CRGB_CLI_NPY_H
