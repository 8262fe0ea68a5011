// `crgb crop-and-resize` and `crgb grad-image`, run as child processes: results
// checked against expectations computed here from what the ops mean (an
// identity crop reproduces the image, its gradient returns the grads, a
// constant image gives a constant crop, samples outside the image take the
// extrapolation value), equal to the library's bit for bit, every output dtype
// written as NumPy (and ml_dtypes) write it, and every bad input refused with
// exit status 2, one "<Class>: <message>" line and no output file.
#include <gtest/gtest.h>

#include <cmath>
#include <crgb/crgb.hpp>
#include <cstring>
#include <random>

#include "cli_runner.h"
#include "npy.h"
#include "npy_builder.h"
#include "support/variants.h"
#include "test_files.h"

namespace crgb_test {
namespace {

// ---- Expected bits, computed without the library --------------------------

uint32_t float_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// The bfloat16 bits of a float that bfloat16 holds exactly (its upper half).
uint16_t exact_bfloat16(float f) {
  EXPECT_EQ(float_bits(f) & 0xffff, 0u) << f << " is not a bfloat16";
  return static_cast<uint16_t>(float_bits(f) >> 16);
}

// The IEEE binary16 bits of a value that float16 holds exactly (zero or normal).
uint16_t exact_float16(double v) {
  const uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (v == 0) return sign;
  int e = 0;
  const double m = std::frexp(std::fabs(v), &e);  // |v| = m * 2^e, m in [0.5, 1)
  const double mantissa = (2 * m - 1) * 1024;     // the 10 fraction bits
  EXPECT_EQ(mantissa, std::floor(mantissa)) << v << " is not a float16";
  EXPECT_TRUE(e - 1 >= -14 && e - 1 <= 15) << v << " is not a normal float16";
  return static_cast<uint16_t>(sign | ((e - 1 + 15) << 10) | static_cast<uint16_t>(mantissa));
}

// Little-endian bytes of `values` as `dtype` (float16, float32, float64 or
// bfloat16); each value must be exact in that dtype.
Bytes encode(const std::vector<double> &values, crgb_dtype dtype) {
  std::vector<int64_t> bits;
  for (double v : values) {
    if (dtype == CRGB_FLOAT16) bits.push_back(exact_float16(v));
    if (dtype == CRGB_BFLOAT16) bits.push_back(exact_bfloat16(static_cast<float>(v)));
    if (dtype == CRGB_FLOAT32) {
      EXPECT_EQ(static_cast<float>(v), v);
      bits.push_back(float_bits(static_cast<float>(v)));
    }
    if (dtype == CRGB_FLOAT64) {
      uint64_t b;
      std::memcpy(&b, &v, 8);
      bits.push_back(static_cast<int64_t>(b));
    }
  }
  return le_bytes(bits, crgb_dtype_size(dtype));
}

// ---- Problems and files ----------------------------------------------------

struct Shape4 {
  int64_t n, h, w, d;
  int64_t count() const { return n * h * w * d; }
  std::vector<int64_t> dims() const { return {n, h, w, d}; }
  std::string flag() const {
    return std::to_string(n) + "," + std::to_string(h) + "," + std::to_string(w) + "," +
           std::to_string(d);
  }
};

void write_npy(const TempDir &dir, const std::string &name, const std::string &descr,
               const std::vector<int64_t> &shape, const Bytes &data) {
  write_bytes(dir.file(name), make_npy(1, npy_dict(descr, shape), data));
}

// Boxes (rows of 4) and their image indices, as b.npy and k.npy.
void write_boxes(const TempDir &dir, const std::vector<float> &boxes,
                 const std::vector<int32_t> &box_ind) {
  write_npy(dir, "b.npy", "<f4", {static_cast<int64_t>(box_ind.size()), 4}, le_bytes_of(boxes));
  write_npy(dir, "k.npy", "<i4", {static_cast<int64_t>(box_ind.size())}, le_bytes_of(box_ind));
}

std::vector<std::string> crop_args(const TempDir &dir, const std::string &crop_size) {
  return {"crop-and-resize", "--image",   dir.file("i.npy"), "--boxes",
          dir.file("b.npy"), "--box-ind", dir.file("k.npy"), "--crop-size",
          crop_size,         "--out",     dir.file("o.npy")};
}

std::vector<std::string> grad_image_args(const TempDir &dir, const std::string &image_size) {
  return {"grad-image",      "--grads",   dir.file("g.npy"), "--boxes",
          dir.file("b.npy"), "--box-ind", dir.file("k.npy"), "--image-size",
          image_size,        "--out",     dir.file("o.npy")};
}

// Runs args, expecting success and an o.npy of `descr` and `shape`; returns it.
crgb::npy::Array run_ok(const TempDir &dir, const std::vector<std::string> &args,
                        const std::string &descr, const std::vector<int64_t> &shape) {
  const Result r = run_cli(dir, args);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "");
  if (r.status != 0) return {};
  // The header as NumPy writes it, at the start of a version 1.0 file.
  const Bytes file = read_bytes(dir.file("o.npy"));
  const std::string dict = npy_dict(descr, shape);
  EXPECT_GE(file.size(), 10 + dict.size());
  EXPECT_EQ(std::string(file.begin() + 10, file.begin() + 10 + dict.size()), dict);
  return crgb::npy::load_npy(dir.file("o.npy"));
}

std::vector<float> floats_of(const crgb::npy::Array &a) {
  std::vector<float> v(a.bytes.size() / 4);
  if (!v.empty()) std::memcpy(v.data(), a.bytes.data(), v.size() * 4);
  return v;
}

// The names of the variants that implement `op` for `dtype` (the image's;
// grad_image: the output's) and run here ("" first: automatic).
std::vector<std::string> variants_with(crgb_op op, crgb_dtype dtype = CRGB_FLOAT32) {
  std::vector<std::string> names = {""};
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0 && info.available && (info.ops & (1 << op)) &&
        crgb_test::built_for(info.name, op, dtype))
      names.push_back(info.name);
  }
  return names;
}

