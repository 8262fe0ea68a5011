// The forward op and the image gradient on inputs that crash TensorFlow, and
// our own validation rules (SEMANTICS.md) beyond TensorFlow's, on every
// variant: a status (or a correct result), never a crash, nothing written on
// error. TensorFlow's own messages and classes are checked against its golden
// error cases (family_golden_test.cpp).
//
//   TensorFlow issues 94122, 124955: NaN (and inf) boxes crash the box
//       gradient; the image gradient does not check them either. All three
//       ops reject non-finite boxes (the forward op's own TensorFlow message).
//   TensorFlow issues 65721, 69778, 123397: empty boxes and box_ind of the
//       wrong rank skip TensorFlow's rank checks and abort the process in
//       CropAndResizeGradBoxes and CropAndResizeGradImage.
//   TensorFlow issue 100375: CropAndResize segfaults on extreme values; here
//       huge image values and finite boxes whose coordinates overflow to NaN
//       (y1 = 3e38, y2 = -3e38), whose samples must take the extrapolation
//       value (forward) or contribute nothing (gradient).
#include "support/family.h"
#include "support/generate.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace crgb_test {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
const char *const kNotFinite = "Boxes contains at least one element that is not finite";

Problem small_problem() {
  std::mt19937 rng(3);
  return random_problem(rng, CRGB_FLOAT32, Shape{2, 5, 6, 3, 2, 3, 4});
}

// Raw-descriptor calls: the output is a sentinel-filled buffer of `capacity`
// elements of its dtype.
struct Call {
  crgb_status status;
  std::string message;
  bool untouched;
};

Call crop(const crgb_tensor &image, const crgb_tensor &boxes, const crgb_tensor &box_ind,
          const crgb_tensor &crop_size, const std::string &variant, int64_t capacity = 256,
          int64_t output_elems = 256, const char *method = nullptr) {
  std::vector<unsigned char> out(static_cast<size_t>(capacity) * 4, 0xA5);
  crgb_error err{};
  const crgb_status s =
      crgb_crop_and_resize(&image, &boxes, &box_ind, &crop_size, method, 0.0f, variant.c_str(),
                           reinterpret_cast<float *>(out.data()), output_elems, &err);
  bool clean = true;
  for (unsigned char c : out) clean = clean && c == 0xA5;
  return {s, err.message, clean};
}

__attribute__((no_sanitize("enum"))) Call grad_image(
    const crgb_tensor &grads, const crgb_tensor &boxes, const crgb_tensor &box_ind,
    const crgb_tensor &image_size, const std::string &variant, crgb_dtype dtype = CRGB_FLOAT32,
    int64_t capacity = 256, int64_t output_elems = 256, const char *method = nullptr) {
  std::vector<unsigned char> out(static_cast<size_t>(capacity) * 8, 0xA5);
  crgb_error err{};
  const crgb_status s = crgb_grad_image(&grads, &boxes, &box_ind, &image_size, dtype, method,
                                        variant.c_str(), out.data(), output_elems, &err);
  bool clean = true;
  for (unsigned char c : out) clean = clean && c == 0xA5;
  return {s, err.message, clean};
}

// A dtype argument holding any int, as a C caller may pass, made without
// loading an out-of-range value through the enum type (UBSan's -fsanitize=enum).
__attribute__((no_sanitize("enum"))) crgb_dtype any_dtype(int v) {
  crgb_dtype d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}

class FamilyRegression : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string &variant() const { return GetParam(); }
};

// Both new ops run on the same variants.
std::vector<std::string> family_variants() {
  std::vector<std::string> out;
  for (const std::string &v : variants_with(CRGB_OP_CROP_AND_RESIZE))
    if (implements(v, CRGB_OP_GRAD_IMAGE)) out.push_back(v);
  return out;
}

