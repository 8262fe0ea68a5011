#include "support/family.h"

#include "support/dtype.h"
#include "support/half.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <sstream>

namespace crgb_test {
namespace {

float flush(float v) {
  return std::fabs(v) < FLT_MIN ? std::copysign(0.0f, v) : v;
}

struct Sample {
  bool inside = false;
  int64_t low = 0, high = 0, nearest = 0;
  double lerp = 0.0;
};

Sample locate(float lo, float hi, int64_t i, int64_t size, int64_t crop) {
  const float c = crop_coordinate(lo, hi, i, size, crop);
  Sample s;
  s.inside = c >= 0.0f && c <= static_cast<float>(size - 1);  // NaN: outside
  if (!s.inside) return s;
  const float f = std::floor(c);
  s.low = static_cast<int64_t>(f);
  s.high = static_cast<int64_t>(std::ceil(c));
  s.lerp = flush(c - f);
  s.nearest = static_cast<int64_t>(std::round(c));  // half away from zero
  return s;
}

// Pixel (b, y, x, d) as the op reads it: static_cast<float> under FTZ/DAZ,
// where a float64 whose exact value is below FLT_MIN becomes zero even if it
// would round up to FLT_MIN (x86 flushes on tininess before rounding); a
// float32 or bfloat16 subnormal is kept by a plain copy (nearest) and read as
// zero by arithmetic (bilinear: flush() at the use).
float pixel(const Problem &p, int64_t b, int64_t y, int64_t x, int64_t d) {
  if (p.dtype == CRGB_FLOAT64) {
    double v;
    const int64_t i = ((b * p.image_height + y) * p.image_width + x) * p.depth + d;
    std::memcpy(&v, p.image.data() + 8 * i, 8);
    if (std::fabs(v) < FLT_MIN) return static_cast<float>(std::copysign(0.0, v));
  }
  return p.image_at(b, y, x, d);
}

const float *box_of(const Problem &p, int64_t b) {
  return p.boxes.data() + 4 * b;
}

// One call's output buffer, pre-filled with sentinel bits.
std::vector<unsigned char> sentinel_bytes(size_t n) {
  return std::vector<unsigned char>(n, 0xA5);
}

FamilyOutcome finish(crgb_status status, const crgb_error &err, crgb_dtype dtype,
                     std::vector<unsigned char> bytes) {
  FamilyOutcome o;
  o.status = status;
  if (err.status != status) o.message = "(error->status disagrees with the returned status) ";
  o.message += std::string(err.message, strnlen(err.message, sizeof err.message));
  o.untouched = std::all_of(bytes.begin(), bytes.end(), [](unsigned char c) { return c == 0xA5; });
  const int64_t n = static_cast<int64_t>(bytes.size() / dtype_size(dtype));
  o.out.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) o.out[i] = element_as_double(dtype, bytes.data(), i);
  o.bytes = std::move(bytes);
  return o;
}

// Unit roundoff, subnormal spacing and largest finite value of an output dtype.
void dtype_precision(crgb_dtype t, double *u, double *tiny, double *max) {
  switch (t) {
    case CRGB_FLOAT16:
      *u = std::ldexp(1.0, -11), *tiny = std::ldexp(1.0, -24), *max = 65504.0;
      return;
    case CRGB_BFLOAT16: *u = std::ldexp(1.0, -8), *tiny = FLT_MIN, *max = 0x1.fep127; return;
    case CRGB_FLOAT64: *u = std::ldexp(1.0, -53), *tiny = 0.0, *max = FLT_MAX; return;
    default: *u = std::ldexp(1.0, -24), *tiny = FLT_MIN, *max = FLT_MAX; return;
  }
}

}  // namespace

float crop_coordinate(float lo, float hi, int64_t i, int64_t size, int64_t crop) {
  lo = flush(lo);
  hi = flush(hi);
  if (crop > 1) {
    const float scale =
        flush(flush(flush(hi - lo) * static_cast<float>(size - 1)) / static_cast<float>(crop - 1));
    return flush(flush(lo * static_cast<float>(size - 1)) + flush(static_cast<float>(i) * scale));
  }
  return flush(static_cast<float>(0.5 * static_cast<double>(flush(lo + hi)) *
                                  static_cast<double>(size - 1)));
}