// Flags naming `variant` (none for automatic).
std::vector<std::string> variant_flag(const std::string &variant) {
  return variant.empty() ? std::vector<std::string>{}
                         : std::vector<std::string>{"--variant", variant};
}

const Shape4 kImage = {2, 5, 6, 3};
const std::vector<float> kWholeImage = {0, 0, 1, 1};

// Nonzero quarter-integers in [-10, 10]: exact in every float dtype, and so
// are their sums of a few (no -0, which + 0 would turn into +0).
std::vector<double> quarter_integers(int64_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<double> v;
  for (int64_t i = 0; i < count; ++i) {
    const int k = static_cast<int>(rng() % 80) - 40;
    v.push_back((k == 0 ? 1 : k) / 4.0);
  }
  return v;
}

// ---- crop-and-resize: results ---------------------------------------------

// Box [0, 0, 1, 1] sampled at the image's own size hits every pixel exactly
// (weights 0 and 1), so the crop is the image converted to float32, for
// either method, every image dtype and every variant.
TEST(CliCrop, IdentityCropReproducesTheImageExactly) {
  struct Case {
    const char *descr;
    crgb_dtype dtype;
  };
  for (const Case &c :
       {Case{"|u1", CRGB_UINT8}, Case{"<i2", CRGB_INT16}, Case{"<f2", CRGB_FLOAT16},
        Case{"<f4", CRGB_FLOAT32}, Case{"<f8", CRGB_FLOAT64}, Case{"<V2", CRGB_BFLOAT16}}) {
    TempDir dir;
    std::vector<double> pixels;
    Bytes image;
    std::mt19937 rng(3);
    for (int64_t i = 0; i < kImage.count(); ++i) {
      if (c.dtype == CRGB_FLOAT32) {
        pixels.push_back(std::ldexp(static_cast<double>(rng() % (1 << 24)), -12) - 2000);
      } else if (c.dtype == CRGB_UINT8) {
        pixels.push_back(static_cast<double>(rng() % 256));
      } else {
        pixels.push_back(static_cast<double>(static_cast<int>(rng() % 401) - 200));
      }
    }
    if (c.dtype == CRGB_UINT8 || c.dtype == CRGB_INT16) {
      image =
          le_bytes(std::vector<int64_t>(pixels.begin(), pixels.end()), crgb_dtype_size(c.dtype));
    } else {
      image = encode(pixels, c.dtype);
    }
    write_npy(dir, "i.npy", c.descr, kImage.dims(), image);
    // Box b crops image b % 2; three boxes, so image 0 comes out twice.
    write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, {0, 1, 0});
    std::vector<double> want;
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t per_image = kImage.count() / kImage.n;
      want.insert(want.end(), pixels.begin() + (b % 2) * per_image,
                  pixels.begin() + (b % 2 + 1) * per_image);
    }
    for (const char *method : {"bilinear", "nearest"}) {
      for (const std::string &variant : variants_with(CRGB_OP_CROP_AND_RESIZE, c.dtype)) {
        SCOPED_TRACE(std::string(c.descr) + " " + method + " variant '" + variant + "'");
        const auto a = run_ok(
            dir, plus(plus(crop_args(dir, "5,6"), {"--method", method}), variant_flag(variant)),
            "<f4", {3, 5, 6, 3});
        EXPECT_EQ(a.dtype, CRGB_FLOAT32);
        EXPECT_EQ(a.bytes, encode(want, CRGB_FLOAT32));
      }
    }
  }
}

