// Results are bit-identical from run to run and whatever the number of worker
// threads (TensorFlow's GPU kernel is not, with its atomics; ours must be on
// every variant), for every variant and image dtype.
#include "support/generate.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace crgb_test {
namespace {

// Bitwise: NaN payloads and the sign of zero count too.
::testing::AssertionResult same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  if (a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0)
    return ::testing::AssertionSuccess();
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
  size_t i = 0;
  while (std::memcmp(&a[i], &b[i], sizeof(float)) == 0) ++i;
  return ::testing::AssertionFailure()
         << "first difference at output " << i << ": " << a[i] << " vs " << b[i];
}

// Restores the process-wide thread setting however the test ends.
class ThreadsGuard {
 public:
  ThreadsGuard() : previous_(crgb_set_num_threads(0)) {}
  ~ThreadsGuard() { crgb_set_num_threads(previous_); }

 private:
  int previous_;
};

class DeterminismTest : public ::testing::TestWithParam<VariantDtype> {
 protected:
  // Mid-size: enough boxes and work for a parallel schedule to split it.
  Problem problem() const {
    std::mt19937 rng(2024u + static_cast<unsigned>(std::get<1>(GetParam())));
    return random_problem(rng, std::get<1>(GetParam()), Shape{3, 20, 24, 67, 64, 7, 7});
  }
  const std::string &variant() const { return std::get<0>(GetParam()); }
};

TEST_P(DeterminismTest, RepeatedRunsIdentical) {
  const Problem p = problem();
  const Outcome first = run(p, variant());
  ASSERT_EQ(first.status, CRGB_OK) << first.message;
  for (int i = 1; i < 5; ++i) {
    const Outcome again = run(p, variant());
    ASSERT_EQ(again.status, CRGB_OK) << again.message;
    EXPECT_TRUE(same_bits(first.out, again.out)) << "run " << i;
  }
}

TEST_P(DeterminismTest, ThreadCountDoesNotChangeResult) {
  ThreadsGuard guard;
  const Problem p = problem();
  crgb_set_num_threads(1);
  const Outcome one = run(p, variant());
  ASSERT_EQ(one.status, CRGB_OK) << one.message;
  for (int threads : {2, 4, 0}) {
    crgb_set_num_threads(threads);
    const Outcome o = run(p, variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    EXPECT_TRUE(same_bits(one.out, o.out)) << threads << " threads (0 = default)";
  }
}

INSTANTIATE_TEST_SUITE_P(AllVariants, DeterminismTest, ::testing::ValuesIn(variant_dtype_grid()),
                         VariantDtypeName());

}  // namespace
}  // namespace crgb_test
