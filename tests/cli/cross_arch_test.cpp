// Cross builds only (tests/cli/CMakeLists.txt): this build's `crgb grad-boxes`
// (aarch64, run under qemu through CRGB_CLI_PATH) against the x86-64 one of
// the host build that made its Halide code (CRGB_HOST_CLI_PATH, run
// natively), on the same .npy input files:
//   - `--variant reference` gives the same bits on both architectures (the
//     reference is plain IEEE float and double arithmetic: no FMA, denormals
//     flushed on both, no float-to-int conversion of NaN or huge values);
//   - every variant available here is within the tolerance
//     (support/tolerance.h; twice the bound, as both sides carry one) of
//     x86-64's reference and of x86-64's automatic choice;
//   - a rejected input gives the same exit status and stderr line on both.
// The inputs: random problems of every dtype and odd shape, plus boxes whose
// coordinates are NaN or beyond int range and boxes on which a fused
// multiply-add would move a sample off an integer coordinate
// (arch_independence_test.cpp).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <crgb/crgb.hpp>

#include "npy.h"
#include "npy_builder.h"
#include "support/dtype.h"
#include "support/generate.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"
#include "test_files.h"

namespace crgb_test {
namespace {

std::string quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct CliRun {
  int status = -1;
  std::string err;
};

CliRun run_cli(const std::string &program, const TempDir &dir,
               const std::vector<std::string> &args) {
  std::string cmd = quote(program);
  for (const std::string &a : args) cmd += " " + quote(a);
  cmd += " >/dev/null 2>" + quote(dir.file("stderr"));
  const int rc = std::system(cmd.c_str());
  CliRun r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  const Bytes e = read_bytes(dir.file("stderr"));
  r.err.assign(e.begin(), e.end());
  return r;
}

const char *descr(crgb_dtype d) {
  switch (d) {
    case CRGB_UINT8: return "|u1";
    case CRGB_UINT16: return "<u2";
    case CRGB_INT8: return "|i1";
    case CRGB_INT16: return "<i2";
    case CRGB_INT32: return "<i4";
    case CRGB_INT64: return "<i8";
    case CRGB_FLOAT16: return "<f2";
    case CRGB_FLOAT32: return "<f4";
    case CRGB_FLOAT64: return "<f8";
    case CRGB_BFLOAT16: return "<V2";  // as ml_dtypes' np.save writes it
  }
  return "?";
}

// Writes the problem's four inputs and returns grad-boxes' flags (output to `out`).
std::vector<std::string> write_inputs(const TempDir &dir, const Problem &p) {
  write_bytes(dir.file("g.npy"),
              make_npy(1, npy_dict("<f4", {p.num_boxes, p.crop_height, p.crop_width, p.depth}),
                       le_bytes_of(p.grads)));
  write_bytes(
      dir.file("i.npy"),
      make_npy(1, npy_dict(descr(p.dtype), {p.batch, p.image_height, p.image_width, p.depth}),
               p.image));
  write_bytes(dir.file("b.npy"),
              make_npy(1, npy_dict("<f4", {p.num_boxes, 4}), le_bytes_of(p.boxes)));
  write_bytes(dir.file("k.npy"),
              make_npy(1, npy_dict("<i4", {p.num_boxes}), le_bytes_of(p.box_ind)));
  return {"grad-boxes", "--grads",         dir.file("g.npy"), "--image",        dir.file("i.npy"),
          "--boxes",    dir.file("b.npy"), "--box-ind",       dir.file("k.npy")};
}

std::vector<float> result(const TempDir &dir, const std::string &program,
                          std::vector<std::string> args, const std::string &variant) {
  const std::string out = dir.file("o_" + variant + ".npy");
  args.insert(args.end(), {"--out", out});
  if (!variant.empty()) args.insert(args.end(), {"--variant", variant});
  const CliRun r = run_cli(program, dir, args);
  EXPECT_EQ(r.status, 0) << program << " --variant " << variant << ": " << r.err;
  if (r.status != 0) return {};
  const crgb::npy::Array a = crgb::npy::load_npy(out);
  std::vector<float> v(a.bytes.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), a.bytes.data(), a.bytes.size());
  return v;
}

// Bitwise, except that any NaN equals any NaN.
bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
  }
  return true;
}

