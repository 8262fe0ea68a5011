// The .npz reader (cli/npy.h, load_npz): archives NumPy wrote, archives built
// here (stored, deflated, zip64), and a clean npy::Error for corrupt ones.
#include <gtest/gtest.h>

#include "npy.h"
#include "npy_builder.h"
#include "test_files.h"
#include "zip_builder.h"

namespace crgb_test {
namespace {

using crgb::npy::Array;
using crgb::npy::Error;
using crgb::npy::load_npz;

// What np.arange(6).reshape(2, 3).astype(code) holds, as little-endian bytes.
std::vector<unsigned char> arange6(const std::string &code) {
  if (code == "f2") return le_bytes({0x0000, 0x3c00, 0x4000, 0x4200, 0x4400, 0x4500}, 2);
  if (code == "f4") return le_bytes_of<float>({0, 1, 2, 3, 4, 5});
  if (code == "f8") return le_bytes_of<double>({0, 1, 2, 3, 4, 5});
  return le_bytes({0, 1, 2, 3, 4, 5}, code[1] - '0');
}

void expect_numpy_fixture(const std::string &file) {
  const std::map<std::string, crgb_dtype> want = {
      {"u1", CRGB_UINT8},   {"u2", CRGB_UINT16},  {"i1", CRGB_INT8},
      {"i2", CRGB_INT16},   {"i4", CRGB_INT32},   {"i8", CRGB_INT64},
      {"f2", CRGB_FLOAT16}, {"f4", CRGB_FLOAT32}, {"f8", CRGB_FLOAT64},
  };
  const auto arrays = load_npz(std::string(CRGB_CLI_TEST_DATA) + "/" + file);
  ASSERT_EQ(arrays.size(), want.size());
  for (const auto &[code, dtype] : want) {
    SCOPED_TRACE(code);
    ASSERT_EQ(arrays.count(code), 1u);
    const Array &a = arrays.at(code);
    EXPECT_EQ(a.dtype, dtype);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.bytes, arange6(code));
  }
}

TEST(Npz, ReadsNumPySavez) {
  expect_numpy_fixture("savez.npz");
}
TEST(Npz, ReadsNumPySavezCompressed) {
  expect_numpy_fixture("savez_compressed.npz");
}

std::vector<unsigned char> small_npy(int64_t n = 3) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(i * 7 - 3);
  return make_npy(1, npy_dict("<i4", {n}), le_bytes(v, 4));
}

std::map<std::string, Array> load_bytes(const std::vector<unsigned char> &zip) {
  TempDir dir;
  write_bytes(dir.file("a.npz"), zip);
  return load_npz(dir.file("a.npz"));
}

std::string error_of(const std::vector<unsigned char> &zip) {
  try {
    load_bytes(zip);
  } catch (const Error &e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
  }
  return "";
}

TEST(Npz, ReadsStoredDeflatedAndZip64Archives) {
  for (bool zip64 : {false, true}) {
    for (int method : {0, 8}) {
      SCOPED_TRACE("method " + std::to_string(method) + (zip64 ? " zip64" : ""));
      ZipOptions opt;
      opt.zip64 = zip64;
      opt.comment = "an archive comment";
      const auto arrays = load_bytes(make_zip({{"x.npy", small_npy(3), method},
                                               {"y.npy", small_npy(1000), method},
                                               {"folder/", {}, 0},
                                               {"noext", small_npy(0), method}},
                                              opt));
      ASSERT_EQ(arrays.size(), 3u);
      EXPECT_EQ(arrays.at("x").shape, (std::vector<int64_t>{3}));
      EXPECT_EQ(arrays.at("y").size(), 1000);
      EXPECT_EQ(arrays.at("noext").size(), 0);
    }
  }
  EXPECT_TRUE(load_bytes(make_zip({})).empty());  // np.savez() with no arrays
}

TEST(Npz, TruncationAtEveryOffsetIsRejected) {
  for (int method : {0, 8}) {
    const auto zip = make_zip({{"x.npy", small_npy(), method}});
    ASSERT_EQ(error_of(zip), "");
    for (size_t n = 0; n < zip.size(); ++n)
      EXPECT_NE(error_of(std::vector<unsigned char>(zip.begin(), zip.begin() + n)), "")
          << n << " bytes, method " << method;
  }
}

