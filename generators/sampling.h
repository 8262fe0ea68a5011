// The sampling arithmetic of the crop_and_resize family, stated once for the
// three generators (crop_and_resize, crop_and_resize_grad_image,
// crop_and_resize_grad_boxes): where crop index i of a box samples one image
// axis, computed exactly as TensorFlow's float32 CPU code computes it.
//
// Every op shares: denormal flushing (TensorFlow runs its CPU kernels with FTZ
// and DAZ), the crop-1 centre computed in double and rounded once, the
// NaN-proof inside test, floor and ceil that coincide on an integer coordinate
// (TensorFlow's kink) and roundf's half-away-from-zero for "nearest". The ops
// differ in one place only: how the step between samples is formed (Step).
#pragma once

#include <limits>

#include "Halide.h"

namespace crgb {

// TensorFlow's CPU kernels run with denormals flushed to zero (DAZ and FTZ:
// measured against tensorflow-cpu 2.20, tests/golden). Sample coordinates are
// discontinuous at integer values, so a subnormal box coordinate or
// intermediate must be flushed exactly as there.
inline Halide::Expr flush(Halide::Expr e) {
  return Halide::select(Halide::abs(e) < std::numeric_limits<float>::min(), 0.0f, e);
}

// How TensorFlow forms the distance between two samples of a crop.
enum class Step {
  // CropAndResizeGradBoxes: ratio = (size - 1) / (crop - 1), then
  // scale = (hi - lo) * ratio.
  kRatio,
  // CropAndResize and CropAndResizeGradImage: scale = (hi - lo) * (size - 1)
  // / (crop - 1), evaluated left to right in float32.
  kDivided,
};

// Where crop index i samples one axis. All members are Exprs of the sampled
// coordinate; `ok` is false for a coordinate that is NaN or outside
// [0, size - 1], and then every index is 0 (a sample that is not ok is never
// used, but its indices stay inside the image).
struct AxisSample {
  Halide::Expr ok;       // bool: the sample lies inside the image
  Halide::Expr low;      // int32: floor, clamped into [0, size - 1]
  Halide::Expr high;     // int32: ceil, == low on an integer coordinate
  Halide::Expr lerp;     // float32: coordinate - low
  Halide::Expr nearest;  // int32: roundf (half away from zero), clamped
  Halide::Expr ratio;    // float32: (size - 1) / (crop - 1), or 0 for crop 1
  Halide::Expr last;     // float32: size - 1
};

// lo, hi: the box's normalized start and end on this axis; i: the crop index;
// crop: crop size along the axis; size: image size along the axis.
inline AxisSample sample_axis(Halide::Expr lo, Halide::Expr hi, Halide::Expr i, Halide::Expr crop,
                              Halide::Expr size, Step step) {
  using namespace Halide;
  lo = flush(lo);
  hi = flush(hi);
  Expr last = cast<float>(size - 1);
  Expr ratio = select(crop > 1, last / cast<float>(crop - 1), 0.0f);
  Expr scale =
      step == Step::kRatio
          ? select(crop > 1, flush(flush(hi - lo) * ratio), 0.0f)
          : select(crop > 1, flush(flush(flush(hi - lo) * last) / cast<float>(crop - 1)), 0.0f);
  // TensorFlow evaluates the single-sample centre in double (0.5 is a double
  // literal there) and rounds the result to float once.
  Expr centre =
      flush(cast<float>(Expr(0.5) * cast<double>(flush(lo + hi)) * cast<double>(size - 1)));
  Expr in = select(crop > 1, flush(flush(lo * last) + flush(cast<float>(i) * scale)), centre);
  // NaN must fail this test (TensorFlow's GPU kernel's rule). The explicit
  // is_nan matters: Halide 21 lowers strict_float comparisons to LLVM's
  // unordered predicates (fcmp ule), which are true for NaN.
  Expr ok = !is_nan(in) && in >= 0.0f && in <= last;
  Expr safe = select(ok, in, 0.0f);
  Expr low = floor(safe);
  Expr high = ceil(safe);  // == low on an integer coordinate: TensorFlow's kink
  Expr lerp = safe - low;
  // roundf: half away from zero; safe >= 0, and safe - low is exact.
  Expr nearest = select(lerp >= 0.5f, low + 1.0f, low);
  Expr max_index = size - 1;
  AxisSample s;
  s.ok = strict_float(ok);
  s.low = clamp(cast<int>(strict_float(low)), 0, max_index);
  s.high = clamp(cast<int>(strict_float(high)), 0, max_index);
  s.lerp = strict_float(lerp);
  s.nearest = clamp(cast<int>(strict_float(nearest)), 0, max_index);
  s.ratio = strict_float(ratio);
  s.last = last;
  return s;
}

// The row and col tables of the forward op and the image gradient:
// {ok, low, high, lerp, nearest} of one axis (the box gradient keeps weights
// instead of the nearest index, in its own generator).
inline Halide::Tuple family_axis_table(Halide::Expr lo, Halide::Expr hi, Halide::Expr i,
                                       Halide::Expr crop, Halide::Expr size) {
  AxisSample s = sample_axis(lo, hi, i, crop, size, Step::kDivided);
  return {Halide::cast<uint8_t>(s.ok), s.low, s.high, s.lerp, s.nearest};
}

}  // namespace crgb
