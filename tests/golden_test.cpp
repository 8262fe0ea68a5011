// TensorFlow's own results (tests/golden, made by TensorFlow 2.20's CPU
// kernel): every accepted case bit for bit on "reference" and within the
// rigorous bound on every other variant; every error case with TensorFlow's
// class and exact message on every variant, nothing written. Missing golden
// files are a failure, not a skip.
#include "support/golden.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include "npy.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#ifndef CRGB_GOLDEN_DIR
#error "CRGB_GOLDEN_DIR must name tests/golden"
#endif

namespace crgb_test {
namespace {

const Golden &golden() {
  static const Golden g = load_golden(CRGB_GOLDEN_DIR, "cases.tsv", "golden.npz");
  return g;
}

// An accepted case as a Problem, for the float64 re-derivation.
Problem to_problem(const Golden &g, const GoldenCase &c) {
  const crgb::npy::Array &grads = *g.find(c, "grads"), &image = *g.find(c, "image");
  Problem p;
  p.dtype = image.dtype;
  p.batch = image.shape.at(0);
  p.image_height = image.shape.at(1);
  p.image_width = image.shape.at(2);
  p.depth = image.shape.at(3);
  p.num_boxes = grads.shape.at(0);
  p.crop_height = grads.shape.at(1);
  p.crop_width = grads.shape.at(2);
  p.grads = values<float>(grads);
  p.image = image.bytes;
  if (p.num_boxes > 0) {  // both empty (any shapes) means no boxes
    p.boxes = values<float>(*g.find(c, "boxes"));
    p.box_ind = values<int32_t>(*g.find(c, "box_ind"));
  }
  return p;
}

// Bit-identical, except that any NaN equals any NaN.
::testing::AssertionResult same_bits(const std::vector<float> &got,
                                     const std::vector<float> &want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " floats, TensorFlow has " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) && std::isnan(want[i])) continue;
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) {
      std::ostringstream s;
      s << "output " << i << " (box " << i / 4 << ", column " << i % 4 << "): " << std::hexfloat
        << got[i] << " vs TensorFlow's " << want[i] << std::defaultfloat << std::setprecision(9)
        << " (" << got[i] << " vs " << want[i] << ")";
      return ::testing::AssertionFailure() << s.str();
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(Golden, FilesPresentAndComplete) {
  const Golden &g = golden();
  ASSERT_TRUE(g.error.empty()) << g.error << " (tests/golden/make_golden.py makes them)";
  ASSERT_FALSE(g.cases.empty());
  for (const GoldenCase &c : g.cases) {
    for (const char *what : {"grads", "image", "boxes", "box_ind"})
      EXPECT_NE(g.find(c, what), nullptr) << c.id << "_" << what << " missing";
    EXPECT_EQ(g.find(c, "out") != nullptr, c.status == "Ok") << c.id;
  }
}

// The oracle itself against TensorFlow: TensorFlow's sequential float32 sums
// are one correct summation order, so they must lie within the bound of the
// float64 re-derivation. This validates rederive() and the tolerance.
TEST(Golden, RederivationBoundsTensorFlow) {
  const Golden &g = golden();
  ASSERT_TRUE(g.error.empty()) << g.error;
  for (const GoldenCase &c : g.cases) {
    if (c.status != "Ok") continue;
    SCOPED_TRACE(c.id + ": " + c.description);
    EXPECT_TRUE(within_tolerance(values<float>(*g.find(c, "out")), rederive(to_problem(g, c))));
  }
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesTensorFlow) {
  const std::string &variant = GetParam();
  const Golden &g = golden();
  ASSERT_TRUE(g.error.empty()) << g.error;
  for (const GoldenCase &c : g.cases) {
    SCOPED_TRACE(c.id + ": " + c.description);
    const crgb_tensor grads = g.find(c, "grads")->tensor(), image = g.find(c, "image")->tensor(),
                      boxes = g.find(c, "boxes")->tensor(),
                      box_ind = g.find(c, "box_ind")->tensor();
    const std::string method = text_of(g, c, "method", "bilinear");
    if (c.status == "Ok" && !built_for(variant, image.dtype)) {
      const int64_t n = static_cast<int64_t>(values<float>(*g.find(c, "out")).size());
      const Outcome o = call(grads, image, boxes, box_ind, variant, n, n, method.c_str());
      // An autoscheduled variant's unbuilt dtype: Unimplemented, except where
      // there is nothing to compute (depth 0, no boxes), which never reaches it.
      if (o.status == CRGB_OK) {
        EXPECT_TRUE(within_tolerance(o.out, rederive(to_problem(g, c))));
      } else {
        EXPECT_EQ(o.status, CRGB_UNIMPLEMENTED) << o.message;
      }
    } else if (c.status == "Ok") {
      const std::vector<float> want = values<float>(*g.find(c, "out"));
      const int64_t n = static_cast<int64_t>(want.size());
      const Outcome o = call(grads, image, boxes, box_ind, variant, n, n, method.c_str());
      ASSERT_EQ(o.status, CRGB_OK) << o.message;
      if (variant == "reference") {
        EXPECT_TRUE(same_bits(o.out, want));
      } else {
        EXPECT_TRUE(within_tolerance(o.out, rederive(to_problem(g, c))));
      }
    } else {
      // Room for 2 boxes at least, so an erroneous write is seen.
      const int64_t n = 4 * std::max<int64_t>(2, crgb::output_rows(boxes));
      const Outcome o = call(grads, image, boxes, box_ind, variant, n, n, method.c_str());
      EXPECT_EQ(crgb_status_name(o.status), c.status) << o.message;
      if (method != "bilinear") {
        // TensorFlow rejects the attribute while building the node, with a
        // message naming its NodeDef; SEMANTICS.md fixes ours (the kernel's).
        EXPECT_EQ(o.message, "method must be 'bilinear'");
      } else {
        EXPECT_EQ(o.message, c.message);
      }
      for (float v : o.out) EXPECT_TRUE(is_sentinel(v));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, GoldenTest, ::testing::ValuesIn(available_variants()),
                         VariantName());

}  // namespace
}  // namespace crgb_test
