#include "variants.h"

#include <cstdlib>
#include <cstring>

#include "cpu_features.h"

namespace crgb::detail {

const std::vector<Variant> &variants() {
  static const std::vector<Variant> list = [] {
    std::vector<Variant> v;
    v.push_back({"reference", "c++", nullptr, true});
    for (int i = 0; i < kHalideVariantCount; ++i) {
      const HalideVariant &h = kHalideVariants[i];
      v.push_back({h.name, h.target, &h, cpu_supports(h.features)});
    }
    return v;
  }();
  return list;
}

namespace {

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
  return {CRGB_UNAVAILABLE, where + "variant '" + v.name + "' needs CPU features " +
                                (v.halide ? v.halide->features : "") +
                                " that this machine lacks"};
}

} // namespace

const Selection &automatic_selection() {
  static const Selection selection = [] {
    Selection s;
    const char *env = std::getenv("CRGB_VARIANT");
    if (env != nullptr && *env != '\0') {
      s.name = env;
      const Variant *v = by_name(env);
      if (v == nullptr) s.problem = unknown(env, "CRGB_VARIANT=");
      else if (!v->available) s.problem = unavailable(*v, "CRGB_VARIANT: ");
      else s.variant = v;
      return s;
    }
    int best_rank = 0;
    s.variant = by_name("reference");
    for (const Variant &v : variants()) {
      if (v.available && v.halide && v.halide->auto_rank > best_rank) {
        best_rank = v.halide->auto_rank;
        s.variant = &v;
      }
    }
    s.name = s.variant->name;
    return s;
  }();
  return selection;
}

Status find_variant(const char *name, const Variant **out, bool *automatic) {
  if (name == nullptr || *name == '\0') {
    const Selection &s = automatic_selection();
    if (!s.variant) return s.problem;
    *out = s.variant;
    *automatic = true;
    return {};
  }
  const Variant *v = by_name(name);
  if (v == nullptr) return unknown(name, "");
  if (!v->available) return unavailable(*v, "");
  *out = v;
  *automatic = false;
  return {};
}

} // namespace crgb::detail
