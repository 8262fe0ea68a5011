// The run-time dispatcher: the variant list, the automatic choice, explicit
// choices, and the name tables. CRGB_VARIANT is covered by env_variant_test
// (the dispatcher reads it once per process); ctest runs this file with it unset.
#include "support/generate.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <sstream>

#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace crgb_test {
namespace {

// What the CPU offers for one Halide target feature, asked of the compiler's
// own CPU detection (independent of the library's). -1: a feature this test
// does not know, so it cannot predict the variant's availability.
int cpu_has_halide_feature(const std::string &feature) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (feature == "sse41") return __builtin_cpu_supports("sse4.1") != 0;
  if (feature == "avx") return __builtin_cpu_supports("avx") != 0;
  if (feature == "avx2") return __builtin_cpu_supports("avx2") != 0;
  if (feature == "fma") return __builtin_cpu_supports("fma") != 0;
  if (feature == "f16c") {  // clang 14's __builtin_cpu_supports does not know "f16c"
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) != 0;
  }
  if (feature == "avx512")
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd");
  if (feature == "avx512_skylake")
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq");
#endif
#if defined(__aarch64__)
  // Halide's arm-64 baseline is Advanced SIMD (NEON). Read from the ID
  // register, not from the HWCAP bit the library reads: the kernel (and
  // qemu-user) emulate MRS of ID_AA64PFR0_EL1 for user space when HWCAP_CPUID
  // is set. Its AdvSIMD field, bits 23:20, is 0xf when absent.
  // arm_fp16 (FEAT_FP16): the FP and AdvSIMD fields both read 1.
  if (feature == "neon" || feature == "arm_fp16") {
    if (!(getauxval(AT_HWCAP) & HWCAP_CPUID)) return -1;
    uint64_t pfr0 = 0;
    __asm__("mrs %0, ID_AA64PFR0_EL1" : "=r"(pfr0));
    const uint64_t fp = (pfr0 >> 16) & 0xf, simd = (pfr0 >> 20) & 0xf;
    if (feature == "neon") return simd != 0xf;
    return fp == 1 && simd == 1;
  }
#endif
  (void)feature;
  return -1;
}

// Tokens of a Halide target string that name no ISA feature.
bool neutral_token(const std::string &t) {
  for (const char *n : {"x86", "arm", "64", "32", "linux", "osx", "windows", "no_runtime",
                        "no_asserts", "no_bounds_query", "strict_float", "large_buffers",
                        "c_plus_plus_name_mangling", "user_context"})
    if (t == n) return true;
  return false;
}

// 1 or 0: whether this x86-64 or AArch64 CPU can run the target; -1: cannot tell.
int cpu_can_run(const std::string &target) {
  bool all = true;
  if (target.rfind("arm-64-", 0) == 0) {
    const int neon = cpu_has_halide_feature("neon");  // the arm-64 baseline
    if (neon < 0) return -1;
    all = neon == 1;
  } else if (target.rfind("x86-", 0) != 0) {
    return -1;
  }
  std::stringstream in(target);
  std::string token;
  while (std::getline(in, token, '-')) {
    if (neutral_token(token)) continue;
    const int has = cpu_has_halide_feature(token);
    if (has < 0) return -1;
    all = all && has == 1;
  }
  return all ? 1 : 0;
}

const crgb::VariantInfo *find(const std::vector<crgb::VariantInfo> &list, const std::string &name) {
  for (const crgb::VariantInfo &v : list)
    if (v.name == name) return &v;
  return nullptr;
}

TEST(Dispatcher, ReferenceIsListedAndAvailable) {
  const auto list = crgb::variants();
  const crgb::VariantInfo *ref = find(list, "reference");
  ASSERT_NE(ref, nullptr);
  EXPECT_TRUE(ref->available);
  EXPECT_EQ(ref->target, "c++");
}

TEST(Dispatcher, NamesAreUniqueAndNonEmpty) {
  const auto list = crgb::variants();
  EXPECT_EQ(static_cast<int>(list.size()), crgb_variant_count());
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_FALSE(list[i].name.empty());
    EXPECT_FALSE(list[i].target.empty()) << list[i].name;
    for (size_t j = 0; j < i; ++j) EXPECT_NE(list[i].name, list[j].name);
  }
  crgb_variant_info info{};
  EXPECT_EQ(crgb_variant_get(-1, &info), -1);
  EXPECT_EQ(crgb_variant_get(crgb_variant_count(), &info), -1);
  EXPECT_EQ(crgb_variant_get(0, nullptr), -1);
}

