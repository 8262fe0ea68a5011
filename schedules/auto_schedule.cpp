#include "auto_schedule.h"

#include <map>

// Machine-generated: their apply functions ignore some of their parameters.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include "auto/arm_neon_adams2019.schedule.h"
#include "auto/arm_neon_li2018.schedule.h"
#include "auto/arm_neon_mullapudi2016.schedule.h"
#include "auto/gpu_anderson2021.schedule.h"
#include "auto/gpu_mullapudi2016.schedule.h"
#include "auto/x86_avx2_adams2019.schedule.h"
#include "auto/x86_avx2_li2018.schedule.h"
#include "auto/x86_avx2_mullapudi2016.schedule.h"
#include "auto/x86_avx512_adams2019.schedule.h"
#include "auto/x86_avx512_li2018.schedule.h"
#include "auto/x86_avx512_mullapudi2016.schedule.h"
#pragma GCC diagnostic pop

namespace crgb {

namespace {

using Apply = void (*)(Halide::Pipeline, Halide::Target);

struct Entry {
  Apply apply;
  Halide::Target::Arch arch;      // the architecture it was generated for (a GPU one: any)
  Halide::Target::Feature needs;  // and its instruction set (FeatureEnd: the base one)
  bool gpu = false;               // a GPU schedule: the target needs a GPU API, any of them
};

const std::map<std::string, Entry> &table() {
  using Halide::Target;
  static const std::map<std::string, Entry> t = {
      {"x86_avx2_adams2019", {apply_schedule_x86_avx2_adams2019, Target::X86, Target::AVX2}},
      {"x86_avx2_li2018", {apply_schedule_x86_avx2_li2018, Target::X86, Target::AVX2}},
      {"x86_avx2_mullapudi2016",
       {apply_schedule_x86_avx2_mullapudi2016, Target::X86, Target::AVX2}},
      {"x86_avx512_adams2019",
       {apply_schedule_x86_avx512_adams2019, Target::X86, Target::AVX512_Skylake}},
      {"x86_avx512_li2018",
       {apply_schedule_x86_avx512_li2018, Target::X86, Target::AVX512_Skylake}},
      {"x86_avx512_mullapudi2016",
       {apply_schedule_x86_avx512_mullapudi2016, Target::X86, Target::AVX512_Skylake}},
      {"arm_neon_adams2019", {apply_schedule_arm_neon_adams2019, Target::ARM, Target::FeatureEnd}},
      {"arm_neon_li2018", {apply_schedule_arm_neon_li2018, Target::ARM, Target::FeatureEnd}},
      {"arm_neon_mullapudi2016",
       {apply_schedule_arm_neon_mullapudi2016, Target::ARM, Target::FeatureEnd}},
      {"gpu_anderson2021",
       {apply_schedule_gpu_anderson2021, Target::ArchUnknown, Target::FeatureEnd, true}},
      {"gpu_mullapudi2016",
       {apply_schedule_gpu_mullapudi2016, Target::ArchUnknown, Target::FeatureEnd, true}},
  };
  return t;
}

}  // namespace

const std::vector<std::string> &auto_schedule_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto &[name, entry] : table()) v.push_back(name);
    return v;
  }();
  return names;
}

void apply_auto_schedule(const std::string &name, const Halide::Pipeline &pipeline,
                         const Halide::Target &target) {
  auto it = table().find(name);
  if (it == table().end())
    throw Halide::CompileError("no checked-in autoscheduled schedule named '" + name + "'");
  const Entry &e = it->second;
  if (e.gpu ? !target.has_gpu_feature()
            : target.has_gpu_feature() || target.arch != e.arch ||
                  (e.needs != Halide::Target::FeatureEnd && !target.has_feature(e.needs)))
    throw Halide::CompileError("schedule " + name +
                               " was made for another architecture or instruction set than " +
                               target.to_string());
  it->second.apply(pipeline, target);
}

}  // namespace crgb
