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

double pass_gbps(const std::vector<uint64_t> &buf, int threads) {
  std::atomic<uint64_t> sink{0};
  const size_t n = buf.size(), per = n / threads;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    size_t lo = per * t, hi = t + 1 == threads ? n : lo + per;
    pool.emplace_back([&, lo, hi] { sink += sum_words(buf.data() + lo, hi - lo); });
  }
  for (std::thread &th : pool) th.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return double(n * sizeof(uint64_t)) / s / 1e9;
}

}  // namespace

CacheFlusher::CacheFlusher(size_t bytes) : buf_(bytes / sizeof(uint64_t)) {
  for (size_t i = 0; i < buf_.size(); ++i) buf_[i] = i;  // touch every page first
}

void CacheFlusher::flush() const {
  pass_gbps(buf_, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

Bandwidth measure_read_bandwidth(size_t bytes, int repeats) {
  std::vector<uint64_t> buf(bytes / sizeof(uint64_t));
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = i;  // touch every page first
  Bandwidth bw;
  bw.threads = std::max(1u, std::thread::hardware_concurrency());
  for (int r = 0; r < repeats; ++r) {
    bw.one_thread_gbps = std::max(bw.one_thread_gbps, pass_gbps(buf, 1));
    bw.all_threads_gbps = std::max(bw.all_threads_gbps, pass_gbps(buf, bw.threads));
  }
  return bw;
}

}  // namespace crgb::cli