TEST(Dispatcher, ExactlyOneSelectedAndItIsTheSelectedVariant) {
  const auto list = crgb::variants();
  int selected = 0;
  for (const crgb::VariantInfo &v : list) selected += v.selected;
  EXPECT_EQ(selected, 1);
  const char *name = crgb_selected_variant();
  ASSERT_NE(name, nullptr);
  const crgb::VariantInfo *v = find(list, name);
  ASSERT_NE(v, nullptr) << name;
  EXPECT_TRUE(v->selected);
  EXPECT_TRUE(v->available);
}

// The library's availability flags agree with the compiler's CPU detection,
// for every variant whose target this test can read.
TEST(Dispatcher, AvailabilityMatchesCpu) {
  for (const crgb::VariantInfo &v : crgb::variants()) {
    const int can = cpu_can_run(v.target);
    if (can >= 0) {
      EXPECT_EQ(v.available, can == 1) << v.name << " (" << v.target << ")";
    }
  }
}

// Best available of avx512 > avx2 > sse41 > reference on x86-64, of neon_fp16
// > neon > reference on AArch64.
TEST(Dispatcher, AutomaticChoiceIsBestAvailable) {
  if (const char *env = std::getenv("CRGB_VARIANT"))
    GTEST_SKIP() << "CRGB_VARIANT=" << env << " decides the choice (see env_variant_test)";
  const auto list = crgb::variants();
  std::string expected;
  for (const char *name : {"avx512", "avx2", "sse41", "neon_fp16", "neon", "reference"}) {
    const crgb::VariantInfo *v = find(list, name);
    if (v == nullptr) continue;
    const int can = cpu_can_run(v->target);
    if (can == 1 || (can < 0 && v->available)) {
      expected = name;
      break;
    }
  }
  EXPECT_EQ(crgb_selected_variant(), expected);
}

// An automatic call runs the selected variant: same bits as asking for it.
TEST(Dispatcher, AutomaticCallRunsSelectedVariant) {
  std::mt19937 rng(17u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 9, 11, 13, 8, 5, 6});
  const Outcome automatic = run(p, "");
  const Outcome named = run(p, crgb_selected_variant());
  ASSERT_EQ(automatic.status, CRGB_OK) << automatic.message;
  ASSERT_EQ(named.status, CRGB_OK) << named.message;
  EXPECT_EQ(automatic.out, named.out);
}

TEST(Dispatcher, ExplicitAvailableVariantRuns) {
  std::mt19937 rng(18u);
  const Problem p = random_problem(rng, CRGB_UINT8, Shape{1, 6, 7, 5, 3, 4, 4});
  for (const std::string &name : available_variants()) {
    const Outcome o = run(p, name);
    EXPECT_EQ(o.status, CRGB_OK) << name << ": " << o.message;
  }
}

TEST(Dispatcher, UnknownVariantIsInvalidArgument) {
  std::mt19937 rng(19u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 4, 4, 3, 2, 2, 2});
  const Outcome o = run(p, "no_such_variant");
  EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT);
  EXPECT_NE(o.message.find("no_such_variant"), std::string::npos) << o.message;
  for (float v : o.out) EXPECT_TRUE(is_sentinel(v));
}

TEST(Dispatcher, UnavailableVariantIsUnavailable) {
  std::vector<std::string> unavailable;
  for (const crgb::VariantInfo &v : crgb::variants())
    if (!v.available) unavailable.push_back(v.name);
  if (unavailable.empty())
    GTEST_SKIP() << "every variant of this build is available on this machine";
  std::mt19937 rng(20u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 4, 4, 3, 2, 2, 2});
  for (const std::string &name : unavailable) {
    const Outcome o = run(p, name);
    EXPECT_EQ(o.status, CRGB_UNAVAILABLE) << name << ": " << o.message;
    for (float v : o.out) EXPECT_TRUE(is_sentinel(v)) << name;
  }
}

