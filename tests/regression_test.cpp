// Every known crash of TensorFlow's crop_and_resize op family, as a named
// regression test on every variant built here and every image dtype it is
// built for. TensorFlow segfaults or aborts the process on these inputs; the
// library must answer with a status (or a correct result), write nothing on
// error, and trip no sanitizer (the suite also runs under ASan+UBSan:
// scripts/test_sanitizers.sh).
//
//   CVE-2020-15266 (TensorFlow issue 42129): crop_and_resize with
//       boxes = [[1e40, 0, 0, 0]] (1e40 is +inf as float32) segfaulted.
//   TensorFlow issue 94122: CropAndResizeGradBoxes segfaults on NaN boxes
//       (grads [2,3,3,2] with extreme values, a uint16 image).
//   TensorFlow issue 124955: the same with boxes [[nan, 1, 1, 1], [0, 0, 1, 1]],
//       grads of ones, a uint16 image [1,5,5,2]; inf too.
//   TensorFlow issue 65721: empty boxes and box_ind of the wrong rank make
//       CropAndResizeGradBoxes abort the process ("Check failed: NDIMS == dims()").
//   Finite boxes whose sample coordinates overflow inside the computation
//       (y1 = 3e38, y2 = -3e38: (y2 - y1) * ratio = -inf, 0 * -inf = NaN),
//       which make TensorFlow's CPU kernel convert NaN to int (undefined
//       behaviour, an out-of-bounds read). SEMANTICS.md: accepted, and every
//       sample whose coordinate is not a number inside the image contributes
//       nothing.
//   Non-finite grads of samples outside the image (TensorFlow skips those
//       samples): they must not reach the result on any variant, including
//       the autoscheduled ones that vectorize across boxes.
#include "support/dtype.h"
#include "support/generate.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace crgb_test {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
const char *const kNotFinite = "Boxes contains at least one element that is not finite";

::testing::AssertionResult untouched(const Outcome &o) {
  for (size_t i = 0; i < o.out.size(); ++i)
    if (!is_sentinel(o.out[i]))
      return ::testing::AssertionFailure()
             << "output[" << i << "] was written (" << o.out[i] << ")";
  return ::testing::AssertionSuccess();
}

class Regression : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string &variant() const { return GetParam(); }

  // The image dtypes this variant is built for.
  std::vector<crgb_dtype> dtypes() const {
    std::vector<crgb_dtype> d;
    for (crgb_dtype t : all_dtypes())
      if (built_for(variant(), t)) d.push_back(t);
    return d;
  }

  // A problem of the given shape and dtype with boxes replaced.
  static Problem with_boxes(crgb_dtype dtype, const Shape &shape, const std::vector<float> &boxes,
                            unsigned seed) {
    std::mt19937 rng(seed + 31u * static_cast<unsigned>(dtype));
    Problem p = random_problem(rng, dtype, shape);
    p.boxes = boxes;
    return p;
  }

  // The call must be rejected with InvalidArgument "not finite", nothing written.
  void expect_not_finite(const Problem &p) {
    SCOPED_TRACE(p.describe());
    const Outcome o = run(p, variant());
    EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT) << o.message;
    EXPECT_EQ(o.message, kNotFinite);
    EXPECT_TRUE(untouched(o));
  }

  // The call must succeed with finite results within the tolerance of the
  // float64 re-derivation.
  void expect_accepted(const Problem &p) {
    SCOPED_TRACE(p.describe());
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    for (size_t i = 0; i < o.out.size(); ++i)
      EXPECT_TRUE(std::isfinite(o.out[i])) << "output " << i << ": " << o.out[i];
    EXPECT_TRUE(within_tolerance(o.out, rederive(p)));
  }
};

