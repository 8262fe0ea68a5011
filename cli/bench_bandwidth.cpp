#include "bench_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace crgb::cli {
namespace {

// Sums 64-bit words: integer adds vectorize without reassociation concerns, so
// the loop runs at the memory's pace, not the adder's.
uint64_t sum_words(const uint64_t *p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  for (; i < n; ++i) a += p[i];
  return a + b + c + d;
}

int all_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

StreamBuffer::StreamBuffer(size_t bytes) : words_(bytes / sizeof(uint64_t)) {
  for (size_t i = 0; i < words_.size(); ++i) words_[i] = i;  // touch every page first
}

double StreamBuffer::read(int threads) const {
  if (threads <= 0) threads = all_threads();
  std::atomic<uint64_t> sink{0};
  const size_t n = words_.size(), per = n / threads;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    size_t lo = per * t, hi = t + 1 == threads ? n : lo + per;
    pool.emplace_back([&, lo, hi] { sink += sum_words(words_.data() + lo, hi - lo); });
  }
  for (std::thread &th : pool) th.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return double(n * sizeof(uint64_t)) / s / 1e9;
}

Bandwidth measure_read_bandwidth(const StreamBuffer &buf, int repeats) {
  Bandwidth bw;
  bw.threads = all_threads();
  for (int r = 0; r < repeats; ++r) {
    bw.one_thread_gbps = std::max(bw.one_thread_gbps, buf.read(1));
    bw.all_threads_gbps = std::max(bw.all_threads_gbps, buf.read(bw.threads));
  }
  return bw;
}

}  // namespace crgb::cli