double element_as_double(crgb_dtype dtype, const unsigned char *bytes, int64_t i) {
  uint16_t h;
  switch (dtype) {
    case CRGB_FLOAT16: std::memcpy(&h, bytes + 2 * i, 2); return half_to_float(h);
    case CRGB_BFLOAT16: std::memcpy(&h, bytes + 2 * i, 2); return bfloat16_to_float(h);
    case CRGB_FLOAT64: {
      double d;
      std::memcpy(&d, bytes + 8 * i, 8);
      return d;
    }
    default: return element_as_float(dtype, bytes, i);
  }
}

FamilyOutcome run_crop(const Problem &p, const std::string &variant, const char *method,
                       float extrapolation_value) {
  const int32_t size[2] = {static_cast<int32_t>(p.crop_height), static_cast<int32_t>(p.crop_width)};
  const crgb_tensor crop_size = {size, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
  const int64_t n = p.num_boxes * p.crop_height * p.crop_width * p.depth;
  std::vector<unsigned char> bytes = sentinel_bytes(static_cast<size_t>(n) * 4);
  const crgb_tensor image = p.image_tensor(), boxes = p.boxes_tensor(),
                    box_ind = p.box_ind_tensor();
  crgb_error err{};
  err.status = CRGB_INTERNAL;
  const crgb_status s =
      crgb_crop_and_resize(&image, &boxes, &box_ind, &crop_size, method, extrapolation_value,
                           variant.empty() ? nullptr : variant.c_str(),
                           reinterpret_cast<float *>(bytes.data()), n, &err);
  return finish(s, err, CRGB_FLOAT32, std::move(bytes));
}

FamilyOutcome run_grad_image(const Problem &p, const std::string &variant, crgb_dtype dtype,
                             const char *method) {
  const int32_t size[4] = {static_cast<int32_t>(p.batch), static_cast<int32_t>(p.image_height),
                           static_cast<int32_t>(p.image_width), static_cast<int32_t>(p.depth)};
  const crgb_tensor image_size = {size, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
  const int64_t n = p.batch * p.image_height * p.image_width * p.depth;
  std::vector<unsigned char> bytes = sentinel_bytes(static_cast<size_t>(n) * dtype_size(dtype));
  const crgb_tensor grads = p.grads_tensor(), boxes = p.boxes_tensor(),
                    box_ind = p.box_ind_tensor();
  crgb_error err{};
  err.status = CRGB_INTERNAL;
  const crgb_status s =
      crgb_grad_image(&grads, &boxes, &box_ind, &image_size, dtype, method,
                      variant.empty() ? nullptr : variant.c_str(), bytes.data(), n, &err);
  return finish(s, err, dtype, std::move(bytes));
}

FamilyExpected rederive_crop(const Problem &p, bool nearest, float extrapolation_value) {
  FamilyExpected e;
  const int64_t n = p.num_boxes * p.crop_height * p.crop_width * p.depth;
  e.value.assign(static_cast<size_t>(n), static_cast<double>(extrapolation_value));
  e.bound.assign(static_cast<size_t>(n), 0.0);
  const double u = std::ldexp(1.0, -24);
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    const float *box = box_of(p, b);
    const int64_t im = p.box_ind[b];
    for (int64_t y = 0; y < p.crop_height; ++y) {
      const Sample sy = locate(box[0], box[2], y, p.image_height, p.crop_height);
      if (!sy.inside) continue;
      for (int64_t x = 0; x < p.crop_width; ++x) {
        const Sample sx = locate(box[1], box[3], x, p.image_width, p.crop_width);
        if (!sx.inside) continue;
        for (int64_t d = 0; d < p.depth; ++d) {
          const size_t i =
              static_cast<size_t>(((b * p.crop_height + y) * p.crop_width + x) * p.depth + d);
          if (nearest) {
            e.value[i] = pixel(p, im, sy.nearest, sx.nearest, d);
            continue;
          }
          const double tl = flush(pixel(p, im, sy.low, sx.low, d));
          const double tr = flush(pixel(p, im, sy.low, sx.high, d));
          const double bl = flush(pixel(p, im, sy.high, sx.low, d));
          const double br = flush(pixel(p, im, sy.high, sx.high, d));
          const double top = tl + (tr - tl) * sx.lerp, bottom = bl + (br - bl) * sx.lerp;
          e.value[i] = top + (bottom - top) * sy.lerp;
          e.bound[i] = 8 * u * (std::fabs(tl) + std::fabs(tr) + std::fabs(bl) + std::fabs(br)) +
                       4 * FLT_MIN;  // FTZ of a subnormal intermediate
          // A difference beyond FLT_MAX overflows in float32 (TensorFlow's
          // own result is then inf or NaN): no float32 value is owed there.
          if (std::max({std::fabs(tr - tl), std::fabs(br - bl), std::fabs(bottom - top)}) > FLT_MAX)
            e.bound[i] = HUGE_VAL;
        }
      }
    }
  }
  return e;
}

FamilyExpected rederive_grad_image(const Problem &p, bool nearest, crgb_dtype dtype) {
  const int64_t n = p.batch * p.image_height * p.image_width * p.depth;
  std::vector<double> value(static_cast<size_t>(n), 0.0), abs_sum(value.size(), 0.0);
  std::vector<double> terms(value.size(), 0.0);
  auto add = [&](int64_t im, int64_t y, int64_t x, int64_t d, double v) {
    const size_t i =
        static_cast<size_t>(((im * p.image_height + y) * p.image_width + x) * p.depth + d);
    value[i] += v;
    abs_sum[i] += std::fabs(v);
    terms[i] += 1;
  };
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    const float *box = box_of(p, b);
    const int64_t im = p.box_ind[b];
    for (int64_t y = 0; y < p.crop_height; ++y) {
      const Sample sy = locate(box[0], box[2], y, p.image_height, p.crop_height);
      if (!sy.inside) continue;
      for (int64_t x = 0; x < p.crop_width; ++x) {
        const Sample sx = locate(box[1], box[3], x, p.image_width, p.crop_width);
        if (!sx.inside) continue;
        for (int64_t d = 0; d < p.depth; ++d) {
          const double g = flush(p.grad_at(b, y, x, d));
          if (nearest) {
            add(im, sy.nearest, sx.nearest, d, g);
            continue;
          }
          add(im, sy.low, sx.low, d, (1 - sy.lerp) * (1 - sx.lerp) * g);
          add(im, sy.low, sx.high, d, (1 - sy.lerp) * sx.lerp * g);
          add(im, sy.high, sx.low, d, sy.lerp * (1 - sx.lerp) * g);
          add(im, sy.high, sx.high, d, sy.lerp * sx.lerp * g);
        }
      }
    }
  }
  double u = 0, tiny = 0, max = 0;
  dtype_precision(dtype, &u, &tiny, &max);
  FamilyExpected e;
  e.value = value;
  e.bound.resize(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    e.bound[i] = ((terms[i] + 3) * u + 4 * std::ldexp(1.0, -24)) * abs_sum[i] +
                 (terms[i] + 1) * std::max(tiny, 2.0 * FLT_MIN);
    // A share or a partial sum beyond T's range overflows in T (TensorFlow's
    // result is then inf or NaN): no value of T is owed there.
    if (abs_sum[i] * (1 + 4 * u) >= max) e.bound[i] = HUGE_VAL;
  }
  return e;
}

