// The forward op, crop_and_resize (bilinear, extrapolation value 0), in
// double with exact coordinates, reduced to the scalar the gradient is of:
// F(boxes) = sum over b, y, x, d of grads[b, y, x, d] * crop[b, y, x, d].
// CropAndResizeGradBoxes is dF/dboxes; finite differences of F check it from
// first principles, independently of how TensorFlow's backward code is written.
#ifndef CRGB_TESTS_SUPPORT_FORWARD_H
#define CRGB_TESTS_SUPPORT_FORWARD_H

#include "support/problem.h"

#include <cstdint>

namespace crgb_test {

struct Objective {
  double value = 0.0;    // F
  double abs_sum = 0.0;  // sum |grads| * max |corner|: bounds every partial sum of F
  long terms = 0;        // number of samples * depth summed into F
};

// The part of F that box b contributes, for box coordinates (y1, x1, y2, x2)
// given in double so they can be nudged by eps.
Objective box_objective(const Problem &p, int64_t b, const double box[4]);

}  // namespace crgb_test

#endif
