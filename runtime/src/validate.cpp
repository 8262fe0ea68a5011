#include "validate.h"

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <utility>

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

// TensorFlow's method attribute of the forward op and the image gradient.
Status parse_method(const char *method, bool *nearest) {
  *nearest = false;
  if (method == nullptr || std::strcmp(method, "bilinear") == 0) return {};
  if (std::strcmp(method, "nearest") == 0) {
    *nearest = true;
    return {};
  }
  return invalid("method must be 'bilinear' or 'nearest'");
}

// A small int32 vector that TensorFlow keeps in host memory (crop_size,
// image_size): descriptor and dtype; its rank and length are the op's checks.
Status check_host_vector(const crgb_tensor *t, const char *name) {
  Status s = check_descriptor(t, name);
  if (!s.ok()) return s;
  if (t->device != CRGB_DEVICE_HOST) return invalid(std::string(name) + " must be in host memory");
  return check_dtype(*t, CRGB_INT32, name);
}

// Every data tensor of one call in one memory, as `first`.
Status check_same_device(std::initializer_list<std::pair<const crgb_tensor *, const char *>> ts) {
  const auto &first = *ts.begin();
  for (const auto &[t, name] : ts) {
    if (t->device != first.first->device)
      return invalid(std::string(first.second) + " is in " + device_name(first.first->device) +
                     " memory but " + name + " in " + device_name(t->device) +
                     " memory; all inputs must be in the same memory");
  }
  return {};
}

// ParseAndCheckBoxSizes, with the rank checks kept when both are empty (where
// TensorFlow skips them and later aborts: its issue 65721).
Status check_box_sizes(const crgb_tensor &boxes, const crgb_tensor &box_ind, int64_t *num_boxes) {
  if (boxes.rank != 2) return invalid("boxes must be 2-D" + shape_string(boxes));
  if (num_elements(boxes) == 0 && num_elements(box_ind) == 0) {
    if (box_ind.rank != 1) return invalid("box_index must be 1-D" + shape_string(box_ind));
    *num_boxes = 0;
    return {};
  }
  *num_boxes = boxes.shape[0];
  if (boxes.shape[1] != 4) return invalid("boxes must have 4 columns");
  if (box_ind.rank != 1) return invalid("box_index must be 1-D" + shape_string(box_ind));
  if (box_ind.shape[0] != *num_boxes) return invalid("box_index has incompatible shape");
  return {};
}

// TensorFlow holds crop and image sizes in int: larger ones are not its op.
Status check_int_range(const Shapes &sh) {
  const int64_t int_max = std::numeric_limits<int32_t>::max();
  for (int64_t s : {sh.num_boxes, sh.crop_height, sh.crop_width, sh.depth, sh.batch,
                    sh.image_height, sh.image_width}) {
    if (s > int_max) return invalid("a dimension exceeds 2^31 - 1, TensorFlow's int range");
  }
  return {};
}

// TensorFlow's TensorShape::AddDimWithStatus, building an output shape one
// dimension at a time: the element count must stay within int64.
Status output_shape(std::initializer_list<int64_t> dims, int64_t *elements) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return invalid("Encountered overflow when multiplying " + std::to_string(n) + " with " +
                     std::to_string(d) + ", result: -1");
    n *= d;
  }
  *elements = n;
  return {};
}

// The caller's output buffer and the inputs' data pointers.
Status check_buffers(int64_t needed, const void *output, int64_t output_elems, const char *unit,
                     std::initializer_list<std::pair<const crgb_tensor *, const char *>> inputs) {
  if (output_elems < needed)
    return invalid("output holds " + std::to_string(output_elems) + " " + unit + "; " +
                   std::to_string(needed) + " are needed");
  if (needed > 0 && output == nullptr) return invalid("output is NULL");
  for (const auto &[t, name] : inputs) {
    if (t->data == nullptr && num_elements(*t) > 0)
      return invalid(std::string(name) + " data is NULL");
  }
  return {};
}

}  // namespace

