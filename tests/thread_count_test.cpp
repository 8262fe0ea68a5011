// crgb_set_num_threads takes effect after Halide's thread pool has started,
// not only before the first call (Halide's own setter only sizes a pool that
// has not started yet; it used to be silently ignored after that). Observed
// through the threads this process has, not through timing: a pool of N runs
// N - 1 workers beside the calling thread.
#include "support/generate.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <dirent.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace crgb_test {
namespace {

// Threads of this process (Linux: one entry each under /proc/self/task).
int thread_count() {
  DIR *dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent *e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n;
}

TEST(ThreadCount, ChangesTheRunningPool) {
  const std::string variant = crgb_selected_variant();
  if (variant == "reference") GTEST_SKIP() << "no Halide variant runs here";
  // 256 boxes: 16 parallel tasks or more in every hand-written schedule, more
  // than the largest pool asked for below.
  std::mt19937 rng(7);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 12, 12, 8, 256, 3, 3});
  auto threads_after_a_call_with = [&](int n) {
    crgb_set_num_threads(n);
    const Outcome o = run(p, variant);
    EXPECT_EQ(o.status, CRGB_OK) << o.message;
    return thread_count();
  };
  const int previous = crgb_set_num_threads(0);
  const int with_default = threads_after_a_call_with(0);  // the pool has started
  const int with_one = threads_after_a_call_with(1);
  ASSERT_GT(with_one, 0) << "cannot list /proc/self/task";
  EXPECT_EQ(threads_after_a_call_with(4), with_one + 3);
  EXPECT_EQ(threads_after_a_call_with(1), with_one);
  EXPECT_EQ(threads_after_a_call_with(3), with_one + 2);
  EXPECT_GE(with_default, with_one);
  crgb_set_num_threads(previous);
}

}  // namespace
}  // namespace crgb_test
