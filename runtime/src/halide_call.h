// Runs one Halide variant on validated host tensors: builds the reversed-NHWC
// halide_buffer_t views and routes Halide's errors into a Status.
#pragma once

#include <crgb/crgb.h>

#include "halide_variants.h"
#include "validate.h"

namespace crgb::detail {

// Halide's buffers (without the large_buffers feature) address at most
// 2^31 - 1 bytes per buffer. True if every tensor of the call fits.
bool fits_halide_indexing(const Shapes &shapes, crgb_dtype image_dtype);

Status run_halide(const HalideVariant &variant, const Shapes &shapes, const crgb_tensor &grads,
                  const crgb_tensor &image, const crgb_tensor &boxes,
                  const crgb_tensor &box_ind, float *output);

} // namespace crgb::detail
