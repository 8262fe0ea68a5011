// AVX2 + FMA + F16C, the design card's target: 8-lane vectors.
// Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC Zen 5 VM (KVM, family 26; 2 MiB L2 per core, 32 MiB
// L3), Debian 12, Halide 21.0.0, target x86-64-linux-sse41-avx-avx2-fma-f16c.
// Kept on 2026-11-29, median ms W1 / W2 / W3 / W4 (JIT harness, interleaved,
// 25 rounds, 2 threads; the README's table has the `crgb bench` numbers):
//   no prefetch, 16 boxes per task        1.47 / 3.67 / 2.72 / 12.54
//   grads prefetched 1 crop row ahead     1.04 / 3.04 / 1.94 /  7.62
//   grads prefetched 2 rows ahead         1.06 / 3.04 / 1.80 /  7.73
//   (3 and 4 rows, and 4 samples ahead, within 5% of 2 rows)
//   a second run:
//   2 rows, 16 boxes per task             0.88 / 1.98 / 1.79 /  7.60
//   2 rows, 32 boxes per task             0.85 / 1.97 / 1.72 /  7.04
//   2 rows, at least 8 tasks, at most 32  0.88 / 2.09 / 1.73 /  6.89
// (compare rows within one run: the machine's speed moves between runs).
// At least 8 tasks: W4's shape with 40 boxes 1.72 -> 0.89 ms.
// Tried and measured worse: 16 lanes (6-20% slower on W1, W3, W4); 24 boxes
// per task (W2 24% slower: 11 tasks on 2 threads); an algorithm restatement
// with four per-sample channel sums (8 vector ops per chunk instead of 14;
// before the prefetch: W3 18% slower, W1, W2, W4 within 6%); and, on
// 2026-11-25, two samples' channel loops interleaved.
// Later on 2026-11-29 (JIT, interleaved, 25 rounds, 2 threads), W3 / W1 / W2 / W4:
//   tables read in the channel loop       1.79 / 1.00 / 2.60 / 6.63
//   row, column, image index in registers 1.66 / 0.97 / 2.51 / 6.53  (kept)
// and measured worse, with the crgb_lab tool (tools/lab, `--isa avx2`): a
// software prefetch of the next sample's corner pixels (3-12% slower).
// The grads prefetch distance, with the registers above (JIT, interleaved,
// 25 rounds), W4 / W1 / W2 / W3:
//   2 crop rows ahead                     7.25 / 1.00 / 2.25 / 1.89
//   4 KiB ahead                           6.14 / 0.96 / 2.23 / 1.83
//   8 KiB ahead                           5.51 / 0.97 / 2.24 / 1.89  (kept)
//   16 KiB ahead                          5.67 / 0.99 / 2.18 / 1.95
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx2_tunables() {
  return {/*vector_lanes=*/8, /*boxes_per_task=*/32, /*grads_prefetch_bytes=*/8192};
}
}  // namespace crgb
