// One call's inputs, owned, plus running it on a named variant through the C
// API (so status, message and the untouched-output rule are all visible).
#ifndef CRGB_TESTS_SUPPORT_PROBLEM_H
#define CRGB_TESTS_SUPPORT_PROBLEM_H

#include <crgb/crgb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace crgb_test {

struct Problem {
  crgb_dtype dtype = CRGB_FLOAT32;
  int64_t batch = 1, image_height = 1, image_width = 1, depth = 1;
  int64_t num_boxes = 0, crop_height = 1, crop_width = 1;
  std::vector<float> grads;  // [num_boxes, crop_height, crop_width, depth]
  std::vector<unsigned char>
      image;                     // [batch, image_height, image_width, depth], raw dtype elements
  std::vector<float> boxes;      // [num_boxes, 4] rows y1 x1 y2 x2
  std::vector<int32_t> box_ind;  // [num_boxes]

  // Sizes the buffers from the shape fields (contents zeroed).
  void allocate();

  crgb_tensor grads_tensor() const;
  crgb_tensor image_tensor() const;
  crgb_tensor boxes_tensor() const;
  crgb_tensor box_ind_tensor() const;

  // image[b, y, x, d] as the op sees it (converted to float32).
  float image_at(int64_t b, int64_t y, int64_t x, int64_t d) const;
  float grad_at(int64_t box, int64_t y, int64_t x, int64_t d) const;

  // Shapes, dtype and boxes, for failure messages.
  std::string describe() const;
};

struct Outcome {
  crgb_status status = CRGB_INTERNAL;
  std::string message;
  std::vector<float> out;  // 4 * num_boxes floats on success
};

// A value no correct run writes: a NaN with a recognisable payload, so an
// untouched buffer can be told from one that was written with NaN.
float sentinel();
bool is_sentinel(float v);

// Calls crgb_grad_boxes with the given (possibly edited) tensors and an output
// buffer of capacity floats pre-filled with sentinel(), passing output_elems as
// its size (which may be a lie, to test the check). Checks nothing itself: the
// returned out holds the whole buffer so callers can check it is untouched.
Outcome call(const crgb_tensor &grads, const crgb_tensor &image, const crgb_tensor &boxes,
             const crgb_tensor &box_ind, const std::string &variant, int64_t capacity,
             int64_t output_elems, const char *method = "bilinear");

// Runs a problem as is. variant "" means the automatic choice.
Outcome run(const Problem &p, const std::string &variant);

}  // namespace crgb_test

#endif
