// Robust numerics: no result depends on the floating-point environment the
// caller left in its thread, nor on uninitialised memory.
//
// "The validated behaviour" is: the same status and message, and results
// bit-identical to those of a call made in the default environment (round to
// nearest, exceptions masked, no FTZ/DAZ). The library computes every variant
// in one fixed environment (runtime/src/fp_env.h: round to nearest, exceptions
// masked, FTZ and DAZ as TensorFlow's CPU kernels run) and restores the
// caller's MXCSR, control bits and sticky flags, when it returns. Checked for
// every variant and image dtype under FTZ, DAZ, the three directed rounding
// modes and unmasked FP exceptions (which would raise SIGFPE on the overflow
// that huge boxes cause), on problems chosen so that the environment would
// matter: samples exactly on integer coordinates where a directed rounding
// moves them across the kink or out of the image, subnormal inputs, and finite
// boxes whose coordinates overflow.
#include "support/dtype.h"
#include "support/generate.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <HalideRuntime.h>

#include <gtest/gtest.h>

#include <cfenv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace crgb_test {
namespace {

// The control register the library saves and restores: MXCSR on x86, FPCR
// on AArch64 (whose FZ bit does the work of both FTZ and DAZ).
#if defined(__x86_64__) || defined(__i386__)
unsigned get_csr() {
  return _mm_getcsr();
}
void set_csr(unsigned v) {
  _mm_setcsr(v);
}
constexpr unsigned kFtz = 0x8000u, kDaz = 0x0040u;
#elif defined(__aarch64__)
unsigned get_csr() {
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  return static_cast<unsigned>(v);
}
void set_csr(unsigned v) {
  __asm__ volatile("msr fpcr, %0" : : "r"(uint64_t{v}));
}
constexpr unsigned kFtz = 1u << 24, kDaz = 1u << 24;
#else
#error "fp_env_test: add this architecture's FP control register"
#endif

// One caller environment: MXCSR bits to set, a rounding mode, traps to enable.
struct CallerEnv {
  const char *name;
  unsigned mxcsr_or;  // FTZ / DAZ
  int rounding;       // FE_TONEAREST etc.
  int traps;          // feenableexcept() set (glibc)
};

const std::vector<CallerEnv> &caller_envs() {
  static const std::vector<CallerEnv> envs = {
      {"FTZ", kFtz, FE_TONEAREST, 0},
      {"DAZ", kDaz, FE_TONEAREST, 0},
      {"FTZ+DAZ", kFtz | kDaz, FE_TONEAREST, 0},
      {"round up", 0, FE_UPWARD, 0},
      {"round down", 0, FE_DOWNWARD, 0},
      {"round toward zero", 0, FE_TOWARDZERO, 0},
      {"FTZ+DAZ, round down", kFtz | kDaz, FE_DOWNWARD, 0},
      {"traps: invalid, divide-by-zero, overflow", 0, FE_TONEAREST,
       FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW},
      {"traps and round up", kFtz, FE_UPWARD,
       FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW},
  };
  return envs;
}

// Enters a caller environment; leaves the default one (saved at construction)
// on destruction, whatever the library did.
class EnterEnv {
 public:
  explicit EnterEnv(const CallerEnv &e) : saved_(get_csr()) {
    std::fesetround(e.rounding);
    set_csr(get_csr() | e.mxcsr_or);
    if (e.traps) feenableexcept(e.traps);
    entered_ = get_csr();
  }
  ~EnterEnv() {
    fedisableexcept(FE_ALL_EXCEPT);
    std::fesetround(FE_TONEAREST);
    set_csr(saved_);
  }
  unsigned entered() const { return entered_; }

