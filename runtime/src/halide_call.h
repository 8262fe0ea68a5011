// Runs one Halide variant on validated host tensors (the CUDA variants:
// cuda_call.h), and routes Halide's errors into a Status.
#pragma once

#include <crgb/crgb.h>

#include <functional>
#include <string>

#include "halide_variants.h"
#include "validate.h"

namespace crgb::detail {

// Halide's buffers (without the large_buffers feature) address at most
// 2^31 - 1 bytes per buffer. True if every tensor of the call fits.
bool fits_halide_indexing(const Shapes &shapes, crgb_dtype image_dtype);

// Runs a host variant on host tensors.
Status run_halide(const HalideVariant &variant, const Shapes &shapes, const crgb_tensor &grads,
                  const crgb_tensor &image, const crgb_tensor &boxes, const crgb_tensor &box_ind,
                  float *output);

// The same for CropAndResize (its output, num_boxes x crop x depth floats)
// and CropAndResizeGradImage (its output of output_dtype).
bool fits_halide_indexing_crop(const Shapes &shapes, crgb_dtype image_dtype);
bool fits_halide_indexing_grad_image(const Shapes &shapes, crgb_dtype output_dtype);

// Runs a host variant's CropAndResize on host tensors.
Status run_halide_crop(const HalideVariant &variant, const Shapes &shapes, const crgb_tensor &image,
                       const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                       float extrapolation_value, float *output);

// Runs a host variant's CropAndResizeGradImage on host tensors.
Status run_halide_grad_image(const HalideVariant &variant, const Shapes &shapes,
                             const crgb_tensor &grads, const crgb_tensor &boxes,
                             const crgb_tensor &box_ind, bool nearest, crgb_dtype output_dtype,
                             void *output);

// Unimplemented: `variant` has no pipeline for this image dtype (CrgbVariants.cmake).
Status not_built(const HalideVariant &variant, crgb_dtype dtype);
// Unimplemented: `variant` does not implement op (or not for this dtype).
Status not_built(const HalideVariant &variant, crgb_op op, crgb_dtype dtype);

// Sets the Halide thread pool's size (0: HL_NUM_THREADS, else the cores),
// waiting for host pipelines that are running to finish first.
void set_halide_threads(int num_threads);

// Calls a Halide pipeline (or any Halide runtime function) with Halide's
// errors on this thread captured: returns its result and, when nonzero, the
// message Halide reported (or "error code N") in *message.
int call_halide(const std::function<int()> &fn, std::string *message);

}  // namespace crgb::detail
