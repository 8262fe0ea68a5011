// TensorFlow's golden cases (tests/golden): a TSV of cases (id, status,
// description, message) and an .npz of their arrays (<id>_<name>).
#ifndef CRGB_TESTS_SUPPORT_GOLDEN_H
#define CRGB_TESTS_SUPPORT_GOLDEN_H

#include "npy.h"

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace crgb_test {

struct GoldenCase {
  std::string id, status, description, message;
};

struct Golden {
  std::vector<GoldenCase> cases;
  std::map<std::string, crgb::npy::Array> arrays;
  std::string error;  // why loading failed, empty when it did not

  const crgb::npy::Array *find(const GoldenCase &c, const std::string &what) const {
    auto it = arrays.find(c.id + "_" + what);
    return it == arrays.end() ? nullptr : &it->second;
  }
};

// Loads dir/tsv and dir/npz; a failure is recorded in Golden::error (the
// tests fail on it: missing golden files are a failure, not a skip).
Golden load_golden(const std::string &dir, const std::string &tsv, const std::string &npz);

// An ASCII-bytes array as a string (method, dtype names), or `fallback` if absent.
std::string text_of(const Golden &g, const GoldenCase &c, const std::string &what,
                    const std::string &fallback);

template <typename T>
std::vector<T> values(const crgb::npy::Array &a) {
  std::vector<T> v(static_cast<size_t>(a.size()));
  if (!v.empty()) std::memcpy(v.data(), a.bytes.data(), v.size() * sizeof(T));
  return v;
}

}  // namespace crgb_test

#endif
