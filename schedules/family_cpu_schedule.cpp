// The hand-written CPU schedules of crop_and_resize and its image gradient
// (their shapes are described in cpu_schedule.h; the tunables come from the
// per-target files through cpu_tunables(), the family's own are defaults of
// CpuTunables shared by every ISA).
//
// Tuned on: 2-core AMD EPYC Zen 4 VM (KVM, family 25 model 17; 2 MiB L2 per
// core, 32 MiB L3), Debian 12, Halide 21.0.0, 2026-12-01, with a throwaway
// harness calling the library (W1's shape, float32; other builds running on
// the machine, so compare rows of one run only). First values, not a search:
//   crop_and_resize, AVX2, tables read per vector     3.9 ms  (reference 10.8)
//   crop_and_resize, row and column in registers      2.5 ms  (reference 11.7)
//   grad_image, AVX2, 64-channel blocks (8 tasks)    12.9 ms  (1 thread 23.8; reference 6.0)
//   grad_image, whole-image blocks (2 tasks)          5.1 ms  (1 thread 8.9; reference 5.5)
// The image gradient is bound by its read-modify-writes of the image, which
// exceeds the L2 (W1: 4 MiB per image), as the reference's are.
#include "cpu_schedule.h"

namespace crgb {

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
  // The current crop row's and column's sampling in registers at the loops
  // that move them, not reloaded (and their indices re-clamped) for every
  // vector of channels.
  s.row.in(crops).compute_at(crops, s.y).store_in(MemoryType::Register);
  s.col.in(crops).compute_at(crops, s.x).store_in(MemoryType::Register);
  // Whole vectors without tail guards, and nearest without the lerps.
  crops.specialize(s.nearest);
  crops.specialize(s.depth % t.vector_lanes == 0);
}

void apply_cpu_schedule(CpuScheduleName name, GradImageStages &s, const Halide::Target &target) {
  using namespace Halide;
  const CpuTunables t = cpu_tunables(name, target);
  Func out = s.grad_image;
  Var block("block"), lane("lane"), task("task");
  RVar cx = s.samples[0], cy = s.samples[1], sx = s.samples[2], sy = s.samples[3];
  RVar box = s.samples[4];
  for (Func table : {s.row, s.col, s.rows_inside, s.cols_inside})
    table.compute_root().parallel(table.args().back());
  out.parallel(s.y).vectorize(s.d, t.vector_lanes, TailStrategy::GuardWithIf);
  // A task owns a block of channels of one image and walks every box in
  // order; each sample's corners are vector read-modify-writes. Blocks are
  // as wide as allows grad_image_min_tasks tasks, in whole vectors, and at
  // most grad_image_channels_per_task. Wide on purpose: a task reads its
  // block of every grads sample, and narrow blocks make that stream a strided
  // one the hardware prefetchers lose at every page (W1's shape with 64-channel
  // blocks, 8 tasks: 2.2x the reference's time on one thread, 80% of it
  // waiting on one grads load; x86 perf, 2026-12-01).
  Expr depth = s.grad_image.output_buffer().dim(0).extent();
  Expr batch = s.grad_image.output_buffer().dim(3).extent();
  Expr wanted = (depth * batch + t.grad_image_min_tasks - 1) / t.grad_image_min_tasks;
  // Never wider than the depth (in whole vectors): W3's shape (depth 64, 8
  // images) took 256-channel blocks, three quarters of every block's vectors
  // masked off, 6x the reference's time on AVX2 (crgb bench, 2026-12-01).
  auto whole_vectors = [&](Expr n) {
    return (n + t.vector_lanes - 1) / t.vector_lanes * t.vector_lanes;
  };
  Expr per_task = clamp(whole_vectors(wanted), t.vector_lanes,
                        min(whole_vectors(depth), t.grad_image_channels_per_task));
  Stage sum = out.update();
  sum.split(s.d, block, lane, per_task, TailStrategy::GuardWithIf)
      .reorder(lane, cx, cy, sx, sy, box, block, s.n)
      .fuse(block, s.n, task)
      .parallel(task)
      .vectorize(lane, t.vector_lanes, TailStrategy::GuardWithIf)
      .unroll(cx)
      .unroll(cy);
  sum.specialize(s.nearest);
  sum.specialize(s.depth % t.vector_lanes == 0);
}

}  // namespace crgb