// Bilinear interpolation of equal corners is that value, and nearest picks
// one: any box inside the image, flipped or not, gives a constant crop.
TEST(CliCrop, ConstantImageGivesAConstantCrop) {
  TempDir dir;
  write_npy(dir, "i.npy", "<f4", kImage.dims(),
            le_bytes_of(std::vector<float>(kImage.count(), 2.5f)));
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  std::vector<float> boxes;
  std::vector<int32_t> box_ind;
  for (int b = 0; b < 6; ++b) {
    for (int j = 0; j < 4; ++j) boxes.push_back(unit(rng));
    box_ind.push_back(b % 2);
  }
  write_boxes(dir, boxes, box_ind);
  for (const char *method : {"bilinear", "nearest"}) {
    SCOPED_TRACE(method);
    const auto a = run_ok(dir, plus(crop_args(dir, "7,3"), {"--method", method, "--threads", "2"}),
                          "<f4", {6, 7, 3, 3});
    EXPECT_EQ(floats_of(a), std::vector<float>(6 * 7 * 3 * 3, 2.5f));
  }
}

// A box wholly outside the image samples nothing of it: every value is the
// extrapolation value (0 by default). A box reaching above the image takes
// it for the rows outside and the image's own rows elsewhere.
TEST(CliCrop, ExtrapolationValueFillsSamplesOutsideTheImage) {
  TempDir dir;
  std::vector<float> pixels;
  for (int64_t i = 0; i < kImage.count(); ++i) pixels.push_back(static_cast<float>(i));
  write_npy(dir, "i.npy", "<f4", kImage.dims(), le_bytes_of(pixels));
  const int64_t row = kImage.w * kImage.d;  // floats per image row
  for (const char *method : {"bilinear", "nearest"}) {
    SCOPED_TRACE(method);
    write_boxes(dir, {1.5f, 1.5f, 2.5f, 3.0f, -2.0f, -1.0f, -1.5f, -0.5f}, {1, 0});
    auto a = run_ok(
        dir, plus(crop_args(dir, "4,3"), {"--method", method, "--extrapolation-value", "-3.25"}),
        "<f4", {2, 4, 3, 3});
    EXPECT_EQ(floats_of(a), std::vector<float>(2 * 4 * 3 * 3, -3.25f));
    a = run_ok(dir, plus(crop_args(dir, "4,3"), {"--method", method}), "<f4", {2, 4, 3, 3});
    EXPECT_EQ(floats_of(a), std::vector<float>(2 * 4 * 3 * 3, 0.0f));

    // y from -1 to 1 in 3 rows samples image rows -4 (outside), 0 and 4.
    write_boxes(dir, {-1, 0, 1, 1}, {1});
    a = run_ok(dir, plus(crop_args(dir, "3,6"), {"--method", method, "--extrapolation-value", "9"}),
               "<f4", {1, 3, 6, 3});
    std::vector<float> want(row, 9.f);
    const auto image1 = pixels.begin() + kImage.h * row;
    want.insert(want.end(), image1, image1 + row);
    want.insert(want.end(), image1 + 4 * row, image1 + 5 * row);
    EXPECT_EQ(floats_of(a), want);
  }
}

