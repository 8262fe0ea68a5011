// The variants under test and gtest parameter plumbing shared by the suites.
// Every suite runs over every variant the library lists as available, so a
// variant added to the library is covered without touching the tests.
#ifndef CRGB_TESTS_SUPPORT_VARIANTS_H
#define CRGB_TESTS_SUPPORT_VARIANTS_H

#include <crgb/crgb.h>

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace crgb_test {

// Names of the variants available on this machine, in the library's order
// (only those named in CRGB_TEST_VARIANTS, comma-separated, when it is set).
std::vector<std::string> available_variants();

// Whether a variant implements op (crgb_variant_info.ops), and the available
// variants that do: the autoscheduled ones implement grad_boxes only.
bool implements(const std::string &variant, crgb_op op);
std::vector<std::string> variants_with(crgb_op op);

// Whether a variant computes on the host (not on a GPU, CUDA or OpenCL).
bool is_host_variant(const std::string &name);

// Whether a variant reads inputs in CUDA memory (the CUDA ones); every other
// variant, the OpenCL ones included, must refuse them.
bool reads_cuda_memory(const std::string &name);

// A name usable in a gtest test name: [A-Za-z0-9_] only.
std::string sanitize(const std::string &name);

using VariantDtype = std::tuple<std::string, crgb_dtype>;

// Whether the variant is built for op with this dtype (the image's;
// grad_image: the output's), asked of the library: every variant is built for
// every dtype except the autoscheduled ones (CRGB_AUTOSCHEDULED_DTYPES) and the
// OpenCL ones (no float16; cmake/CrgbVariants.cmake), whose others answer
// Unimplemented. Without op: the box gradient.
bool built_for(const std::string &variant, crgb_op op, crgb_dtype dtype);
bool built_for(const std::string &variant, crgb_dtype dtype);

// The (variant x dtype) grid, every available variant with every dtype it is built for.
std::vector<VariantDtype> variant_dtype_grid();

// "avx2_float32"-style test names.
struct VariantDtypeName {
  std::string operator()(const ::testing::TestParamInfo<VariantDtype> &info) const;
};
struct VariantName {
  std::string operator()(const ::testing::TestParamInfo<std::string> &info) const;
};

}  // namespace crgb_test

#endif