Status validate_crop(const crgb_tensor *image_p, const crgb_tensor *boxes_p,
                     const crgb_tensor *box_ind_p, const crgb_tensor *crop_size_p,
                     const char *method, const float *output, int64_t output_elems, Shapes *shapes,
                     bool *nearest) {
  Status s = parse_method(method, nearest);
  if (!s.ok()) return s;
  for (auto [t, name] : {std::pair{image_p, "image"}, std::pair{boxes_p, "boxes"},
                         std::pair{box_ind_p, "box_ind"}}) {
    if (!(s = check_descriptor(t, name)).ok()) return s;
  }
  if (!(s = check_host_vector(crop_size_p, "crop_size")).ok()) return s;
  const crgb_tensor &image = *image_p, &boxes = *boxes_p, &box_ind = *box_ind_p,
                    &crop_size = *crop_size_p;
  if (!(s = check_same_device({{&image, "image"}, {&boxes, "boxes"}, {&box_ind, "box_ind"}})).ok())
    return s;
  for (Status d :
       {check_dtype(boxes, CRGB_FLOAT32, "boxes"), check_dtype(box_ind, CRGB_INT32, "box_ind")}) {
    if (!d.ok()) return d;
  }

  Shapes sh;
  if (image.rank != 4) return invalid("input image must be 4-D" + shape_string(image));
  sh.batch = image.shape[0];
  sh.image_height = image.shape[1];
  sh.image_width = image.shape[2];
  sh.depth = image.shape[3];
  if (!(sh.image_height > 0 && sh.image_width > 0))
    return invalid("image dimensions must be positive");
  if (boxes.rank != 2) return invalid("boxes must be 2-D, got: " + shape_string(boxes));
  if (box_ind.rank != 1)
    return invalid("box_indices must be rank 1 but is shape " + shape_string(box_ind));
  if (!(s = check_box_sizes(boxes, box_ind, &sh.num_boxes)).ok()) return s;
  if (crop_size.rank != 1) return invalid("crop_size must be 1-D" + shape_string(crop_size));
  if (crop_size.shape[0] != 2)
    return invalid("crop_size must have two elements" + shape_string(crop_size));
  if (crop_size.data == nullptr) return invalid("crop_size data is NULL");
  const int32_t *crop = static_cast<const int32_t *>(crop_size.data);
  sh.crop_height = crop[0];
  sh.crop_width = crop[1];
  if (!(sh.crop_height > 0 && sh.crop_width > 0))
    return invalid("crop dimensions must be positive");
  int64_t needed = 0;
  s = output_shape({sh.num_boxes, sh.crop_height, sh.crop_width, sh.depth}, &needed);
  if (!s.ok()) return s;
  if (!(s = check_int_range(sh)).ok()) return s;
  if (!(s = check_buffers(needed, output, output_elems, "floats",
                          {{&image, "image"}, {&boxes, "boxes"}, {&box_ind, "box_ind"}}))
           .ok())
    return s;
  sh.device = image.device;
  if (sh.device == CRGB_DEVICE_HOST && !(s = check_host_data(sh, boxes, box_ind)).ok()) return s;
  *shapes = sh;
  return {};
}

Status validate_grad_image(const crgb_tensor *grads_p, const crgb_tensor *boxes_p,
                           const crgb_tensor *box_ind_p, const crgb_tensor *image_size_p,
                           int output_dtype, const char *method, const void *output,
                           int64_t output_elems, Shapes *shapes, bool *nearest) {
  Status s = parse_method(method, nearest);
  if (!s.ok()) return s;
  for (auto [t, name] : {std::pair{grads_p, "grads"}, std::pair{boxes_p, "boxes"},
                         std::pair{box_ind_p, "box_ind"}}) {
    if (!(s = check_descriptor(t, name)).ok()) return s;
  }
  if (!(s = check_host_vector(image_size_p, "image_size")).ok()) return s;
  const crgb_tensor &grads = *grads_p, &boxes = *boxes_p, &box_ind = *box_ind_p,
                    &image_size = *image_size_p;
  if (!(s = check_same_device({{&grads, "grads"}, {&boxes, "boxes"}, {&box_ind, "box_ind"}})).ok())
    return s;
  for (Status d :
       {check_dtype(grads, CRGB_FLOAT32, "grads"), check_dtype(boxes, CRGB_FLOAT32, "boxes"),
        check_dtype(box_ind, CRGB_INT32, "box_ind")}) {
    if (!d.ok()) return d;
  }
  const int t = output_dtype;
  if (t != CRGB_FLOAT16 && t != CRGB_FLOAT32 && t != CRGB_FLOAT64 && t != CRGB_BFLOAT16)
    return invalid("the output dtype must be float16, float32, float64 or bfloat16, got " +
                   (t >= CRGB_UINT8 && t <= CRGB_BFLOAT16
                        ? std::string(dtype_name(static_cast<crgb_dtype>(t)))
                        : std::to_string(t)));

  Shapes sh;
  if (grads.rank != 4) return invalid("grads image must be 4-D" + shape_string(grads));
  sh.crop_height = grads.shape[1];
  sh.crop_width = grads.shape[2];
  sh.depth = grads.shape[3];
  if (!(sh.crop_height > 0 && sh.crop_width > 0))
    return invalid("grads dimensions must be positive");
  if (!(s = check_box_sizes(boxes, box_ind, &sh.num_boxes)).ok()) return s;
  if (grads.shape[0] != sh.num_boxes) return invalid("boxes and grads have incompatible shape");
  if (image_size.rank != 1) return invalid("image_size must be 1-D" + shape_string(image_size));
  if (image_size.shape[0] != 4)
    return invalid("image_size must have 4 elements" + shape_string(image_size));
  if (image_size.data == nullptr) return invalid("image_size data is NULL");
  const int32_t *size = static_cast<const int32_t *>(image_size.data);
  sh.batch = size[0];
  sh.image_height = size[1];
  sh.image_width = size[2];
  if (!(sh.image_height > 0 && sh.image_width > 0))
    return invalid("image dimensions must be positive");
  if (size[3] != sh.depth) return invalid("image_size and grads are incompatible");
  // TensorFlow's TensorShape::AddDimWithStatus, building the output's shape.
  if (sh.batch < 0) return invalid("Expected a non-negative size, got " + std::to_string(sh.batch));
  int64_t needed = 0;
  s = output_shape({sh.batch, sh.image_height, sh.image_width, sh.depth}, &needed);
  if (!s.ok()) return s;
  if (!(s = check_int_range(sh)).ok()) return s;
  if (!(s = check_buffers(needed, output, output_elems, "elements",
                          {{&grads, "grads"}, {&boxes, "boxes"}, {&box_ind, "box_ind"}}))
           .ok())
    return s;
  sh.device = grads.device;
  if (sh.device == CRGB_DEVICE_HOST && !(s = check_host_data(sh, boxes, box_ind)).ok()) return s;
  *shapes = sh;
  return {};
}

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
