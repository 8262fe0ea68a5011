#include "support/forward.h"

#include <algorithm>
#include <cmath>

namespace crgb_test {
namespace {

// TensorFlow's forward sample coordinate, in exact arithmetic.
double coordinate(double lo, double hi, int64_t i, int64_t size, int64_t crop) {
  const double extent = static_cast<double>(size - 1);
  return crop > 1 ? lo * extent +
                        static_cast<double>(i) * (hi - lo) * extent / static_cast<double>(crop - 1)
                  : 0.5 * (lo + hi) * extent;
}

}  // namespace

Objective box_objective(const Problem &p, int64_t b, const double box[4]) {
  Objective o;
  const int64_t bi = p.box_ind[static_cast<size_t>(b)];
  for (int64_t y = 0; y < p.crop_height; ++y) {
    const double in_y = coordinate(box[0], box[2], y, p.image_height, p.crop_height);
    // Outside the image the crop is the extrapolation value 0: no term.
    if (!(in_y >= 0 && in_y <= static_cast<double>(p.image_height - 1))) continue;
    const int64_t top = static_cast<int64_t>(std::floor(in_y));
    const int64_t bottom = static_cast<int64_t>(std::ceil(in_y));
    const double y_lerp = in_y - static_cast<double>(top);
    for (int64_t x = 0; x < p.crop_width; ++x) {
      const double in_x = coordinate(box[1], box[3], x, p.image_width, p.crop_width);
      if (!(in_x >= 0 && in_x <= static_cast<double>(p.image_width - 1))) continue;
      const int64_t left = static_cast<int64_t>(std::floor(in_x));
      const int64_t right = static_cast<int64_t>(std::ceil(in_x));
      const double x_lerp = in_x - static_cast<double>(left);
      for (int64_t d = 0; d < p.depth; ++d) {
        const double tl = p.image_at(bi, top, left, d), tr = p.image_at(bi, top, right, d);
        const double bl = p.image_at(bi, bottom, left, d), br = p.image_at(bi, bottom, right, d);
        const double upper = tl + (tr - tl) * x_lerp;
        const double lower = bl + (br - bl) * x_lerp;
        const double crop = upper + (lower - upper) * y_lerp;
        const double g = p.grad_at(b, y, x, d);
        o.value += g * crop;
        o.abs_sum +=
            std::fabs(g) * std::max({std::fabs(tl), std::fabs(tr), std::fabs(bl), std::fabs(br)});
        ++o.terms;
      }
    }
  }
  return o;
}

}  // namespace crgb_test
