#include "variants.h"

#include <cstdlib>
#include <cstring>

#include "cpu_features.h"
#include "cuda_driver.h"
#include "opencl_probe.h"

namespace crgb::detail {

const std::vector<Variant> &variants() {
  static const std::vector<Variant> list = [] {
    std::vector<Variant> v;
    v.push_back({"reference", "c++", nullptr, true, CRGB_DEVICE_HOST});
    for (int i = 0; i < kHalideVariantCount; ++i) {
      const HalideVariant &h = kHalideVariants[i];
      // A GPU variant's host code needs only the x86-64 baseline.
      const bool gpu = h.device == CRGB_DEVICE_CUDA || h.opencl;
      v.push_back({h.name, h.target, &h, gpu || cpu_supports(h.features), h.device});
    }
    return v;
  }();
  return list;
}

int variant_ops(const Variant &v) {
  const int all =
      (1 << CRGB_OP_GRAD_BOXES) | (1 << CRGB_OP_CROP_AND_RESIZE) | (1 << CRGB_OP_GRAD_IMAGE);
  if (v.halide == nullptr) return all;
  int ops = 0;
  for (int t = 0; t < kDtypeCount; ++t) {
    if (v.halide->by_dtype[t]) ops |= 1 << CRGB_OP_GRAD_BOXES;
    if (v.halide->crop_by_dtype[t]) ops |= 1 << CRGB_OP_CROP_AND_RESIZE;
    if (v.halide->grad_image_by_dtype[t]) ops |= 1 << CRGB_OP_GRAD_IMAGE;
  }
  return ops;
}

namespace {

// Why a CUDA variant cannot run here ("" if it can). Cached by the driver.
std::string cuda_problem(const Variant &v) {
  const int needs = cuda::parse_capability(v.halide->features);
  std::string why;
  const int best = cuda::best_capability(&why);
  if (best == 0) return "no CUDA device: " + why;
  if (best < needs)
    return "no CUDA device of compute capability " + std::to_string(needs / 10) + "." +
           std::to_string(needs % 10) + " or later: the best is " + std::to_string(best / 10) +
           "." + std::to_string(best % 10);
  return "";
}

const Variant *by_name(const std::string &name) {
  for (const Variant &v : variants())
    if (v.name == name) return &v;
  return nullptr;
}

std::string names_list() {
  std::string s;
  for (const Variant &v : variants()) s += (s.empty() ? "" : ", ") + v.name;
  return s;
}

Status unknown(const std::string &name, const std::string &where) {
  return {CRGB_INVALID_ARGUMENT,
          where + "'" + name + "' names no variant of this build (" + names_list() + ")"};
}

Status unavailable(const Variant &v, const std::string &where) {
  if (v.halide != nullptr && v.halide->opencl)
    return {CRGB_UNAVAILABLE, where + "variant '" + v.name + "' needs an OpenCL device with " +
                                  "cl_khr_fp64; " + opencl::problem()};
  if (v.device == CRGB_DEVICE_CUDA)
    return {CRGB_UNAVAILABLE,
            where + "variant '" + v.name + "' needs a CUDA GPU; " + cuda_problem(v)};
  return {CRGB_UNAVAILABLE, where + "variant '" + v.name + "' needs CPU features " +
                                (v.halide ? v.halide->features : "") + " that this machine lacks"};
}

// The automatic choice for CUDA data: the available CUDA variant needing the
// highest compute capability (table order breaks ties).
Status automatic_cuda(const Variant **out) {
  const Variant *best = nullptr;
  const Variant *any = nullptr;
  for (const Variant &v : variants()) {
    if (v.device != CRGB_DEVICE_CUDA) continue;
    any = &v;
    if (!is_available(v)) continue;
    if (best == nullptr ||
        cuda::parse_capability(v.halide->features) > cuda::parse_capability(best->halide->features))
      best = &v;
  }
  if (best != nullptr) {
    *out = best;
    return {};
  }
  if (any == nullptr)
    return {CRGB_UNIMPLEMENTED, "the inputs are in CUDA memory and this build has no CUDA variant"};
  return unavailable(*any, "the inputs are in CUDA memory: ");
}

}  // namespace

bool is_available(const Variant &v) {
  if (v.halide != nullptr && v.halide->opencl) return opencl::problem().empty();
  if (v.device != CRGB_DEVICE_CUDA) return v.cpu_ok;
  return cuda_problem(v).empty();
}

const Selection &automatic_selection() {
  static const Selection selection = [] {
    Selection s;
    const char *env = std::getenv("CRGB_VARIANT");
    if (env != nullptr && *env != '\0') {
      s.name = env;
      const Variant *v = by_name(env);
      if (v == nullptr)
        s.problem = unknown(env, "CRGB_VARIANT=");
      else if (!is_available(*v))
        s.problem = unavailable(*v, "CRGB_VARIANT: ");
      else
        s.variant = v;
      return s;
    }
    // Host variants only: CUDA ones have rank 0 (host data is copied to a
    // GPU only when a call names a CUDA variant).
    int best_rank = 0;
    s.variant = by_name("reference");
    for (const Variant &v : variants()) {
      if (v.halide && v.halide->auto_rank > best_rank && is_available(v)) {
        best_rank = v.halide->auto_rank;
        s.variant = &v;
      }
    }
    s.name = s.variant->name;
    return s;
  }();
  return selection;
}

Status find_variant(const char *name, crgb_device data, const Variant **out, bool *automatic) {
  if (name == nullptr || *name == '\0') {
    *automatic = true;
    if (data == CRGB_DEVICE_CUDA) return automatic_cuda(out);
    const Selection &s = automatic_selection();
    if (!s.variant) return s.problem;
    *out = s.variant;
    return {};
  }
  const Variant *v = by_name(name);
  if (v == nullptr) return unknown(name, "");
  if (data == CRGB_DEVICE_CUDA && v->device != CRGB_DEVICE_CUDA)
    return {CRGB_INVALID_ARGUMENT,
            "variant '" + v->name +
                "' computes on the host and the inputs are in CUDA memory (they are never "
                "copied to the host): name a CUDA variant, or none"};
  if (!is_available(*v)) return unavailable(*v, "");
  *out = v;
  *automatic = false;
  return {};
}

}  // namespace crgb::detail
