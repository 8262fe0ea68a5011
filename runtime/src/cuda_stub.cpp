// The CUDA entry points of a build without CUDA variants (the aarch64 cross
// build, whose Halide runtime has no CUDA module): the dispatcher never picks
// a CUDA variant there, so these only answer.
#include "cuda_call.h"

namespace crgb::detail {

Status run_cuda(const HalideVariant &variant, const Shapes &, const crgb_tensor &,
                const crgb_tensor &, const crgb_tensor &, const crgb_tensor &, float *,
                const CudaPlacement &) {
  return {CRGB_UNIMPLEMENTED,
          std::string("variant '") + variant.name + "': this build has no CUDA support"};
}

Status run_cuda_crop(const HalideVariant &variant, const Shapes &, const crgb_tensor &,
                     const crgb_tensor &, const crgb_tensor &, bool, float, float *,
                     const CudaPlacement &) {
  return {CRGB_UNIMPLEMENTED,
          std::string("variant '") + variant.name + "': this build has no CUDA support"};
}

Status run_cuda_grad_image(const HalideVariant &variant, const Shapes &, const crgb_tensor &,
                           const crgb_tensor &, const crgb_tensor &, bool, crgb_dtype, void *,
                           const CudaPlacement &) {
  return {CRGB_UNIMPLEMENTED,
          std::string("variant '") + variant.name + "': this build has no CUDA support"};
}

Status run_cuda_zeros(const HalideVariant &variant, const Shapes &, void *, int64_t,
                      const CudaPlacement &) {
  return {CRGB_UNIMPLEMENTED,
          std::string("variant '") + variant.name + "': this build has no CUDA support"};
}

Status release_cuda(void *) {
  return {};
}

}  // namespace crgb::detail
