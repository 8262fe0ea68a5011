// This machine's streaming read bandwidth, measured by the benchmark in the
// same run as the kernels it is compared with.
#ifndef CRGB_CLI_BENCH_BANDWIDTH_H
#define CRGB_CLI_BENCH_BANDWIDTH_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crgb::cli {

struct Bandwidth {
  double one_thread_gbps = 0;
  double all_threads_gbps = 0;
  int threads = 0;  // "all": std::thread::hardware_concurrency()
};

// Best of `repeats` passes of a streaming read over a buffer of `bytes`
// (choose it several times the last-level cache), with one and with all threads.
Bandwidth measure_read_bandwidth(size_t bytes = size_t(256) << 20, int repeats = 5);

// Evicts the caches' contents by reading, with all threads, a buffer of
// `bytes` (choose it several times the last-level cache): after flush(), a
// kernel's inputs come from memory, as in a first touch.
class CacheFlusher {
 public:
  explicit CacheFlusher(size_t bytes = size_t(128) << 20);
  void flush() const;

 private:
  std::vector<uint64_t> buf_;
};

}  // namespace crgb::cli

#endif  // CRGB_CLI_BENCH_BANDWIDTH_H
