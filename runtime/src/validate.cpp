#include "validate.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "dtype.h"

namespace crgb::detail {
namespace {

Status invalid(std::string message) {
  return {CRGB_INVALID_ARGUMENT, std::move(message)};
}

const char *device_name(crgb_device d) {
  return d == CRGB_DEVICE_CUDA ? "CUDA" : "host";
}

// check_descriptor ran first: the product fits unless a dimension is 0, and
// then the other dimensions' product may not (a [0, 2^62, 2^62] tensor is
// valid and empty), so a zero short-cuts before any multiplication.
int64_t num_elements(const crgb_tensor &t) {
  for (int i = 0; i < t.rank; ++i)
    if (t.shape[i] == 0) return 0;
  int64_t n = 1;
  for (int i = 0; i < t.rank; ++i) n *= t.shape[i];
  return n;
}

// Structural sanity of one descriptor, before TensorFlow's checks: these are
// the things a TensorFlow tensor cannot get wrong but a raw descriptor can.
Status check_descriptor(const crgb_tensor *t, const char *name) {
  if (t == nullptr) return invalid(std::string(name) + " descriptor is NULL");
  if (t->rank < 0 || t->rank > CRGB_MAX_RANK)
    return invalid(std::string(name) + " has rank " + std::to_string(t->rank) + ", outside [0, " +
                   std::to_string(CRGB_MAX_RANK) + "]");
  if (!dtype_valid(t->dtype))
    return invalid(std::string(name) + " has an unknown dtype " +
                   std::to_string(enum_value(t->dtype)));
  const int device = enum_value(t->device);
  if (device != CRGB_DEVICE_HOST && device != CRGB_DEVICE_CUDA)
    return invalid(std::string(name) + " has an unknown device " + std::to_string(device));
  // Every dimension non-negative, and the element and byte counts representable.
  // TensorFlow keeps sizes in int64; beyond 2^62 bytes nothing could exist anyway.
  const int64_t limit = std::numeric_limits<int64_t>::max() / 8;
  int64_t n = 1;
  for (int i = 0; i < t->rank; ++i) {
    int64_t s = t->shape[i];
    if (s < 0) return invalid(std::string(name) + " has a negative dimension " + std::to_string(s));
    if (s != 0 && n > limit / s)
      n = limit + 1;  // saturate; reported below unless empty
    else
      n *= s;
  }
  if (n > limit) {
    bool empty = false;
    for (int i = 0; i < t->rank; ++i) empty = empty || t->shape[i] == 0;
    if (!empty) return invalid(std::string(name) + " has more elements than can be addressed");
  }
  return {};
}

Status check_dtype(const crgb_tensor &t, crgb_dtype want, const char *name) {
  if (t.dtype == want) return {};
  return invalid(std::string(name) + " must be " + dtype_name(want) + ", got " +
                 dtype_name(t.dtype));
}

}  // namespace

std::string shape_string(const crgb_tensor &t) {
  std::string s = "[";
  for (int i = 0; i < t.rank; ++i) {
    if (i) s += ",";
    s += std::to_string(t.shape[i]);
  }
  return s + "]";
}

Status validate(const crgb_tensor *grads_p, const crgb_tensor *image_p, const crgb_tensor *boxes_p,
                const crgb_tensor *box_ind_p, const char *method, const float *output,
                int64_t output_elems, Shapes *shapes) {
  // The method attribute is checked when TensorFlow builds the kernel: first.
  if (method != nullptr && std::strcmp(method, "bilinear") != 0)
    return invalid("method must be 'bilinear'");

  for (auto [t, name] : {std::pair{grads_p, "grads"}, std::pair{image_p, "image"},
                         std::pair{boxes_p, "boxes"}, std::pair{box_ind_p, "box_ind"}}) {
    Status s = check_descriptor(t, name);
    if (!s.ok()) return s;
  }
  const crgb_tensor &grads = *grads_p, &image = *image_p, &boxes = *boxes_p, &box_ind = *box_ind_p;
  // One op runs in one place: a variant reads all four inputs where they are.
  for (auto [t, name] :
       {std::pair{&image, "image"}, std::pair{&boxes, "boxes"}, std::pair{&box_ind, "box_ind"}}) {
    if (t->device != grads.device)
      return invalid(std::string("grads is in ") + device_name(grads.device) + " memory but " +
                     name + " in " + device_name(t->device) +
                     " memory; all four inputs must be in the same memory");
  }
  // The op's type signature: TensorFlow rejects these when the graph is built.
  for (Status s :
       {check_dtype(grads, CRGB_FLOAT32, "grads"), check_dtype(boxes, CRGB_FLOAT32, "boxes"),
        check_dtype(box_ind, CRGB_INT32, "box_ind")}) {
    if (!s.ok()) return s;
  }

  Shapes sh;
  if (grads.rank != 4) return invalid("grads image must be 4-D" + shape_string(grads));
  sh.crop_height = grads.shape[1];
  sh.crop_width = grads.shape[2];
  sh.depth = grads.shape[3];
  if (!(sh.crop_height > 0 && sh.crop_width > 0))
    return invalid("grads dimensions must be positive");
  if (image.rank != 4) return invalid("input image must be 4-D" + shape_string(image));
  sh.batch = image.shape[0];
  sh.image_height = image.shape[1];
  sh.image_width = image.shape[2];
  if (!(sh.image_height > 0 && sh.image_width > 0))
    return invalid("image dimensions must be positive");
  if (image.shape[3] != sh.depth) return invalid("image, grads depth differ");

  // TensorFlow's ParseAndCheckBoxSizes. When both are empty TensorFlow skips
  // the rank checks and later aborts on a wrong rank (its issue 65721): we
  // keep the rank checks there.
  bool both_empty = num_elements(boxes) == 0 && num_elements(box_ind) == 0;
  if (boxes.rank != 2) return invalid("boxes must be 2-D" + shape_string(boxes));
  if (both_empty) {
    if (box_ind.rank != 1) return invalid("box_index must be 1-D" + shape_string(box_ind));
    sh.num_boxes = 0;
  } else {
    sh.num_boxes = boxes.shape[0];
    if (boxes.shape[1] != 4) return invalid("boxes must have 4 columns");
    if (box_ind.rank != 1) return invalid("box_index must be 1-D" + shape_string(box_ind));
    if (box_ind.shape[0] != sh.num_boxes) return invalid("box_index has incompatible shape");
  }
  if (grads.shape[0] != sh.num_boxes) return invalid("boxes and grads have incompatible shape");

  // TensorFlow holds crop and image sizes in int: larger ones are not its op.
  const int64_t int_max = std::numeric_limits<int32_t>::max();
  for (int64_t s : {sh.num_boxes, sh.crop_height, sh.crop_width, sh.depth, sh.batch,
                    sh.image_height, sh.image_width}) {
    if (s > int_max) return invalid("a dimension exceeds 2^31 - 1, TensorFlow's int range");
  }

  // The caller's output buffer.
  if (output_elems < 4 * sh.num_boxes)
    return invalid("output holds " + std::to_string(output_elems) + " floats; " +
                   std::to_string(4 * sh.num_boxes) + " are needed");
  if (sh.num_boxes > 0 && output == nullptr) return invalid("output is NULL");
  for (auto [t, name] : {std::pair{&grads, "grads"}, std::pair{&image, "image"},
                         std::pair{&boxes, "boxes"}, std::pair{&box_ind, "box_ind"}}) {
    if (t->data == nullptr && num_elements(*t) > 0)
      return invalid(std::string(name) + " data is NULL");
  }

  sh.device = grads.device;
  if (sh.device == CRGB_DEVICE_HOST) {
    Status s = check_host_data(sh, boxes, box_ind);
    if (!s.ok()) return s;
  }  // else the CUDA variant checks the data on the device (cuda_call.cpp)
  *shapes = sh;
  return {};
}

Status check_host_data(const Shapes &sh, const crgb_tensor &boxes, const crgb_tensor &box_ind) {
  // Data checks, in TensorFlow's order: the box index range first.
  const int32_t *ind = static_cast<const int32_t *>(box_ind.data);
  for (int64_t b = 0; b < sh.num_boxes; ++b) {
    if (ind[b] < 0 || ind[b] >= sh.batch) return {CRGB_OUT_OF_RANGE, kBoxIndexOutOfRange};
  }
  const float *bx = static_cast<const float *>(boxes.data);
  for (int64_t i = 0; i < 4 * sh.num_boxes; ++i) {
    if (!std::isfinite(bx[i])) return invalid(kNonFiniteBoxes);
  }
  return {};
}

}  // namespace crgb::detail