// Random boxes, some outside and flipped: the library's numbers bit for bit.
TEST(CliCrop, ResultEqualsTheLibrarysBitForBit) {
  TempDir dir;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  std::vector<float> pixels, boxes;
  for (int64_t i = 0; i < kImage.count(); ++i) pixels.push_back(100 * unit(rng));
  for (int i = 0; i < 4 * 5; ++i) boxes.push_back(0.5f + 0.7f * unit(rng));
  const std::vector<int32_t> box_ind = {0, 1, 1, 0, 1};
  write_npy(dir, "i.npy", "<f4", kImage.dims(), le_bytes_of(pixels));
  write_boxes(dir, boxes, box_ind);
  const crgb_tensor image = crgb::tensor(pixels.data(), kImage.dims()),
                    b = crgb::tensor(boxes.data(), {5, 4}), k = crgb::tensor(box_ind.data(), {5});
  const std::vector<int32_t> size = {4, 7};
  const crgb_tensor crop_size = crgb::tensor(size.data(), {2});
  for (const char *method : {"bilinear", "nearest"}) {
    for (const std::string &variant : variants_with(CRGB_OP_CROP_AND_RESIZE)) {
      SCOPED_TRACE(std::string(method) + " variant '" + variant + "'");
      std::vector<float> want(5 * 4 * 7 * 3);
      crgb_error err{};
      ASSERT_EQ(crgb_crop_and_resize(&image, &b, &k, &crop_size, method, 0.75f,
                                     variant.empty() ? nullptr : variant.c_str(), want.data(),
                                     static_cast<int64_t>(want.size()), &err),
                CRGB_OK)
          << err.message;
      const auto a = run_ok(
          dir,
          plus(plus(crop_args(dir, "4,7"), {"--method", method, "--extrapolation-value", "0.75"}),
               variant_flag(variant)),
          "<f4", {5, 4, 7, 3});
      EXPECT_EQ(a.bytes, le_bytes_of(want));
    }
  }
}

TEST(CliCrop, NoBoxesGiveAnEmptyResult) {
  TempDir dir;
  write_npy(dir, "i.npy", "<f4", kImage.dims(), Bytes(kImage.count() * 4));
  write_boxes(dir, {}, {});
  const auto a = run_ok(dir, crop_args(dir, "2,3"), "<f4", {0, 2, 3, 3});
  EXPECT_EQ(a.size(), 0);
}

// ---- grad-image: results ---------------------------------------------------

const crgb_dtype kOutputDtypes[] = {CRGB_FLOAT32, CRGB_FLOAT16, CRGB_FLOAT64, CRGB_BFLOAT16};

std::string descr_of(crgb_dtype dtype) {
  switch (dtype) {
    case CRGB_FLOAT16: return "<f2";
    case CRGB_FLOAT64: return "<f8";
    case CRGB_BFLOAT16: return "<V2";  // as ml_dtypes' np.save writes it
    default: return "<f4";
  }
}

// The gradient of the identity crop is the identity: each grad lands, with
// weight 1, on its own pixel, and two boxes on one image add up there. Every
// output dtype, method and variant; the values and their sums are exact in
// each dtype, so the expectation is exact too.
TEST(CliGradImage, IdentityCropGradientReturnsTheGradsInEveryDtype) {
  TempDir dir;
  const int64_t per_box = kImage.h * kImage.w * kImage.d;
  const std::vector<double> grads = quarter_integers(3 * per_box, 13);
  write_npy(dir, "g.npy", "<f4", {3, kImage.h, kImage.w, kImage.d}, encode(grads, CRGB_FLOAT32));
  // Boxes 0 and 2 on image 0, box 1 on image 1.
  write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, {0, 1, 0});
  std::vector<double> want(kImage.count(), 0.0);
  for (int64_t i = 0; i < per_box; ++i) {
    want[i] = grads[i] + grads[2 * per_box + i];
    want[per_box + i] = grads[per_box + i];
  }
  for (crgb_dtype dtype : kOutputDtypes) {
    for (const char *method : {"bilinear", "nearest"}) {
      for (const std::string &variant : variants_with(CRGB_OP_GRAD_IMAGE, dtype)) {
        SCOPED_TRACE(std::string(crgb_dtype_name(dtype)) + " " + method + " variant '" + variant +
                     "'");
        const auto a = run_ok(dir,
                              plus(plus(grad_image_args(dir, kImage.flag()),
                                        {"--dtype", crgb_dtype_name(dtype), "--method", method}),
                                   variant_flag(variant)),
                              descr_of(dtype), kImage.dims());
        EXPECT_EQ(a.dtype, dtype);
        EXPECT_EQ(a.shape, kImage.dims());
        EXPECT_EQ(a.bytes, encode(want, dtype));
      }
    }
  }
  // An image without boxes on it gets a zero gradient (+0 bits).
  write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, {0, 0, 0});
  const Shape4 three = {3, kImage.h, kImage.w, kImage.d};
  const auto a = run_ok(dir, plus(grad_image_args(dir, three.flag()), {"--dtype", "bfloat16"}),
                        "<V2", three.dims());
  ASSERT_EQ(a.bytes.size(), static_cast<size_t>(3 * per_box * 2));
  EXPECT_EQ(Bytes(a.bytes.begin() + per_box * 2, a.bytes.end()), Bytes(2 * per_box * 2, 0));
}

