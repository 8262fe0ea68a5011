// The built-in benchmark workloads W1-W5 (README), generated deterministically.
#ifndef CRGB_CLI_WORKLOADS_H
#define CRGB_CLI_WORKLOADS_H

#include <crgb/crgb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace crgb::cli {

struct WorkloadSpec {
  std::string name;
  int64_t batch, image_height, image_width, depth, num_boxes, crop_height, crop_width;
  crgb_dtype image_dtype;
};

// W1..W6, in order (W6, about 800 MB of grads, is the large GPU workload).
const std::vector<WorkloadSpec> &builtin_workloads();

// The tensors of one workload: fixed seed; boxes uniform, 10% partly outside
// [0, 1], 10% flipped.
struct Workload {
  WorkloadSpec spec;
  std::vector<float> grads, boxes;
  std::vector<int32_t> box_ind;
  std::vector<unsigned char> image;  // spec.image_dtype elements
  crgb_tensor grads_t() const;
  crgb_tensor image_t() const;
  crgb_tensor boxes_t() const;
  crgb_tensor box_ind_t() const;
  // Bytes any implementation must read: all of grads, plus every distinct
  // image pixel (all channels) that an in-image sample touches.
  int64_t required_bytes() const;
};

Workload make_workload(const WorkloadSpec &spec, uint32_t seed);

}  // namespace crgb::cli

#endif  // CRGB_CLI_WORKLOADS_H
