#include "support/variants.h"

#include "support/dtype.h"

#include <crgb/crgb.hpp>

#include <cctype>
#include <cstdlib>

namespace crgb_test {

std::vector<std::string> available_variants() {
  // CRGB_TEST_VARIANTS=a,b,... (scripts/gpu_check.sh) narrows the suites to
  // those variants (where available).
  const char *only = std::getenv("CRGB_TEST_VARIANTS");
  const std::string wanted = only ? "," + std::string(only) + "," : "";
  std::vector<std::string> names;
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.available && (wanted.empty() || wanted.find("," + v.name + ",") != std::string::npos))
      names.push_back(v.name);
  return names;
}

bool implements(const std::string &variant, crgb_op op) {
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0 && variant == info.name) return (info.ops >> op) & 1;
  }
  return false;
}

std::vector<std::string> variants_with(crgb_op op) {
  std::vector<std::string> out;
  for (const std::string &v : available_variants())
    if (implements(v, op)) out.push_back(v);
  return out;
}

bool is_host_variant(const std::string &name) {
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.name == name)
      // Halide GPU targets carry the API as a feature in the target string.
      for (const char *gpu : {"cuda", "opencl", "metal", "vulkan", "d3d12", "webgpu"})
        if (v.target.find(gpu) != std::string::npos) return false;
  return true;
}

bool reads_cuda_memory(const std::string &name) {
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.name == name) return v.target.find("-cuda") != std::string::npos;
  return false;
}

std::string sanitize(const std::string &name) {
  std::string s = name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

bool built_for(const std::string &variant, crgb_dtype dtype) {
  return built_for(variant, CRGB_OP_GRAD_BOXES, dtype);
}

bool built_for(const std::string &variant, crgb_op op, crgb_dtype dtype) {
  // A 1x1 crop of a 1x1x1x1 zero image (or its gradients): valid for every
  // dtype, so only an unbuilt dtype can make it fail, with Unimplemented.
  const float grads_data[1] = {1.0f}, boxes_data[4] = {0.0f, 0.0f, 1.0f, 1.0f};
  const int32_t box_ind_data[1] = {0}, crop_data[2] = {1, 1}, size_data[4] = {1, 1, 1, 1};
  const unsigned char image_data[8] = {};
  const crgb_tensor grads = {grads_data, CRGB_FLOAT32, 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
  const crgb_tensor image = {image_data, dtype, 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
  const crgb_tensor boxes = {boxes_data, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
  const crgb_tensor box_ind = {box_ind_data, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
  const crgb_tensor crop = {crop_data, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
  const crgb_tensor size = {size_data, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
  float out[4];
  unsigned char image_out[8];
  crgb_error err;
  crgb_status status = CRGB_OK;
  switch (op) {
    case CRGB_OP_GRAD_BOXES:
      status = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, "bilinear", variant.c_str(), out,
                               4, &err);
      break;
    case CRGB_OP_CROP_AND_RESIZE:
      status = crgb_crop_and_resize(&image, &boxes, &box_ind, &crop, "bilinear", 0.0f,
                                    variant.c_str(), out, 1, &err);
      break;
    case CRGB_OP_GRAD_IMAGE:
      status = crgb_grad_image(&grads, &boxes, &box_ind, &size, dtype, "bilinear", variant.c_str(),
                               image_out, 1, &err);
      break;
  }
  return status != CRGB_UNIMPLEMENTED;
}

std::vector<VariantDtype> variant_dtype_grid() {
  std::vector<VariantDtype> grid;
  for (const std::string &v : available_variants())
    for (crgb_dtype d : all_dtypes())
      if (built_for(v, d)) grid.emplace_back(v, d);
  return grid;
}

std::string VariantDtypeName::operator()(const ::testing::TestParamInfo<VariantDtype> &info) const {
  return sanitize(std::get<0>(info.param)) + "_" + crgb_dtype_name(std::get<1>(info.param));
}

std::string VariantName::operator()(const ::testing::TestParamInfo<std::string> &info) const {
  return sanitize(info.param);
}

}  // namespace crgb_test