// The default dtype is float32; no boxes give a zero image of the asked shape.
TEST(CliGradImage, DefaultsAndNoBoxes) {
  TempDir dir;
  write_npy(dir, "g.npy", "<f4", {0, 2, 2, 3}, {});
  write_boxes(dir, {}, {});
  const auto a = run_ok(dir, grad_image_args(dir, "2,4,5,3"), "<f4", {2, 4, 5, 3});
  EXPECT_EQ(a.dtype, CRGB_FLOAT32);
  EXPECT_EQ(a.bytes, Bytes(2 * 4 * 5 * 3 * 4, 0));
}

TEST(CliGradImage, ResultEqualsTheLibrarysBitForBit) {
  TempDir dir;
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> unit(-1.f, 1.f);
  std::vector<float> grads, boxes;
  for (int i = 0; i < 5 * 3 * 4 * 3; ++i) grads.push_back(unit(rng));
  for (int i = 0; i < 4 * 5; ++i) boxes.push_back(0.5f + 0.7f * unit(rng));
  const std::vector<int32_t> box_ind = {1, 1, 0, 1, 0};
  write_npy(dir, "g.npy", "<f4", {5, 3, 4, 3}, le_bytes_of(grads));
  write_boxes(dir, boxes, box_ind);
  const crgb_tensor g = crgb::tensor(grads.data(), {5, 3, 4, 3}),
                    b = crgb::tensor(boxes.data(), {5, 4}), k = crgb::tensor(box_ind.data(), {5});
  const std::vector<int32_t> size = {2, 5, 6, 3};
  const crgb_tensor image_size = crgb::tensor(size.data(), {4});
  for (crgb_dtype dtype : kOutputDtypes) {
    for (const char *method : {"bilinear", "nearest"}) {
      SCOPED_TRACE(std::string(crgb_dtype_name(dtype)) + " " + method);
      Bytes want(static_cast<size_t>(kImage.count() * crgb_dtype_size(dtype)));
      crgb_error err{};
      ASSERT_EQ(crgb_grad_image(&g, &b, &k, &image_size, dtype, method, "reference", want.data(),
                                kImage.count(), &err),
                CRGB_OK)
          << err.message;
      const auto a = run_ok(dir,
                            plus(grad_image_args(dir, "2,5,6,3"),
                                 {"--dtype", crgb_dtype_name(dtype), "--method", method,
                                  "--variant", "reference", "--threads", "3"}),
                            descr_of(dtype), kImage.dims());
      EXPECT_EQ(a.bytes, want);
    }
  }
}

// ---- Failures --------------------------------------------------------------

// A valid crop-and-resize problem in dir.
std::vector<std::string> crop_problem(const TempDir &dir) {
  write_npy(dir, "i.npy", "<f4", kImage.dims(), Bytes(kImage.count() * 4));
  write_boxes(dir, {0, 0, 1, 1, 0.2f, 0.1f, 0.9f, 0.7f}, {0, 1});
  return crop_args(dir, "3,4");
}

