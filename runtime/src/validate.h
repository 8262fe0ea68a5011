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
  crgb_device device = CRGB_DEVICE_HOST;  // where all four inputs are
};

struct Status {
  crgb_status code = CRGB_OK;
  std::string message;
  bool ok() const { return code == CRGB_OK; }
};

// TensorFlow's messages for the two data checks (also made on the GPU).
constexpr const char *kBoxIndexOutOfRange = "box_index has values outside [0, batch_size)";
constexpr const char *kNonFiniteBoxes = "Boxes contains at least one element that is not finite";

// Checks everything TensorFlow checks, in TensorFlow's order, then the
// output buffer, then (reading data) box_ind's range and the boxes'
// finiteness. The inputs must all be in one memory (Shapes::device); data in
// CUDA memory is not read here: the CUDA variant checks it on the device.
Status validate(const crgb_tensor *grads, const crgb_tensor *image, const crgb_tensor *boxes,
                const crgb_tensor *box_ind, const char *method, const float *output,
                int64_t output_elems, Shapes *shapes);

// CropAndResize's checks, in TensorFlow's order, then ours (as validate()).
// crop_size is read here (host memory). output_elems counts floats.
Status validate_crop(const crgb_tensor *image, const crgb_tensor *boxes, const crgb_tensor *box_ind,
                     const crgb_tensor *crop_size, const char *method, const float *output,
                     int64_t output_elems, Shapes *shapes, bool *nearest);

// CropAndResizeGradImage's checks, in TensorFlow's order, then ours.
// image_size is read here (host memory). output_elems counts elements of
// output_dtype.
Status validate_grad_image(const crgb_tensor *grads, const crgb_tensor *boxes,
                           const crgb_tensor *box_ind, const crgb_tensor *image_size,
                           int output_dtype, const char *method, const void *output,
                           int64_t output_elems, Shapes *shapes, bool *nearest);

// The data checks of validate() on host tensors of validated shapes.
Status check_host_data(const Shapes &shapes, const crgb_tensor &boxes, const crgb_tensor &box_ind);

// TensorFlow's TensorShape::DebugString: "[2,3,4]".
std::string shape_string(const crgb_tensor &t);

}  // namespace crgb::detail
