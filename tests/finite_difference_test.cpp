// Each variant against central differences of the forward op: the output
// must be d/dboxes of F = sum(grads * crop_and_resize(image, boxes)), which
// checks the math from first principles rather than against TensorFlow's code.
#include "support/dtype.h"
#include "support/forward.h"
#include "support/generate.h"
#include "support/rederive.h"
#include "support/variants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace crgb_test {
namespace {

// Step in normalized box units. Boxes are placed so that no sample comes
// within eps * (size - 1) + kMargin pixels of an integer coordinate (which
// also keeps it off the image border) for any of the nudges: F is then linear
// in each box coordinate around the box (in_y is linear in y1 and y2, the
// bilinear sample linear in the lerp), so the central difference has no
// truncation error, only the rounding of F in double.
constexpr double kEps = 1e-4;
constexpr double kMargin = 1e-3;

// The allowed |op - central difference| for one output. The central
// difference is the exact derivative up to 2 * err(F) / (2 eps), with
// err(F) <= (terms + 8) * 2^-53 * abs_sum(F) for a double sum. The op differs
// from the exact derivative by
//  - its float32 summation and products: (n + 16) u abs_sum (support/tolerance.h);
//  - its float32 coordinates: in_x is off by at most ~10 u (W - 1) for boxes in
//    [-0.3, 1.3], so a lerp by as much, which moves each term by at most
//    |g| (|TL|+|TR|+|BL|+|BR|) |weight| times that; bounded with 24 u max(H, W);
//  - its float32 weights, off by at most 3 u (size - 1) each (absolute, so
//    even for a weight near zero): 4 u more of the corner sum, which uses
//    (size - 1) >= |weight| for that reason.
// A wrong weight, lerp, corner or sign is off by the size of the value itself.
double allowed(const Problem &p, const Expected &e, size_t i, const Objective &f) {
  const double u = std::ldexp(1.0, -24);
  const double coordinate_terms =
      24.0 * static_cast<double>(std::max(p.image_height, p.image_width)) + 4.0;
  const double op =
      (static_cast<double>(e.terms_per_output) + 16.0 + coordinate_terms) * u * e.corner_sum[i];
  const double fd = (static_cast<double>(f.terms) + 8.0) * std::ldexp(1.0, -53) * f.abs_sum / kEps;
  return op + fd + 1e-30;
}

struct CropSize {
  int64_t height, width;
};

class FiniteDifferenceTest : public ::testing::TestWithParam<VariantDtype> {};

TEST_P(FiniteDifferenceTest, MatchesCentralDifferences) {
  const std::string &variant = std::get<0>(GetParam());
  const crgb_dtype dtype = std::get<1>(GetParam());
  std::mt19937 rng(99u + static_cast<unsigned>(dtype));
  int nonzero = 0;  // guards against a vacuous pass (all samples outside)
  for (const CropSize crop :
       {CropSize{1, 1}, CropSize{1, 5}, CropSize{4, 1}, CropSize{3, 4}, CropSize{7, 7}}) {
    for (int rep = 0; rep < 3; ++rep) {
      const Shape shape{2,
                        std::uniform_int_distribution<int64_t>(2, 10)(rng),
                        std::uniform_int_distribution<int64_t>(2, 10)(rng),
                        rep == 0 ? 1 : 3,
                        4,
                        crop.height,
                        crop.width};
      Problem p = random_problem(rng, dtype, shape);
      place_boxes_off_grid(rng, p, kEps, kMargin);
      const Outcome o = run(p, variant);
      ASSERT_EQ(o.status, CRGB_OK) << o.message << "\n" << p.describe();
      const Expected e = rederive(p);
      for (int64_t b = 0; b < p.num_boxes; ++b) {
        for (int k = 0; k < 4; ++k) {
          double box[4];
          for (int j = 0; j < 4; ++j) box[j] = p.boxes[static_cast<size_t>(4 * b + j)];
          const double at = box[k];
          box[k] = at + kEps;
          const Objective plus = box_objective(p, b, box);
          box[k] = at - kEps;
          const Objective minus = box_objective(p, b, box);
          const double fd = (plus.value - minus.value) / (2 * kEps);
          const size_t i = static_cast<size_t>(4 * b + k);
          const double bound = allowed(p, e, i, plus.abs_sum > minus.abs_sum ? plus : minus);
          EXPECT_LE(std::fabs(o.out[i] - fd), bound)
              << "box " << b << " column " << k << ": op " << o.out[i] << " central difference "
              << fd << "\n"
              << p.describe();
          if (fd != 0.0) ++nonzero;
        }
      }
    }
  }
  EXPECT_GT(nonzero, 0) << "every derivative was zero: the test checked nothing";
}

std::vector<VariantDtype> grid() {
  std::vector<VariantDtype> g;
  for (const std::string &v : available_variants())
    for (crgb_dtype d : {CRGB_FLOAT32, CRGB_UINT8}) g.emplace_back(v, d);
  return g;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, FiniteDifferenceTest, ::testing::ValuesIn(grid()),
                         VariantDtypeName());

}  // namespace
}  // namespace crgb_test