::testing::AssertionResult within_bounds(const std::vector<double> &got,
                                         const FamilyExpected &want) {
  if (got.size() != want.value.size())
    return ::testing::AssertionFailure()
           << got.size() << " elements, the re-derivation has " << want.value.size();
  size_t failures = 0, worst = 0;
  double worst_excess = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want.value[i];
    bool ok;
    double excess = 0;
    if (std::isinf(want.bound[i])) {
      continue;  // the float32 evaluation overflows (rederive_crop)
    } else if (std::isnan(w) || std::isnan(g)) {
      ok = std::isnan(w) && std::isnan(g);
      excess = ok ? 0 : HUGE_VAL;
    } else if (std::isinf(w) || std::isinf(g)) {
      // A finite exact value may overflow in float32 only when it is near FLT_MAX.
      ok = g == w || (std::isinf(g) && std::fabs(w) + want.bound[i] >= FLT_MAX);
      excess = ok ? 0 : HUGE_VAL;
    } else {
      excess = std::fabs(g - w) - want.bound[i];
      ok = excess <= 0;
    }
    if (!ok) {
      ++failures;
      if (excess > worst_excess) worst_excess = excess, worst = i;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  std::ostringstream s;
  s.precision(17);
  s << failures << " of " << got.size() << " elements outside their bound; worst: element " << worst
    << " got " << got[worst] << ", want " << want.value[worst] << " +- " << want.bound[worst];
  return ::testing::AssertionFailure() << s.str();
}

}  // namespace crgb_test
