// AVX-512 (the Skylake-SP set: F, CD, BW, DQ, VL): 16-lane vectors.
// Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC VM (KVM), 24 GiB, Debian 12, Halide 21.0.0, target
// x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake. Measured with
// `crgb bench` (median of 15 interleaved rounds, 2 threads) on 2026-11-25: see
// README's table. 32 lanes and grads prefetching measured worse.
// Re-checked on 2026-11-29 on a 2-core AMD EPYC Zen 5 VM, interleaved in one
// process (JIT, W1-W4 shapes): 4 boxes per task 6% faster on W4 and 16%
// slower on W3, 8 boxes 6% either way, 32 boxes and 32 lanes within noise;
// Halide's prefetch() of the image 100x slower (its bounds of a sample's
// pixels are the whole image: the indices are loaded values), of grads one
// sample ahead 25% slower.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx512_tunables() {
  return {/*vector_lanes=*/16, /*boxes_per_task=*/32, /*grads_prefetch_rows=*/2};
}
}  // namespace crgb
