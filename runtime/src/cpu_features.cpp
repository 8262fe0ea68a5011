#include "cpu_features.h"

#include <cstdint>
#include <sstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace crgb::detail {
namespace {

#if defined(__x86_64__) || defined(__i386__)
struct X86 {
  bool sse41 = false, avx2 = false, avx512_skylake = false;

  X86() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    sse41 = c & (1u << 19);
    bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12),
         f16c = c & (1u << 29);
    uint64_t xcr0 = 0;
    if (osxsave) {
      uint32_t lo = 0, hi = 0;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      xcr0 = (uint64_t(hi) << 32) | lo;
    }
    bool ymm_state = (xcr0 & 0x6) == 0x6;    // SSE and AVX state saved by the OS
    bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // plus opmask and ZMM state
    unsigned max_leaf = __get_cpuid_max(0, nullptr);
    unsigned b7 = 0;
    if (max_leaf >= 7) {
      unsigned a7 = 0, c7 = 0, d7 = 0;
      __cpuid_count(7, 0, a7, b7, c7, d7);
    }
    avx2 = sse41 && avx && fma && f16c && ymm_state && (b7 & (1u << 5));
    bool f = b7 & (1u << 16), dq = b7 & (1u << 17), cd = b7 & (1u << 28), bw = b7 & (1u << 30),
         vl = b7 & (1u << 31);
    avx512_skylake = avx2 && zmm_state && f && dq && cd && bw && vl;
  }
};
#endif

bool supports_one(const std::string &name) {
#if defined(__x86_64__) || defined(__i386__)
  static const X86 cpu;
  if (name == "sse41") return cpu.sse41;
  if (name == "avx2") return cpu.avx2;
  if (name == "avx512_skylake") return cpu.avx512_skylake;
#endif
#if defined(__aarch64__)
  // Halide does not detect ARM features at run time: the HWCAP bits the
  // kernel reports are the only source (no MRS of ID registers, which older
  // kernels do not emulate for user space).
  static const unsigned long hwcap = getauxval(AT_HWCAP);
  if (name == "neon") return (hwcap & HWCAP_ASIMD) != 0;
  // ARMv8.2 FEAT_FP16: half-precision scalar and vector instructions.
  if (name == "fp16") return (hwcap & HWCAP_FPHP) != 0 && (hwcap & HWCAP_ASIMDHP) != 0;
#endif
  return false;
}

}  // namespace

bool cpu_supports(const std::string &features) {
  std::stringstream in(features);
  std::string name;
  while (std::getline(in, name, '-')) {
    if (!supports_one(name)) return false;
  }
  return true;
}

}  // namespace crgb::detail
