#include "support/variants.h"

#include "support/dtype.h"

#include <crgb/crgb.hpp>

#include <cctype>

namespace crgb_test {

std::vector<std::string> available_variants() {
  std::vector<std::string> names;
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.available) names.push_back(v.name);
  return names;
}

bool is_host_variant(const std::string &name) {
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.name == name)
      // Halide GPU targets carry the API as a feature in the target string.
      for (const char *gpu : {"cuda", "opencl", "metal", "vulkan", "d3d12", "webgpu"})
        if (v.target.find(gpu) != std::string::npos) return false;
  return true;
}

std::string sanitize(const std::string &name) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::vector<VariantDtype> variant_dtype_grid() {
  std::vector<VariantDtype> grid;
  for (const std::string &v : available_variants())
    for (crgb_dtype d : all_dtypes()) grid.emplace_back(v, d);
  return grid;
}

std::string VariantDtypeName::operator()(const ::testing::TestParamInfo<VariantDtype> &info) const {
  return sanitize(std::get<0>(info.param)) + "_" + crgb_dtype_name(std::get<1>(info.param));
}

std::string VariantName::operator()(const ::testing::TestParamInfo<std::string> &info) const {
  return sanitize(info.param);
}

} // namespace crgb_test
