// The `reference` variant: TensorFlow's CPU kernel loop, in its order, with its
// float32 accumulation and its mixed float/double expressions, so the results
// are bit-identical to TensorFlow's. Single-threaded and simple on purpose: the
// fast variants are measured and tested against it. Indexes in int64, so it
// handles any size validate() accepts.
#pragma once

#include <crgb/crgb.h>

#include "validate.h"

namespace crgb::detail {

// Inputs validated; writes shapes.num_boxes x 4 floats.
void reference_grad_boxes(const Shapes &shapes, const crgb_tensor &grads, const crgb_tensor &image,
                          const crgb_tensor &boxes, const crgb_tensor &box_ind, float *output);

// Inputs validated (validate_crop); writes num_boxes x crop_height x
// crop_width x depth floats: TensorFlow's CropAndResize CPU kernel.
void reference_crop_and_resize(const Shapes &shapes, const crgb_tensor &image,
                               const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                               float extrapolation_value, float *output);

// Inputs validated (validate_grad_image); writes batch x image_height x
// image_width x depth elements of output_dtype: TensorFlow's
// CropAndResizeGradImage CPU kernel under op determinism (one thread, boxes
// in order), each element summed in output_dtype.
void reference_grad_image(const Shapes &shapes, const crgb_tensor &grads, const crgb_tensor &boxes,
                          const crgb_tensor &box_ind, bool nearest, crgb_dtype output_dtype,
                          void *output);

}  // namespace crgb::detail
