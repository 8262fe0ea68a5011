#include "support/generate.h"

#include "support/dtype.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace crgb_test {
namespace {

int64_t uniform_int(std::mt19937 &rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

double uniform(std::mt19937 &rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

bool chance(std::mt19937 &rng, double p) {
  return uniform(rng, 0.0, 1.0) < p;
}

// One axis (lo, hi) of a box, in normalized coordinates.
void random_axis(std::mt19937 &rng, float *lo, float *hi) {
  const double r = uniform(rng, 0.0, 1.0);
  double a, b;
  if (r < 0.10) {  // partly outside [0, 1]
    a = uniform(rng, -0.6, 0.3);
    b = uniform(rng, 0.7, 1.6);
  } else if (r < 0.20) {  // flipped: hi < lo
    a = uniform(rng, 0.5, 1.0);
    b = uniform(rng, 0.0, 0.5);
  } else if (r < 0.30) {  // the whole image: with crop == size every sample is on an integer
    a = 0.0;
    b = 1.0;
  } else if (r < 0.35) {  // entirely outside: nothing contributes
    a = uniform(rng, 1.05, 2.0);
    b = uniform(rng, 1.05, 2.0);
  } else if (r < 0.38) {  // degenerate: every sample at one coordinate
    a = b = uniform(rng, 0.0, 1.0);
  } else {
    a = uniform(rng, 0.0, 0.5);
    b = uniform(rng, 0.5, 1.0);
  }
  *lo = static_cast<float>(a);
  *hi = static_cast<float>(b);
}

void fill_grads(std::mt19937 &rng, Problem &p) {
  for (float &g : p.grads) g = static_cast<float>(uniform(rng, -1.0, 1.0));
}

void fill_boxes(std::mt19937 &rng, Problem &p) {
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    float *box = &p.boxes[static_cast<size_t>(4 * b)];
    random_axis(rng, &box[0], &box[2]);
    random_axis(rng, &box[1], &box[3]);
    p.box_ind[static_cast<size_t>(b)] = static_cast<int32_t>(uniform_int(rng, 0, p.batch - 1));
  }
}

}  // namespace

Shape random_shape(std::mt19937 &rng) {
  Shape s;
  s.batch = uniform_int(rng, 1, 3);
  s.image_height = uniform_int(rng, 1, 12);
  s.image_width = uniform_int(rng, 1, 12);
  // Mostly odd depths: they leave a remainder after any vector width.
  s.depth = chance(rng, 0.7) ? 2 * uniform_int(rng, 0, 5) + 1 : uniform_int(rng, 2, 24);
  s.num_boxes = uniform_int(rng, 1, 6);
  s.crop_height = uniform_int(rng, 1, 7);
  s.crop_width = uniform_int(rng, 1, 9);
  const double r = uniform(rng, 0.0, 1.0);
  if (r < 0.10) {  // 1x1 crop: the box centre
    s.crop_height = s.crop_width = 1;
  } else if (r < 0.20) {  // 1xN crop
    s.crop_height = 1;
  } else if (r < 0.25) {  // Nx1 crop
    s.crop_width = 1;
  } else if (r < 0.32) {  // one pixel high: only in_y == 0 is inside
    s.image_height = 1;
  } else if (r < 0.39) {  // one pixel wide
    s.image_width = 1;
  } else if (r < 0.52) {  // crop == image size: whole-image boxes sample exact integers
    s.crop_height = s.image_height;
    s.crop_width = s.image_width;
  }
  return s;
}

void fill_image(std::mt19937 &rng, Problem &p) {
  const int64_t n = p.batch * p.image_height * p.image_width * p.depth;
  for (int64_t i = 0; i < n; ++i) {
    double v = 0.0;
    switch (p.dtype) {
      case CRGB_UINT8: v = static_cast<double>(uniform_int(rng, 0, 255)); break;
      case CRGB_UINT16: v = static_cast<double>(uniform_int(rng, 0, 65535)); break;
      case CRGB_INT8: v = static_cast<double>(uniform_int(rng, -128, 127)); break;
      case CRGB_INT16: v = static_cast<double>(uniform_int(rng, -32768, 32767)); break;
      case CRGB_INT32:  // full range: most values round when converted to float32
        v = static_cast<double>(uniform_int(rng, std::numeric_limits<int32_t>::min(),
                                            std::numeric_limits<int32_t>::max()));
        break;
      case CRGB_INT64: {  // beyond 2^24 as well, stored exactly (not through double)
        const int64_t k = uniform_int(rng, -(int64_t{1} << 40), int64_t{1} << 40);
        std::memcpy(p.image.data() + static_cast<size_t>(i) * 8, &k, 8);
        continue;
      }
      case CRGB_FLOAT16:  // now and then a subnormal (k * 2^-24)
        v = chance(rng, 0.05) ? std::ldexp(static_cast<double>(uniform_int(rng, -1023, 1023)), -24)
                              : uniform(rng, -8.0, 8.0);
        break;
      case CRGB_FLOAT32:
      case CRGB_FLOAT64:
      case CRGB_BFLOAT16: v = uniform(rng, -2.0, 2.0); break;  // (bfloat16: rounded on store)
    }
    store_element(p.dtype, p.image.data(), i, v);
  }
}

Problem random_problem(std::mt19937 &rng, crgb_dtype dtype, const Shape &s) {
  Problem p;
  p.dtype = dtype;
  p.batch = s.batch;
  p.image_height = s.image_height;
  p.image_width = s.image_width;
  p.depth = s.depth;
  p.num_boxes = s.num_boxes;
  p.crop_height = s.crop_height;
  p.crop_width = s.crop_width;
  p.allocate();
  fill_image(rng, p);
  fill_grads(rng, p);
  fill_boxes(rng, p);
  return p;
}

Problem random_problem(std::mt19937 &rng, crgb_dtype dtype) {
  return random_problem(rng, dtype, random_shape(rng));
}

void place_boxes_off_grid(std::mt19937 &rng, Problem &p, double eps, double margin) {
  if (p.image_height < 2 || p.image_width < 2)
    throw std::invalid_argument("place_boxes_off_grid needs images at least 2x2");
  // Exact (double) sample coordinate; moving lo or hi by eps moves it by at
  // most eps * (size - 1), so a margin beyond that keeps it in its cell.
  auto axis_ok = [&](double lo, double hi, int64_t size, int64_t crop) {
    const double reach = eps * static_cast<double>(size - 1) + margin;
    for (int64_t i = 0; i < crop; ++i) {
      const double c = crop > 1 ? lo * (size - 1) + i * (hi - lo) * (size - 1) / (crop - 1)
                                : 0.5 * (lo + hi) * (size - 1);
      const double to_integer = std::fabs(c - std::nearbyint(c));
      if (to_integer < reach) return false;  // also covers the borders 0 and size - 1
    }
    return true;
  };
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    float *box = &p.boxes[static_cast<size_t>(4 * b)];
    for (int axis = 0; axis < 2; ++axis) {
      const int64_t size = axis == 0 ? p.image_height : p.image_width;
      const int64_t crop = axis == 0 ? p.crop_height : p.crop_width;
      for (int attempt = 0;; ++attempt) {
        if (attempt == 100000) throw std::runtime_error("place_boxes_off_grid: no box found");
        // Mostly inside, sometimes flipped or partly outside.
        float lo = static_cast<float>(uniform(rng, -0.3, 1.3));
        float hi = static_cast<float>(uniform(rng, -0.3, 1.3));
        if (axis_ok(lo, hi, size, crop)) {
          box[axis] = lo;
          box[axis + 2] = hi;
          break;
        }
      }
    }
  }
}

}  // namespace crgb_test