// The OpenCL variants run where an OpenCL device with cl_khr_fp64 is (on CI:
// PoCL, which scripts/setup.sh installs), and every suite then covers them as
// it covers any available variant. Elsewhere this test is skipped with the
// dispatcher's reason; CRGB_REQUIRE_OPENCL=1 (scripts/test.sh) makes that a
// failure, so the test command cannot pass without running them.
TEST(Dispatcher, OpenClVariantsRunOrSayWhyNot) {
  std::vector<crgb::VariantInfo> opencl;
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.target.find("-opencl") != std::string::npos) opencl.push_back(v);
  if (opencl.empty()) GTEST_SKIP() << "this build has no OpenCL variant";
  std::mt19937 rng(21u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 9, 11, 13, 8, 5, 6});
  std::string missing;
  for (const crgb::VariantInfo &v : opencl) {
    const Outcome o = run(p, v.name);
    if (!v.available) {
      EXPECT_EQ(o.status, CRGB_UNAVAILABLE) << v.name << ": " << o.message;
      missing += (missing.empty() ? "" : "; ") + o.message;
      continue;
    }
    ASSERT_EQ(o.status, CRGB_OK) << v.name << ": " << o.message;
    // Against the float64 re-derivation, within tolerance.h's bound (the
    // float32 rounding of sums in any order, relative to their absolute
    // contributions), as every suite checks every variant.
    EXPECT_TRUE(within_tolerance(o.out, rederive(p))) << v.name;
    // float16 is not built (cl_khr_fp16 is optional): Unimplemented, saying so.
    const Outcome half = run(random_problem(rng, CRGB_FLOAT16, Shape{1, 4, 4, 3, 2, 2, 2}), v.name);
    EXPECT_EQ(half.status, CRGB_UNIMPLEMENTED) << v.name << ": " << half.message;
    EXPECT_NE(half.message.find("image dtype float16"), std::string::npos) << half.message;
    for (crgb_op op : {CRGB_OP_CROP_AND_RESIZE, CRGB_OP_GRAD_IMAGE}) {
      if (implements(v.name, op)) {
        EXPECT_FALSE(built_for(v.name, op, CRGB_FLOAT16)) << v.name;
      }
    }
    if (implements(v.name, CRGB_OP_GRAD_IMAGE)) {
      // Subnormal grads: TensorFlow's CPU kernels flush them (DAZ), so every
      // share is +0; OpenCL C keeps subnormals unless built with
      // -cl-denorms-are-zero (runtime/src/halide_call.cpp). A crgb_fuzz finding.
      const std::vector<float> grads(1 * 3 * 3 * 2, 1e-39f);
      const float box[4] = {0.1f, 0.2f, 0.8f, 0.7f};
      const int32_t ind[1] = {0}, size[4] = {1, 6, 5, 2};
      const crgb_tensor g = {grads.data(), CRGB_FLOAT32, 4, {1, 3, 3, 2}, CRGB_DEVICE_HOST};
      const crgb_tensor b = {box, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
      const crgb_tensor k = {ind, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
      const crgb_tensor s = {size, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
      std::vector<float> out(60, 1.0f);
      crgb_error err{};
      ASSERT_EQ(crgb_grad_image(&g, &b, &k, &s, CRGB_FLOAT32, "bilinear", v.name.c_str(),
                                out.data(), 60, &err),
                CRGB_OK)
          << err.message;
      for (float x : out) EXPECT_EQ(x, 0.0f) << v.name << ": a subnormal survived";
    }
  }
  if (missing.empty()) return;
  const char *require = std::getenv("CRGB_REQUIRE_OPENCL");
  if (require != nullptr && std::string(require) == "1")
    FAIL() << "CRGB_REQUIRE_OPENCL=1 and " << missing;
  GTEST_SKIP() << missing;
}

TEST(Dispatcher, StatusNames) {
  EXPECT_STREQ(crgb_status_name(CRGB_OK), "Ok");
  EXPECT_STREQ(crgb_status_name(CRGB_INVALID_ARGUMENT), "InvalidArgument");
  EXPECT_STREQ(crgb_status_name(CRGB_OUT_OF_RANGE), "OutOfRange");
  EXPECT_STREQ(crgb_status_name(CRGB_UNIMPLEMENTED), "Unimplemented");
  EXPECT_STREQ(crgb_status_name(CRGB_UNAVAILABLE), "Unavailable");
  EXPECT_STREQ(crgb_status_name(CRGB_INTERNAL), "Internal");
  EXPECT_NE(crgb_status_name(static_cast<crgb_status>(99)), nullptr);
}

TEST(Dispatcher, DtypeNames) {
  EXPECT_STREQ(crgb_dtype_name(CRGB_UINT8), "uint8");
  EXPECT_STREQ(crgb_dtype_name(CRGB_UINT16), "uint16");
  EXPECT_STREQ(crgb_dtype_name(CRGB_INT8), "int8");
  EXPECT_STREQ(crgb_dtype_name(CRGB_INT16), "int16");
  EXPECT_STREQ(crgb_dtype_name(CRGB_INT32), "int32");
  EXPECT_STREQ(crgb_dtype_name(CRGB_INT64), "int64");
  EXPECT_STREQ(crgb_dtype_name(CRGB_FLOAT16), "float16");
  EXPECT_STREQ(crgb_dtype_name(CRGB_FLOAT32), "float32");
  EXPECT_STREQ(crgb_dtype_name(CRGB_FLOAT64), "float64");
  EXPECT_NE(crgb_dtype_name(static_cast<crgb_dtype>(99)), nullptr);
}

TEST(Dispatcher, VersionAndThreadSetting) {
  ASSERT_NE(crgb_version(), nullptr);
  EXPECT_STRNE(crgb_version(), "");
  const int previous = crgb_set_num_threads(3);
  EXPECT_EQ(crgb_set_num_threads(previous), 3);
}

}  // namespace
}  // namespace crgb_test
