// The CRGB_VARIANT environment variable. The dispatcher reads it once per
// process and caches the choice, so each setting needs its own process: ctest
// runs this program several times with CRGB_VARIANT set by the ENVIRONMENT
// property and the expected outcome as the argument:
//   env_variant_test NAME        CRGB_VARIANT=NAME picks NAME (skipped when NAME
//                                is not available on this machine)
//   env_variant_test --unknown   CRGB_VARIANT names no variant: every automatic
//                                call fails with InvalidArgument, its message
//                                naming the variable, and writes nothing; calls
//                                that name a variant explicitly still run.
#include "support/generate.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>

namespace crgb_test {
namespace {

std::string g_expected;  // the program's argument

Problem small_problem() {
  std::mt19937 rng(31u);
  return random_problem(rng, CRGB_FLOAT32, Shape{2, 7, 8, 5, 6, 3, 4});
}

int selected_count() {
  int n = 0;
  for (const crgb::VariantInfo &v : crgb::variants()) n += v.selected;
  return n;
}

TEST(EnvVariant, NamedVariantIsSelected) {
  const char *env = std::getenv("CRGB_VARIANT");
  ASSERT_NE(env, nullptr) << "ctest should set CRGB_VARIANT";
  ASSERT_EQ(g_expected, env) << "ctest passes the variable's value as the argument";
  const crgb::VariantInfo *info = nullptr;
  const auto list = crgb::variants();
  for (const crgb::VariantInfo &v : list)
    if (v.name == g_expected) info = &v;
  if (info == nullptr) GTEST_SKIP() << g_expected << " is not a variant of this build";
  if (!info->available) GTEST_SKIP() << g_expected << " is not available on this machine";

  EXPECT_STREQ(crgb_selected_variant(), g_expected.c_str());
  EXPECT_TRUE(info->selected);
  EXPECT_EQ(selected_count(), 1);
  // An automatic call runs it: the same bits as naming it.
  const Problem p = small_problem();
  const Outcome automatic = run(p, "");
  const Outcome named = run(p, g_expected);
  ASSERT_EQ(automatic.status, CRGB_OK) << automatic.message;
  ASSERT_EQ(named.status, CRGB_OK) << named.message;
  EXPECT_EQ(
      0, std::memcmp(automatic.out.data(), named.out.data(), automatic.out.size() * sizeof(float)));
}

TEST(EnvVariant, UnknownNameFailsAutomaticCalls) {
  const char *env = std::getenv("CRGB_VARIANT");
  ASSERT_NE(env, nullptr) << "ctest should set CRGB_VARIANT";
  const Problem p = small_problem();
  const Outcome automatic = run(p, "");
  EXPECT_EQ(automatic.status, CRGB_INVALID_ARGUMENT) << automatic.message;
  EXPECT_NE(automatic.message.find("CRGB_VARIANT"), std::string::npos) << automatic.message;
  for (float v : automatic.out) EXPECT_TRUE(is_sentinel(v));
  // Nothing can be the automatic choice.
  EXPECT_EQ(selected_count(), 0);
  // An explicit variant argument overrides the environment.
  for (const std::string &name : available_variants()) {
    const Outcome named = run(p, name);
    EXPECT_EQ(named.status, CRGB_OK) << name << ": " << named.message;
  }
}

}  // namespace
}  // namespace crgb_test

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);  // removes gtest's own flags
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s VARIANT_NAME | --unknown  (with CRGB_VARIANT set)\n", argv[0]);
    return 2;
  }
  crgb_test::g_expected = argv[1];
  ::testing::GTEST_FLAG(filter) = crgb_test::g_expected == "--unknown"
                                      ? "EnvVariant.UnknownNameFailsAutomaticCalls"
                                      : "EnvVariant.NamedVariantIsSelected";
  return RUN_ALL_TESTS();
}