// Offset of the first occurrence of a 4-byte little-endian signature.
size_t find_sig(const std::vector<unsigned char> &zip, uint32_t sig) {
  for (size_t i = 0; i + 4 <= zip.size(); ++i)
    if ((zip[i] | zip[i + 1] << 8 | zip[i + 2] << 16 | uint32_t{zip[i + 3]} << 24) == sig) return i;
  throw std::runtime_error("signature not found");
}

TEST(Npz, CorruptArchivesAreRejected) {
  const auto stored = make_zip({{"x.npy", small_npy(), 0}});
  const auto deflated = make_zip({{"x.npy", small_npy(50), 8}});
  const size_t cd = find_sig(stored, 0x02014b50), end = find_sig(stored, 0x06054b50);
  auto patched = [](std::vector<unsigned char> z, size_t at, std::vector<unsigned char> bytes) {
    std::copy(bytes.begin(), bytes.end(), z.begin() + static_cast<ptrdiff_t>(at));
    return z;
  };
  struct Case {
    const char *what;
    std::vector<unsigned char> zip;
    const char *message;
  };
  const Case cases[] = {
      {"not a zip", small_npy(), "not a zip archive"},
      {"empty", {}, "not a zip archive"},
      {"data byte flipped", patched(stored, 30 + 5 + 20, {0x55}), "CRC mismatch"},
      {"compressed byte flipped", patched(deflated, 30 + 5 + 3, {0xff}), ""},
      {"method 12 (bzip2)", patched(stored, cd + 10, {12, 0}), "unsupported compression method"},
      {"encrypted", patched(stored, cd + 8, {1, 0}), "encrypted"},
      {"bad local signature", patched(stored, 0, {'X'}), "bad local header"},
      {"local offset past the end", patched(stored, cd + 42, {0xff, 0xff, 0, 0}), ""},
      {"compressed size past the end", patched(stored, cd + 20, {0xff, 0xff, 0xff, 0x7f}), ""},
      {"stored sizes differ", patched(stored, cd + 24, {1, 0, 0, 0}), ""},
      {"central directory offset past the end", patched(stored, end + 16, {0xff, 0xff, 0, 0}),
       "central directory outside the file"},
      {"central directory size too big", patched(stored, end + 12, {0xff, 0xff, 0, 0}),
       "central directory outside the file"},
      {"entry count too big", patched(stored, end + 8, {9, 0, 9, 0}), "central directory entry"},
      {"multi-disk", patched(stored, end + 4, {1, 0}), "multi-disk"},
      {"name length overruns", patched(stored, cd + 28, {0xff, 0xff}), "overruns"},
      {"local name differs", patched(stored, 30, {'y'}), "names differ"},
      {"implausible uncompressed size",
       patched(deflated, find_sig(deflated, 0x02014b50) + 24, {0xff, 0xff, 0xff, 0x7f}),
       "implausible"},
      {"duplicate names", make_zip({{"x.npy", small_npy(), 0}, {"x", small_npy(), 0}}),
       "duplicate entry"},
      {"entry is not a .npy file", make_zip({{"x.npy", {'h', 'i'}, 8}}), "entry 'x.npy'"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    const std::string m = error_of(c.zip);
    EXPECT_NE(m, "");
    EXPECT_NE(m.find(c.message), std::string::npos) << m;
  }
}

TEST(Npz, OverlappingEntriesAreRejected) {
  // Two central directory entries that share one local entry: the shape of an
  // "overlapping" zip bomb.
  auto zip = make_zip({{"a.npy", small_npy(), 0}, {"b.npy", small_npy(), 0}});
  const size_t cd = find_sig(zip, 0x02014b50);
  const size_t second =
      find_sig(std::vector<unsigned char>(zip.begin() + cd + 4, zip.end()), 0x02014b50) + cd + 4;
  for (int i = 0; i < 4; ++i) zip[second + 42 + i] = 0;  // local offset of "b" -> that of "a"
  zip[second + 46] = 'a';                                // and the name to match that local header
  EXPECT_NE(error_of(zip).find("overlap"), std::string::npos);
}

TEST(Npz, MissingFileIsReported) {
  EXPECT_THROW(load_npz("/nonexistent/dir/x.npz"), Error);
}

}  // namespace
}  // namespace crgb_test
