// The hand-written CPU schedule, one shape for every CPU target; the per-target
// files beside this one choose its tunables and record where they were tuned.
//
// Shape: parallel over chunks of boxes; per box, the crop's row/column sampling
// is computed once; per crop sample, the depth is reduced in vector lanes held
// in registers (rfactor), the lanes summed in order, and the sample's two sums
// weighted into the box's four. Every box is reduced by one thread in a fixed
// order, so results are bit-identical for any thread count.
#pragma once

#include <map>
#include <string>

#include "Halide.h"
#include "pipeline_stages.h"

namespace crgb {

enum class CpuScheduleName { SSE41, AVX2, AVX512, NEON };

inline const std::map<std::string, CpuScheduleName> &cpu_schedule_names() {
  static const std::map<std::string, CpuScheduleName> names = {
      {"sse41", CpuScheduleName::SSE41},
      {"avx2", CpuScheduleName::AVX2},
      {"avx512", CpuScheduleName::AVX512},
      {"neon", CpuScheduleName::NEON},
  };
  return names;
}

struct CpuTunables {
  int vector_lanes;    // float32 lanes of one vector register
  int prefetch_samples;  // how many crop samples ahead grads is prefetched (0: none)
  int boxes_per_task;  // boxes per parallel task
};

inline void schedule_cpu(const CpuTunables &t, PipelineStages &s) {
  using namespace Halide;
  Var bo("bo"), bi("bi"), lane("lane");
  RVar chunk("chunk"), in_chunk("in_chunk");

  s.output.reorder(s.c, s.b).bound(s.c, 0, 4).unroll(s.c);
  s.output.split(s.b, bo, bi, t.boxes_per_task, TailStrategy::GuardWithIf).parallel(bo);

  s.row.compute_at(s.output, bi);
  s.col.compute_at(s.output, bi);
  s.box_sums.compute_at(s.output, bi);
  s.sample_sums.compute_at(s.box_sums, s.crop.x);
  // grads is the one stream read from DRAM: fetch a few samples ahead.
  if (t.prefetch_samples > 0)
    s.prefetch_grads(s.box_sums.update(), s.crop.x, s.crop.x, t.prefetch_samples);
  // The depth reduction in vector lanes: each lane accumulates every
  // vector_lanes-th channel in a register, then the lanes are summed in order.
  Func lanes = s.sample_sums.update()
                   .split(s.depth.x, chunk, in_chunk, t.vector_lanes, TailStrategy::GuardWithIf)
                   .rfactor(in_chunk, lane);
  lanes.compute_at(s.box_sums, s.crop.x).vectorize(lane);
  lanes.update().vectorize(lane);
}

void apply_cpu_schedule(CpuScheduleName name, PipelineStages &s, const Halide::Target &target);

} // namespace crgb
