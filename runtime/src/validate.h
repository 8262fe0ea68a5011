// Input validation, exactly as TensorFlow's CropAndResizeGradBoxes kernel does
// it (classes and messages), plus the rules of SEMANTICS.md where TensorFlow is
// unsafe. Runs before any variant reads data; on error nothing is written.
#pragma once

#include <crgb/crgb.h>

#include <cstdint>
#include <string>

namespace crgb::detail {

struct Shapes {
  int64_t num_boxes = 0, crop_height = 0, crop_width = 0, depth = 0;
  int64_t batch = 0, image_height = 0, image_width = 0;
};

struct Status {
  crgb_status code = CRGB_OK;
  std::string message;
  bool ok() const { return code == CRGB_OK; }
};

// Checks everything TensorFlow checks, in TensorFlow's order, then the
// output buffer, then (reading data) box_ind's range and the boxes' finiteness.
Status validate(const crgb_tensor *grads, const crgb_tensor *image, const crgb_tensor *boxes,
                const crgb_tensor *box_ind, const char *method, const float *output,
                int64_t output_elems, Shapes *shapes);

// TensorFlow's TensorShape::DebugString: "[2,3,4]".
std::string shape_string(const crgb_tensor &t);

} // namespace crgb::detail