// boxes = [[1e40, 0, 0, 0]]: +inf as float32. The forward op's rule, which we
// apply to the gradient: InvalidArgument. The largest finite boxes are valid.
TEST_P(Regression, CVE_2020_15266_HugeBox) {
  const float as_float = static_cast<float>(1e40);
  ASSERT_TRUE(std::isinf(as_float));
  for (crgb_dtype dtype : dtypes()) {
    // The CVE's shapes: image [2,1,1,1], box index 1, crop 1x1; and a 2x2 crop.
    expect_not_finite(with_boxes(dtype, Shape{2, 1, 1, 1, 1, 1, 1}, {as_float, 0, 0, 0}, 1));
    expect_not_finite(with_boxes(dtype, Shape{2, 4, 4, 3, 1, 2, 2}, {as_float, 0, 0, 0}, 2));
    expect_not_finite(with_boxes(dtype, Shape{2, 4, 4, 3, 1, 2, 2}, {0, 0, 0, -as_float}, 3));
    for (float huge : {FLT_MAX, -FLT_MAX, 1e38f, 1e30f}) {
      expect_accepted(with_boxes(dtype, Shape{2, 1, 1, 1, 1, 1, 1}, {huge, 0, 0, 0}, 4));
      expect_accepted(
          with_boxes(dtype, Shape{2, 4, 4, 3, 2, 2, 3}, {huge, 0, 0, 0, 0.5f, huge, 1, -huge}, 5));
    }
  }
}

// NaN boxes in CropAndResizeGradBoxes, with the shapes (grads
// [2,3,3,2] of extreme values, a uint16 image) and every dtype: the first
// box's or the second box's coordinate, every position, quiet and signalling
// NaN, any sign.
TEST_P(Regression, TF_94122_NaNBoxes) {
  uint32_t snan_bits = 0x7f800001u, neg_nan_bits = 0xffc00000u;
  float snan, neg_nan;
  std::memcpy(&snan, &snan_bits, sizeof snan);
  std::memcpy(&neg_nan, &neg_nan_bits, sizeof neg_nan);
  for (crgb_dtype dtype : dtypes()) {
    for (float nan : {kNaN, snan, neg_nan}) {
      for (int at = 0; at < 8; ++at) {
        Problem p =
            with_boxes(dtype, Shape{1, 5, 5, 2, 2, 3, 3}, {0, 0, 1, 1, 0.1f, 0.2f, 0.9f, 0.8f}, 6);
        for (size_t i = 0; i < p.grads.size(); ++i)
          p.grads[i] = (i % 2 ? -1 : 1) * (i % 3 ? 3.4e38f : 1e-38f);
        p.boxes[static_cast<size_t>(at)] = nan;
        expect_not_finite(p);
      }
      expect_not_finite(
          with_boxes(dtype, Shape{1, 5, 5, 2, 2, 3, 3}, std::vector<float>(8, nan), 7));
    }
  }
}

// The exact call (boxes [[nan, 1, 1, 1], [0, 0, 1, 1]], grads of ones,
// uint16 image [1,5,5,2]) on every dtype, and the same with +-inf, which its
// report names too.
TEST_P(Regression, TF_124955_NaNBoxes) {
  for (crgb_dtype dtype : dtypes()) {
    for (float bad : {kNaN, kInf, -kInf}) {
      Problem p = with_boxes(dtype, Shape{1, 5, 5, 2, 2, 3, 3}, {bad, 1, 1, 1, 0, 0, 1, 1}, 8);
      p.box_ind = {0, 0};
      std::fill(p.grads.begin(), p.grads.end(), 1.0f);
      expect_not_finite(p);
    }
    // Without the NaN box the same call is fine.
    Problem ok = with_boxes(dtype, Shape{1, 5, 5, 2, 2, 3, 3}, {0, 1, 1, 1, 0, 0, 1, 1}, 8);
    ok.box_ind = {0, 0};
    std::fill(ok.grads.begin(), ok.grads.end(), 1.0f);
    expect_accepted(ok);
  }
}

