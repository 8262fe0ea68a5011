// AVX2 + FMA + F16C (the design card's target): 8-lane vectors.
// Tuned on: TODO (filled in by the benchmark run recorded in README).
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx2_tunables() { return {8, 0, 4}; }
} // namespace crgb
