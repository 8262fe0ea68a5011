// SSE4.1 baseline, so that every x86-64 CPU since 2008 runs a Halide variant:
// 4-lane vectors. Schedule shape: cpu_schedule.h.
//
// Tuned on: 2-core AMD EPYC Zen 5 VM (KVM), Debian 12, Halide 21.0.0, target
// x86-64-linux-sse41. The grads prefetch (2 crop rows ahead) measured on
// 2026-11-29, median ms W1 / W2 / W3 / W4 (JIT harness, interleaved, 2 threads):
// without 1.51 / 4.17 / 3.32 / 16.34, with 1.24 / 3.46 / 2.47 / 11.88. At most
// 32 boxes per task against 16 (both with at least 8 tasks): within 2%, kept
// as on the other x86 schedules. Row, column and image index copied into
// registers (cpu_schedule.h), W3 / W1 / W2 / W4: 3.12 / 1.66 / 4.51 / 13.64 ->
// 2.93 / 1.64 / 4.38 / 13.61 (JIT, interleaved, 2026-11-29). The grads prefetch
// 8 KiB ahead instead of 2 crop rows (112 KiB on W4): W4 14.06 -> 13.58 ms
// (4 and 16 KiB: 12.60, 12.67), W1-W3 within 2%.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_sse41_tunables() {
  return {/*vector_lanes=*/4, /*boxes_per_task=*/32, /*grads_prefetch_bytes=*/8192};
}
}  // namespace crgb
