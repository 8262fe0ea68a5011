// crgb_lab: where a hand-written CPU schedule's time goes, by experiment.
//
// JIT-compiles the generator (generators/, the same algorithm and schedules as
// the shipped variants) for one instruction set and times, interleaved in one
// process, the built-in workloads (cli/workloads.cpp, as `crgb bench` runs
// them) under four conditions:
//   as built         the workload itself
//   grads cached     every box reads the first box's grads (box stride 0), so
//                    the grads stream comes from the caches, not memory
//   image in L1      the same boxes on the top-left 4 x 4 pixels of each
//                    image, which stay in L1 (L2 for W4's 1024 channels)
//   corner prefetch  as built, plus a software prefetch of the next crop
//                    sample's corner pixels (corner_prefetch.h)
// and prints each one's median and its ratio to "as built". --check runs few
// rounds and fails unless "corner prefetch" gives bit-identical results (a
// prefetch must not change what is computed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <crgb/crgb.h>

#include "Halide.h"
#include "corner_prefetch.h"
#include "cpu_schedule.h"
#include "workloads.h"

namespace {

using crgb::cli::Workload;
using Halide::Buffer;

struct Options {
  std::string isa = "avx2";
  Halide::Target target;  // the shipped variant's, from --isa
  int threads = 0;        // 0: Halide's default (one per core)
  int rounds = 25;
  bool check = false;
  std::vector<std::string> workloads;
};

[[noreturn]] void usage(const char *why) {
  std::fprintf(stderr,
               "crgb_lab: %s\nusage: crgb_lab [--isa sse41|avx2|avx512] [--threads N] "
               "[--rounds N] [--check] [W1 ... W5]\n",
               why);
  std::exit(2);
}

// The pinned Halide target of the shipped variant of a hand-written CPU
// schedule, as the library lists it (the variants table, cmake/CrgbVariants.cmake).
Halide::Target target_for(const std::string &isa) {
  crgb_variant_info info{};
  for (int i = 0; crgb::cpu_schedule_names().count(isa) && crgb_variant_get(i, &info) == 0; ++i) {
    if (isa != info.name) continue;
    if (!info.available) usage(("this CPU cannot run " + isa).c_str());
    return Halide::Target(info.target);
  }
  usage(("unknown --isa " + isa + " (a hand-written CPU schedule of this build)").c_str());
}

Options parse(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--isa")
      o.isa = value();
    else if (a == "--threads")
      o.threads = std::atoi(value().c_str());
    else if (a == "--rounds")
      o.rounds = std::max(1, std::atoi(value().c_str()));
    else if (a == "--check")
      o.check = true;
    else if (!a.empty() && a[0] == 'W')
      o.workloads.push_back(a);
    else
      usage(("unknown argument " + a).c_str());
  }
  if (o.workloads.empty()) o.workloads = {"W1", "W2", "W3", "W4", "W5"};
  o.target = target_for(o.isa);
  return o;
}

Halide::Type halide_type(crgb_dtype t) {
  switch (t) {
    case CRGB_UINT8: return Halide::UInt(8);
    case CRGB_FLOAT32: return Halide::Float(32);
    default: usage("the lab runs float32 and uint8 images only");
  }
}

// The generator's pipeline for one schedule, compiled in-process, with or
// without the corner-prefetch pass.
Halide::Callable compile(const Options &o, crgb_dtype image_dtype, bool corner_prefetch) {
  Halide::GeneratorContext context(o.target);
  auto gen = Halide::Internal::GeneratorRegistry::create("crop_and_resize_grad_boxes", context);
  gen->set_generatorparam_value("image_type", crgb_dtype_name(image_dtype));
  gen->set_generatorparam_value("schedule", o.isa);
  Halide::Pipeline p = gen->build_pipeline();
  if (corner_prefetch) p.add_custom_lowering_pass(crgb::lab::make_corner_prefetch_pass());
  std::vector<Halide::Argument> args;
  for (const auto &info : gen->arginfos()) {
    if (info.dir != Halide::Internal::ArgInfoDirection::Input) continue;
    for (const Halide::Parameter &param : gen->input_parameter(info.name))
      args.emplace_back(
          param.name(),
          param.is_buffer() ? Halide::Argument::InputBuffer : Halide::Argument::InputScalar,
          param.type(), param.dimensions(), param.get_argument_estimates());
  }
  return p.compile_to_callable(args, context.target());
}

