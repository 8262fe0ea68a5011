// The stages of the CropAndResizeGradBoxes pipeline that a schedule may touch.
// The generator (generators/) fills this in; schedules (this folder) only read
// it, so an algorithm change shows up here as a compile error in every schedule.
#pragma once

#include "Halide.h"

namespace crgb {

struct PipelineStages {
  // Pure variables. Dimension names follow the Halide (reversed NHWC) order.
  Halide::Var c, b, d, x, y;

  // row(y, b): where crop row y of box b samples the image.
  //   {ok, top, bottom, y_lerp, weight_y1, weight_y2}
  Halide::Func row;
  // col(x, b): likewise for crop column x. {ok, left, right, x_lerp, weight_x1, weight_x2}
  Halide::Func col;
  // box_sums(b): {dy1, dx1, dy2, dx2} summed over every crop sample and channel.
  Halide::Func box_sums;
  // The domain of that sum: samples.x = channel, .y = crop column, .z = crop row.
  Halide::RDom samples;
  // output(c, b): box_sums laid out as (dy1, dx1, dy2, dx2).
  Halide::Func output;
  // The grads input, which a schedule may prefetch.
  Halide::ImageParam grads;
  // The box_ind input, which a schedule may load once per box (box_ind.in()).
  Halide::ImageParam box_ind;
};

}  // namespace crgb

namespace crgb {

// The stages of CropAndResize (generators/crop_and_resize_generator.cpp).
struct CropStages {
  // crops(d, x, y, b): TensorFlow's [num_boxes, crop_height, crop_width, depth].
  Halide::Var d, x, y, b;
  // row(y, b): where crop row y of box b samples the image.
  //   {ok, top, bottom, y_lerp, nearest_y}; col(x, b) likewise for columns.
  Halide::Func row, col;
  // The output: every sample of every box, extrapolation_value outside the image.
  Halide::Func crops;
  // The method input (true: "nearest"), for schedules that specialize on it.
  Halide::Expr nearest;
  // The number of channels (crops' innermost extent).
  Halide::Expr depth;
};

// The stages of CropAndResizeGradImage (generators/crop_and_resize_grad_image_generator.cpp).
struct GradImageStages {
  // grad_image(d, x, y, n): TensorFlow's [batch, image_height, image_width, depth].
  Halide::Var d, x, y, n;
  // The box variable of the row and col tables.
  Halide::Var b;
  // row(sy, b), col(sx, b): {ok, low, high, lerp, nearest}, as in CropStages.
  Halide::Func row, col;
  // rows_inside(b), cols_inside(b): {first, last} crop row (column) of box b
  // whose samples lie inside the image.
  Halide::Func rows_inside, cols_inside;
  // The output: its pure definition is zero, its one update adds every
  // sample's share. The update's pure variables are d and n (x and y are the
  // scattered coordinates), so a schedule may split them over threads or GPU
  // blocks without changing any element's order of summation.
  Halide::Func grad_image;
  // The update's domain, innermost first: [0] = corner column (0 left, 1
  // right), [1] = corner row (0 top, 1 bottom), [2] = crop column, [3] = crop
  // row, [4] = box.
  Halide::RDom samples;
  Halide::Expr nearest;
  Halide::Expr depth;
};

}  // namespace crgb
