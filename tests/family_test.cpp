// The forward op and the image gradient on every variant: against their
// float64 re-derivations (support/family.h), against each other through the
// adjoint identity <crop_and_resize(image), g> = <image, grad_image(g)>, bit for
// bit against the reference where the arithmetic is TensorFlow's own
// (every variant evaluates the forward lerps and the gradient's shares in
// TensorFlow's order under strict_float), and bit for bit run to run and for
// any thread count.
#include "support/family.h"
#include "support/dtype.h"
#include "support/generate.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>

namespace crgb_test {
namespace {

const crgb_dtype kGradImageDtypes[] = {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64, CRGB_BFLOAT16};

// Restores the process-wide thread setting however the test ends.
class ThreadsGuard {
 public:
  ThreadsGuard() : previous_(crgb_set_num_threads(0)) {}
  ~ThreadsGuard() { crgb_set_num_threads(previous_); }

 private:
  int previous_;
};

// Sign of zero aside (see crop_and_resize_grad_image_generator.cpp), NaN = NaN.
::testing::AssertionResult same_values(const std::vector<double> &a, const std::vector<double> &b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << a.size() << " vs " << b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
    return ::testing::AssertionFailure()
           << "element " << i << ": " << std::hexfloat << a[i] << " vs " << b[i];
  }
  return ::testing::AssertionSuccess();
}

class CropTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CropTest, MatchesRederivationAndReference) {
  std::mt19937 rng(17);
  for (int round = 0; round < 40; ++round) {
    for (crgb_dtype dtype : all_dtypes()) {
      const Problem p = random_problem(rng, dtype);
      if (!built_for(GetParam(), CRGB_OP_CROP_AND_RESIZE, dtype)) continue;  // OpenCL: no float16
      for (bool nearest : {false, true}) {
        const float extrapolation = round % 3 == 0 ? -1.5f : 0.0f;
        const char *method = nearest ? "nearest" : "bilinear";
        SCOPED_TRACE(p.describe() + " " + method);
        const FamilyOutcome got = run_crop(p, GetParam(), method, extrapolation);
        ASSERT_EQ(got.status, CRGB_OK) << got.message;
        EXPECT_TRUE(within_bounds(got.out, rederive_crop(p, nearest, extrapolation)));
        const FamilyOutcome ref = run_crop(p, "reference", method, extrapolation);
        ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
        EXPECT_TRUE(same_values(got.out, ref.out));
      }
    }
  }
}

TEST_P(CropTest, RepeatedRunsAndThreadCountsIdentical) {
  ThreadsGuard guard;
  std::mt19937 rng(5);
  const Problem p = random_problem(rng, CRGB_UINT8, Shape{3, 20, 24, 67, 64, 7, 7});
  const FamilyOutcome first = run_crop(p, GetParam());
  ASSERT_EQ(first.status, CRGB_OK) << first.message;
  for (int threads : {1, 2, 3, 8, 0}) {
    crgb_set_num_threads(threads);
    const FamilyOutcome again = run_crop(p, GetParam());
    ASSERT_EQ(again.status, CRGB_OK) << again.message;
    EXPECT_EQ(again.bytes, first.bytes) << threads << " threads";
  }
}

class GradImageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GradImageTest, MatchesRederivationAndReference) {
  std::mt19937 rng(23);
  for (int round = 0; round < 60; ++round) {
    const Problem p = random_problem(rng, CRGB_FLOAT32);
    for (crgb_dtype dtype : kGradImageDtypes) {
      if (!built_for(GetParam(), CRGB_OP_GRAD_IMAGE, dtype)) continue;  // OpenCL: no float16
      for (bool nearest : {false, true}) {
        const char *method = nearest ? "nearest" : "bilinear";
        SCOPED_TRACE(p.describe() + " " + method + " -> " + crgb_dtype_name(dtype));
        const FamilyOutcome got = run_grad_image(p, GetParam(), dtype, method);
        ASSERT_EQ(got.status, CRGB_OK) << got.message;
        EXPECT_TRUE(within_bounds(got.out, rederive_grad_image(p, nearest, dtype)));
        const FamilyOutcome ref = run_grad_image(p, "reference", dtype, method);
        ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
        EXPECT_TRUE(same_values(got.out, ref.out));
      }
    }
  }
}

TEST_P(GradImageTest, RepeatedRunsAndThreadCountsIdentical) {
  ThreadsGuard guard;
  std::mt19937 rng(6);
  // Many boxes on few images: every element sums many shares.
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 20, 24, 67, 96, 9, 9});
  for (crgb_dtype dtype : kGradImageDtypes) {
    if (!built_for(GetParam(), CRGB_OP_GRAD_IMAGE, dtype)) continue;  // OpenCL: no float16
    crgb_set_num_threads(0);
    const FamilyOutcome first = run_grad_image(p, GetParam(), dtype);
    ASSERT_EQ(first.status, CRGB_OK) << first.message;
    for (int threads : {1, 2, 3, 8, 0}) {
      crgb_set_num_threads(threads);
      const FamilyOutcome again = run_grad_image(p, GetParam(), dtype);
      ASSERT_EQ(again.status, CRGB_OK) << again.message;
      EXPECT_EQ(again.bytes, first.bytes)
          << crgb_dtype_name(dtype) << ", " << threads << " threads";
    }
  }
}

// <crop_and_resize(image), g> = <image, grad_image(g)>, both sides summed in
// double from the variant's float32 outputs. Bound: the crops' and the
// gradient's own bounds (support/family.h) weighted by |g| and |image|.
TEST_P(GradImageTest, AdjointOfCropAndResize) {
  std::mt19937 rng(99);
  for (int round = 0; round < 60; ++round) {
    const Problem p = random_problem(rng, CRGB_FLOAT32);
    for (bool nearest : {false, true}) {
      const char *method = nearest ? "nearest" : "bilinear";
      SCOPED_TRACE(p.describe() + " " + method);
      const FamilyOutcome crops = run_crop(p, GetParam(), method, 0.0f);
      const FamilyOutcome grad = run_grad_image(p, GetParam(), CRGB_FLOAT32, method);
      ASSERT_EQ(crops.status, CRGB_OK) << crops.message;
      ASSERT_EQ(grad.status, CRGB_OK) << grad.message;
      const FamilyExpected crop_bounds = rederive_crop(p, nearest, 0.0f);
      const FamilyExpected grad_bounds = rederive_grad_image(p, nearest, CRGB_FLOAT32);
      double lhs = 0, rhs = 0, bound = 0;
      for (size_t i = 0; i < crops.out.size(); ++i) {
        const double g = p.grads[i];
        lhs += crops.out[i] * g;
        bound += crop_bounds.bound[i] * std::fabs(g) + std::fabs(crops.out[i] * g) * 0x1p-50;
      }
      for (size_t j = 0; j < grad.out.size(); ++j) {
        const double v = element_as_float(p.dtype, p.image.data(), static_cast<int64_t>(j));
        rhs += v * grad.out[j];
        bound += grad_bounds.bound[j] * std::fabs(v) + std::fabs(v * grad.out[j]) * 0x1p-50;
      }
      EXPECT_LE(std::fabs(lhs - rhs), bound) << lhs << " vs " << rhs;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, CropTest,
                         ::testing::ValuesIn(variants_with(CRGB_OP_CROP_AND_RESIZE)),
                         VariantName());
INSTANTIATE_TEST_SUITE_P(AllVariants, GradImageTest,
                         ::testing::ValuesIn(variants_with(CRGB_OP_GRAD_IMAGE)), VariantName());

}  // namespace
}  // namespace crgb_test
