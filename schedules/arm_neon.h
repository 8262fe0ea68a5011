// ARM64 NEON: 4-lane 128-bit vectors. Not yet built or measured: the ARM
// variant is its own issue; these are the SSE4.1 baseline's tunables.
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables arm_neon_tunables() { return {/*vector_lanes=*/4, /*boxes_per_task=*/16}; }
}  // namespace crgb
