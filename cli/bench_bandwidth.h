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

// A buffer of `bytes` (choose it several times the last-level cache) with
// every page touched, for streaming reads: the benchmark measures the read
// bandwidth with one, and evicts the caches before a --cold call by reading
// another.
class StreamBuffer {
 public:
  explicit StreamBuffer(size_t bytes);
  // One pass over the whole buffer by `threads` threads (0: all of them);
  // returns the rate in GB/s.
  double read(int threads = 0) const;

 private:
  std::vector<uint64_t> words_;
};

// Best of `repeats` passes over `buf`, with one and with all threads.
Bandwidth measure_read_bandwidth(const StreamBuffer &buf, int repeats = 5);

}  // namespace crgb::cli

#endif  // CRGB_CLI_BENCH_BANDWIDTH_H