 private:
  unsigned saved_, entered_;
};

// Problems on which the environment would matter.
std::vector<Problem> sensitive_problems(crgb_dtype dtype) {
  std::vector<Problem> problems;
  std::mt19937 rng(4242u + static_cast<unsigned>(dtype));
  // (image - 1) / (crop - 1) = 10 / 3 is inexact: with the box [0, 1], the
  // last sample 3 * (10/3) rounds to exactly 10 = H - 1 to nearest (a kink
  // at the border), to 9.999999 downward (floor 9, lerp ~1: other pixels)
  // and above 10 upward (outside the image: dropped).
  {
    Problem p = random_problem(rng, dtype, Shape{2, 11, 11, 3, 4, 4, 4});
    const float boxes[4][4] = {
        {0, 0, 1, 1}, {0.1f, 0.2f, 0.9f, 0.7f}, {1, 1, 0, 0}, {0.3f, 0, 1, 1}};
    for (size_t i = 0; i < 16; ++i) p.boxes[i] = boxes[i / 4][i % 4];
    problems.push_back(std::move(p));
  }
  // Subnormal boxes, grads and (float) pixels: DAZ/FTZ decide whether a
  // sample at -1e-40 is inside, and whether tiny products survive.
  {
    Problem p = random_problem(rng, dtype, Shape{1, 6, 7, 5, 3, 3, 2});
    const float tiny = 1e-40f;
    const float boxes[3][4] = {
        {-tiny, -tiny, 1, 1}, {tiny, 0.5f, 1 - tiny, -tiny}, {0, tiny, tiny, 1}};
    for (size_t i = 0; i < 12; ++i) p.boxes[i] = boxes[i / 4][i % 4];
    for (size_t i = 0; i < p.grads.size(); i += 3) p.grads[i] = (i % 2 ? 1 : -1) * tiny;
    if (dtype == CRGB_FLOAT32 || dtype == CRGB_FLOAT64)
      for (int64_t i = 0; i < 6 * 7 * 5; i += 4) store_element(dtype, p.image.data(), i, 3e-39);
    problems.push_back(std::move(p));
  }
  // Finite boxes whose coordinates overflow to inf / NaN (SIGFPE if trapped).
  {
    Problem p = random_problem(rng, dtype, Shape{2, 5, 6, 3, 4, 3, 2});
    const float boxes[4][4] = {{3e38f, 0, -3e38f, 1},
                               {0.2f, -3e38f, 0.8f, 3e38f},
                               {3e38f, 3e38f, 3e38f, 3e38f},
                               {0.1f, 0.2f, 0.7f, 0.9f}};
    for (size_t i = 0; i < 16; ++i) p.boxes[i] = boxes[i / 4][i % 4];
    problems.push_back(std::move(p));
  }
  // A random mix, big enough for the Halide variants to use their workers.
  problems.push_back(random_problem(rng, dtype, Shape{3, 20, 24, 17, 64, 7, 7}));
  problems.push_back(random_problem(rng, dtype));
  return problems;
}

::testing::AssertionResult same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0)
    return ::testing::AssertionSuccess();
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
  size_t i = 0;
  while (std::memcmp(&a[i], &b[i], sizeof(float)) == 0) ++i;
  return ::testing::AssertionFailure() << "first difference at output " << i << " (box " << i / 4
                                       << "): " << a[i] << " vs " << b[i];
}

class FpEnvTest : public ::testing::TestWithParam<VariantDtype> {
 protected:
  const std::string &variant() const { return std::get<0>(GetParam()); }
  crgb_dtype dtype() const { return std::get<1>(GetParam()); }
};

// Same status, message and bits as in the default environment, and the
// caller's MXCSR exactly as it was (the reference sets FTZ/DAZ for itself,
// every variant sets round-to-nearest and masks exceptions: all undone).
TEST_P(FpEnvTest, CallerEnvironmentDoesNotChangeResults) {
  for (const Problem &p : sensitive_problems(dtype())) {
    SCOPED_TRACE(p.describe());
    const unsigned before = get_csr();
    const Outcome want = run(p, variant());
    ASSERT_EQ(want.status, CRGB_OK) << want.message;
    EXPECT_EQ(get_csr(), before) << "default environment not restored";
    EXPECT_TRUE(within_tolerance(want.out, rederive(p)));
    for (const CallerEnv &e : caller_envs()) {
      SCOPED_TRACE(e.name);
      Outcome got;
      unsigned entered, after;
      {
        EnterEnv env(e);
        entered = env.entered();
        got = run(p, variant());
        after = get_csr();
      }
      EXPECT_EQ(after, entered) << std::hex << "MXCSR after the call 0x" << after
                                << ", the caller's was 0x" << entered;
      ASSERT_EQ(got.status, want.status) << got.message;
      EXPECT_EQ(got.message, want.message);
      EXPECT_TRUE(same_bits(got.out, want.out));
    }
  }
}

