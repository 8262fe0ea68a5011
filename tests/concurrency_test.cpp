// Many threads calling at once (all three ops): 8 threads, each running a mix of every
// variant, every image dtype it is built for, valid and invalid calls, while
// they change the process-wide worker thread count between calls. Every
// result must be bit-identical to the one computed alone beforehand, every
// rejection the same rejection with nothing written. Run natively, under
// ASan+UBSan, and under ThreadSanitizer (scripts/test_sanitizers.sh), where it
// must produce no race report.
#include "support/family.h"
#include "support/generate.h"
#include "support/problem.h"
#include "support/variants.h"

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace crgb_test {
namespace {

struct Job {
  std::string variant;
  Problem problem;
  Outcome want;  // computed alone, before the threads start
};

std::vector<Job> make_jobs() {
  std::vector<Job> jobs;
  unsigned seed = 1;
  for (const auto &[variant, dtype] : variant_dtype_grid()) {
    std::mt19937 rng(seed++);
    // Mostly valid; some rejected with each class the data can cause.
    for (int k = 0; k < 3; ++k) {
      Problem p = k == 0 ? random_problem(rng, dtype, Shape{2, 13, 11, 9, 24, 5, 4})
                         : random_problem(rng, dtype);
      if (k == 2 && seed % 3 == 0) p.box_ind.back() = static_cast<int32_t>(p.batch);  // OutOfRange
      if (k == 2 && seed % 3 == 1)
        p.boxes.back() = std::numeric_limits<float>::quiet_NaN();  // InvalidArgument
      jobs.push_back({variant, std::move(p), {}});
    }
  }
  return jobs;
}

bool same(const Outcome &a, const Outcome &b) {
  return a.status == b.status && a.message == b.message && a.out.size() == b.out.size() &&
         std::memcmp(a.out.data(), b.out.data(), a.out.size() * sizeof(float)) == 0;
}

TEST(Concurrency, EightThreadsMixedVariantsDtypesAndThreadCounts) {
  std::vector<Job> jobs = make_jobs();
  ASSERT_FALSE(jobs.empty());
  crgb_set_num_threads(1);
  for (Job &j : jobs) j.want = run(j.problem, j.variant);
  crgb_set_num_threads(0);

  constexpr int kThreads = 8, kRounds = 3;
  std::atomic<int> mismatches{0}, calls{0};
  std::vector<std::string> first_mismatch(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100u + static_cast<unsigned>(t));
      std::vector<size_t> order(jobs.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      while (!go.load()) std::this_thread::yield();
      for (int round = 0; round < kRounds; ++round) {
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t i : order) {
          if (rng() % 4 == 0) crgb_set_num_threads(static_cast<int>(rng() % 5));  // 0 = default
          const Job &j = jobs[i];
          const Outcome got = run(j.problem, j.variant);
          calls.fetch_add(1);
          if (!same(got, j.want) && mismatches.fetch_add(1) == 0)
            first_mismatch[static_cast<size_t>(t)] = j.variant + ": " + j.problem.describe() +
                                                     " got " + crgb_status_name(got.status) + " " +
                                                     got.message;
        }
      }
    });
  }
  go.store(true);
  for (std::thread &th : threads) th.join();
  crgb_set_num_threads(0);
  EXPECT_EQ(calls.load(), kThreads * kRounds * static_cast<int>(jobs.size()));
  std::string detail;
  for (const std::string &s : first_mismatch) detail += s;
  EXPECT_EQ(mismatches.load(), 0) << detail;
}

// The forward op and the image gradient, every variant that implements them,
// called from 8 threads at once while the worker count changes: each result
// bit-identical to the one computed alone.
TEST(Concurrency, FamilyOpsEightThreads) {
  struct FamilyJob {
    std::string variant;
    Problem problem;
    bool crop;
    crgb_dtype dtype;
    FamilyOutcome want;
  };
  auto call = [](const FamilyJob &j) {
    return j.crop ? run_crop(j.problem, j.variant, "bilinear", -1.0f)
                  : run_grad_image(j.problem, j.variant, j.dtype);
  };
  std::vector<FamilyJob> jobs;
  unsigned seed = 7;
  for (const std::string &v : variants_with(CRGB_OP_GRAD_IMAGE)) {
    std::mt19937 rng(seed++);
    for (crgb_dtype t : {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_BFLOAT16})
      jobs.push_back({v, random_problem(rng, t), true, t, {}});
    for (crgb_dtype t : {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64})
      jobs.push_back({v, random_problem(rng, CRGB_FLOAT32), false, t, {}});
  }
  crgb_set_num_threads(1);
  for (FamilyJob &j : jobs) j.want = call(j);
  crgb_set_num_threads(0);
  std::atomic<int> mismatches{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(200u + static_cast<unsigned>(t));
      while (!go.load()) std::this_thread::yield();
      for (int round = 0; round < 3; ++round) {
        for (const FamilyJob &j : jobs) {
          if (rng() % 4 == 0) crgb_set_num_threads(static_cast<int>(rng() % 5));
          const FamilyOutcome got = call(j);
          if (got.status != j.want.status || got.bytes != j.want.bytes) mismatches.fetch_add(1);
        }
      }
    });
  }
  go.store(true);
  for (std::thread &th : threads) th.join();
  crgb_set_num_threads(0);
  EXPECT_EQ(mismatches.load(), 0);
}

// The automatic choice, resolved lazily on first use, raced by many threads.
TEST(Concurrency, FirstCallsRaceOnTheAutomaticChoice) {
  std::mt19937 rng(5u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 6, 6, 3, 4, 3, 3});
  std::vector<Outcome> got(8);
  std::vector<std::string> selected(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      selected[t] = crgb_selected_variant();
      got[t] = run(p, "");
    });
  for (std::thread &th : threads) th.join();
  for (size_t t = 0; t < got.size(); ++t) {
    ASSERT_EQ(got[t].status, CRGB_OK) << got[t].message;
    EXPECT_TRUE(same(got[t], got[0]));
    EXPECT_EQ(selected[t], selected[0]);
  }
}

}  // namespace
}  // namespace crgb_test
