// ARM64 NEON: 4-lane 128-bit vectors. Placeholder tunables until the ARM
// variant is built and measured (issue: ARM64 NEON variant).
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables arm_neon_tunables() { return {4, 0, 16}; }
} // namespace crgb
