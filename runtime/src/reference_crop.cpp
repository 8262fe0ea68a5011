// The reference CropAndResize: TensorFlow's CPU kernel loop and arithmetic.
// Built with -ffp-contract=off (runtime/CMakeLists.txt), as reference.cpp.
#include <cmath>
#include <cstdint>

#include "fp_env.h"
#include "reference.h"
#include "reference_pixel.h"

namespace crgb::detail {
namespace {

template <typename T>
void run(const Shapes &s, const crgb_tensor &image_t, const crgb_tensor &boxes_t,
         const crgb_tensor &box_ind_t, bool nearest, float extrapolation_value, float *crops) {
  const float *boxes = static_cast<const float *>(boxes_t.data);
  const int32_t *box_ind = static_cast<const int32_t *>(box_ind_t.data);
  const void *image = image_t.data;
  // TensorFlow keeps these in int.
  const int image_height = static_cast<int>(s.image_height);
  const int image_width = static_cast<int>(s.image_width);
  const int crop_height = static_cast<int>(s.crop_height);
  const int crop_width = static_cast<int>(s.crop_width);
  const int64_t depth = s.depth;
  auto pixel = [&](int64_t b, int64_t y, int64_t x, int64_t d) {
    return Pixel<T>::get(image, ((b * image_height + y) * image_width + x) * depth + d);
  };
  auto at = [&](int64_t b, int64_t y, int64_t x) {
    return crops + ((b * crop_height + y) * crop_width + x) * depth;
  };

  for (int64_t b = 0; b < s.num_boxes; ++b) {
    const float y1 = boxes[b * 4 + 0];
    const float x1 = boxes[b * 4 + 1];
    const float y2 = boxes[b * 4 + 2];
    const float x2 = boxes[b * 4 + 3];
    const int64_t b_in = box_ind[b];
    // Left to right in float: (y2 - y1) * (H - 1), then / (crop - 1).
    const float height_scale =
        (crop_height > 1) ? (y2 - y1) * (image_height - 1) / (crop_height - 1) : 0;
    const float width_scale =
        (crop_width > 1) ? (x2 - x1) * (image_width - 1) / (crop_width - 1) : 0;

    for (int y = 0; y < crop_height; ++y) {
      // 0.5 is a double literal, as in TensorFlow.
      const float in_y = (crop_height > 1) ? y1 * (image_height - 1) + y * height_scale
                                           : 0.5 * (y1 + y2) * (image_height - 1);
      // Written so NaN is outside too (TensorFlow converts it to int).
      if (!(in_y >= 0 && in_y <= image_height - 1)) {
        for (int x = 0; x < crop_width; ++x)
          for (int64_t d = 0; d < depth; ++d) at(b, y, x)[d] = extrapolation_value;
        continue;
      }
      const int top_y_index = static_cast<int>(std::floor(in_y));
      const int bottom_y_index = static_cast<int>(std::ceil(in_y));
      const float y_lerp = in_y - top_y_index;
      const int closest_y_index = static_cast<int>(std::round(in_y));

      for (int x = 0; x < crop_width; ++x) {
        const float in_x = (crop_width > 1) ? x1 * (image_width - 1) + x * width_scale
                                            : 0.5 * (x1 + x2) * (image_width - 1);
        float *out = at(b, y, x);
        if (!(in_x >= 0 && in_x <= image_width - 1)) {
          for (int64_t d = 0; d < depth; ++d) out[d] = extrapolation_value;
          continue;
        }
        if (nearest) {
          const int closest_x_index = static_cast<int>(std::round(in_x));
          for (int64_t d = 0; d < depth; ++d)
            out[d] = pixel(b_in, closest_y_index, closest_x_index, d);
          continue;
        }
        const int left_x_index = static_cast<int>(std::floor(in_x));
        const int right_x_index = static_cast<int>(std::ceil(in_x));
        const float x_lerp = in_x - left_x_index;
        for (int64_t d = 0; d < depth; ++d) {
          const float top_left = pixel(b_in, top_y_index, left_x_index, d);
          const float top_right = pixel(b_in, top_y_index, right_x_index, d);
          const float bottom_left = pixel(b_in, bottom_y_index, left_x_index, d);
          const float bottom_right = pixel(b_in, bottom_y_index, right_x_index, d);
          const float top = top_left + (top_right - top_left) * x_lerp;
          const float bottom = bottom_left + (bottom_right - bottom_left) * x_lerp;
          out[d] = top + (bottom - top) * y_lerp;
        }
      }
    }
  }
}

}  // namespace

void reference_crop_and_resize(const Shapes &s, const crgb_tensor &image, const crgb_tensor &boxes,
                               const crgb_tensor &box_ind, bool nearest, float extrapolation_value,
                               float *output) {
  ScopedFpEnv fp_env;  // TensorFlow's environment, whatever the caller's
  with_dtype(image.dtype, [&](auto tag) {
    run<decltype(tag)>(s, image, boxes, box_ind, nearest, extrapolation_value, output);
  });
}

}  // namespace crgb::detail