// A variant without the ops (the autoscheduled ones) says so, writing nothing.
TEST(FamilyRegressionOps, VariantsWithoutTheOpsAreUnimplemented) {
  const Problem p = small_problem();
  int seen = 0;
  for (const std::string &v : available_variants()) {
    for (crgb_op op : {CRGB_OP_CROP_AND_RESIZE, CRGB_OP_GRAD_IMAGE}) {
      if (implements(v, op)) continue;
      ++seen;
      const FamilyOutcome o =
          op == CRGB_OP_CROP_AND_RESIZE ? run_crop(p, v) : run_grad_image(p, v, CRGB_FLOAT32);
      EXPECT_EQ(o.status, CRGB_UNIMPLEMENTED) << v;
      EXPECT_EQ(o.message, "variant '" + v + "' does not implement " + crgb_op_name(op));
      EXPECT_TRUE(o.untouched) << v;
    }
  }
  if (seen == 0) GTEST_SKIP() << "every variant of this build implements both ops";
}

// TensorFlow issues 94122 and 124955, for the forward op and the image gradient.
TEST_P(FamilyRegression, NonFiniteBoxesRejected) {
  for (float bad : {kNaN, kInf, -kInf}) {
    for (int at = 0; at < 4; ++at) {
      Problem p = small_problem();
      p.boxes[4 + at] = bad;
      const FamilyOutcome c = run_crop(p, variant());
      EXPECT_EQ(c.status, CRGB_INVALID_ARGUMENT);
      EXPECT_EQ(c.message, kNotFinite);
      EXPECT_TRUE(c.untouched);
      const FamilyOutcome g = run_grad_image(p, variant(), CRGB_FLOAT32);
      EXPECT_EQ(g.status, CRGB_INVALID_ARGUMENT);
      EXPECT_EQ(g.message, kNotFinite);
      EXPECT_TRUE(g.untouched);
    }
  }
}

// The box index is checked first, as TensorFlow does.
TEST_P(FamilyRegression, BoxIndexCheckedBeforeFiniteness) {
  Problem p = small_problem();
  p.boxes[0] = kNaN;
  p.box_ind[1] = 2;  // batch is 2
  const FamilyOutcome c = run_crop(p, variant());
  EXPECT_EQ(c.status, CRGB_OUT_OF_RANGE);
  EXPECT_EQ(c.message, "box_index has values outside [0, batch_size)");
  const FamilyOutcome g = run_grad_image(p, variant(), CRGB_FLOAT64);
  EXPECT_EQ(g.status, CRGB_OUT_OF_RANGE);
  EXPECT_TRUE(c.untouched && g.untouched);
}