// A valid grad-image problem in dir.
std::vector<std::string> grad_image_problem(const TempDir &dir) {
  write_npy(dir, "g.npy", "<f4", {2, 3, 4, 3}, Bytes(2 * 3 * 4 * 3 * 4));
  write_boxes(dir, {0, 0, 1, 1, 0.2f, 0.1f, 0.9f, 0.7f}, {0, 1});
  return grad_image_args(dir, kImage.flag());
}

// The flags the two commands share parse alike. A --crop-size or
// --image-size list of the wrong length reaches the op as a tensor of that
// length, which refuses it in TensorFlow's words; what is not a list of int32
// values is the tool's to refuse.
TEST(CliOps, SharedFlags) {
  TempDir dir;
  struct Case {
    std::string command;
    std::vector<std::string> args, required;
    std::string list_flag, tensor_message;
    int count;  // the length list_flag must have
  };
  const Case cases[] = {
      {"crop-and-resize",
       crop_problem(dir),
       {"--image", "--boxes", "--box-ind", "--crop-size", "--out"},
       "--crop-size",
       "crop_size must have two elements",
       2},
      {"grad-image",
       grad_image_problem(dir),
       {"--grads", "--boxes", "--box-ind", "--image-size", "--out"},
       "--image-size",
       "image_size must have 4 elements",
       4},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.command);
    expect_each_flag_required(dir, c.args, c.command, c.required);
    const std::string see = " (see 'crgb " + c.command + " --help')";
    expect_failure_lines(
        dir,
        {
            {replacing(c.args, "--out", ""), "InvalidArgument: --out must not be empty"},
            {plus(c.args, {"--threads", "-1"}),
             "InvalidArgument: --threads must be an integer in [0, 65536], got '-1'"},
            {plus(c.args, {"--threads", "many"}),
             "InvalidArgument: --threads must be an integer in [0, 65536], got 'many'"},
            {plus(c.args, {"--method", "area"}),
             "InvalidArgument: method must be 'bilinear' or 'nearest'"},
            {plus(c.args, {"--nosuch", "1"}), "InvalidArgument: unknown flag '--nosuch'" + see},
            {plus(c.args, {c.list_flag, "3,4"}),
             "InvalidArgument: flag " + c.list_flag + " given twice" + see},
            {plus(c.args, {"--method"}), "InvalidArgument: flag --method needs a value" + see},
        });
    expect_failure(dir, plus(c.args, {"--variant", "nosuch"}),
                   "InvalidArgument: 'nosuch' names no variant of this build (");
    for (const auto &[list, count] : std::vector<std::pair<std::string, int>>{
             {"7", 1}, {"", 0}, {"1,2", 2}, {"1,2,3", 3}, {"1,2,3,4", 4}, {"+1,2,3,4,5", 5}}) {
      if (count == c.count) continue;
      expect_failure_line(
          dir, replacing(c.args, c.list_flag, list),
          "InvalidArgument: " + c.tensor_message + "[" + std::to_string(count) + "]");
    }
    for (const char *list : {"a,4", "3,,4", "3,4,", ",3", "3, 4", " 3,4", "3.5,4", "4x,3", "0x10"})
      expect_failure_line(dir, replacing(c.args, c.list_flag, list),
                          "InvalidArgument: " + c.list_flag +
                              " must be comma-separated integers, got '" + list + "'");
    for (const char *value : {"2147483648", "-2147483649", "4294967302", "99999999999999999999999"})
      expect_failure_line(
          dir, replacing(c.args, c.list_flag, std::string("3,") + value),
          "InvalidArgument: " + c.list_flag + " value '" + value + "' is outside the int32 range");
  }
}

