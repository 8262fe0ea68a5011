#include "support/rederive.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace crgb_test {
namespace {

// FTZ/DAZ: a subnormal float32 becomes zero of the same sign.
float flush(float v) {
  return std::fabs(v) < FLT_MIN ? std::copysign(0.0f, v) : v;
}

// TensorFlow's ratio: float(size - 1) / (crop - 1), a float32 division.
float axis_ratio(int64_t size, int64_t crop) {
  return crop > 1 ? static_cast<float>(size - 1) / static_cast<float>(crop - 1) : 0.0f;
}

// Weights of the lo (y1 / x1) and hi (y2 / x2) coordinate for row i, float32
// as TensorFlow computes them: (size - 1 - i * ratio) and (i * ratio); for a
// crop of 1 TensorFlow multiplies by 0.5 * (size - 1) in double, which is exact.
void axis_weights(int64_t size, int64_t crop, int64_t i, double *lo, double *hi) {
  if (crop > 1) {
    const float ratio = axis_ratio(size, crop);
    const float scaled = static_cast<float>(i) * ratio;
    *lo = static_cast<float>(static_cast<float>(size - 1) - scaled);
    *hi = scaled;
  } else {
    *lo = *hi = 0.5 * static_cast<double>(size - 1);
  }
}

struct Sample {
  bool inside;
  int64_t low, high;  // floor and ceil
  double lerp;        // coordinate - floor, float32 then widened
};

Sample locate(float lo, float hi, int64_t i, int64_t size, int64_t crop) {
  const float c = sample_coordinate(lo, hi, i, size, crop);
  Sample s{sample_inside(c, size), 0, 0, 0.0};
  if (s.inside) {
    const float f = std::floor(c);
    s.low = static_cast<int64_t>(f);
    s.high = static_cast<int64_t>(std::ceil(c));
    s.lerp = flush(c - f);
  }
  return s;
}

}  // namespace

float sample_coordinate(float lo, float hi, int64_t i, int64_t size, int64_t crop) {
  lo = flush(lo);
  hi = flush(hi);
  if (crop > 1) {
    const float scale = flush(flush(hi - lo) * axis_ratio(size, crop));
    return flush(flush(lo * static_cast<float>(size - 1)) + flush(static_cast<float>(i) * scale));
  }
  // TensorFlow writes 0.5 * (y1 + y2) * (image_height - 1): the sum is float32,
  // the rest double (0.5 is a double literal), rounded to float on assignment.
  return flush(static_cast<float>(0.5 * static_cast<double>(flush(lo + hi)) *
                                  static_cast<double>(size - 1)));
}

bool sample_inside(float coordinate, int64_t size) {
  return coordinate >= 0.0f && coordinate <= static_cast<float>(size - 1);
}

Expected rederive(const Problem &p) {
  return rederive(p, {});
}

Expected rederive(const Problem &p, const PixelFn &pixel_fn) {
  const PixelFn pixel =
      pixel_fn ? pixel_fn : PixelFn([&p](int64_t b, int64_t y, int64_t x, int64_t d) {
        return p.image_at(b, y, x, d);
      });
  Expected e;
  const size_t n = static_cast<size_t>(4 * p.num_boxes);
  e.value.assign(n, 0.0);
  e.abs_sum.assign(n, 0.0);
  e.corner_sum.assign(n, 0.0);
  e.terms_per_output = p.crop_height * p.crop_width * p.depth;
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    const float *box = &p.boxes[static_cast<size_t>(4 * b)];
    const int64_t bi = p.box_ind[static_cast<size_t>(b)];
    double *value = &e.value[static_cast<size_t>(4 * b)];
    double *abs_sum = &e.abs_sum[static_cast<size_t>(4 * b)];
    double *corner_sum = &e.corner_sum[static_cast<size_t>(4 * b)];
    for (int64_t y = 0; y < p.crop_height; ++y) {
      const Sample sy = locate(box[0], box[2], y, p.image_height, p.crop_height);
      if (!sy.inside) continue;
      double wy[2];
      axis_weights(p.image_height, p.crop_height, y, &wy[0], &wy[1]);
      for (int64_t x = 0; x < p.crop_width; ++x) {
        const Sample sx = locate(box[1], box[3], x, p.image_width, p.crop_width);
        if (!sx.inside) continue;
        double wx[2];
        axis_weights(p.image_width, p.crop_width, x, &wx[0], &wx[1]);
        for (int64_t d = 0; d < p.depth; ++d) {
          const double tl = flush(pixel(bi, sy.low, sx.low, d));
          const double tr = flush(pixel(bi, sy.low, sx.high, d));
          const double bl = flush(pixel(bi, sy.high, sx.low, d));
          const double br = flush(pixel(bi, sy.high, sx.high, d));
          const double g = flush(p.grad_at(b, y, x, d));
          const double gy = g * ((1 - sx.lerp) * (bl - tl) + sx.lerp * (br - tr));
          const double gx = g * ((1 - sy.lerp) * (tr - tl) + sy.lerp * (br - bl));
          const double ay =
              std::fabs(g) * (std::fabs(1 - sx.lerp) * (std::fabs(bl) + std::fabs(tl)) +
                              std::fabs(sx.lerp) * (std::fabs(br) + std::fabs(tr)));
          const double ax =
              std::fabs(g) * (std::fabs(1 - sy.lerp) * (std::fabs(tr) + std::fabs(tl)) +
                              std::fabs(sy.lerp) * (std::fabs(br) + std::fabs(bl)));
          const double pixels = std::fabs(tl) + std::fabs(tr) + std::fabs(bl) + std::fabs(br);
          const double corners = std::fabs(g) * pixels;
          // Output order: y1, x1, y2, x2.
          const double grad[4] = {gy, gx, gy, gx};
          const double mag[4] = {ay, ax, ay, ax};
          const double weight[4] = {wy[0], wx[0], wy[1], wx[1]};
          const double extent[4] = {
              static_cast<double>(p.image_height - 1), static_cast<double>(p.image_width - 1),
              static_cast<double>(p.image_height - 1), static_cast<double>(p.image_width - 1)};
          // Where float32 can overflow, the output may be inf, or NaN when the
          // weight or the grad is 0 (inf * 0), whatever its float64 value: an
          // infinite sum of magnitudes makes any result acceptable for it.
          // TensorFlow subtracts neighbouring pixels before the lerp and the
          // grad scale them, and the SIMD variants compile under fast-math,
          // which lets LLVM form a term's products in any order (grad times
          // weight before the lerp, grad times a pixel, ...). Every such
          // partial result is at most the product of its factors' magnitudes,
          // each raised to at least 1; that product also bounds a pixel
          // difference and the lerp-weighted magnitude (ay, ax), so it is the
          // one test needed.
          const double unweighted = std::max(1.0, std::fabs(g)) * std::max(1.0, pixels);
          for (int k = 0; k < 4; ++k) {
            value[k] += grad[k] * weight[k];
            abs_sum[k] += unweighted * std::max(1.0, std::fabs(weight[k])) >= FLT_MAX
                              ? INFINITY
                              : mag[k] * std::fabs(weight[k]);
            corner_sum[k] += corners * extent[k];
          }
        }
      }
    }
  }
  return e;
}

}  // namespace crgb_test