// Empty boxes and box_ind of the wrong ranks: InvalidArgument, never an abort;
// the well-formed empty call (boxes [0, 4], box_ind [0]) is a [0, 4] result.
TEST_P(Regression, TF_65721_EmptyBoxesOfWrongRank) {
  struct Case {
    const char *name;
    std::vector<int64_t> grads, boxes, box_ind;
    crgb_status status;
    const char *message;
  };
  const std::vector<Case> cases = {
      // The issue: box_index.tensor<int32, 1>() on a 2-D empty box_ind.
      {"box_ind [0,0]",
       {0, 2, 2, 1},
       {0, 4},
       {0, 0},
       CRGB_INVALID_ARGUMENT,
       "box_index must be 1-D[0,0]"},
      {"box_ind [0,4]",
       {0, 2, 2, 1},
       {0, 4},
       {0, 4},
       CRGB_INVALID_ARGUMENT,
       "box_index must be 1-D[0,4]"},
      {"box_ind [0,1,1]",
       {0, 2, 2, 1},
       {0, 4},
       {0, 1, 1},
       CRGB_INVALID_ARGUMENT,
       "box_index must be 1-D[0,1,1]"},
      // Its twin in the forward op and CropAndResizeGradImage: boxes.tensor<float, 2>() on 1-D.
      {"boxes [0]", {0, 2, 2, 1}, {0}, {0}, CRGB_INVALID_ARGUMENT, "boxes must be 2-D[0]"},
      {"boxes [0] and box_ind [0,0]",
       {0, 2, 2, 1},
       {0},
       {0, 0},
       CRGB_INVALID_ARGUMENT,
       "boxes must be 2-D[0]"},
      {"boxes [0,4,1]",
       {0, 2, 2, 1},
       {0, 4, 1},
       {0},
       CRGB_INVALID_ARGUMENT,
       "boxes must be 2-D[0,4,1]"},
      // Empty but of the right ranks: TensorFlow's rule, num_boxes = 0.
      {"boxes [0,4], box_ind [0]", {0, 2, 2, 1}, {0, 4}, {0}, CRGB_OK, nullptr},
      {"boxes [0,3], box_ind [0]", {0, 2, 2, 1}, {0, 3}, {0}, CRGB_OK, nullptr},
      {"boxes [5,0], box_ind [0]", {0, 2, 2, 1}, {5, 0}, {0}, CRGB_OK, nullptr},
      // Empty boxes, grads with rows: the row counts must agree.
      {"grads [1,...] with no boxes",
       {1, 2, 2, 1},
       {0, 4},
       {0},
       CRGB_INVALID_ARGUMENT,
       "boxes and grads have incompatible shape"},
  };
  const float grads_data[4] = {1, 2, 3, 4};
  const float boxes_data[4] = {0, 0, 1, 1};
  const int32_t box_ind_data[1] = {0};
  for (crgb_dtype dtype : dtypes()) {
    std::vector<unsigned char> image(2 * 3 * 3 * 1 * dtype_size(dtype));
    for (const Case &c : cases) {
      SCOPED_TRACE(std::string(c.name) + ", image " + crgb_dtype_name(dtype));
      // Data pointers are real (the checks must not depend on them being NULL).
      const Outcome o = call(crgb::tensor(grads_data, CRGB_FLOAT32, c.grads),
                             crgb::tensor(image.data(), dtype, {2, 3, 3, 1}),
                             crgb::tensor(boxes_data, CRGB_FLOAT32, c.boxes),
                             crgb::tensor(box_ind_data, CRGB_INT32, c.box_ind), variant(), 4, 4);
      EXPECT_EQ(crgb_status_name(o.status), std::string(crgb_status_name(c.status))) << o.message;
      if (c.message) {
        EXPECT_EQ(o.message, c.message);
      }
      EXPECT_TRUE(untouched(o));  // on success too: 0 rows are written
    }
  }
}

