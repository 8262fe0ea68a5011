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

void apply_cpu_schedule(CpuScheduleName name, CropStages &s, const Halide::Target &target) {
  using namespace Halide;
  const CpuTunables t = cpu_tunables(name, target);
  Var bo("bo"), bi("bi");
  Func crops = s.crops;
  // At least 8 tasks when there are 8 boxes or more, as for the gradient.
  Expr num_boxes = crops.output_buffer().dim(3).extent();
  Expr boxes_per_task = clamp(num_boxes / 8, 1, t.crop_boxes_per_task);
  crops.split(s.b, bo, bi, boxes_per_task, TailStrategy::GuardWithIf)
      .parallel(bo)
      .vectorize(s.d, t.vector_lanes, TailStrategy::GuardWithIf);
  // The sampling tables once, at the root: their allocation then happens
  // before the first store to the output, so a failed one leaves the
  // caller's output untouched (runtime/src/api.cpp writes straight into it).
  s.row.compute_root().parallel(s.b);
  s.col.compute_root().parallel(s.b);
  // Whole vectors without tail guards, and nearest without the lerps.
  crops.specialize(s.nearest);
  crops.specialize(s.depth % t.vector_lanes == 0);
}

void apply_cpu_schedule(CpuScheduleName name, GradImageStages &s, const Halide::Target &target) {
  using namespace Halide;
  const CpuTunables t = cpu_tunables(name, target);
  Func out = s.grad_image;
  Var rows("rows"), row_in("row_in"), task("task");
  RVar cx = s.samples[0], sx = s.samples[1], cy = s.samples[2], sy = s.samples[3];
  RVar box = s.samples[4];
  s.row.compute_root().parallel(s.b);
  s.col.compute_root().parallel(s.b);
  out.split(s.y, rows, row_in, t.grad_image_rows_per_task, TailStrategy::GuardWithIf)
      .fuse(rows, s.n, task)
      .parallel(task)
      .vectorize(s.d, t.vector_lanes, TailStrategy::GuardWithIf);
  Stage sum = out.update();
  sum.reorder(s.d, cx, sx, cy, sy, box, s.y, s.n)
      .split(s.y, rows, row_in, t.grad_image_rows_per_task, TailStrategy::GuardWithIf)
      .fuse(rows, s.n, task)
      .parallel(task)
      .vectorize(s.d, t.vector_lanes, TailStrategy::GuardWithIf)
      .unroll(cx)
      .unroll(cy);
  sum.specialize(s.nearest);
  sum.specialize(s.depth % t.vector_lanes == 0);
}

}  // namespace crgb
