// Argument validation, for every available variant and every image dtype:
// TensorFlow's checks with TensorFlow's class and exact message (taken from
// tests/golden/cases.tsv, produced by TensorFlow 2.20), our safety rules
// (non-finite boxes, descriptors TensorFlow cannot get wrong), the accepted
// edge cases, and for every error: the output buffer is left untouched.
#include "support/dtype.h"
#include "support/generate.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

namespace crgb_test {
namespace {

// The four descriptors of a call, editable independently of the problem's
// data (which they keep pointing into).
struct Call {
  crgb_tensor grads, image, boxes, box_ind;
  const char *method = "bilinear";
  int64_t capacity, output_elems;

  explicit Call(const Problem &p)
      : grads(p.grads_tensor()),
        image(p.image_tensor()),
        boxes(p.boxes_tensor()),
        box_ind(p.box_ind_tensor()),
        capacity(4 * p.num_boxes),
        output_elems(4 * p.num_boxes) {}

  Outcome run(const std::string &variant) const {
    return call(grads, image, boxes, box_ind, variant, capacity, output_elems, method);
  }
};

::testing::AssertionResult untouched(const Outcome &o) {
  for (size_t i = 0; i < o.out.size(); ++i)
    if (!is_sentinel(o.out[i]))
      return ::testing::AssertionFailure()
             << "output[" << i << "] was written (" << o.out[i] << ")";
  return ::testing::AssertionSuccess();
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
const char *const kNotFinite = "Boxes contains at least one element that is not finite";
const char *const kOutOfRange = "box_index has values outside [0, batch_size)";

using Edit = std::function<void(Problem &, Call &)>;

struct Row {
  const char *name;
  Edit edit;
  crgb_status status;
  // TensorFlow's exact message; nullptr where only the class is specified
  // (conditions TensorFlow cannot meet: its tensors always have a dtype,
  // data and host memory).
  const char *message;
};

// The valid problem every row edits: 2 boxes, batch 2, crop 2x3, image 4x5, depth 3.
Problem base_problem(crgb_dtype dtype) {
  std::mt19937 rng(7u + static_cast<unsigned>(dtype));
  return random_problem(rng, dtype, Shape{2, 4, 5, 3, 2, 2, 3});
}

Edit set_box(int64_t b, int k, float v) {
  return [=](Problem &p, Call &) { p.boxes[static_cast<size_t>(4 * b + k)] = v; };
}

Edit set_box_ind(int64_t b, int32_t v) {
  return [=](Problem &p, Call &) { p.box_ind[static_cast<size_t>(b)] = v; };
}

// Replaces one descriptor's shape, keeping its data and dtype.
Edit reshape(crgb_tensor Call::*which, std::vector<int64_t> shape) {
  return [=](Problem &, Call &c) {
    crgb_tensor &t = c.*which;
    t = crgb::tensor(t.data, t.dtype, shape);
  };
}

const std::vector<Row> &tensorflow_rows() {
  static const std::vector<Row> rows = {
      // Ranks and sizes, in TensorFlow's order (TensorShape::DebugString suffixes).
      {"grads 3-D", reshape(&Call::grads, {2, 3, 3}), CRGB_INVALID_ARGUMENT,
       "grads image must be 4-D[2,3,3]"},
      {"grads 5-D", reshape(&Call::grads, {1, 2, 2, 3, 3}), CRGB_INVALID_ARGUMENT,
       "grads image must be 4-D[1,2,2,3,3]"},
      {"grads 0-D", reshape(&Call::grads, {}), CRGB_INVALID_ARGUMENT, "grads image must be 4-D[]"},
      {"crop height 0", reshape(&Call::grads, {2, 0, 3, 3}), CRGB_INVALID_ARGUMENT,
       "grads dimensions must be positive"},
      {"crop width 0", reshape(&Call::grads, {2, 2, 0, 3}), CRGB_INVALID_ARGUMENT,
       "grads dimensions must be positive"},
      {"image 3-D", reshape(&Call::image, {4, 5, 3}), CRGB_INVALID_ARGUMENT,
       "input image must be 4-D[4,5,3]"},
      {"image 5-D", reshape(&Call::image, {1, 2, 4, 5, 3}), CRGB_INVALID_ARGUMENT,
       "input image must be 4-D[1,2,4,5,3]"},
      {"image height 0", reshape(&Call::image, {2, 0, 5, 3}), CRGB_INVALID_ARGUMENT,
       "image dimensions must be positive"},
      {"image width 0", reshape(&Call::image, {2, 4, 0, 3}), CRGB_INVALID_ARGUMENT,
       "image dimensions must be positive"},
      {"depth differs", reshape(&Call::image, {2, 4, 5, 2}), CRGB_INVALID_ARGUMENT,
       "image, grads depth differ"},
      {"image depth 0", reshape(&Call::image, {2, 4, 5, 0}), CRGB_INVALID_ARGUMENT,
       "image, grads depth differ"},
      {"boxes 1-D", reshape(&Call::boxes, {8}), CRGB_INVALID_ARGUMENT, "boxes must be 2-D[8]"},
      {"boxes 3-D", reshape(&Call::boxes, {2, 1, 4}), CRGB_INVALID_ARGUMENT,
       "boxes must be 2-D[2,1,4]"},
      {"boxes 3 columns", reshape(&Call::boxes, {2, 3}), CRGB_INVALID_ARGUMENT,
       "boxes must have 4 columns"},
      {"boxes 5 columns", reshape(&Call::boxes, {1, 5}), CRGB_INVALID_ARGUMENT,
       "boxes must have 4 columns"},
      {"box_ind 2-D", reshape(&Call::box_ind, {2, 1}), CRGB_INVALID_ARGUMENT,
       "box_index must be 1-D[2,1]"},
      {"box_ind 0-D", reshape(&Call::box_ind, {}), CRGB_INVALID_ARGUMENT,
       "box_index must be 1-D[]"},
      {"box_ind too short", reshape(&Call::box_ind, {1}), CRGB_INVALID_ARGUMENT,
       "box_index has incompatible shape"},
      {"box_ind empty", reshape(&Call::box_ind, {0}), CRGB_INVALID_ARGUMENT,
       "box_index has incompatible shape"},
      {"grads dim 0 differs", reshape(&Call::grads, {1, 2, 3, 3}), CRGB_INVALID_ARGUMENT,
       "boxes and grads have incompatible shape"},
      // box_ind values: the bad one is the second, so checking only the first is not enough.
      {"box_ind -1", set_box_ind(1, -1), CRGB_OUT_OF_RANGE, kOutOfRange},
      {"box_ind == batch", set_box_ind(1, 2), CRGB_OUT_OF_RANGE, kOutOfRange},
      {"box_ind INT32_MIN", set_box_ind(1, std::numeric_limits<int32_t>::min()), CRGB_OUT_OF_RANGE,
       kOutOfRange},
      {"box_ind INT32_MAX", set_box_ind(1, std::numeric_limits<int32_t>::max()), CRGB_OUT_OF_RANGE,
       kOutOfRange},
      {"image batch 0", reshape(&Call::image, {0, 4, 5, 3}), CRGB_OUT_OF_RANGE, kOutOfRange},
  };
  return rows;
}

// Our rule where TensorFlow's CPU kernel is unsafe: the message of its forward op.
std::vector<Row> non_finite_rows() {
  std::vector<Row> rows;
  for (int k = 0; k < 4; ++k)
    for (float v : {kNaN, kInf, -kInf})
      rows.push_back(
          {"non-finite box coordinate", set_box(1, k, v), CRGB_INVALID_ARGUMENT, kNotFinite});
  return rows;
}

// Descriptors TensorFlow cannot produce; only the class is specified.
std::vector<Row> descriptor_rows() {
  auto set_data = [](crgb_tensor Call::*which) {
    return [=](Problem &, Call &c) { (c.*which).data = nullptr; };
  };
  auto set_dtype = [](crgb_tensor Call::*which, int dtype) {
    return [=](Problem &, Call &c) { (c.*which).dtype = static_cast<crgb_dtype>(dtype); };
  };
  auto set_device = [](crgb_tensor Call::*which, int device) {
    return [=](Problem &, Call &c) { (c.*which).device = static_cast<crgb_device>(device); };
  };
  auto set_rank = [](crgb_tensor Call::*which, int rank) {
    return [=](Problem &, Call &c) { (c.*which).rank = rank; };
  };
  const crgb_status bad = CRGB_INVALID_ARGUMENT;
  return {
      {"grads data NULL", set_data(&Call::grads), bad, nullptr},
      {"image data NULL", set_data(&Call::image), bad, nullptr},
      {"boxes data NULL", set_data(&Call::boxes), bad, nullptr},
      {"box_ind data NULL", set_data(&Call::box_ind), bad, nullptr},
      {"grads float64", set_dtype(&Call::grads, CRGB_FLOAT64), bad, nullptr},
      {"grads int32", set_dtype(&Call::grads, CRGB_INT32), bad, nullptr},
      {"grads float16", set_dtype(&Call::grads, CRGB_FLOAT16), bad, nullptr},
      {"boxes float64", set_dtype(&Call::boxes, CRGB_FLOAT64), bad, nullptr},
      {"boxes int32", set_dtype(&Call::boxes, CRGB_INT32), bad, nullptr},
      {"box_ind int64", set_dtype(&Call::box_ind, CRGB_INT64), bad, nullptr},
      {"box_ind float32", set_dtype(&Call::box_ind, CRGB_FLOAT32), bad, nullptr},
      {"box_ind uint8", set_dtype(&Call::box_ind, CRGB_UINT8), bad, nullptr},
      {"image dtype out of the enum", set_dtype(&Call::image, 42), bad, nullptr},
      {"image dtype negative", set_dtype(&Call::image, -1), bad, nullptr},
      {"image device out of the enum", set_device(&Call::image, 7), bad, nullptr},
      {"boxes device negative", set_device(&Call::boxes, -5), bad, nullptr},
      {"grads rank above CRGB_MAX_RANK", set_rank(&Call::grads, CRGB_MAX_RANK + 1), bad, nullptr},
      {"boxes rank negative", set_rank(&Call::boxes, -1), bad, nullptr},
      {"grads negative dimension", reshape(&Call::grads, {2, 2, -3, 3}), bad, nullptr},
      // An element count beyond int64 must be rejected, never wrapped into a small one.
      {"image element count overflows int64",
       reshape(&Call::image, {2, int64_t{1} << 32, int64_t{1} << 32, 3}), bad, nullptr},
      {"output one float short", [](Problem &, Call &c) { c.output_elems -= 1; }, bad, nullptr},
      {"output_elems negative", [](Problem &, Call &c) { c.output_elems = -1; }, bad, nullptr},
      // TensorFlow skips its rank checks when boxes and box_ind are both empty and
      // then aborts (its issue 65721); ours rejects them.
      {"empty boxes [0] with box_ind [0,0]",
       [](Problem &, Call &c) {
         c.grads = crgb::tensor(c.grads.data, c.grads.dtype, {0, 2, 3, 3});
         c.boxes = crgb::tensor(c.boxes.data, c.boxes.dtype, {0});
         c.box_ind = crgb::tensor(c.box_ind.data, c.box_ind.dtype, {0, 0});
       },
       bad, nullptr},
  };
}

class ValidationTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string &variant() const { return GetParam(); }

  // Applies the row's edit to the base problem of every dtype and checks the
  // status, the message (when specified) and that nothing was written.
  void check(const Row &row) {
    for (crgb_dtype dtype : all_dtypes()) {
      if (row.status == CRGB_OK && !built_for(variant(), dtype)) continue;
      SCOPED_TRACE(std::string(row.name) + ", image " + crgb_dtype_name(dtype));
      Problem p = base_problem(dtype);
      Call c(p);
      row.edit(p, c);
      const Outcome o = c.run(variant());
      EXPECT_EQ(crgb_status_name(o.status), std::string(crgb_status_name(row.status))) << o.message;
      if (row.message != nullptr) {
        EXPECT_EQ(o.message, row.message);
      } else {
        EXPECT_FALSE(o.message.empty()) << "an error needs a message";
      }
      EXPECT_TRUE(untouched(o));
    }
  }
};

TEST_P(ValidationTest, TensorFlowChecks) {
  for (const Row &row : tensorflow_rows()) check(row);
}

TEST_P(ValidationTest, NonFiniteBoxesRejected) {
  for (const Row &row : non_finite_rows()) check(row);
}

TEST_P(ValidationTest, MalformedDescriptorsRejected) {
  for (const Row &row : descriptor_rows()) check(row);
}

// TensorFlow rejects a method other than "bilinear" when it builds the op, with
// a long attr message; golden_test compares that message exactly. Here: the
// class, a message naming the allowed method, and no write.
TEST_P(ValidationTest, MethodMustBeBilinear) {
  for (const char *method : {"nearest", "", "BILINEAR", "bilinear "}) {
    SCOPED_TRACE(std::string("method '") + method + "'");
    Problem p = base_problem(CRGB_FLOAT32);
    Call c(p);
    c.method = method;
    const Outcome o = c.run(variant());
    EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT) << o.message;
    EXPECT_NE(o.message.find("bilinear"), std::string::npos) << o.message;
    EXPECT_TRUE(untouched(o));
  }
}

TEST_P(ValidationTest, NullMethodMeansBilinear) {
  Problem p = base_problem(CRGB_FLOAT32);
  Call c(p);
  const Outcome bilinear = c.run(variant());
  c.method = nullptr;
  const Outcome null_method = c.run(variant());
  ASSERT_EQ(null_method.status, CRGB_OK) << null_method.message;
  EXPECT_EQ(null_method.out, bilinear.out);
}

// The library's device field: every data pointer here is host memory marked
// as CUDA memory. A variant that reads host memory only (CPU or OpenCL) must
// refuse it (not crash, not write).
TEST_P(ValidationTest, DeviceMemoryRefusedByHostVariant) {
  if (reads_cuda_memory(variant())) GTEST_SKIP() << variant() << " reads CUDA memory";
  for (crgb_tensor Call::*which : {&Call::grads, &Call::image, &Call::boxes, &Call::box_ind}) {
    Problem p = base_problem(CRGB_FLOAT32);
    Call c(p);
    (c.*which).device = CRGB_DEVICE_CUDA;
    const Outcome o = c.run(variant());
    EXPECT_NE(o.status, CRGB_OK);
    EXPECT_TRUE(untouched(o));
  }
}

TEST_P(ValidationTest, NullOutputRefused) {
  Problem p = base_problem(CRGB_FLOAT32);
  crgb_tensor g = p.grads_tensor(), im = p.image_tensor(), bx = p.boxes_tensor(),
              bi = p.box_ind_tensor();
  crgb_error err{};
  EXPECT_EQ(crgb_grad_boxes(&g, &im, &bx, &bi, "bilinear", variant().c_str(), nullptr, 8, &err),
            CRGB_INVALID_ARGUMENT);
  EXPECT_EQ(err.status, CRGB_INVALID_ARGUMENT);
}

TEST_P(ValidationTest, NullDescriptorRefused) {
  Problem p = base_problem(CRGB_FLOAT32);
  crgb_tensor g = p.grads_tensor(), im = p.image_tensor(), bx = p.boxes_tensor(),
              bi = p.box_ind_tensor();
  std::vector<float> out(8, sentinel());
  const crgb_tensor *args[4] = {&g, &im, &bx, &bi};
  for (int which = 0; which < 4; ++which) {
    const crgb_tensor *a[4] = {args[0], args[1], args[2], args[3]};
    a[which] = nullptr;
    EXPECT_NE(crgb_grad_boxes(a[0], a[1], a[2], a[3], "bilinear", variant().c_str(), out.data(), 8,
                              nullptr),
              CRGB_OK)
        << "descriptor " << which << " NULL";
  }
  for (float v : out) EXPECT_TRUE(is_sentinel(v));
}

// error may be NULL: the status is still returned.
TEST_P(ValidationTest, NullErrorPointerAllowed) {
  Problem p = base_problem(CRGB_FLOAT32);
  crgb_tensor g = p.grads_tensor(), im = p.image_tensor(), bx = p.boxes_tensor(),
              bi = p.box_ind_tensor();
  std::vector<float> out(8);
  EXPECT_EQ(crgb_grad_boxes(&g, &im, &bx, &bi, nullptr, variant().c_str(), out.data(), 8, nullptr),
            CRGB_OK);
  p.box_ind[0] = -1;
  EXPECT_EQ(crgb_grad_boxes(&g, &im, &bx, &bi, nullptr, variant().c_str(), out.data(), 8, nullptr),
            CRGB_OUT_OF_RANGE);
}

// Finite boxes so large that coordinates overflow to inf or become NaN inside
// the loop (3e38 - -3e38 = inf, 0 * inf = NaN): every such sample is skipped,
// the rest (a 1x1 crop of y1 = 3e38, y2 = -3e38 samples the centre 0) count.
TEST_P(ValidationTest, HugeFiniteBoxesAccepted) {
  const float boxes[][4] = {{1e30f, 0.2f, 1.0f, 0.8f},   {0.1f, -3e38f, 0.9f, 3e38f},
                            {3e38f, 0.0f, -3e38f, 1.0f}, {-3e38f, 3e38f, 3e38f, -3e38f},
                            {0.3f, 1e30f, 0.6f, -1e30f}, {3e38f, 3e38f, 3e38f, 3e38f}};
  for (crgb_dtype dtype : all_dtypes()) {
    if (!built_for(variant(), dtype)) continue;
    for (const Shape &s : {Shape{2, 4, 5, 3, 6, 3, 2}, Shape{1, 5, 7, 2, 6, 1, 1}}) {
      std::mt19937 rng(11u + static_cast<unsigned>(dtype));
      Problem p = random_problem(rng, dtype, s);
      for (int64_t b = 0; b < p.num_boxes; ++b)
        for (int k = 0; k < 4; ++k) p.boxes[static_cast<size_t>(4 * b + k)] = boxes[b][k];
      SCOPED_TRACE(p.describe());
      const Outcome o = run(p, variant());
      const Outcome ref = run(p, "reference");
      ASSERT_EQ(o.status, CRGB_OK) << o.message;
      ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
      for (size_t i = 0; i < o.out.size(); ++i)
        EXPECT_TRUE(std::isfinite(o.out[i]))
            << "box " << i / 4 << " column " << i % 4 << ": " << o.out[i];
      const Expected want = rederive(p);
      EXPECT_TRUE(within_tolerance(o.out, want));
      Expected vs_ref = want;
      vs_ref.value.assign(ref.out.begin(), ref.out.end());
      EXPECT_TRUE(within_tolerance(o.out, vs_ref, 2.0));
    }
  }
}

// num_boxes = 0 (boxes [0, 4], box_ind [0], grads [0, ...]) is a valid empty
// call, also with an empty batch; nothing may be written past the 0 outputs.
TEST_P(ValidationTest, NoBoxesIsOk) {
  for (crgb_dtype dtype : all_dtypes()) {
    for (int64_t batch : {2, 0}) {
      SCOPED_TRACE(std::string(crgb_dtype_name(dtype)) + " batch " + std::to_string(batch));
      std::mt19937 rng(3u);
      Problem p = random_problem(rng, dtype, Shape{2, 4, 5, 3, 0, 2, 3});
      Call c(p);
      c.image.shape[0] = batch;
      c.capacity = 4;  // room the call must not touch
      c.output_elems = 4;
      const Outcome o = c.run(variant());
      EXPECT_EQ(o.status, CRGB_OK) << o.message;
      EXPECT_TRUE(untouched(o));
    }
  }
}

// The same through the C++ wrapper, whose empty vectors pass NULL data and a
// NULL output: NULL is fine for an empty tensor.
TEST_P(ValidationTest, NoBoxesWithNullDataIsOk) {
  const std::vector<float> none;
  const std::vector<int32_t> no_ind;
  const std::vector<unsigned char> image(2 * 4 * 5 * 3);
  const std::vector<float> result = crgb::grad_boxes(
      crgb::tensor(none.data(), {0, 2, 3, 3}), crgb::tensor(image.data(), {2, 4, 5, 3}),
      crgb::tensor(none.data(), {0, 4}), crgb::tensor(no_ind.data(), {0}), variant());
  EXPECT_TRUE(result.empty());
}

// depth 0: every sum is empty, the output is zeros (and it is written).
TEST_P(ValidationTest, DepthZeroGivesZeros) {
  for (crgb_dtype dtype : all_dtypes()) {
    if (!built_for(variant(), dtype)) continue;
    SCOPED_TRACE(crgb_dtype_name(dtype));
    std::mt19937 rng(5u);
    const Problem p = random_problem(rng, dtype, Shape{2, 4, 5, 0, 3, 2, 3});
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    EXPECT_EQ(o.out, std::vector<float>(12, 0.0f));
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, ValidationTest, ::testing::ValuesIn(available_variants()),
                         VariantName());

}  // namespace
}  // namespace crgb_test
