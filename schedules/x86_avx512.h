// AVX-512 (Skylake-SP feature set): 16-lane vectors.
// Tuned on: TODO (filled in by the benchmark run recorded in README).
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_avx512_tunables() { return {16, 0, 16}; }
} // namespace crgb