TEST(CliCrop, BadFlagsAreInvalidArgument) {
  TempDir dir;
  const auto args = crop_problem(dir);
  const std::string see = " (see 'crgb crop-and-resize --help')";
  expect_failure_lines(
      dir,
      {
          {replacing(args, "--crop-size", "0,4"),
           "InvalidArgument: crop dimensions must be positive"},
          {replacing(args, "--crop-size", "3,-4"),
           "InvalidArgument: crop dimensions must be positive"},
          {plus(args, {"--extrapolation-value", "x"}),
           "InvalidArgument: --extrapolation-value must be a number, got 'x'"},
          {plus(args, {"--extrapolation-value", ""}),
           "InvalidArgument: --extrapolation-value must be a number, got ''"},
          {plus(args, {"--extrapolation-value", "1e40"}),
           "InvalidArgument: --extrapolation-value value '1e40' is outside the float32 range"},
          {plus(args, {"--grads", "g.npy"}), "InvalidArgument: unknown flag '--grads'" + see},
          {plus(args, {"--dtype", "float16"}), "InvalidArgument: unknown flag '--dtype'" + see},
      });
  // Ask for more than any machine holds: refused before anything is written.
  expect_failure_line(dir, replacing(args, "--crop-size", "2147483647,1000000"),
                      "InvalidArgument: cannot allocate the output, shape [2, 2147483647, "
                      "1000000, 3] of float32: too large for this machine's memory");
  // ... unless the op refuses the inputs first, as TensorFlow checks before it allocates.
  expect_failure_line(
      dir, plus(replacing(args, "--crop-size", "2147483647,1000000"), {"--method", "area"}),
      "InvalidArgument: method must be 'bilinear' or 'nearest'");
  // An element count past int64 is the op's to refuse.
  expect_failure(dir, replacing(args, "--crop-size", "2147483647,2147483647"), "InvalidArgument: ");
}

TEST(CliCrop, BadFilesAndInputsGiveOneLine) {
  TempDir dir;
  const auto args = crop_problem(dir);
  // An existing output survives every failure (expect_failure checks it).
  write_bytes(dir.file("o.npy"), {'k', 'e', 'e', 'p'});
  auto with_image = [&](const std::string &descr, const std::vector<int64_t> &shape,
                        const Bytes &data) { write_npy(dir, "i.npy", descr, shape, data); };
  with_image("<f4", {5, 6, 3}, Bytes(5 * 6 * 3 * 4));
  expect_failure_line(dir, args, "InvalidArgument: input image must be 4-D[5,6,3]");
  with_image("|V2", kImage.dims(), Bytes(kImage.count() * 2));  // a plain void, not bfloat16
  EXPECT_NE(expect_failure(dir, args, "InvalidArgument: --image: ")
                .find("unsupported dtype '|V2' (void)"),
            std::string::npos);
  write_bytes(dir.file("i.npy"), {'n', 'o', 't'});
  expect_failure(dir, args, "InvalidArgument: --image: ");
  std::filesystem::remove(dir.file("i.npy"));
  expect_failure(dir, args, "InvalidArgument: --image: cannot open");
  crop_problem(dir);

  write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1}, {0, 2});
  expect_failure_line(dir, args, "OutOfRange: box_index has values outside [0, batch_size)");
  write_boxes(dir, {0, 0, 1, 1, 0, std::nanf(""), 1, 1}, {0, 1});
  expect_failure_line(dir, args,
                      "InvalidArgument: Boxes contains at least one element that is not finite");
  write_npy(dir, "b.npy", "<f4", {2, 3}, Bytes(2 * 3 * 4));
  expect_failure_line(dir, args, "InvalidArgument: boxes must have 4 columns");
  write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1}, {0, 1});
  write_npy(dir, "k.npy", "<i8", {2}, le_bytes({0, 1}, 8));
  expect_failure_line(dir, args, "InvalidArgument: box_ind must be int32, got int64");
  write_npy(dir, "k.npy", "<i4", {3}, le_bytes({0, 1, 0}, 4));
  expect_failure_line(dir, args, "InvalidArgument: box_index has incompatible shape");
  crop_problem(dir);
  std::filesystem::remove(dir.file("o.npy"));
  expect_failure(dir, replacing(args, "--out", dir.file("no/such/dir/o.npy")),
                 "InvalidArgument: --out: cannot create");
}

// A variant named that lacks the op, or needs a GPU this machine lacks: the
// library's class and message, still exit status 2.
TEST(CliOps, VariantsWithoutTheOpOrDevice) {
  TempDir dir;
  const auto crop = crop_problem(dir);
  const auto grad = grad_image_problem(dir);
  int tried = 0;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    ASSERT_EQ(crgb_variant_get(i, &info), 0);
    const std::string name = info.name;
    if (!info.available) {
      expect_failure(dir, plus(crop, {"--variant", name}), "Unavailable: variant '" + name + "'");
      ++tried;
      continue;
    }
    if (!(info.ops & (1 << CRGB_OP_CROP_AND_RESIZE))) {
      expect_failure_line(
          dir, plus(crop, {"--variant", name}),
          "Unimplemented: variant '" + name + "' does not implement crop_and_resize");
      ++tried;
    }
    if (!(info.ops & (1 << CRGB_OP_GRAD_IMAGE))) {
      expect_failure_line(dir, plus(grad, {"--variant", name}),
                          "Unimplemented: variant '" + name + "' does not implement grad_image");
      ++tried;
    }
  }
  if (tried == 0) GTEST_SKIP() << "every variant here runs both ops";
}

