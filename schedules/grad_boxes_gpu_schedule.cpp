#include "grad_boxes_gpu_schedule.h"

namespace crgb {

namespace {

constexpr int kChannelLanes = 32;     // one warp across consecutive channels
constexpr int kColumnsPerChunk = 8;   // crop columns one thread walks
constexpr int kRowsPerBlock = 4;      // warps per block, one crop row each
constexpr int kThreadsPerBlock = 64;  // kernels 2 and 3: one value per thread

}  // namespace

void apply_gpu_schedule(PipelineStages &s, const Halide::Target &target) {
  using namespace Halide;
  if (!target.has_gpu_feature())
    throw CompileError("the GPU schedule needs a target with a GPU API, got " + target.to_string());

  RVar channel = s.samples.x, column = s.samples.y, row = s.samples.z;
  RVar channel_chunk("channel_chunk"), channel_lane("channel_lane");
  RVar column_chunk("column_chunk"), column_in_chunk("column_in_chunk");
  Var lane("lane"), chunk("chunk"), crop_row("crop_row"), rows_outer("rows_outer"),
      rows_inner("rows_inner"), row_chunk("row_chunk"), block("block"), tile("tile"),
      thread("thread");

  // Kernel 1: partial(lane, chunk, crop_row, b), each the sum over one
  // thread's columns and channels, in loop order (columns, then channels).
  Func partial =
      s.box_sums.update()
          .split(channel, channel_chunk, channel_lane, kChannelLanes, TailStrategy::GuardWithIf)
          .split(column, column_chunk, column_in_chunk, kColumnsPerChunk, TailStrategy::GuardWithIf)
          .rfactor({{channel_lane, lane}, {column_chunk, chunk}, {row, crop_row}});
  // The wrapper is the kernel's global-memory result; the rfactor Func itself
  // (its zero initialisation and its loop) lives in one thread's registers.
  Func partial_out = partial.in();
  // Lanes innermost in memory, so a warp's store is one contiguous run.
  partial_out.compute_root()
      .reorder_storage(lane, chunk, crop_row, s.b)
      .split(crop_row, rows_outer, rows_inner, kRowsPerBlock, TailStrategy::GuardWithIf)
      .reorder(lane, rows_inner, rows_outer, chunk, s.b)
      // One grid dimension: grid y and z stop at 65535, boxes need not.
      .fuse(rows_outer, chunk, row_chunk)
      .fuse(row_chunk, s.b, block)
      .gpu_blocks(block)
      .gpu_threads(lane, rows_inner);
  partial.compute_at(partial_out, lane);
  partial.update().reorder(channel_chunk, column_in_chunk);
  s.row.compute_at(partial_out, lane);
  s.col.compute_at(partial, column_in_chunk);

  // Kernel 2: per (crop row, box), the row's partials in (lane, chunk) order.
  Func per_row = s.box_sums.update().rfactor(row, crop_row);
  Func per_row_out = per_row.in();
  per_row_out.compute_root()
      .reorder_storage(crop_row, s.b)
      .fuse(crop_row, s.b, tile)
      .gpu_tile(tile, block, thread, kThreadsPerBlock, TailStrategy::GuardWithIf);
  per_row.compute_at(per_row_out, thread);

  // Kernel 3: per box, its rows in order; then the four derivatives.
  s.output.reorder(s.c, s.b).bound(s.c, 0, 4).unroll(s.c);
  s.output.gpu_tile(s.b, block, thread, kThreadsPerBlock, TailStrategy::GuardWithIf);
  s.box_sums.compute_at(s.output, thread);
}

}  // namespace crgb
