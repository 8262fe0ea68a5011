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