TEST(CliGradImage, BadFlagsAreInvalidArgument) {
  TempDir dir;
  const auto args = grad_image_problem(dir);
  const std::string see = " (see 'crgb grad-image --help')";
  auto size = [&](const std::string &s) { return replacing(args, "--image-size", s); };
  expect_failure_lines(
      dir,
      {
          {size("2,5,6,4"), "InvalidArgument: image_size and grads are incompatible"},
          {size("2,0,6,3"), "InvalidArgument: image dimensions must be positive"},
          {size("-1,5,6,3"), "InvalidArgument: Expected a non-negative size, got -1"},
          {plus(args, {"--dtype", "half"}),
           "InvalidArgument: --dtype must be float32, float16, float64 or bfloat16, got 'half'"},
          {plus(args, {"--dtype", "int32"}),
           "InvalidArgument: the output dtype must be float16, float32, float64 or bfloat16, got "
           "int32"},
          {plus(args, {"--image", "i.npy"}), "InvalidArgument: unknown flag '--image'" + see},
          {plus(args, {"--extrapolation-value", "1"}),
           "InvalidArgument: unknown flag '--extrapolation-value'" + see},
          {plus(args, {"--dtype"}), "InvalidArgument: flag --dtype needs a value" + see},
      });
  expect_failure_line(dir, size("100000,100000,100000,3"),
                      "InvalidArgument: cannot allocate the output, shape [100000, 100000, "
                      "100000, 3] of float32: too large for this machine's memory");
  // An element count past int64 is the op's to refuse.
  expect_failure(dir, size("2147483647,2147483647,2147483647,3"), "InvalidArgument: ");
}

TEST(CliGradImage, BadFilesAndInputsGiveOneLine) {
  TempDir dir;
  const auto args = grad_image_problem(dir);
  write_bytes(dir.file("o.npy"), {'k', 'e', 'e', 'p'});
  write_npy(dir, "g.npy", "<f4", {2, 3, 12}, Bytes(2 * 3 * 12 * 4));
  expect_failure_line(dir, args, "InvalidArgument: grads image must be 4-D[2,3,12]");
  write_npy(dir, "g.npy", "<f8", {2, 3, 4, 3}, Bytes(2 * 3 * 4 * 3 * 8));
  expect_failure_line(dir, args, "InvalidArgument: grads must be float32, got float64");
  write_npy(dir, "g.npy", "<f4", {3, 3, 4, 3}, Bytes(3 * 3 * 4 * 3 * 4));
  expect_failure_line(dir, args, "InvalidArgument: boxes and grads have incompatible shape");
  Bytes truncated = make_npy(1, npy_dict("<f4", {2, 3, 4, 3}), Bytes(2 * 3 * 4 * 3 * 4));
  truncated.pop_back();
  write_bytes(dir.file("g.npy"), truncated);
  expect_failure(dir, args, "InvalidArgument: --grads: ");
  grad_image_problem(dir);
  write_boxes(dir, {0, 0, 1, 1, 0, 0, 1, 1}, {-1, 0});
  expect_failure_line(dir, args, "OutOfRange: box_index has values outside [0, batch_size)");
  write_boxes(dir, {0, 0, 1, 1, 0, 0, INFINITY, 1}, {0, 1});
  expect_failure_line(dir, args,
                      "InvalidArgument: Boxes contains at least one element that is not finite");
  grad_image_problem(dir);
  std::filesystem::remove(dir.file("o.npy"));
  std::filesystem::create_directory(dir.file("a_directory"));
  expect_failure(dir, replacing(args, "--out", dir.file("a_directory")),
                 "InvalidArgument: --out: ");
  EXPECT_TRUE(std::filesystem::is_empty(dir.file("a_directory")));
}

}  // namespace
}  // namespace crgb_test