struct Inputs {
  Halide::Buffer<> grads, image, boxes, box_ind;
};

Inputs wrap(const Workload &w) {
  const auto &s = w.spec;
  Inputs in;
  in.grads = Buffer<float>(const_cast<float *>(w.grads.data()),
                           {int(s.depth), int(s.crop_width), int(s.crop_height), int(s.num_boxes)});
  in.image = Buffer<>(halide_type(s.image_dtype), const_cast<unsigned char *>(w.image.data()),
                      {int(s.depth), int(s.image_width), int(s.image_height), int(s.batch)});
  in.boxes = Buffer<float>(const_cast<float *>(w.boxes.data()), {4, int(s.num_boxes)});
  in.box_ind = Buffer<int32_t>(const_cast<int32_t *>(w.box_ind.data()), {int(s.num_boxes)});
  return in;
}

struct Condition {
  const char *name;
  Halide::Callable *kernel;
  Inputs in;
  Buffer<float> out;
  std::vector<double> ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  Options o = parse(argc, argv);
  if (o.check) o.rounds = std::min(o.rounds, 3);
  if (o.threads > 0) Halide::Internal::JITSharedRuntime::set_num_threads(o.threads);
  std::printf("crgb_lab: %s schedule, %d rounds, interleaved; median ms (x as built)\n",
              o.isa.c_str(), o.rounds);
  std::printf("%-4s %16s %16s %16s %16s\n", "wl", "as built", "grads cached", "image in L1",
              "corner prefetch");
  bool ok = true;
  for (const std::string &name : o.workloads) {
    const crgb::cli::WorkloadSpec *spec = nullptr;
    for (const auto &s : crgb::cli::builtin_workloads())
      if (s.name == name) spec = &s;
    if (!spec || name == "W6") usage(("unknown workload " + name + " (W1-W5)").c_str());
    Workload w = crgb::cli::make_workload(*spec, 1);

    Halide::Callable plain = compile(o, spec->image_dtype, false),
                     prefetching = compile(o, spec->image_dtype, true);
    Inputs built = wrap(w);
    Inputs cached = built;
    cached.grads =
        Buffer<float>(const_cast<float *>(w.grads.data()),
                      {int(spec->depth), int(spec->crop_width), int(spec->crop_height), 1});
    cached.grads.raw_buffer()->dim[3].extent = int(spec->num_boxes);
    cached.grads.raw_buffer()->dim[3].stride = 0;
    // The same boxes on the top-left 4 x 4 pixels of each image: the samples'
    // pixels (16 per image) stay in L1, or in L2 for W4's 1024 channels.
    Inputs small = built;
    small.image = built.image.cropped(1, 0, 4).cropped(2, 0, 4);

    std::vector<Condition> conds = {{"as built", &plain, built, {}, {}},
                                    {"grads cached", &plain, cached, {}, {}},
                                    {"image in L1", &plain, small, {}, {}},
                                    {"corner prefetch", &prefetching, built, {}, {}}};
    for (Condition &c : conds) {
      c.out = Buffer<float>(4, int(spec->num_boxes));
      int rc = (*c.kernel)(c.in.grads, c.in.image, c.in.boxes, c.in.box_ind, c.out);  // warm-up
      if (rc != 0) {
        std::fprintf(stderr, "crgb_lab: %s %s failed (%d)\n", name.c_str(), c.name, rc);
        return 1;
      }
    }
    for (int r = 0; r < o.rounds; ++r)
      for (size_t k = 0; k < conds.size(); ++k) {
        Condition &c = conds[(k + r) % conds.size()];
        auto t0 = std::chrono::steady_clock::now();
        (*c.kernel)(c.in.grads, c.in.image, c.in.boxes, c.in.box_ind, c.out);
        c.ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
    double base = median(conds[0].ms);
    std::printf("%-4s", name.c_str());
    for (const Condition &c : conds)
      std::printf("  %7.3f (%5.2fx)", median(c.ms), median(c.ms) / base);
    std::printf("\n");
    if (std::memcmp(conds[0].out.data(), conds[3].out.data(), conds[0].out.size_in_bytes()) != 0) {
      std::fprintf(stderr, "crgb_lab: %s: corner prefetch changed the results\n", name.c_str());
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
