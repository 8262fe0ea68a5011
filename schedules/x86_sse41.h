// SSE4.1 baseline (runs on every x86-64 CPU since 2008): 4-lane vectors.
// Tuned on: TODO (filled in by the benchmark run recorded in README).
#pragma once
#include "cpu_schedule.h"

namespace crgb {
inline CpuTunables x86_sse41_tunables() { return {4, 0, 16}; }
} // namespace crgb
