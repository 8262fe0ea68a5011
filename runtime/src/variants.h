// The dispatcher's registry: `reference` plus every Halide variant linked in,
// which of them this machine runs, and the automatic choice (for host data
// resolved once, cached, overridable by CRGB_VARIANT; for CUDA data the best
// available CUDA variant).
#pragma once

#include <string>
#include <vector>

#include "halide_variants.h"
#include "validate.h"

namespace crgb::detail {

struct Variant {
  std::string name;
  std::string target;
  const HalideVariant *halide = nullptr;  // nullptr for `reference`
  bool cpu_ok = false;                    // this CPU has its features
  crgb_device device = CRGB_DEVICE_HOST;  // where it computes
};

const std::vector<Variant> &variants();

// The ops a variant implements (for some dtype), as bits 1 << crgb_op. The
// reference implements all three.
int variant_ops(const Variant &v);

// Whether this machine can run it. For a CUDA variant: a driver and a device
// of at least its compute capability, looked up (libcuda loaded, cuInit) on
// the first question about a CUDA variant only, so host-only use never loads
// the driver. For an OpenCL variant: a device with cl_khr_fp64, looked up the
// same way (libOpenCL loaded on the first question).
bool is_available(const Variant &v);

// The variant an automatic call runs: CRGB_VARIANT's if set, else the best
// available hand-written one. Resolved on first use and cached.
struct Selection {
  const Variant *variant = nullptr;  // nullptr if CRGB_VARIANT is unusable
  Status problem;                    // why, then
  std::string name;                  // what crgb_selected_variant() reports
};
const Selection &automatic_selection();

// Looks a variant up by name for a call on inputs in `data` memory; `name`
// empty or NULL means automatic. Host variants read host data only; a CUDA
// variant reads CUDA data in place or host data copied (by name only).
Status find_variant(const char *name, crgb_device data, const Variant **out, bool *automatic);

}  // namespace crgb::detail
