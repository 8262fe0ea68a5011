// TensorFlow's own results for the forward op and the image gradient
// (tests/golden/crop_and_resize.* and grad_image.*, made by
// tests/golden/make_golden_family.py with TensorFlow 2.20's CPU kernels, the
// gradient under op determinism): every accepted case bit for bit on
// "reference" and within the float64 re-derivation's bound on every other
// variant; every error case with TensorFlow's class and message on every
// variant, nothing written. Missing golden files are a failure, not a skip.
#include "support/family.h"
#include "support/golden.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace crgb_test {
namespace {

const Golden &crop_golden() {
  static const Golden g =
      load_golden(CRGB_GOLDEN_DIR, "crop_and_resize.tsv", "crop_and_resize.npz");
  return g;
}

const Golden &grad_image_golden() {
  static const Golden g = load_golden(CRGB_GOLDEN_DIR, "grad_image.tsv", "grad_image.npz");
  return g;
}

crgb_dtype dtype_named(const std::string &name) {
  for (int t = CRGB_UINT8; t <= CRGB_BFLOAT16; ++t)
    if (name == crgb_dtype_name(static_cast<crgb_dtype>(t))) return static_cast<crgb_dtype>(t);
  throw std::runtime_error("unknown dtype " + name);
}

// The case's image as the library sees it: bfloat16 is stored as its bits (uint16).
crgb_tensor image_tensor(const Golden &g, const GoldenCase &c) {
  crgb_tensor t = g.find(c, "image")->tensor();
  t.dtype = dtype_named(text_of(g, c, "image_dtype", "float32"));
  return t;
}

// Bit for bit, any NaN equal to any NaN.
::testing::AssertionResult same_bits(const std::vector<unsigned char> &got,
                                     const crgb::npy::Array &want, crgb_dtype dtype) {
  if (got.size() != want.bytes.size())
    return ::testing::AssertionFailure()
           << got.size() << " bytes, TensorFlow has " << want.bytes.size();
  const int64_t n = want.size();
  const size_t width = n > 0 ? want.bytes.size() / static_cast<size_t>(n) : 1;
  for (int64_t i = 0; i < n; ++i) {
    if (std::memcmp(got.data() + i * width, want.bytes.data() + i * width, width) == 0) continue;
    const double a = element_as_double(dtype, got.data(), i);
    const double b = element_as_double(dtype, want.bytes.data(), i);
    if (std::isnan(a) && std::isnan(b)) continue;
    return ::testing::AssertionFailure()
           << "element " << i << ": " << std::hexfloat << a << " vs TensorFlow's " << b;
  }
  return ::testing::AssertionSuccess();
}

Problem crop_problem(const Golden &g, const GoldenCase &c) {
  const crgb::npy::Array &image = *g.find(c, "image");
  const std::vector<int32_t> size = values<int32_t>(*g.find(c, "crop_size"));
  Problem p;
  p.dtype = dtype_named(text_of(g, c, "image_dtype", "float32"));
  p.batch = image.shape.at(0);
  p.image_height = image.shape.at(1);
  p.image_width = image.shape.at(2);
  p.depth = image.shape.at(3);
  p.crop_height = size.at(0);
  p.crop_width = size.at(1);
  p.image = image.bytes;
  p.boxes = values<float>(*g.find(c, "boxes"));
  p.box_ind = values<int32_t>(*g.find(c, "box_ind"));
  p.num_boxes = static_cast<int64_t>(p.box_ind.size());
  return p;
}

Problem grad_image_problem(const Golden &g, const GoldenCase &c) {
  const crgb::npy::Array &grads = *g.find(c, "grads");
  const std::vector<int32_t> size = values<int32_t>(*g.find(c, "image_size"));
  Problem p;
  p.batch = size.at(0);
  p.image_height = size.at(1);
  p.image_width = size.at(2);
  p.depth = size.at(3);
  p.num_boxes = grads.shape.at(0);
  p.crop_height = grads.shape.at(1);
  p.crop_width = grads.shape.at(2);
  p.grads = values<float>(grads);
  if (p.num_boxes > 0) {
    p.boxes = values<float>(*g.find(c, "boxes"));
    p.box_ind = values<int32_t>(*g.find(c, "box_ind"));
  }
  return p;
}

// TensorFlow rejects a bad method while building the node, with a message
// naming its NodeDef; ours is the kernel's.
std::string expected_message(const std::string &method, const GoldenCase &c) {
  return method == "bilinear" || method == "nearest" ? c.message
                                                     : "method must be 'bilinear' or 'nearest'";
}

TEST(FamilyGolden, FilesPresentAndComplete) {
  for (const Golden *g : {&crop_golden(), &grad_image_golden()}) {
    ASSERT_TRUE(g->error.empty()) << g->error << " (tests/golden/make_golden_family.py makes them)";
    int ok = 0;
    for (const GoldenCase &c : g->cases) {
      EXPECT_EQ(g->find(c, "out") != nullptr, c.status == "Ok") << c.id;
      ok += c.status == "Ok";
    }
    EXPECT_GE(ok, 300);
  }
}

class CropGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CropGoldenTest, MatchesTensorFlow) {
  const std::string &variant = GetParam();
  const Golden &g = crop_golden();
  ASSERT_TRUE(g.error.empty()) << g.error;
  for (const GoldenCase &c : g.cases) {
    SCOPED_TRACE(c.id + ": " + c.description);
    const std::string method = text_of(g, c, "method", "bilinear");
    const float extrapolation = values<float>(*g.find(c, "extrapolation")).at(0);
    if (c.status == "Ok") {
      const Problem p = crop_problem(g, c);
      // (A dtype the variant is not built for is Unimplemented: dispatcher_test.)
      if (!built_for(variant, CRGB_OP_CROP_AND_RESIZE, p.dtype)) continue;
      const FamilyOutcome o = run_crop(p, variant, method.c_str(), extrapolation);
      ASSERT_EQ(o.status, CRGB_OK) << o.message;
      if (variant == "reference")
        EXPECT_TRUE(same_bits(o.bytes, *g.find(c, "out"), CRGB_FLOAT32));
      else
        EXPECT_TRUE(within_bounds(o.out, rederive_crop(p, method == "nearest", extrapolation)));
      continue;
    }
    const crgb_tensor image = image_tensor(g, c), boxes = g.find(c, "boxes")->tensor(),
                      box_ind = g.find(c, "box_ind")->tensor(),
                      crop_size = g.find(c, "crop_size")->tensor();
    std::vector<float> out(4096, std::nanf("0x5a5a5"));
    crgb_error err{};
    const crgb_status s =
        crgb_crop_and_resize(&image, &boxes, &box_ind, &crop_size, method.c_str(), extrapolation,
                             variant.c_str(), out.data(), static_cast<int64_t>(out.size()), &err);
    EXPECT_STREQ(crgb_status_name(s), c.status.c_str()) << err.message;
    EXPECT_EQ(std::string(err.message), expected_message(method, c));
    for (float v : out) ASSERT_TRUE(std::isnan(v)) << "output written on error";
  }
}

class GradImageGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GradImageGoldenTest, MatchesTensorFlow) {
  const std::string &variant = GetParam();
  const Golden &g = grad_image_golden();
  ASSERT_TRUE(g.error.empty()) << g.error;
  for (const GoldenCase &c : g.cases) {
    SCOPED_TRACE(c.id + ": " + c.description);
    const std::string method = text_of(g, c, "method", "bilinear");
    const crgb_dtype dtype = dtype_named(text_of(g, c, "dtype", "float32"));
    if (c.status == "Ok") {
      const Problem p = grad_image_problem(g, c);
      if (!built_for(variant, CRGB_OP_GRAD_IMAGE, dtype)) continue;  // as above
      const FamilyOutcome o = run_grad_image(p, variant, dtype, method.c_str());
      ASSERT_EQ(o.status, CRGB_OK) << o.message;
      if (variant == "reference")
        EXPECT_TRUE(same_bits(o.bytes, *g.find(c, "out"), dtype));
      else
        EXPECT_TRUE(within_bounds(o.out, rederive_grad_image(p, method == "nearest", dtype)));
      continue;
    }
    const crgb_tensor grads = g.find(c, "grads")->tensor(), boxes = g.find(c, "boxes")->tensor(),
                      box_ind = g.find(c, "box_ind")->tensor(),
                      image_size = g.find(c, "image_size")->tensor();
    std::vector<double> out(4096, std::nan("0x5a5a5"));
    crgb_error err{};
    const crgb_status s =
        crgb_grad_image(&grads, &boxes, &box_ind, &image_size, dtype, method.c_str(),
                        variant.c_str(), out.data(), static_cast<int64_t>(out.size()), &err);
    EXPECT_STREQ(crgb_status_name(s), c.status.c_str()) << err.message;
    EXPECT_EQ(std::string(err.message), expected_message(method, c));
    for (double v : out) ASSERT_TRUE(std::isnan(v)) << "output written on error";
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, CropGoldenTest,
                         ::testing::ValuesIn(variants_with(CRGB_OP_CROP_AND_RESIZE)),
                         VariantName());
INSTANTIATE_TEST_SUITE_P(AllVariants, GradImageGoldenTest,
                         ::testing::ValuesIn(variants_with(CRGB_OP_GRAD_IMAGE)), VariantName());

}  // namespace
}  // namespace crgb_test
