// crgb_set_num_threads takes effect after Halide's thread pool has started,
// not only before the first call (Halide's own setter only sizes a pool that
// has not started yet; it used to be silently ignored after that). Observed
// through the threads this process has, not through timing: a pool of N runs
// N - 1 workers beside the calling thread.
#include "support/generate.h"

#include <crgb/crgb.h>

#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

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

// A joined thread can stay listed for a moment after pthread_join returns
// (the kernel, or qemu-user, reaps it a little later): wait, up to a generous
// deadline, for the count to settle at `expected`, then report what is there.
int settled_thread_count(int expected) {
  int n = thread_count();
  for (int i = 0; i < 500 && n != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = thread_count();
  }
  return n;
}

TEST(ThreadCount, ChangesTheRunningPool) {
  const std::string variant = crgb_selected_variant();
  if (variant == "reference") GTEST_SKIP() << "no Halide variant runs here";
  // 256 boxes: 16 parallel tasks or more in every hand-written schedule, more
  // than the largest pool asked for below.
  std::mt19937 rng(7);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 12, 12, 8, 256, 3, 3});
  // No crgb call has run in this process yet, so Halide's pool has not
  // started: these are the threads that stay (gtest's, qemu-user's, ...).
  const int base = thread_count();
  ASSERT_GT(base, 0) << "cannot list /proc/self/task";
  const int previous = crgb_set_num_threads(0);
  // The thread count after a call with a pool of `n`, once it equals
  // `expected` (or the deadline passed).
  auto threads_after_a_call_with = [&](int n, int expected) {
    crgb_set_num_threads(n);
    const Outcome o = run(p, variant);
    EXPECT_EQ(o.status, CRGB_OK) << o.message;
    return settled_thread_count(expected);
  };
  EXPECT_EQ(threads_after_a_call_with(2, base + 1), base + 1);
  EXPECT_EQ(threads_after_a_call_with(1, base), base);
  EXPECT_EQ(threads_after_a_call_with(4, base + 3), base + 3);
  EXPECT_EQ(threads_after_a_call_with(1, base), base);
  EXPECT_EQ(threads_after_a_call_with(3, base + 2), base + 2);
  crgb_set_num_threads(previous);
}

}  // namespace
}  // namespace crgb_test
