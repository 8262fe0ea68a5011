// The other two ops of the family, for the tests: calling crgb_crop_and_resize
// and crgb_grad_image on a Problem through the C API, and their independent
// float64 re-derivations with rigorous error bounds.
//
// As in rederive.h, where each sample lies (the coordinate, floor, ceil, lerp,
// round, inside or not) is computed in float32 exactly as TensorFlow computes
// it, with FTZ/DAZ: those values decide which pixels are read. Everything
// after that is double.
#ifndef CRGB_TESTS_SUPPORT_FAMILY_H
#define CRGB_TESTS_SUPPORT_FAMILY_H

#include "support/problem.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace crgb_test {

// CropAndResize and CropAndResizeGradImage's sample coordinate: scale = (hi -
// lo) * (size - 1) / (crop - 1), left to right in float32 (the gradient with
// respect to the boxes uses a ratio instead: sample_coordinate()).
float crop_coordinate(float lo, float hi, int64_t i, int64_t size, int64_t crop);

// What a call returned, its output as double (the grad_image dtypes widened
// exactly) and whether every element was left untouched (all sentinel bits).
struct FamilyOutcome {
  crgb_status status = CRGB_INTERNAL;
  std::string message;
  std::vector<double> out;
  std::vector<unsigned char> bytes;  // the raw output buffer
  bool untouched = false;
};

// crgb_crop_and_resize on p's image, boxes and box_ind with crop size
// p.crop_height x p.crop_width (p.grads unused).
FamilyOutcome run_crop(const Problem &p, const std::string &variant, const char *method = nullptr,
                       float extrapolation_value = 0.0f);
// crgb_grad_image on p's grads, boxes and box_ind into an image of p's
// batch, height, width, depth (p.image unused) of output dtype `dtype`.
FamilyOutcome run_grad_image(const Problem &p, const std::string &variant, crgb_dtype dtype,
                             const char *method = nullptr);

// The exact value of every output element and a bound on any correct
// variant's deviation from it.
struct FamilyExpected {
  std::vector<double> value;
  std::vector<double> bound;
};

// CropAndResize in double. Bilinear: each element is a convex combination of
// four float32 pixels, evaluated in five float32 operations, so any correct
// float32 evaluation is within 8 * 2^-24 * (|tl| + |tr| + |bl| + |br|) of the
// exact value (each rounding contributes at most 2^-24 of a quantity bounded by
// that sum). Nearest and extrapolated elements are exact (bound 0). Where a
// lerp's difference exceeds FLT_MAX the float32 evaluation overflows, as
// TensorFlow's does: no bound (infinite), any value accepted there.
FamilyExpected rederive_crop(const Problem &p, bool nearest, float extrapolation_value);

// CropAndResizeGradImage in double: per element the sum of its shares
// (w_y * w_x * g in double, from float32 lerps). Bound: the shares are formed in
// two float32 products (2 * 2^-24 relative) and rounded to T (u_T), then summed
// in T (n terms: (n - 1) * u_T of the sum of absolute shares, Higham 4.2),
// so |got - value| <= ((n + 3) * u_T + 4 * 2^-24) * abs_sum + n * tiny_T,
// tiny_T the spacing of T's subnormals (a rounded share may be subnormal; T
// float32 runs flushed, where each of n terms can lose FLT_MIN). Where the
// sum of absolute shares reaches T's largest value, a share or partial sum
// may overflow (as in TensorFlow): no bound there.
FamilyExpected rederive_grad_image(const Problem &p, bool nearest, crgb_dtype dtype);

// Every element within its bound; NaN must match NaN, infinities exactly.
::testing::AssertionResult within_bounds(const std::vector<double> &got,
                                         const FamilyExpected &want);

// Raw output element i of dtype as double (float16 and bfloat16 widened exactly).
double element_as_double(crgb_dtype dtype, const unsigned char *bytes, int64_t i);

}  // namespace crgb_test

#endif
