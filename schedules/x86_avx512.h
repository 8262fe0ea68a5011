// AVX-512 (the Skylake-SP set: F, CD, BW, DQ, VL): 16-lane vectors.
// Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC Zen 5 VM (KVM, family 26; 2 MiB L2 per core, 32 MiB
// L3), Debian 12, Halide 21.0.0, target
// x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake.
// Kept on 2026-11-29, median ms W1 / W2 / W3 / W4 (JIT harness, interleaved,
// 25 rounds, 2 threads; the README's table has the `crgb bench` numbers):
//   no prefetch, 16 boxes per task        1.09 / 2.41 / 2.53 / 9.77
//   grads prefetched 1 crop row ahead     0.79 / 1.93 / 1.75 / 7.20
//   grads prefetched 2 rows ahead         0.82 / 1.91 / 1.58 / 7.29
//   a second run:
//   2 rows, 16 boxes per task             0.80 / 1.92 / 1.56 / 6.17
//   2 rows, 32 boxes per task             0.74 / 1.96 / 1.49 / 5.71
//   2 rows, at least 8 tasks, at most 32  0.73 / 1.93 / 1.58 / 5.72
// (compare rows within one run: the machine's speed moves between runs).
// At least 8 tasks: W4's shape with 40 boxes 1.13 -> 0.69 ms.
// 64-byte aligned tensors matter here: from malloc's 16-byte alignment every
// 64-byte load spans two cache lines (W4 1.4x slower in `crgb bench`).
// Tried and measured worse or no better: 32 lanes (W1, W3, W4 1.2-1.4x slower
// with the prefetch); 64 and 128 boxes per task (W3 within 1%); Halide's prefetch()
// of the image (100x slower: the bounds of a sample's pixels are the whole
// image, as the indices are loaded values).
// Later on 2026-11-29 (JIT, interleaved, 25 rounds, 2 threads), W3 / W1 / W2 / W4:
//   tables read in the channel loop       1.66 / 0.88 / 1.97 / 6.88
//   row, column, image index in registers 1.52 / 0.87 / 1.86 / 6.75  (kept)
//   with the tables also packed (one table per axis instead of six; not kept:
//   an algorithm change for every variant) 4% faster on W3, 1% on W1 and W2.
// Measured worse: a software prefetch of the next sample's corner pixels
// (crgb_lab, tools/lab: 2-20% slower); channel blocks of 32-128 channels per
// task, so that the image slice a task gathers from fits L2 (1.25-2.9x slower:
// the per-sample work repeats per block and grads is read in strided pieces);
// unrolling the channel loop by 2 or 4 (1.3-2.2x slower); computing the lerps
// as d1 + x_lerp * (d2 - d1) (3 vector ops fewer per chunk; W1, W3 9-12% slower).
// The grads prefetch distance, with the registers (JIT, interleaved, 25 rounds):
//   W4, three runs: 2 crop rows ahead 6.43 / 6.36 / 6.47, 4 KiB 5.92 / 5.74 /
//   5.68, 8 KiB 5.78 / 5.66 / 5.60, 16 KiB 5.75 / 5.59 / 5.49;
//   W3, three runs: 2 rows 1.35 / 1.38 / 1.37, 4 KiB 1.34 / 1.36 / 1.33, 8 KiB
//   1.31 / 1.33 / 1.33 (kept; 2 KiB 1.49, 512 bytes 1.87);
//   W1 and W2 within 7% from 4 to 16 KiB and at 2 rows.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx512_tunables() {
  return {/*vector_lanes=*/16, /*boxes_per_task=*/32, /*grads_prefetch_bytes=*/8192};
}
}  // namespace crgb
