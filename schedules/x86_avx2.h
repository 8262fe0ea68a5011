// AVX2 + FMA + F16C, the design card's target: 8-lane vectors.
// Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC VM (KVM), 24 GiB, Debian 12, Halide 21.0.0, target
// x86-64-linux-sse41-avx-avx2-fma-f16c. Measured with `crgb bench` (median of
// 15 interleaved rounds, 2 threads) on 2026-11-25: see README's table.
// Tried and measured worse on W1-W4 here: 16 lanes (two registers per lane
// group), software prefetch of grads one or two samples ahead, two samples'
// channel loops interleaved, 4 boxes per task (W3 slower).
// Re-checked on 2026-11-29 on a 2-core AMD EPYC Zen 5 VM (family 26; 32 MiB L3,
// 2 MiB L2 per core), interleaved in one process (JIT, W1-W4 shapes): 16
// lanes 7-15% slower; 8 boxes per task 8% faster on W4 (300 boxes: fewer
// tasks than cores can balance), 5% slower on W2 and W3; per-sample channel
// sums weighted once per sample (an algorithm restatement, 10 vector ops
// instead of 14) 0-12% faster, W3 unchanged: none kept, as no setting wins on
// every workload and the last would change every schedule.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx2_tunables() {
  return {/*vector_lanes=*/8, /*boxes_per_task=*/32, /*grads_prefetch_rows=*/2};
}
}  // namespace crgb
