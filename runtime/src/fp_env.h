// The floating-point environment every variant computes in, whatever the
// caller left in its thread: round to nearest, all exceptions masked, and
// denormals flushed to zero on input and output (DAZ and FTZ), as TensorFlow
// runs its CPU kernels (measured bit for bit against tensorflow-cpu 2.20 on
// the golden cases with subnormal grads, boxes and float64 pixels).
//
// Set on the calling thread for the duration of a call and restored exactly
// (control bits and sticky flags) when it returns. Halide's worker threads are
// created by its runtime inside a call (halide_do_par_for), and a new thread
// starts with its creator's environment, so the workers run in this one too.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace crgb::detail {

class ScopedFpEnv {
 public:
#if defined(__x86_64__) || defined(__i386__)
  // MXCSR: FTZ (bit 15) | rounding 00 = nearest | all six exception masks
  // (bits 7-12) | DAZ (bit 6); sticky flags cleared.
  static constexpr unsigned kMxcsr = 0x8000u | 0x1F80u | 0x0040u;
  ScopedFpEnv() : saved_(_mm_getcsr()) {
    _mm_setcsr(kMxcsr);
  }
  ~ScopedFpEnv() {
    _mm_setcsr(saved_);
  }

 private:
  unsigned saved_;
#elif defined(__aarch64__)
  // FPCR: FZ (bit 24) only: rounding mode 00 = nearest, no exception traps,
  // IEEE NaN propagation, IEEE half precision.
  static constexpr uint64_t kFpcr = uint64_t(1) << 24;
  ScopedFpEnv() {
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved_fpcr_));
    __asm__ volatile("mrs %0, fpsr" : "=r"(saved_fpsr_));
    __asm__ volatile("msr fpcr, %0" : : "r"(kFpcr));
  }
  ~ScopedFpEnv() {
    __asm__ volatile("msr fpcr, %0" : : "r"(saved_fpcr_));
    __asm__ volatile("msr fpsr, %0" : : "r"(saved_fpsr_));
  }

 private:
  uint64_t saved_fpcr_, saved_fpsr_;
#else
  ScopedFpEnv() {}
#endif
 public:
  ScopedFpEnv(const ScopedFpEnv &) = delete;
  ScopedFpEnv &operator=(const ScopedFpEnv &) = delete;
};

}  // namespace crgb::detail