// Errors too: a rejected call in an unusual environment is the same
// rejection, and the environment is restored on that path as well.
TEST_P(FpEnvTest, CallerEnvironmentDoesNotChangeErrors) {
  std::mt19937 rng(9u);
  Problem p = random_problem(rng, dtype(), Shape{2, 4, 5, 3, 2, 2, 3});
  p.boxes[5] = std::numeric_limits<float>::quiet_NaN();
  const Outcome want = run(p, variant());
  ASSERT_EQ(want.status, CRGB_INVALID_ARGUMENT);
  for (const CallerEnv &e : caller_envs()) {
    SCOPED_TRACE(e.name);
    EnterEnv env(e);
    const Outcome got = run(p, variant());
    EXPECT_EQ(get_csr(), env.entered());
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.message, want.message);
    for (float v : got.out) EXPECT_TRUE(is_sentinel(v));
  }
}

// Halide's worker threads start with the environment of the thread that
// creates them, inside the first parallel call of the process. Here that call
// is made in an unusual environment (ctest runs every test in its own
// process); afterwards results in the default environment must not depend on
// how many threads (and so which threads) computed them.
TEST_P(FpEnvTest, WorkersCreatedInAnUnusualEnvironment) {
  const std::vector<Problem> problems = sensitive_problems(dtype());
  {
    EnterEnv env({"round up, FTZ", kFtz, FE_UPWARD, 0});
    crgb_set_num_threads(0);
    for (const Problem &p : problems) (void)run(p, variant());
  }
  for (const Problem &p : problems) {
    SCOPED_TRACE(p.describe());
    crgb_set_num_threads(0);
    const Outcome all = run(p, variant());
    crgb_set_num_threads(1);
    const Outcome one = run(p, variant());
    crgb_set_num_threads(0);
    ASSERT_EQ(all.status, CRGB_OK) << all.message;
    ASSERT_EQ(one.status, CRGB_OK) << one.message;
    EXPECT_TRUE(same_bits(all.out, one.out));
    EXPECT_TRUE(within_tolerance(all.out, rederive(p)));
  }
}

// Memory the Halide variants allocate for themselves is handed out full of a
// pattern (NaN bits, then ones, then zeros): no result may change.
unsigned char g_pattern = 0xff;
void *patterned_malloc(void *, size_t size) {
  const size_t alignment = 128;  // >= halide_malloc_alignment()
  void *p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (p) std::memset(p, g_pattern, size);
  return p;
}
void patterned_free(void *, void *p) {
  std::free(p);
}

TEST_P(FpEnvTest, ResultsDoNotDependOnUninitialisedMemory) {
  const std::vector<Problem> problems = sensitive_problems(dtype());
  std::vector<Outcome> want;
  for (const Problem &p : problems) want.push_back(run(p, variant()));
  halide_malloc_t old_malloc = halide_set_custom_malloc(patterned_malloc);
  halide_free_t old_free = halide_set_custom_free(patterned_free);
  for (unsigned char pattern : {0xff, 0x7f, 0xa5, 0x00}) {
    g_pattern = pattern;
    for (size_t i = 0; i < problems.size(); ++i) {
      SCOPED_TRACE(problems[i].describe() + ", pattern " + std::to_string(pattern));
      const Outcome got = run(problems[i], variant());
      ASSERT_EQ(got.status, want[i].status) << got.message;
      EXPECT_TRUE(same_bits(got.out, want[i].out));
    }
  }
  halide_set_custom_malloc(old_malloc);
  halide_set_custom_free(old_free);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, FpEnvTest, ::testing::ValuesIn(variant_dtype_grid()),
                         VariantDtypeName());

}  // namespace
}  // namespace crgb_test
