// What this CPU can execute, read once from the hardware (cpuid and xgetbv on
// x86-64; getauxval on aarch64).
#pragma once

#include <string>

namespace crgb::detail {

// True if the CPU (and the OS, for register state) supports every feature in
// `features`, a '-'-separated list of names: sse41, avx2 (with avx, fma, f16c),
// avx512_skylake (f, cd, bw, dq, vl), neon, fp16 (ARMv8.2 half precision, scalar
// and vector). An unknown name is never supported.
bool cpu_supports(const std::string &features);

}  // namespace crgb::detail
