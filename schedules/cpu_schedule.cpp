#include "cpu_schedule.h"

#include "arm_neon.h"
#include "x86_avx2.h"
#include "x86_avx512.h"
#include "x86_sse41.h"

namespace crgb {

CpuScheduleName cpu_schedule_by_name(const std::string &name) {
  const auto &names = cpu_schedule_names();
  auto it = names.find(name);
  if (it == names.end())
    throw Halide::CompileError("unknown CPU schedule '" + name + "' (one of cpu_schedule_names())");
  return it->second;
}

CpuTunables cpu_tunables(CpuScheduleName name, const Halide::Target &target) {
  using Halide::Target;
  // Each schedule is tuned for one instruction set: refuse a variants table
  // entry that pairs it with a target lacking that set.
  auto require = [&](bool ok, const char *what) {
    if (!ok)
      throw Halide::CompileError(std::string("schedule needs a target with ") + what + ", got " +
                                 target.to_string());
  };
  CpuTunables t{};
  switch (name) {
    case CpuScheduleName::SSE41:
      require(target.arch == Target::X86 && target.has_feature(Target::SSE41), "sse41");
      t = x86_sse41_tunables();
      break;
    case CpuScheduleName::AVX2:
      require(target.arch == Target::X86 && target.has_feature(Target::AVX2), "avx2");
      t = x86_avx2_tunables();
      break;
    case CpuScheduleName::AVX512:
      require(target.arch == Target::X86 && target.has_feature(Target::AVX512_Skylake),
              "avx512_skylake");
      t = x86_avx512_tunables();
      break;
    case CpuScheduleName::NEON:
      require(target.arch == Target::ARM && target.bits == 64, "arm-64");
      t = arm_neon_tunables();
      break;
    case CpuScheduleName::NEON_FP16:
      require(
          target.arch == Target::ARM && target.bits == 64 && target.has_feature(Target::ARMFp16),
          "arm-64 and arm_fp16");
      t = arm_neon_tunables();
      break;
  }
  return t;
}

void apply_cpu_schedule(CpuScheduleName name, PipelineStages &s, const Halide::Target &target) {
  schedule_cpu(cpu_tunables(name, target), s);
}

}  // namespace crgb