// y1 = 3e38, y2 = -3e38 (and the same on x, and mixed): finite, accepted;
// the coordinates overflow to inf and 0 * inf = NaN inside the loop, those
// samples contribute nothing, the rest count. Checked against the float64
// re-derivation (which follows TensorFlow's float32 coordinates exactly), on
// 1x1 crops (the centre, 0.5 * (y1 + y2) = 0, is inside) and larger ones.
TEST_P(Regression, FiniteBoxesOverflowingInsideTheComputation) {
  const std::vector<float> boxes = {3e38f,    0.25f,   -3e38f, 0.75f,  0.1f,    3e38f,
                                    0.9f,     -3e38f,  -3e38f, -3e38f, 3e38f,   3e38f,
                                    3e38f,    3e38f,   3e38f,  3e38f,  FLT_MAX, -FLT_MAX,
                                    -FLT_MAX, FLT_MAX, 0.2f,   0.3f,   0.6f,    0.7f};
  for (crgb_dtype dtype : dtypes()) {
    for (const Shape &s : {Shape{2, 5, 6, 3, 6, 1, 1}, Shape{2, 5, 6, 3, 6, 3, 4},
                           Shape{1, 7, 7, 17, 6, 7, 1}, Shape{1, 2, 9, 1, 6, 1, 9}}) {
      Problem p = with_boxes(dtype, s, boxes, 9);
      expect_accepted(p);
      // The finite box counts as usual: its result equals that of the same box alone.
      const Outcome all = run(p, variant());
      Problem alone = p;
      alone.num_boxes = 1;
      alone.boxes.assign(p.boxes.end() - 4, p.boxes.end());
      alone.box_ind = {p.box_ind.back()};
      alone.grads.assign(p.grads.end() - static_cast<std::ptrdiff_t>(p.grads.size() / 6),
                         p.grads.end());
      const Outcome one = run(alone, variant());
      ASSERT_EQ(all.status, CRGB_OK);
      ASSERT_EQ(one.status, CRGB_OK);
      for (int k = 0; k < 4; ++k) EXPECT_EQ(all.out[20 + k], one.out[k]) << "column " << k;
    }
  }
}

// Samples outside the image carry non-finite grads (inf, -inf, NaN,
// +-3.4e38), over enough boxes to fill vectors across boxes. TensorFlow skips
// those samples, so the result must be what the finite grads alone give.
TEST_P(Regression, NonFiniteGradsOfExcludedSamplesContributeNothing) {
  const std::vector<float> boxes = {-0.3671875f, -0.375f, 0.125f, 0.25f,  // rows 0-1, cols 0-1 out
                                    0.875f,      0.75f,   0.25f,  0.875f,
                                    -1.5f,       -1.5f,   -0.5f,  -0.5f};
  const float specials[] = {kInf, -kInf, kNaN, -3.4e38f, 3.4e38f};
  for (crgb_dtype dtype : dtypes()) {
    // Enough boxes to fill vectors across boxes (32 lanes), all alike.
    Problem p = with_boxes(dtype, Shape{3, 2, 5, 9, 3, 3, 4}, boxes, 11);
    for (int copies = 0; copies < 5; ++copies) {
      const size_t n = p.boxes.size();
      for (size_t i = 0; i < 12; ++i) p.boxes.push_back(p.boxes[n - 12 + i]);
      const size_t g = p.grads.size();
      for (size_t i = 0; i < 3 * 3 * 4 * 9; ++i) p.grads.push_back(p.grads[g - 3 * 3 * 4 * 9 + i]);
      for (int k = 0; k < 3; ++k) p.box_ind.push_back(p.box_ind[p.box_ind.size() - 3]);
      p.num_boxes += 3;
    }
    // Every grad of a sample outside the image becomes a special value.
    const Expected before = rederive(p);
    size_t k = 0;
    for (int64_t b = 0; b < p.num_boxes; ++b)
      for (int64_t y = 0; y < p.crop_height; ++y)
        for (int64_t x = 0; x < p.crop_width; ++x) {
          const float *box = &p.boxes[static_cast<size_t>(4 * b)];
          const bool inside_y = sample_inside(
              sample_coordinate(box[0], box[2], y, p.image_height, p.crop_height), p.image_height);
          const bool inside_x = sample_inside(
              sample_coordinate(box[1], box[3], x, p.image_width, p.crop_width), p.image_width);
          if (inside_y && inside_x) continue;
          for (int64_t d = 0; d < p.depth; ++d)
            p.grads[static_cast<size_t>(((b * p.crop_height + y) * p.crop_width + x) * p.depth +
                                        d)] = specials[k++ % 5];
        }
    ASSERT_GT(k, 0u);
    const Expected after = rederive(p);
    ASSERT_EQ(before.value, after.value);  // the re-derivation skips them too
    SCOPED_TRACE(p.describe());
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    for (size_t i = 0; i < o.out.size(); ++i)
      EXPECT_TRUE(std::isfinite(o.out[i])) << "output " << i << ": " << o.out[i];
    EXPECT_TRUE(within_tolerance(o.out, after));
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, Regression, ::testing::ValuesIn(available_variants()),
                         VariantName());

}  // namespace
}  // namespace crgb_test
