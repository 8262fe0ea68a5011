// Seeded random problems. Shapes, values and boxes are drawn so that the
// corners of the op get exercised: boxes partly outside [0, 1], flipped
// boxes, samples exactly on integer coordinates, crops of 1x1 and 1xN,
// images one pixel high or wide, odd depths, and all nine dtypes.
#ifndef CRGB_TESTS_SUPPORT_GENERATE_H
#define CRGB_TESTS_SUPPORT_GENERATE_H

#include "support/problem.h"

#include <cstdint>
#include <random>

namespace crgb_test {

struct Shape {
  int64_t batch, image_height, image_width, depth, num_boxes, crop_height, crop_width;
};

// A small random shape (including the special shapes above).
Shape random_shape(std::mt19937 &rng);

// A small problem with a random shape (including the special shapes above).
Problem random_problem(std::mt19937 &rng, crgb_dtype dtype);

// A problem of a given shape with random values and boxes.
Problem random_problem(std::mt19937 &rng, crgb_dtype dtype, const Shape &shape);

// Random image values in a range sensible for the dtype (full range for the
// small integer types, values whose float32 conversion rounds for int32 and
// int64, float16 subnormals now and then).
void fill_image(std::mt19937 &rng, Problem &p);

// Boxes whose samples all stay at least `margin` pixels away from every
// integer coordinate and from the image border, for every box coordinate
// moved by +-eps: the op is then smooth (in fact linear in each coordinate)
// around them. Requires image_height, image_width >= 2.
void place_boxes_off_grid(std::mt19937 &rng, Problem &p, double eps, double margin);

}  // namespace crgb_test

#endif
