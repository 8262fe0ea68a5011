// float32 -> float16 and bfloat16 written out in integer and float32
// operations, where Halide 21's own conversion loses NaN: its float16
// emulation on x86 without F16C (grad_image on sse41 gave -inf where
// TensorFlow's golden cases have NaN) and its bfloat16 conversion on every
// target (0x7f800001 became an infinity; tests/family_regression_test.cpp).
// Both round to nearest even like Eigen's software conversions, which
// TensorFlow uses: overflow to infinity, float16 subnormals kept, NaN to a
// quiet NaN with the sign kept.
#pragma once

#include "Halide.h"

namespace crgb {

// A uint32 constant (Halide's Expr has no unsigned constructor).
inline Halide::Expr u32(uint32_t v) {
  return Halide::Internal::make_const(Halide::UInt(32), static_cast<uint64_t>(v));
}

inline Halide::Expr float_to_half_bits(Halide::Expr f) {
  using namespace Halide;
  Expr bits = reinterpret<uint32_t>(f);
  Expr sign = (bits >> 16) & u32(0x8000u);
  Expr magnitude = bits & u32(0x7fffffffu);
  // Normal halves: drop 13 significand bits, ties to even, and rebias.
  Expr m = magnitude - u32(0x38000000u);
  Expr normal = (m + u32(0xfffu) + ((m >> 13) & u32(1))) >> 13;
  // Subnormal halves and zero: let a float32 addition round the significand
  // into place (|f| + 0.5 has the half's subnormal bits at its bottom, ties
  // to even; a float32 subnormal, read as zero under DAZ, gives zero).
  Expr subnormal = reinterpret<uint32_t>(strict_float(abs(f) + 0.5f)) - u32(0x3f000000u);
  Expr h = select(magnitude > u32(0x7f800000u), u32(0x7e00u),   // NaN
                  magnitude >= u32(0x477ff000u), u32(0x7c00u),  // overflow: infinity
                  magnitude >= u32(0x38800000u), normal, subnormal);
  return cast<uint16_t>(sign | h);
}

inline Halide::Expr float_to_bfloat16_bits(Halide::Expr f) {
  using namespace Halide;
  Expr bits = reinterpret<uint32_t>(f);
  Expr nan = (bits >> 16) | u32(0x40u);
  Expr rounded = (bits + u32(0x7fffu) + ((bits >> 16) & u32(1))) >> 16;
  return cast<uint16_t>(select((bits & u32(0x7fffffffu)) > u32(0x7f800000u), nan, rounded));
}

// bfloat16 tensors are declared to Halide as their bits (uint16): Halide 21's
// CUDA code generator aborts on bfloat16 loads (an LLVM "Invalid cast!"
// assertion), and the conversions are a shift and the rounding above anyway.
inline Halide::Type storage_type(Halide::Type t) {
  return t == Halide::BFloat(16) ? Halide::UInt(16) : t;
}

// A stored element of type t (storage_type(t)) as float32, as TensorFlow's
// CPU kernels convert it: exactly, and for float64 under FTZ, where a value
// whose magnitude is below float32's smallest normal (2^-126, tininess
// detected before rounding: 1.1754943e-38 gives 0, not FLT_MIN) becomes a
// zero of its sign. A CPU variant gets that from the floating-point
// environment the dispatcher sets (runtime/src/fp_env.h); a GPU (CUDA, OpenCL)
// has no such mode for the conversion, so there it is written out (the
// OpenCL variant on PoCL gave FLT_MIN for golden case c466).
inline Halide::Expr to_float(Halide::Expr stored, Halide::Type t, const Halide::Target &target) {
  using namespace Halide;
  if (t == BFloat(16)) return reinterpret<float>(cast<uint32_t>(stored) << 16);
  if (t == Float(64) && target.has_gpu_feature()) {
    // The sign bit, so that -0.0 and negative tiny values give -0.0.
    Expr sign = cast<uint32_t>(reinterpret<uint64_t>(stored) >> 32) & u32(0x80000000u);
    Expr zero = reinterpret<float>(sign);
    return select(abs(stored) < Expr(1.1754943508222875e-38), zero, cast<float>(stored));
  }
  return cast<float>(stored);
}

// A float32 value converted to t and stored as storage_type(t): Halide's cast
// where it is exact to TensorFlow's, the conversions above where it is not.
inline Halide::Expr float_to(Halide::Type t, Halide::Expr f, const Halide::Target &target) {
  using namespace Halide;
  if (t == BFloat(16)) return float_to_bfloat16_bits(f);
  // Halide emulates float16 where the target has no conversion it uses: x86
  // without F16C and ARM without arm_fp16 (the neon variant gave -inf for
  // NaN there too, under qemu).
  const bool native = target.arch == Target::X86 ? target.has_feature(Target::F16C)
                                                 : target.has_feature(Target::ARMFp16);
  if (t == Float(16) && !native) return reinterpret(t, float_to_half_bits(f));
  return cast(t, f);
}

}  // namespace crgb
