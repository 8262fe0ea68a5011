// The autoscheduled schedules (issue #5): what each autoscheduler shipped with
// Halide 21 made of this pipeline, per target, checked in under schedules/auto/
// by scripts/regenerate_autoschedules.sh. An ordinary build never runs an
// autoscheduler; the generator applies one of these by name
// (GeneratorParam autoscheduled).
#pragma once

#include <string>
#include <vector>

#include "Halide.h"

namespace crgb {

// The names of the checked-in schedules: <target>_<autoscheduler>, e.g. x86_avx2_adams2019
// (gpu_anderson2021, gpu_mullapudi2016: for every GPU target, CUDA and OpenCL).
const std::vector<std::string> &auto_schedule_names();

// Applies the checked-in schedule `name` to the pipeline. Throws
// Halide::CompileError for an unknown name or a target lacking the
// instruction set the schedule was made for (a GPU schedule: a GPU API; a CPU
// one: none).
void apply_auto_schedule(const std::string &name, const Halide::Pipeline &pipeline,
                         const Halide::Target &target);

}  // namespace crgb
