// The reference CropAndResizeGradImage: TensorFlow's CPU kernel loop under op
// determinism (one thread: boxes, crop rows, crop columns, channels, then the
// four corners in order), each share converted to T and added in T.
// Built with -ffp-contract=off (runtime/CMakeLists.txt), as reference.cpp.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "dtype.h"
#include "fp_env.h"
#include "reference.h"
#include "reference_sampling.h"

namespace crgb::detail {
namespace {

// T's conversion from float and its addition, as Eigen's types do them: a
// 16-bit float adds in float32 and rounds the sum back.
struct AddF32 {
  using Storage = float;
  static void add(Storage &acc, float v) { acc += v; }
};
struct AddF64 {
  using Storage = double;
  static void add(Storage &acc, float v) { acc += static_cast<double>(v); }
};
struct AddF16 {
  using Storage = uint16_t;
  static void add(Storage &acc, float v) {
    acc = float_to_half(half_to_float(acc) + half_to_float(float_to_half(v)));
  }
};
struct AddBF16 {
  using Storage = uint16_t;
  static void add(Storage &acc, float v) {
    acc = float_to_bfloat16(bfloat16_to_float(acc) + bfloat16_to_float(float_to_bfloat16(v)));
  }
};

template <typename A>
void run(const Shapes &s, const crgb_tensor &grads_t, const crgb_tensor &boxes_t,
         const crgb_tensor &box_ind_t, bool nearest, void *output) {
  using T = typename A::Storage;
  const float *grads = static_cast<const float *>(grads_t.data);
  const float *boxes = static_cast<const float *>(boxes_t.data);
  const int32_t *box_ind = static_cast<const int32_t *>(box_ind_t.data);
  T *image = static_cast<T *>(output);
  const int image_height = static_cast<int>(s.image_height);
  const int image_width = static_cast<int>(s.image_width);
  const int crop_height = static_cast<int>(s.crop_height);
  const int crop_width = static_cast<int>(s.crop_width);
  const int64_t depth = s.depth;
  auto at = [&](int64_t b, int64_t y, int64_t x) {
    return image + ((b * image_height + y) * image_width + x) * depth;
  };
  // setZero(): all-zero bits are +0 in every T.
  std::memset(output, 0,
              static_cast<size_t>(s.batch * s.image_height * s.image_width * depth) * sizeof(T));

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
      if (!sy.inside) continue;
      for (int x = 0; x < crop_width; ++x) {
        const Sample sx = sample(x1, x2, x, width_scale, image_width, crop_width);
        if (!sx.inside) continue;
        const float *g = grads + ((b * crop_height + y) * crop_width + x) * depth;
        if (nearest) {
          T *out = at(b_in, sy.nearest, sx.nearest);
          for (int64_t d = 0; d < depth; ++d) A::add(out[d], g[d]);
          continue;
        }
        const float y_lerp = sy.lerp, x_lerp = sx.lerp;
        T *top_left = at(b_in, sy.low, sx.low);
        T *top_right = at(b_in, sy.low, sx.high);
        T *bottom_left = at(b_in, sy.high, sx.low);
        T *bottom_right = at(b_in, sy.high, sx.high);
        for (int64_t d = 0; d < depth; ++d) {
          const float dtop = (1 - y_lerp) * g[d];
          A::add(top_left[d], (1 - x_lerp) * dtop);
          A::add(top_right[d], x_lerp * dtop);
          const float dbottom = y_lerp * g[d];
          A::add(bottom_left[d], (1 - x_lerp) * dbottom);
          A::add(bottom_right[d], x_lerp * dbottom);
        }
      }
    }
  }
}

}  // namespace

void reference_grad_image(const Shapes &s, const crgb_tensor &grads, const crgb_tensor &boxes,
                          const crgb_tensor &box_ind, bool nearest, crgb_dtype output_dtype,
                          void *output) {
  ScopedFpEnv fp_env;  // TensorFlow's environment, whatever the caller's
  switch (output_dtype) {
    case CRGB_FLOAT16: return run<AddF16>(s, grads, boxes, box_ind, nearest, output);
    case CRGB_FLOAT64: return run<AddF64>(s, grads, boxes, box_ind, nearest, output);
    case CRGB_BFLOAT16: return run<AddBF16>(s, grads, boxes, box_ind, nearest, output);
    default: return run<AddF32>(s, grads, boxes, box_ind, nearest, output);
  }
}

}  // namespace crgb::detail
