// TensorFlow's own results (tests/golden, made by TensorFlow 2.20's CPU
// kernel): every accepted case bit for bit on "reference" and within the
// rigorous bound on every other variant; every error case with TensorFlow's
// class and exact message on every variant, nothing written. Missing golden
// files are a failure, not a skip.
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

struct GoldenCase {
  std::string id, status, description, message;
};

struct Golden {
  std::vector<GoldenCase> cases;
  std::map<std::string, crgb::npy::Array> arrays;
  std::string error;  // why loading failed, empty when it did not

  const crgb::npy::Array *find(const GoldenCase &c, const std::string &what) const {
    auto it = arrays.find(c.id + "_" + what);
    return it == arrays.end() ? nullptr : &it->second;
  }
};

// cases.tsv: a header, then id <TAB> status <TAB> description <TAB> message.
std::vector<GoldenCase> read_cases(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<GoldenCase> cases;
  std::string line;
  std::getline(in, line);
  if (line != "id\tstatus\tdescription\tmessage")
    throw std::runtime_error(path + ": unexpected header");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      f.push_back(line.substr(start, tab - start));
    f.push_back(line.substr(start));
    if (f.size() != 4) throw std::runtime_error(path + ": not 4 fields: " + line);
    cases.push_back({f[0], f[1], f[2], f[3]});
  }
  return cases;
}

const Golden &golden() {
  static const Golden g = [] {
    Golden g;
    try {
      g.cases = read_cases(std::string(CRGB_GOLDEN_DIR) + "/cases.tsv");
      g.arrays = crgb::npy::load_npz(std::string(CRGB_GOLDEN_DIR) + "/golden.npz");
    } catch (const std::exception &e) {
      g.error = e.what();
    }
    return g;
  }();
  return g;
}

template <typename T>
std::vector<T> values(const crgb::npy::Array &a) {
  std::vector<T> v(static_cast<size_t>(a.size()));
  if (!v.empty()) std::memcpy(v.data(), a.bytes.data(), v.size() * sizeof(T));
  return v;
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

std::string method_of(const Golden &g, const GoldenCase &c) {
  const crgb::npy::Array *m = g.find(c, "method");
  return m ? std::string(m->bytes.begin(), m->bytes.end()) : "bilinear";
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
    const std::string method = method_of(g, c);
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
