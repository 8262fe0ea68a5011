// The .npy reader and writer (cli/npy.h): round trips of every dtype and format
// version, and a clean npy::Error, never a crash, for every malformed input.
#include "npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "npy_builder.h"
#include "test_files.h"

namespace crgb_test {
namespace {

using crgb::npy::Array;
using crgb::npy::Error;
using crgb::npy::load_npy;
using crgb::npy::parse_npy;
using crgb::npy::save_npy;

struct DtypeCase {
  const char *descr;
  crgb_dtype dtype;
  int size;
};

const DtypeCase kDtypes[] = {
    {"|u1", CRGB_UINT8, 1},    {"<u2", CRGB_UINT16, 2},  {"|i1", CRGB_INT8, 1},
    {"<i2", CRGB_INT16, 2},    {"<i4", CRGB_INT32, 4},   {"<i8", CRGB_INT64, 8},
    {"<f2", CRGB_FLOAT16, 2},  {"<f4", CRGB_FLOAT32, 4}, {"<f8", CRGB_FLOAT64, 8},
    {"<V2", CRGB_BFLOAT16, 2},  // ml_dtypes' bfloat16, as its np.save writes it
};

// Six values per dtype whose bytes differ from each other and across positions.
std::vector<unsigned char> payload(int size) {
  return le_bytes({0, 1, -2, 0x1234, -0x5678, 0x0102030405060708}, size);
}

Array parse(const std::vector<unsigned char> &bytes) {
  // An exact-size heap copy, so a sanitizer build sees any read past the end.
  std::vector<unsigned char> copy(bytes);
  return parse_npy(copy.data(), copy.size(), "test.npy");
}

// The message of the npy::Error that parsing `bytes` throws ("" if none).
std::string error_of(const std::vector<unsigned char> &bytes) {
  try {
    parse(bytes);
  } catch (const Error &e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    return m;
  }
  return "";
}

std::string error_for_dict(const std::string &dict, const std::vector<unsigned char> &data = {}) {
  return error_of(make_npy(1, dict, data));
}

TEST(Npy, RoundTripsEveryDtypeAndVersion) {
  for (const DtypeCase &c : kDtypes) {
    for (int major : {1, 2, 3}) {
      SCOPED_TRACE(std::string(c.descr) + " v" + std::to_string(major));
      const auto data = payload(c.size);
      const Array a = parse(make_npy(major, npy_dict(c.descr, {2, 3}), data));
      EXPECT_EQ(a.dtype, c.dtype);
      EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
      EXPECT_EQ(a.bytes, data);
      EXPECT_EQ(a.size(), 6);
    }
  }
}

TEST(Npy, AcceptsOtherByteOrderSpellings) {
  struct Case {
    const char *descr;
    crgb_dtype dtype;
    int size;
  };
  const Case cases[] = {
      {"<u1", CRGB_UINT8, 1}, {"=u1", CRGB_UINT8, 1},   {">u1", CRGB_UINT8, 1},
      {"u1", CRGB_UINT8, 1},  {"<i1", CRGB_INT8, 1},    {"=i1", CRGB_INT8, 1},
      {">i1", CRGB_INT8, 1},  {"=f4", CRGB_FLOAT32, 4}, {"f8", CRGB_FLOAT64, 8},
      {"=i8", CRGB_INT64, 8}, {"|i2", CRGB_INT16, 2},   {"=f2", CRGB_FLOAT16, 2},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.descr);
    const Array a = parse(make_npy(1, npy_dict(c.descr, {6}), payload(c.size)));
    EXPECT_EQ(a.dtype, c.dtype);
    EXPECT_EQ(a.bytes, payload(c.size));
  }
}

TEST(Npy, AcceptsHeaderVariationsNumPyAccepts) {
  const std::vector<unsigned char> four = le_bytes({1, 2, 3, 4}, 4);
  const char *dicts[] = {
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2)}",
      "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2, 2,)}",
      "{'shape': (2, 2), 'fortran_order': False, 'descr': '<i4'}",
      "  {\n 'descr' :'<i4',\t'fortran_order':False,'shape':( 2 ,2 )\r\n}  ",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 2L), }",  // Python 2
  };
  for (const char *d : dicts) {
    SCOPED_TRACE(d);
    const Array a = parse(make_npy(1, d, four));
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(a.bytes, four);
  }
}

