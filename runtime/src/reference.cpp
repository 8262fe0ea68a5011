// Built with -ffp-contract=off (runtime/CMakeLists.txt): a fused multiply-add
// rounds once where TensorFlow's build rounds twice.
#include "reference.h"

#include <cmath>
#include <cstdint>

#include "fp_env.h"
#include "reference_pixel.h"
#include "reference_sampling.h"

namespace crgb::detail {
namespace {

template <typename T>
void run(const Shapes &s, const crgb_tensor &grads_t, const crgb_tensor &image_t,
         const crgb_tensor &boxes_t, const crgb_tensor &box_ind_t, float *out) {
  const float *grads = static_cast<const float *>(grads_t.data);
  const float *boxes = static_cast<const float *>(boxes_t.data);
  const int32_t *box_ind = static_cast<const int32_t *>(box_ind_t.data);
  const void *image = image_t.data;
  // TensorFlow keeps these in int.
  const int image_height = static_cast<int>(s.image_height);
  const int image_width = static_cast<int>(s.image_width);
  const int crop_height = static_cast<int>(s.crop_height);
  const int crop_width = static_cast<int>(s.crop_width);
  const int depth = static_cast<int>(s.depth);
  auto image_at = [&](int64_t b, int64_t y, int64_t x, int64_t d) {
    return Pixel<T>::get(image, ((b * image_height + y) * image_width + x) * depth + d);
  };

  for (int64_t b = 0; b < s.num_boxes * 4; ++b) out[b] = 0;

  for (int64_t b = 0; b < s.num_boxes; ++b) {
    const float y1 = boxes[b * 4 + 0];
    const float x1 = boxes[b * 4 + 1];
    const float y2 = boxes[b * 4 + 2];
    const float x2 = boxes[b * 4 + 3];
    const int32_t b_in = box_ind[b];
    float *out_b = out + b * 4;

    const float height_ratio =
        (crop_height > 1) ? static_cast<float>(image_height - 1) / (crop_height - 1) : 0;
    const float width_ratio =
        (crop_width > 1) ? static_cast<float>(image_width - 1) / (crop_width - 1) : 0;
    const float height_scale = (crop_height > 1) ? (y2 - y1) * height_ratio : 0;
    const float width_scale = (crop_width > 1) ? (x2 - x1) * width_ratio : 0;

    for (int y = 0; y < crop_height; ++y) {
      const Sample sy = sample(y1, y2, y, height_scale, image_height, crop_height);
      if (!sy.inside) continue;
      const int top_y_index = sy.low, bottom_y_index = sy.high;
      const float y_lerp = sy.lerp;

      for (int x = 0; x < crop_width; ++x) {
        const Sample sx = sample(x1, x2, x, width_scale, image_width, crop_width);
        if (!sx.inside) continue;
        const int left_x_index = sx.low, right_x_index = sx.high;
        const float x_lerp = sx.lerp;

        for (int d = 0; d < depth; ++d) {
          const float top_left = image_at(b_in, top_y_index, left_x_index, d);
          const float top_right = image_at(b_in, top_y_index, right_x_index, d);
          const float bottom_left = image_at(b_in, bottom_y_index, left_x_index, d);
          const float bottom_right = image_at(b_in, bottom_y_index, right_x_index, d);
          float image_grad_y =
              (1 - x_lerp) * (bottom_left - top_left) + x_lerp * (bottom_right - top_right);
          float image_grad_x =
              (1 - y_lerp) * (top_right - top_left) + y_lerp * (bottom_right - bottom_left);
          const float top_grad = grads[((b * crop_height + y) * crop_width + x) * depth + d];
          image_grad_y *= top_grad;
          image_grad_x *= top_grad;
          // The single-sample weights are double expressions in TensorFlow:
          // float += double rounds the double sum to float.
          if (crop_height > 1) {
            out_b[0] += image_grad_y * (image_height - 1 - y * height_ratio);
            out_b[2] += image_grad_y * (y * height_ratio);
          } else {
            out_b[0] += image_grad_y * 0.5 * (image_height - 1);
            out_b[2] += image_grad_y * 0.5 * (image_height - 1);
          }
          if (crop_width > 1) {
            out_b[1] += image_grad_x * (image_width - 1 - x * width_ratio);
            out_b[3] += image_grad_x * (x * width_ratio);
          } else {
            out_b[1] += image_grad_x * 0.5 * (image_width - 1);
            out_b[3] += image_grad_x * 0.5 * (image_width - 1);
          }
        }
      }
    }
  }
}

}  // namespace

void reference_grad_boxes(const Shapes &s, const crgb_tensor &grads, const crgb_tensor &image,
                          const crgb_tensor &boxes, const crgb_tensor &box_ind, float *output) {
  // TensorFlow's environment (denormals flushed, round to nearest), whatever
  // the caller's; restored on return.
  ScopedFpEnv fp_env;
  with_dtype(image.dtype,
             [&](auto tag) { run<decltype(tag)>(s, grads, image, boxes, box_ind, output); });
}

}  // namespace crgb::detail
