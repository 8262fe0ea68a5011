#include "gpu_schedule.h"

namespace crgb {

namespace {

constexpr int kChannelLanes = 32;     // one warp across consecutive channels
constexpr int kThreadsPerBlock = 64;  // the sampling-table kernels

void require_gpu(const Halide::Target &target) {
  if (!target.has_gpu_feature())
    throw Halide::CompileError("the GPU schedule needs a target with a GPU API, got " +
                               target.to_string());
}

}  // namespace

void apply_gpu_schedule(CropStages &s, const Halide::Target &target) {
  using namespace Halide;
  require_gpu(target);
  Var chunk("chunk"), lane("lane"), block("block"), xy("xy");
  Func crops = s.crops;
  crops.split(s.d, chunk, lane, kChannelLanes, TailStrategy::GuardWithIf)
      .reorder(lane, chunk, s.x, s.y, s.b)
      // One grid dimension: grid y and z stop at 65535, boxes need not.
      .fuse(chunk, s.x, xy)
      .fuse(xy, s.y, xy)
      .fuse(xy, s.b, block)
      .gpu_blocks(block)
      .gpu_threads(lane);
}

void apply_gpu_schedule(GradImageStages &s, const Halide::Target &target) {
  using namespace Halide;
  require_gpu(target);
  Var chunk("chunk"), lane("lane"), block("block"), tile("tile"), thread("thread");
  for (Func table : {s.row, s.col}) {
    table.compute_root()
        .fuse(table.args()[0], table.args()[1], tile)
        .gpu_tile(tile, block, thread, kThreadsPerBlock, TailStrategy::GuardWithIf);
  }
  for (Func range : {s.rows_inside, s.cols_inside})
    range.compute_root().gpu_tile(range.args()[0], block, thread, kThreadsPerBlock,
                                  TailStrategy::GuardWithIf);
  Func out = s.grad_image;
  // The zeroing: one thread per element, channels across the warp.
  out.split(s.d, chunk, lane, kChannelLanes, TailStrategy::GuardWithIf)
      .reorder(lane, chunk, s.x, s.y, s.n)
      .fuse(chunk, s.x, block)
      .fuse(block, s.y, block)
      .fuse(block, s.n, block)
      .gpu_blocks(block)
      .gpu_threads(lane);
  // The sum: one thread per (channel, image), its boxes' samples in order.
  out.update()
      .split(s.d, chunk, lane, kChannelLanes, TailStrategy::GuardWithIf)
      .reorder(s.samples[0], s.samples[1], s.samples[2], s.samples[3], s.samples[4], lane, chunk,
               s.n)
      .fuse(chunk, s.n, block)
      .gpu_blocks(block)
      .gpu_threads(lane);
}

}  // namespace crgb