TEST(Npy, ShapesOfEveryRankUpToTheMaximum) {
  // 0-d, 1-d, ..., 8-d; a zero extent anywhere makes the array empty.
  EXPECT_EQ(parse(make_npy(1, npy_dict("<f4", {}), le_bytes({7}, 4))).size(), 1);
  EXPECT_EQ(parse(make_npy(1, npy_dict("<f4", {0}), {})).size(), 0);
  EXPECT_EQ(parse(make_npy(1, npy_dict("<f4", {0, 4}), {})).shape, (std::vector<int64_t>{0, 4}));
  const std::vector<int64_t> rank8 = {1, 2, 1, 1, 3, 1, 1, 1};
  EXPECT_EQ(parse(make_npy(1, npy_dict("|u1", rank8), std::vector<unsigned char>(6))).shape, rank8);
  // Huge extents next to a zero are fine: the array holds no data.
  const int64_t big = int64_t{1} << 62;
  EXPECT_EQ(parse(make_npy(1, npy_dict("<f8", {big, big, 0}), {})).size(), 0);
}

TEST(Npy, FortranOrderIsRejectedAboveRankOne) {
  EXPECT_NE(error_for_dict(npy_dict("<f4", {2, 2}, true), le_bytes({1, 2, 3, 4}, 4))
                .find("fortran_order"),
            std::string::npos);
  // For rank <= 1 both orders are the same layout.
  EXPECT_EQ(parse(make_npy(1, npy_dict("<f4", {2}, true), le_bytes({1, 2}, 4))).size(), 2);
}

TEST(Npy, BigEndianIsRejected) {
  for (const char *descr : {">f4", ">i2", ">u2", ">i4", ">i8", ">f2", ">f8"}) {
    const std::string m = error_for_dict(npy_dict(descr, {2}), std::vector<unsigned char>(16));
    EXPECT_NE(m.find("big-endian"), std::string::npos) << m;
    EXPECT_NE(m.find(descr), std::string::npos) << m;
  }
}

TEST(Npy, UnsupportedDtypesAreNamed) {
  // Voids other than ml_dtypes' exact "<V2" (a plain np.void(2) is "|V2";
  // ml_dtypes' 1-byte float8 and int4 types are "<V1") are not bfloat16.
  for (const char *descr : {"|V2", "=V2", "V2", ">V2", "<V1", "<V4", "<V"}) {
    const std::string m = error_for_dict(npy_dict(descr, {1}), std::vector<unsigned char>(16));
    EXPECT_NE(m.find("unsupported dtype '" + std::string(descr) + "' (void)"), std::string::npos)
        << m;
    EXPECT_NE(m.find("bfloat16 (as ml_dtypes writes it, '<V2')"), std::string::npos) << m;
  }
  for (const char *descr : {"|b1", "<c8", "<c16", "|O", "<U3", "|S3", "<u4", "<u8", "|V8",
                            "<M8[ns]", "<m8[s]", "<f16", "<i3", "<x4", "", "<", "<f"}) {
    SCOPED_TRACE(descr);
    const std::string m = error_for_dict(npy_dict(descr, {1}), std::vector<unsigned char>(16));
    EXPECT_NE(m.find("unsupported dtype '" + std::string(descr) + "'"), std::string::npos) << m;
  }
  EXPECT_NE(error_for_dict(npy_dict("|b1", {1}), {1}).find("bool"), std::string::npos);
  // Structured arrays: the descr is a list of fields.
  EXPECT_NE(error_for_dict("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }",
                           {0, 0, 0, 0})
                .find("unsupported dtype"),
            std::string::npos);
}

TEST(Npy, MalformedHeadersAreRejected) {
  const char *dicts[] = {
      "",
      "{",
      "}",
      "{}",
      "[]",
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'shape': (1,)}",
      "{'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}",  // an int, not a tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1.0,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0x1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (+1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775808,)}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}",
      "{'descr': <f4, 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4\", 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}",
      "{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}",
      "{descr: '<f4', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}}",
      "{'descr': '<f4',, 'fortran_order': False, 'shape': (1,)}",
      "{, 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",
  };
  for (const char *d : dicts) {
    SCOPED_TRACE(d);
    EXPECT_NE(error_for_dict(d, {0, 0, 0, 0}), "");
  }
  // A NUL byte inside the header.
  using namespace std::string_literals;
  EXPECT_NE(
      error_for_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\0"s, {0, 0, 0, 0}),
      "");
  EXPECT_NE(
      error_for_dict("{'descr': '<f4', 'fortran_order': \0False, 'shape': (1,), }"s, {0, 0, 0, 0}),
      "");
}

TEST(Npy, RankAboveTheMaximumIsRejected) {
  const std::string m =
      error_for_dict(npy_dict("|u1", std::vector<int64_t>(CRGB_MAX_RANK + 1, 1)), {0});
  EXPECT_NE(m.find("rank 9"), std::string::npos) << m;
  EXPECT_NE(error_for_dict(npy_dict("|u1", std::vector<int64_t>(100, 1)), {0}), "");
}