// TensorFlow issues 65721, 69778, 123397: empty but malformed boxes/box_ind.
TEST_P(FamilyRegression, MalformedEmptyBoxesRejected) {
  const float image_data[4] = {1, 2, 3, 4};
  const int32_t crop_hw[2] = {2, 2}, size[4] = {1, 2, 2, 1};
  const crgb_tensor image = {image_data, CRGB_FLOAT32, 4, {1, 2, 2, 1}, CRGB_DEVICE_HOST};
  const crgb_tensor grads = {nullptr, CRGB_FLOAT32, 4, {0, 2, 2, 1}, CRGB_DEVICE_HOST};
  const crgb_tensor crop_size = {crop_hw, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
  const crgb_tensor image_size = {size, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
  struct Bad {
    crgb_tensor boxes, box_ind;
    const char *crop_message, *grad_message;
  };
  const Bad cases[] = {
      {{nullptr, CRGB_FLOAT32, 1, {0}, CRGB_DEVICE_HOST},
       {nullptr, CRGB_INT32, 2, {0, 0}, CRGB_DEVICE_HOST},
       "boxes must be 2-D, got: [0]",
       "boxes must be 2-D[0]"},
      {{nullptr, CRGB_FLOAT32, 3, {0, 0, 4}, CRGB_DEVICE_HOST},
       {nullptr, CRGB_INT32, 1, {0}, CRGB_DEVICE_HOST},
       "boxes must be 2-D, got: [0,0,4]",
       "boxes must be 2-D[0,0,4]"},
      {{nullptr, CRGB_FLOAT32, 2, {0, 4}, CRGB_DEVICE_HOST},
       {nullptr, CRGB_INT32, 2, {0, 0}, CRGB_DEVICE_HOST},
       "box_indices must be rank 1 but is shape [0,0]",
       "box_index must be 1-D[0,0]"},
  };
  for (const Bad &b : cases) {
    const Call c = crop(image, b.boxes, b.box_ind, crop_size, variant());
    EXPECT_EQ(c.status, CRGB_INVALID_ARGUMENT);
    EXPECT_EQ(c.message, b.crop_message);
    EXPECT_TRUE(c.untouched);
    const Call g = grad_image(grads, b.boxes, b.box_ind, image_size, variant());
    EXPECT_EQ(g.status, CRGB_INVALID_ARGUMENT);
    EXPECT_EQ(g.message, b.grad_message);
    EXPECT_TRUE(g.untouched);
  }
}

// No boxes: an empty crop, and an all-zero image gradient.
TEST_P(FamilyRegression, NoBoxes) {
  Problem p = small_problem();
  p.num_boxes = 0;
  p.boxes.clear();
  p.box_ind.clear();
  p.grads.clear();
  const FamilyOutcome c = run_crop(p, variant());
  EXPECT_EQ(c.status, CRGB_OK) << c.message;
  EXPECT_TRUE(c.out.empty());
  for (crgb_dtype t : {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64, CRGB_BFLOAT16}) {
    if (!built_for(variant(), CRGB_OP_GRAD_IMAGE, t)) continue;  // OpenCL: no float16
    const FamilyOutcome g = run_grad_image(p, variant(), t);
    ASSERT_EQ(g.status, CRGB_OK) << g.message;
    for (double v : g.out) EXPECT_EQ(v, 0.0);
  }
}

// TensorFlow issue 100375 and the NaN coordinates of huge finite boxes.
TEST_P(FamilyRegression, ExtremeValuesAndOverflowingCoordinates) {
  Problem p = small_problem();
  p.boxes = {3e38f, 0.0f, -3e38f, 1.0f, 0.0f, 3e38f, 1.0f, -3e38f};
  p.box_ind = {0, 1};
  for (size_t i = 0; i < p.image.size() / 4; ++i) {
    const float v = (i % 2 ? 1 : -1) * std::numeric_limits<float>::max();
    std::memcpy(p.image.data() + 4 * i, &v, 4);
  }
  for (bool nearest : {false, true}) {
    const char *method = nearest ? "nearest" : "bilinear";
    const FamilyOutcome c = run_crop(p, variant(), method, 7.0f);
    ASSERT_EQ(c.status, CRGB_OK) << c.message;
    EXPECT_TRUE(within_bounds(c.out, rederive_crop(p, nearest, 7.0f)));
    const FamilyOutcome g = run_grad_image(p, variant(), CRGB_FLOAT32, method);
    ASSERT_EQ(g.status, CRGB_OK) << g.message;
    EXPECT_TRUE(within_bounds(g.out, rederive_grad_image(p, nearest, CRGB_FLOAT32)));
  }
}

// NaN grads (quiet and signalling payloads, in the high and the low bits) stay
// NaN in every output dtype, never an infinity (a truncating conversion to a
// 16-bit float makes 0x7f800001 infinite), and infinities stay infinite.
TEST_P(FamilyRegression, NonFiniteGradsKeepTheirClass) {
  Problem p = small_problem();
  const uint32_t nans[] = {0x7fc00000u, 0x7f800001u, 0xff800001u, 0x7fa00000u};
  p.boxes = {0.0f, 0.0f, 1.0f, 1.0f,
             0.0f, 0.0f, 1.0f, 1.0f};  // on the pixel grid? no: 4 -> 3 steps
  for (uint32_t bits : nans) {
    float nan;
    std::memcpy(&nan, &bits, 4);
    for (float &g : p.grads) g = 0.25f;
    p.grads[0] = nan;  // box 0, crop (0, 0), channel 0: pixel (0, 0) only
    p.grads[1] = kInf;
    for (crgb_dtype t : {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64, CRGB_BFLOAT16}) {
      if (!built_for(variant(), CRGB_OP_GRAD_IMAGE, t)) continue;  // OpenCL: no float16
      for (const char *method : {"bilinear", "nearest"}) {
        const FamilyOutcome g = run_grad_image(p, variant(), t, method);
        ASSERT_EQ(g.status, CRGB_OK) << g.message;
        const FamilyOutcome ref = run_grad_image(p, "reference", t, method);
        ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
        for (size_t i = 0; i < g.out.size(); ++i) {
          EXPECT_EQ(std::isnan(g.out[i]), std::isnan(ref.out[i]))
              << crgb_dtype_name(t) << " " << method << " element " << i << ": " << g.out[i];
          if (!std::isnan(ref.out[i])) {
            EXPECT_EQ(g.out[i], ref.out[i]) << i;
          }
        }
        EXPECT_TRUE(std::isnan(ref.out[0])) << crgb_dtype_name(t);
      }
    }
  }
}

// Our checks beyond TensorFlow's: the caller's buffers and descriptors.
TEST_P(FamilyRegression, CallerErrors) {
  const Problem p = small_problem();
  const crgb_tensor image = p.image_tensor(), grads = p.grads_tensor(), boxes = p.boxes_tensor(),
                    box_ind = p.box_ind_tensor();
  const int32_t crop_hw[2] = {3, 4}, size[4] = {2, 5, 6, 3};
  crgb_tensor crop_size = {crop_hw, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
  crgb_tensor image_size = {size, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
  const int64_t crop_elems = 2 * 3 * 4 * 3, image_elems = 2 * 5 * 6 * 3;

  Call c = crop(image, boxes, box_ind, crop_size, variant(), crop_elems, crop_elems - 1);
  EXPECT_EQ(c.message, "output holds 71 floats; 72 are needed");
  c = crop(image, boxes, box_ind, crop_size, variant(), crop_elems, crop_elems, "bicubic");
  EXPECT_EQ(c.message, "method must be 'bilinear' or 'nearest'");
  crgb_tensor wrong = crop_size;
  wrong.dtype = CRGB_INT64;
  c = crop(image, boxes, box_ind, wrong, variant());
  EXPECT_EQ(c.message, "crop_size must be int32, got int64");
  wrong = crop_size;
  wrong.device = CRGB_DEVICE_CUDA;
  c = crop(image, boxes, box_ind, wrong, variant());
  EXPECT_EQ(c.message, "crop_size must be in host memory");
  EXPECT_EQ(c.status, CRGB_INVALID_ARGUMENT);
  EXPECT_TRUE(c.untouched);

  Call g = grad_image(grads, boxes, box_ind, image_size, variant(), CRGB_FLOAT16, image_elems,
                      image_elems - 1);
  EXPECT_EQ(g.message, "output holds 179 elements; 180 are needed");
  g = grad_image(grads, boxes, box_ind, image_size, variant(), CRGB_UINT8);
  EXPECT_EQ(g.message, "the output dtype must be float16, float32, float64 or bfloat16, got uint8");
  g = grad_image(grads, boxes, box_ind, image_size, variant(), any_dtype(77));
  EXPECT_EQ(g.message, "the output dtype must be float16, float32, float64 or bfloat16, got 77");
  EXPECT_EQ(g.status, CRGB_INVALID_ARGUMENT);
  EXPECT_TRUE(g.untouched);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, FamilyRegression, ::testing::ValuesIn(family_variants()),
                         VariantName());

}  // namespace
}  // namespace crgb_test
