// The dispatcher's registry: `reference` plus every Halide variant linked in,
// which of them this CPU runs, and the automatic choice (resolved once, cached,
// overridable by CRGB_VARIANT).
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
  bool available = false;
};

const std::vector<Variant> &variants();

// The variant an automatic call runs: CRGB_VARIANT's if set, else the best
// available hand-written one. Resolved on first use and cached.
struct Selection {
  const Variant *variant = nullptr;  // nullptr if CRGB_VARIANT is unusable
  Status problem;                    // why, then
  std::string name;                  // what crgb_selected_variant() reports
};
const Selection &automatic_selection();

// Looks a variant up by name for a call; `name` empty or NULL means automatic.
Status find_variant(const char *name, const Variant **out, bool *automatic);

} // namespace crgb::detail