TEST(Npy, OverflowingShapesAreRejected) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t big = int64_t{1} << 62;
  for (const auto &shape : std::vector<std::vector<int64_t>>{
           {big, big}, {big, 4}, {max, 2}, {max, max, max}, {1 << 20, 1 << 20, 1 << 20, 1 << 20}}) {
    const std::string m = error_for_dict(npy_dict("<f8", shape), std::vector<unsigned char>(8));
    EXPECT_NE(m.find("too large"), std::string::npos) << m;
  }
  // No overflow, just far more data than the file has.
  EXPECT_NE(error_for_dict(npy_dict("|u1", {max}), {1}).find("truncated data"), std::string::npos);
}

TEST(Npy, DataSizeMustMatchTheShapeExactly) {
  EXPECT_NE(error_for_dict(npy_dict("<f4", {2}), le_bytes({1}, 4)).find("truncated data"),
            std::string::npos);
  EXPECT_NE(error_for_dict(npy_dict("<f4", {2}), le_bytes({1, 2, 3}, 4)).find("trailing data"),
            std::string::npos);
  EXPECT_NE(error_for_dict(npy_dict("<f4", {0}), {0}).find("trailing data"), std::string::npos);
}

TEST(Npy, BadMagicAndVersionsAreRejected) {
  std::vector<unsigned char> good = make_npy(1, npy_dict("<f4", {1}), le_bytes({1}, 4));
  EXPECT_NE(error_of({}).find("empty"), std::string::npos);
  for (size_t i = 0; i < 6; ++i) {
    std::vector<unsigned char> bad = good;
    bad[i] ^= 0x20;
    EXPECT_NE(error_of(bad).find("bad magic"), std::string::npos);
  }
  EXPECT_NE(error_of({'P', 'K', 3, 4}).find("bad magic"), std::string::npos);
  for (auto [major, minor] : {std::pair{0, 0}, {4, 0}, {1, 1}, {2, 5}, {255, 255}}) {
    std::vector<unsigned char> bad = good;
    bad[6] = static_cast<unsigned char>(major);
    bad[7] = static_cast<unsigned char>(minor);
    EXPECT_NE(error_of(bad).find("unsupported .npy format version"), std::string::npos);
  }
}

TEST(Npy, TruncationAtEveryOffsetIsRejected) {
  for (int major : {1, 2, 3}) {
    const std::vector<unsigned char> good =
        make_npy(major, npy_dict("<i2", {3}), le_bytes({1, 2, 3}, 2));
    ASSERT_EQ(error_of(good), "");
    for (size_t n = 0; n < good.size(); ++n) {
      const std::string m = error_of(std::vector<unsigned char>(good.begin(), good.begin() + n));
      EXPECT_NE(m, "") << "prefix of " << n << " bytes, version " << major;
      EXPECT_EQ(m.rfind("test.npy: ", 0), 0u) << m;
    }
  }
}

TEST(Npy, HeaderLengthBeyondTheFileIsRejected) {
  std::vector<unsigned char> v1 = make_npy(1, npy_dict("<f4", {1}), le_bytes({1}, 4));
  v1[8] = 0xff;
  v1[9] = 0xff;
  EXPECT_NE(error_of(v1).find("truncated header"), std::string::npos);
  std::vector<unsigned char> v2 = make_npy(2, npy_dict("<f4", {1}), le_bytes({1}, 4));
  v2[11] = 0xff;  // ~4 GiB
  EXPECT_NE(error_of(v2).find("truncated header"), std::string::npos);
}

TEST(Npy, LoadsFromFilesAndReportsMissingOnes) {
  TempDir dir;
  const auto data = payload(8);
  write_bytes(dir.file("a.npy"), make_npy(1, npy_dict("<f8", {3, 2}), data));
  const Array a = load_npy(dir.file("a.npy"));
  EXPECT_EQ(a.dtype, CRGB_FLOAT64);
  EXPECT_EQ(a.bytes, data);

  try {
    load_npy(dir.file("missing\nname.npy"));
    FAIL() << "no error";
  } catch (const Error &e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cannot open"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;  // the newline in the name is escaped
  }
  EXPECT_THROW(load_npy(dir.path()), Error);  // a directory
  write_bytes(dir.file("empty.npy"), {});
  EXPECT_THROW(load_npy(dir.file("empty.npy")), Error);
}

