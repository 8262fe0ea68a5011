// An independent float64 re-derivation of CropAndResizeGradBoxes.
//
// Where the samples are (in_y, in_x, floor/ceil, lerps, the four weights and
// whether a sample is inside the image) is computed in float32 exactly as
// TensorFlow's float code computes it: those values decide which pixels are
// read, and the zero derivative at an exactly integer coordinate depends on
// them bit for bit. Everything after that (the bilinear image gradient, the
// products and all sums) is done in double, so the result is a near-exact
// value that every correct variant must approach whatever its summation order.
//
// TensorFlow runs its CPU kernels with denormals flushed to zero (FTZ and DAZ
// in MXCSR), so a subnormal box coordinate is read as (signed) zero, which can
// move a sample from just outside the image (in_y = -1e-40) to inside (-0).
// The float32 coordinate arithmetic here flushes likewise, and so do the
// inputs (grads, image values); products that would be subnormal are below
// the tolerance's absolute slack and need no modelling.
#ifndef CRGB_TESTS_SUPPORT_REDERIVE_H
#define CRGB_TESTS_SUPPORT_REDERIVE_H

#include "support/problem.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace crgb_test {

struct Expected {
  // Per output element (4 per box: d/dy1, d/dx1, d/dy2, d/dx2):
  std::vector<double> value;    // the sum, in double
  std::vector<double> abs_sum;  // sum of |contribution|, absolute values taken at every level
  // sum over samples of |g| * (|TL|+|TR|+|BL|+|BR|) * (size - 1), size = image
  // height for the y outputs, width for the x outputs. Every weight lies in
  // [0, size - 1] and every lerp in [0, 1], so this bounds abs_sum and also
  // the effect of rounding in the lerps and weights, which do not shrink
  // with them (used by the finite-difference test).
  std::vector<double> corner_sum;
  int64_t terms_per_output = 0;  // crop_height * crop_width * depth
};

// Requires a valid problem (shapes consistent, box_ind in range).
Expected rederive(const Problem &p);

// The same with the image's pixels (as float32) read through `pixel` instead
// of p.image, which may then be empty: for images declared larger than the
// test allocates (tests/large_sizes_test.cpp).
using PixelFn = std::function<float(int64_t b, int64_t y, int64_t x, int64_t d)>;
Expected rederive(const Problem &p, const PixelFn &pixel);

// The sample coordinate of row (or column) i of a box along one axis, in
// float32 as TensorFlow computes it (with FTZ/DAZ). size = image_height (or width), crop =
// crop_height (or width), lo/hi = y1/y2 (or x1/x2).
float sample_coordinate(float lo, float hi, int64_t i, int64_t size, int64_t crop);

// Whether a coordinate names a sample inside [0, size - 1]: NaN is outside.
bool sample_inside(float coordinate, int64_t size);

}  // namespace crgb_test

#endif
