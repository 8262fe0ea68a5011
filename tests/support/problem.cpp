#include "support/problem.h"

#include "support/dtype.h"

#include <crgb/crgb.hpp>

#include <cstring>
#include <sstream>

namespace crgb_test {

void Problem::allocate() {
  grads.assign(static_cast<size_t>(num_boxes * crop_height * crop_width * depth), 0.0f);
  image.assign(static_cast<size_t>(batch * image_height * image_width * depth) * dtype_size(dtype),
               0);
  boxes.assign(static_cast<size_t>(num_boxes * 4), 0.0f);
  box_ind.assign(static_cast<size_t>(num_boxes), 0);
}

crgb_tensor Problem::grads_tensor() const {
  return crgb::tensor(grads.data(), {num_boxes, crop_height, crop_width, depth});
}
crgb_tensor Problem::image_tensor() const {
  return crgb::tensor(image.data(), dtype, {batch, image_height, image_width, depth});
}
crgb_tensor Problem::boxes_tensor() const {
  return crgb::tensor(boxes.data(), {num_boxes, 4});
}
crgb_tensor Problem::box_ind_tensor() const {
  return crgb::tensor(box_ind.data(), {num_boxes});
}

float Problem::image_at(int64_t b, int64_t y, int64_t x, int64_t d) const {
  return element_as_float(dtype, image.data(),
                          ((b * image_height + y) * image_width + x) * depth + d);
}

float Problem::grad_at(int64_t box, int64_t y, int64_t x, int64_t d) const {
  return grads[static_cast<size_t>(((box * crop_height + y) * crop_width + x) * depth + d)];
}

std::string Problem::describe() const {
  std::ostringstream s;
  s.precision(9);
  s << "dtype=" << crgb_dtype_name(dtype) << " image=[" << batch << "," << image_height << ","
    << image_width << "," << depth << "] grads=[" << num_boxes << "," << crop_height << ","
    << crop_width << "," << depth << "] boxes=";
  for (int64_t b = 0; b < num_boxes && b < 8; ++b) {
    s << (b ? " " : "") << "{";
    for (int k = 0; k < 4; ++k) s << (k ? "," : "") << boxes[static_cast<size_t>(b * 4 + k)];
    s << "}@" << box_ind[static_cast<size_t>(b)];
  }
  if (num_boxes > 8) s << " ...";
  return s.str();
}

float sentinel() {
  const uint32_t bits = 0x7fc0beefu;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

bool is_sentinel(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == 0x7fc0beefu;
}

Outcome call(const crgb_tensor &grads, const crgb_tensor &image, const crgb_tensor &boxes,
             const crgb_tensor &box_ind, const std::string &variant, int64_t capacity,
             int64_t output_elems, const char *method) {
  Outcome o;
  o.out.assign(static_cast<size_t>(capacity), sentinel());
  crgb_error err{};
  err.status = CRGB_INTERNAL;
  std::strcpy(err.message, "(message not set)");
  o.status = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, method,
                             variant.empty() ? nullptr : variant.c_str(), o.out.data(),
                             output_elems, &err);
  // The status is returned and stored; both must agree.
  if (err.status != o.status) o.message = "(error->status disagrees with the returned status) ";
  o.message += std::string(err.message, strnlen(err.message, sizeof err.message));
  return o;
}

Outcome run(const Problem &p, const std::string &variant) {
  return call(p.grads_tensor(), p.image_tensor(), p.boxes_tensor(), p.box_ind_tensor(), variant,
              4 * p.num_boxes, 4 * p.num_boxes);
}

}  // namespace crgb_test