TEST(Npy, TensorDescribesTheArray) {
  const Array a = parse(make_npy(1, npy_dict("<i2", {1, 3}), le_bytes({1, 2, 3}, 2)));
  const crgb_tensor t = a.tensor();
  EXPECT_EQ(t.data, a.bytes.data());
  EXPECT_EQ(t.dtype, CRGB_INT16);
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 1);
  EXPECT_EQ(t.shape[1], 3);
  EXPECT_EQ(t.device, CRGB_DEVICE_HOST);
  // An empty array still gets a non-null data pointer.
  const Array e = parse(make_npy(1, npy_dict("<f4", {0, 4}), {}));
  EXPECT_NE(e.tensor().data, nullptr);
  EXPECT_EQ(e.tensor().rank, 2);
}

TEST(NpySave, WritesVersionOneFloat32ThatReadsBack) {
  TempDir dir;
  const std::vector<float> values = {
      1.5f, -0.0f, std::numeric_limits<float>::infinity(), std::nanf(""), 3e-42f, 7.f, 8.f, -9.f};
  save_npy(dir.file("o.npy"), values.data(), {2, 4});
  const Bytes bytes = read_bytes(dir.file("o.npy"));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  const size_t header_len = bytes[8] | (bytes[9] << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned as NumPy aligns it
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_EQ(std::string(bytes.begin() + 10, bytes.begin() + 10 + header_len)
                .find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }"),
            0u);
  const Array a = load_npy(dir.file("o.npy"));
  EXPECT_EQ(a.dtype, CRGB_FLOAT32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(a.bytes, le_bytes_of(values));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"o.npy"});  // no temporary left over

  save_npy(dir.file("e.npy"), nullptr, {0, 4});
  EXPECT_EQ(load_npy(dir.file("e.npy")).shape, (std::vector<int64_t>{0, 4}));
  save_npy(dir.file("s.npy"), values.data(), {});
  EXPECT_EQ(load_npy(dir.file("s.npy")).size(), 1);
  save_npy(dir.file("v.npy"), values.data(), {3});
  EXPECT_EQ(load_npy(dir.file("v.npy")).shape, (std::vector<int64_t>{3}));
}

TEST(NpySave, ReplacesAnExistingFile) {
  TempDir dir;
  write_bytes(dir.file("o.npy"), {'o', 'l', 'd'});
  const float v[4] = {1, 2, 3, 4};
  save_npy(dir.file("o.npy"), v, {1, 4});
  EXPECT_EQ(load_npy(dir.file("o.npy")).size(), 4);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"o.npy"});
}

TEST(NpySave, FailuresLeaveNothingBehind) {
  TempDir dir;
  const float v[4] = {1, 2, 3, 4};
  EXPECT_THROW(save_npy(dir.file("no/such/dir/o.npy"), v, {1, 4}), Error);
  EXPECT_THROW(save_npy(dir.file("o.npy"), v, {-1, 4}), Error);
  EXPECT_THROW(save_npy(dir.file("o.npy"), nullptr, {1, 4}), Error);
  EXPECT_TRUE(dir.list().empty());
  // Renaming over a directory fails after the data was written: the temporary
  // file must be cleaned up and the directory left alone.
  std::filesystem::create_directory(dir.file("d.npy"));
  EXPECT_THROW(save_npy(dir.file("d.npy"), v, {1, 4}), Error);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"d.npy"});
}

// Every dtype is written with the descr NumPy (for bfloat16, ml_dtypes)
// writes, its bytes as given, and reads back as it was.
TEST(NpySave, WritesEveryDtypeWithNumPysDescr) {
  TempDir dir;
  for (const DtypeCase &c : kDtypes) {
    SCOPED_TRACE(c.descr);
    const std::string descr = c.descr;  // kDtypes spells each as NumPy writes it
    EXPECT_EQ(crgb::npy::descr_of(c.dtype), descr);
    const auto data = payload(c.size);
    save_npy(dir.file("o.npy"), data.data(), c.dtype, {3, 2});
    const Bytes bytes = read_bytes(dir.file("o.npy"));
    EXPECT_EQ(bytes, make_npy(1, npy_dict(descr, {3, 2}), data));
    const Array a = load_npy(dir.file("o.npy"));
    EXPECT_EQ(a.dtype, c.dtype);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(a.bytes, data);
  }
  save_npy(dir.file("e.npy"), nullptr, CRGB_BFLOAT16, {0, 5});
  EXPECT_EQ(load_npy(dir.file("e.npy")).shape, (std::vector<int64_t>{0, 5}));
  const float one = 1;
  EXPECT_THROW(save_npy(dir.file("x.npy"), &one, static_cast<crgb_dtype>(15), {1}), Error);
  EXPECT_THROW(crgb::npy::descr_of(static_cast<crgb_dtype>(15)), Error);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"e.npy", "o.npy"}));
}

}  // namespace
}  // namespace crgb_test
