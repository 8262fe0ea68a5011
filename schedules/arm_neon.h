// ARM64 Advanced SIMD (NEON), Halide target arm-64-linux: 128-bit vectors,
// 4 float32 lanes. Also the neon_fp16 variant (arm-64-linux-arm_fp16), the
// same schedule; the algorithm is untouched. Schedule shape: cpu_schedule.h.
//
// Tuned without ARM hardware, by reasoning and by instruction counts: this
// project's machines are x86-64 and run the aarch64 build under qemu-aarch64,
// whose wall time says nothing about an ARM core. Counts are guest
// instructions executed by `crgb grad-boxes` under `qemu-aarch64 -singlestep
// -d nochain,exec` with 1 thread, minus the same run with no boxes (file I/O),
// Halide 21.0.0, 2026-11-25, on W1-shaped inputs with fewer boxes (W1: 32
// boxes, crop 7x7, depth 256; W2: 16 boxes, 14x14; W3: 128 boxes, 7x7, depth
// 64; W5: W1 with uint8 pixels; all boxes inside, count a multiple of 16):
//
//   vector_lanes, boxes_per_task   W1      W2      W3      W5
//   4, 16 (the SSE4.1 shape)      3.27M   6.50M   3.71M   3.98M
//   8, 16                         3.00M   5.94M   3.50M   3.49M
//   16, 16                        3.55M   7.04M   4.12M   3.43M
//   8, 8 (chosen)                 3.00M   5.95M   3.52M   3.50M
//   reference (plain C++)        17.74M     -       -    19.34M
//
// - 8 lanes: AArch64 has 32 vector registers (SSE4.1 has 16), so the four
//   sums fit in two registers each; the inner loop then takes 40
//   instructions per 8 channels (5 ldp, 32 FP ops, 7 of loop control)
//   instead of 2 x 23 at 4 lanes, and two independent chains per sum hide
//   fmla's latency. 16 lanes spill (4 sums x 4 registers plus the corner
//   loads and temporaries exceed 32 registers).
// - 8 boxes per task: the last task of a call, when it has fewer boxes than
//   boxes_per_task, runs the schedule's guarded loop, about 3x the
//   instructions per box (28 boxes, W1 shape: 3.11M at 8 per task, 3.97M at
//   16); 8 halves that worst case, and per-task overhead costs under 1% (W3).
// - neon_fp16 (ARMv8.2 FEAT_FP16, chosen when the CPU has it): without
//   arm_fp16, Halide 21 emulates the float16 -> float32 conversion with
//   integer instructions; with it, the conversion is one fcvtl. float16
//   image, W1 shape: 10.44M -> 3.30M; every other dtype compiles to the same
//   code. arm_dot_prod was tried too and changes nothing (the sums are float,
//   so there is no 8-bit dot product to use): no variant for it.
// - No grads prefetch (grads_prefetch_bytes 0), unlike the x86 schedules, where
//   it made W1-W4 1.2-1.7x faster: whether an ARM core's prefetchers keep up
//   with grads is a question of time, which qemu cannot answer. To try on ARM
//   hardware first.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables arm_neon_tunables() {
  return {/*vector_lanes=*/8, /*boxes_per_task=*/8, /*grads_prefetch_bytes=*/0};
}
}  // namespace crgb
