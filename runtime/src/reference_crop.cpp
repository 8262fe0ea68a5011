// The reference CropAndResize: TensorFlow's CPU kernel loop and arithmetic.
// Built with -ffp-contract=off (runtime/CMakeLists.txt), as reference.cpp.
#include <cmath>
#include <cstdint>

#include "fp_env.h"
#include "reference.h"
#include "reference_pixel.h"
#include "reference_sampling.h"

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
    const float height_scale = divided_scale(y1, y2, image_height, crop_height);
    const float width_scale = divided_scale(x1, x2, image_width, crop_width);

    for (int y = 0; y < crop_height; ++y) {
      const Sample sy = sample(y1, y2, y, height_scale, image_height, crop_height);
      for (int x = 0; x < crop_width; ++x) {
        const Sample sx = sample(x1, x2, x, width_scale, image_width, crop_width);
        float *out = at(b, y, x);
        if (!sy.inside || !sx.inside) {
          for (int64_t d = 0; d < depth; ++d) out[d] = extrapolation_value;
          continue;
        }
        if (nearest) {
          for (int64_t d = 0; d < depth; ++d) out[d] = pixel(b_in, sy.nearest, sx.nearest, d);
          continue;
        }
        for (int64_t d = 0; d < depth; ++d) {
          const float top_left = pixel(b_in, sy.low, sx.low, d);
          const float top_right = pixel(b_in, sy.low, sx.high, d);
          const float bottom_left = pixel(b_in, sy.high, sx.low, d);
          const float bottom_right = pixel(b_in, sy.high, sx.high, d);
          const float top = top_left + (top_right - top_left) * sx.lerp;
          const float bottom = bottom_left + (bottom_right - bottom_left) * sx.lerp;
          out[d] = top + (bottom - top) * sy.lerp;
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
