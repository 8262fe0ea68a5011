// SSE4.1 baseline, so that every x86-64 CPU since 2008 runs a Halide variant:
// 4-lane vectors. Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC VM (KVM), 24 GiB, Debian 12, Halide 21.0.0, target
// x86-64-linux-sse41. Measured with `crgb bench` (median of 15 interleaved
// rounds, 2 threads) on 2026-11-25: see README's table for the numbers.
// 16 boxes per task beat 4 on W3 (4096 small boxes: task overhead) and lost
// little on W2/W4.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_sse41_tunables() {
  return {/*vector_lanes=*/4, /*boxes_per_task=*/32, /*grads_prefetch_rows=*/2};
}
}  // namespace crgb
