#include "auto_schedule.h"

#include <map>

// Machine-generated: their apply functions ignore some of their parameters.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
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
  Halide::Target::Feature needs;  // the instruction set it was generated for
};

const std::map<std::string, Entry> &table() {
  using Halide::Target;
  static const std::map<std::string, Entry> t = {
      {"x86_avx2_adams2019", {apply_schedule_x86_avx2_adams2019, Target::AVX2}},
      {"x86_avx2_li2018", {apply_schedule_x86_avx2_li2018, Target::AVX2}},
      {"x86_avx2_mullapudi2016", {apply_schedule_x86_avx2_mullapudi2016, Target::AVX2}},
      {"x86_avx512_adams2019", {apply_schedule_x86_avx512_adams2019, Target::AVX512_Skylake}},
      {"x86_avx512_li2018", {apply_schedule_x86_avx512_li2018, Target::AVX512_Skylake}},
      {"x86_avx512_mullapudi2016",
       {apply_schedule_x86_avx512_mullapudi2016, Target::AVX512_Skylake}},
  };
  return t;
}

} // namespace

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
  if (target.arch != Halide::Target::X86 || !target.has_feature(it->second.needs))
    throw Halide::CompileError("schedule " + name + " was made for another instruction set than " +
                               target.to_string());
  it->second.apply(pipeline, target);
}

} // namespace crgb
