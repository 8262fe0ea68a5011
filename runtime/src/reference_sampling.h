// Where the reference variants sample, written once for the three ops as
// TensorFlow's CPU kernels write it (in float, with the crop-1 centre's 0.5
// a double literal). Included only by the reference sources, which are built
// with -ffp-contract=off (runtime/CMakeLists.txt).
#pragma once

#include <cmath>

namespace crgb::detail {

// One crop row's (or column's) sample along an axis of `size` pixels.
struct Sample {
  bool inside;    // the coordinate is a number in [0, size - 1]
  int low, high;  // floor and ceil (equal on an integer coordinate)
  int nearest;    // roundf: half away from zero
  float lerp;     // coordinate - low
};

// lo, hi: the box's start and end on this axis; scale: the op's step between
// samples (the gradient with respect to the boxes multiplies by a ratio, the
// other two divide: see their callers).
inline Sample sample(float lo, float hi, int i, float scale, int size, int crop) {
  const float in = (crop > 1) ? lo * (size - 1) + i * scale : 0.5 * (lo + hi) * (size - 1);
  Sample s{};
  // Written so NaN is outside too (TensorFlow converts it to int).
  s.inside = in >= 0 && in <= size - 1;
  if (!s.inside) return s;
  s.low = static_cast<int>(std::floor(in));
  s.high = static_cast<int>(std::ceil(in));
  s.nearest = static_cast<int>(std::round(in));
  s.lerp = in - s.low;
  return s;
}

// The step of CropAndResize and CropAndResizeGradImage: (hi - lo) * (size - 1)
// / (crop - 1), left to right in float.
inline float divided_scale(float lo, float hi, int size, int crop) {
  return (crop > 1) ? (hi - lo) * (size - 1) / (crop - 1) : 0;
}

}  // namespace crgb::detail