// The problems of one dtype (see the header).
std::vector<Problem> problems(crgb_dtype dtype) {
  std::mt19937 rng(4242u + static_cast<unsigned>(dtype));
  std::vector<Problem> list;
  for (int i = 0; i < 4; ++i) list.push_back(random_problem(rng, dtype));

  // crop 2x2 on 37x37: NaN/huge boxes, FMA-sensitive kink boxes, random ones.
  Problem p = random_problem(rng, dtype, Shape{2, 37, 37, 3, 12, 2, 2});
  const float special[][4] = {
      {3e38f, 0.1f, -3e38f, 0.9f},
      {0.2f, 3e38f, 0.7f, -3e38f},
      {1e30f, 0.0f, 2e30f, 1.0f},
      {0.0f, -2e30f, 1.0f, -1e30f},
      {3e38f, 3e38f, 3e38f, 3e38f},
      {-1e30f, -3e38f, 2e30f, 3e38f},
      {-0x1.43c68ap-2f, -0x1.4f57f8p-2f, 0x1.1c71c8p-3f, 0x1.c71c80p-5f},
      {-0x1.180cc6p-2f, 0.3f, 0x1.c71c60p-6f, 0.6f},
      {0.1f, -0x1.43c68ap-2f, 0.8f, 0x1.1c71c8p-3f},
  };
  for (size_t b = 0; b < sizeof(special) / sizeof(special[0]); ++b)
    for (int k = 0; k < 4; ++k) p.boxes[4 * b + static_cast<size_t>(k)] = special[b][k];
  list.push_back(p);

  // 1x1 crops (the centre, in double): overflowing, whole-image and random boxes.
  p = random_problem(rng, dtype, Shape{2, 5, 9, 2, 4, 1, 1});
  const float centre[][4] = {{3e38f, 0.2f, 3e38f, 0.8f}, {0.0f, 0.0f, 1.0f, 1.0f}};
  for (size_t b = 0; b < 2; ++b)
    for (int k = 0; k < 4; ++k) p.boxes[4 * b + static_cast<size_t>(k)] = centre[b][k];
  list.push_back(p);
  return list;
}

class CrossArchTest : public ::testing::TestWithParam<crgb_dtype> {};

TEST_P(CrossArchTest, AArch64MatchesX86_64OnTheSameFiles) {
  ASSERT_TRUE(exists(CRGB_HOST_CLI_PATH)) << "no host build's crgb at " CRGB_HOST_CLI_PATH;
  int index = 0;
  for (const Problem &p : problems(GetParam())) {
    SCOPED_TRACE("problem " + std::to_string(index++) + ": " + p.describe());
    TempDir dir;
    const std::vector<std::string> args = write_inputs(dir, p);
    const std::vector<float> x86_ref = result(dir, CRGB_HOST_CLI_PATH, args, "reference");
    const std::vector<float> x86_auto = result(dir, CRGB_HOST_CLI_PATH, args, "");
    ASSERT_EQ(x86_ref.size(), static_cast<size_t>(4 * p.num_boxes));
    ASSERT_EQ(x86_auto.size(), x86_ref.size());
    Expected vs_ref = rederive(p), vs_auto = vs_ref;
    vs_ref.value.assign(x86_ref.begin(), x86_ref.end());
    vs_auto.value.assign(x86_auto.begin(), x86_auto.end());
    for (const std::string &variant : available_variants()) {
      // Autoscheduled variants are built for some dtypes only (Unimplemented
      // for the rest, which validation_test covers); compare where built.
      if (!built_for(variant, GetParam())) continue;
      SCOPED_TRACE("aarch64 variant " + variant);
      const std::vector<float> got = result(dir, CRGB_CLI_PATH, args, variant);
      ASSERT_EQ(got.size(), x86_ref.size());
      if (variant == "reference") {
        EXPECT_TRUE(same_bits(got, x86_ref)) << "aarch64 reference differs from x86-64's";
      }
      EXPECT_TRUE(within_tolerance(got, vs_ref, 2.0)) << "against x86-64 reference";
      EXPECT_TRUE(within_tolerance(got, vs_auto, 2.0)) << "against x86-64 automatic choice";
    }
  }
}

TEST_P(CrossArchTest, RejectedInputsFailAlikeOnBothArchitectures) {
  std::mt19937 rng(99u + static_cast<unsigned>(GetParam()));
  Problem bad_index = random_problem(rng, GetParam(), Shape{2, 4, 5, 3, 3, 2, 2});
  bad_index.box_ind[1] = 7;
  Problem nan_box = random_problem(rng, GetParam(), Shape{1, 4, 5, 3, 2, 3, 2});
  nan_box.boxes[5] = std::nanf("");
  for (const Problem *p : {&bad_index, &nan_box}) {
    SCOPED_TRACE(p->describe());
    TempDir dir;
    std::vector<std::string> args = write_inputs(dir, *p);
    args.insert(args.end(), {"--out", dir.file("o.npy")});
    const CliRun x86 = run_cli(CRGB_HOST_CLI_PATH, dir, args);
    const CliRun arm = run_cli(CRGB_CLI_PATH, dir, args);
    EXPECT_EQ(x86.status, 2) << x86.err;
    EXPECT_EQ(arm.status, x86.status);
    EXPECT_EQ(arm.err, x86.err);
    EXPECT_FALSE(exists(dir.file("o.npy")));
  }
}

INSTANTIATE_TEST_SUITE_P(AllDtypes, CrossArchTest, ::testing::ValuesIn(all_dtypes()),
                         [](const ::testing::TestParamInfo<crgb_dtype> &info) {
                           return std::string(crgb_dtype_name(info.param));
                         });

}  // namespace
}  // namespace crgb_test
