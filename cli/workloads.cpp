#include "workloads.h"

#include <cmath>
#include <cstring>
#include <random>
#include <utility>

#include <crgb/crgb.hpp>

namespace crgb::cli {

const std::vector<WorkloadSpec> &builtin_workloads() {
  static const std::vector<WorkloadSpec> list = {
      {"W1", 2, 64, 64, 256, 512, 7, 7, CRGB_FLOAT32},
      {"W2", 2, 100, 100, 256, 256, 14, 14, CRGB_FLOAT32},
      {"W3", 8, 32, 32, 64, 4096, 7, 7, CRGB_FLOAT32},
      {"W4", 1, 38, 38, 1024, 300, 14, 14, CRGB_FLOAT32},
      {"W5", 2, 64, 64, 256, 512, 7, 7, CRGB_UINT8},
      {"W6", 4, 128, 128, 256, 4000, 14, 14, CRGB_FLOAT32},  // ~800 MB of grads
  };
  return list;
}

namespace {

template <typename T>
void fill(AlignedVector<unsigned char> &bytes, int64_t n, std::mt19937 &rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  bytes.resize(static_cast<size_t>(n) * sizeof(T));
  for (int64_t i = 0; i < n; ++i) {
    T v = static_cast<T>(u(rng));
    std::memcpy(bytes.data() + i * sizeof(T), &v, sizeof(T));
  }
}

// float -> IEEE half bits, round to nearest even (values here are normal).
uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t e = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t m = x & 0x7fffffu;
  if (e <= 0) return uint16_t(sign);
  if (e >= 31) return uint16_t(sign | 0x7c00u);
  uint32_t h = (uint32_t(e) << 10) | (m >> 13);
  uint32_t rest = m & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

// The sampling rule of SEMANTICS.md, to count the pixels samples touch.
void axis_indices(float lo, float hi, int64_t i, int64_t crop, int64_t size, bool *ok, int64_t *a,
                  int64_t *b) {
  float last = static_cast<float>(size - 1);
  float in = crop > 1 ? lo * last + i * ((hi - lo) * (last / (crop - 1)))
                      : static_cast<float>(0.5 * (lo + hi) * last);
  *ok = in >= 0 && in <= last;
  if (*ok) {
    *a = static_cast<int64_t>(std::floor(in));
    *b = static_cast<int64_t>(std::ceil(in));
  }
}

}  // namespace

Workload make_workload(const WorkloadSpec &spec, uint32_t seed) {
  Workload w;
  w.spec = spec;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f), sym(-1.0f, 1.0f);
  w.grads.resize(
      static_cast<size_t>(spec.num_boxes * spec.crop_height * spec.crop_width * spec.depth));
  for (float &g : w.grads) g = sym(rng);
  int64_t pixels = spec.batch * spec.image_height * spec.image_width * spec.depth;
  switch (spec.image_dtype) {
    case CRGB_UINT8: fill<uint8_t>(w.image, pixels, rng, 0, 256); break;
    case CRGB_UINT16: fill<uint16_t>(w.image, pixels, rng, 0, 65536); break;
    case CRGB_INT8: fill<int8_t>(w.image, pixels, rng, -128, 128); break;
    case CRGB_INT16: fill<int16_t>(w.image, pixels, rng, -32768, 32768); break;
    case CRGB_INT32: fill<int32_t>(w.image, pixels, rng, -1e6, 1e6); break;
    case CRGB_INT64: fill<int64_t>(w.image, pixels, rng, -1e6, 1e6); break;
    case CRGB_FLOAT32: fill<float>(w.image, pixels, rng, -1, 1); break;
    case CRGB_FLOAT64: fill<double>(w.image, pixels, rng, -1, 1); break;
    case CRGB_FLOAT16:
    case CRGB_BFLOAT16: {
      w.image.resize(static_cast<size_t>(pixels) * 2);
      for (int64_t i = 0; i < pixels; ++i) {
        const float f = sym(rng);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        // bfloat16: the upper half of the float (truncated: any value will do).
        const uint16_t h =
            spec.image_dtype == CRGB_FLOAT16 ? to_half(f) : static_cast<uint16_t>(bits >> 16);
        std::memcpy(w.image.data() + 2 * i, &h, 2);
      }
      break;
    }
  }
  w.boxes.resize(static_cast<size_t>(spec.num_boxes) * 4);
  w.box_ind.resize(static_cast<size_t>(spec.num_boxes));
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(spec.batch - 1));
  for (int64_t b = 0; b < spec.num_boxes; ++b) {
    float y1 = 0.8f * unit(rng), x1 = 0.8f * unit(rng);
    float y2 = y1 + 0.1f + 0.4f * unit(rng), x2 = x1 + 0.1f + 0.4f * unit(rng);
    float kind = unit(rng);
    if (kind < 0.1f) {  // partly outside [0, 1]
      y1 -= 0.3f;
      x2 += 0.3f;
    } else if (kind < 0.2f) {  // flipped
      std::swap(y1, y2);
      std::swap(x1, x2);
    }
    float *row = &w.boxes[static_cast<size_t>(b) * 4];
    row[0] = y1;
    row[1] = x1;
    row[2] = y2;
    row[3] = x2;
    w.box_ind[static_cast<size_t>(b)] = pick(rng);
  }
  return w;
}

crgb_tensor Workload::grads_t() const {
  return crgb::tensor(grads.data(),
                      {spec.num_boxes, spec.crop_height, spec.crop_width, spec.depth});
}
crgb_tensor Workload::image_t() const {
  return crgb::tensor(image.data(), spec.image_dtype,
                      {spec.batch, spec.image_height, spec.image_width, spec.depth});
}
crgb_tensor Workload::boxes_t() const {
  return crgb::tensor(boxes.data(), {spec.num_boxes, 4});
}
crgb_tensor Workload::box_ind_t() const {
  return crgb::tensor(box_ind.data(), {spec.num_boxes});
}

int64_t Workload::grads_bytes() const {
  return static_cast<int64_t>(grads.size()) * 4;
}

int64_t Workload::image_elems() const {
  return spec.batch * spec.image_height * spec.image_width * spec.depth;
}

int64_t Workload::required_bytes() const {
  return grads_bytes() + touched_image_bytes();
}

int64_t Workload::touched_image_bytes() const {
  const WorkloadSpec &s = spec;
  std::vector<bool> touched(static_cast<size_t>(s.batch * s.image_height * s.image_width));
  for (int64_t b = 0; b < s.num_boxes; ++b) {
    const float *r = &boxes[static_cast<size_t>(b) * 4];
    int64_t n = box_ind[static_cast<size_t>(b)];
    for (int64_t y = 0; y < s.crop_height; ++y) {
      bool oky;
      int64_t top = 0, bottom = 0;
      axis_indices(r[0], r[2], y, s.crop_height, s.image_height, &oky, &top, &bottom);
      if (!oky) continue;
      for (int64_t x = 0; x < s.crop_width; ++x) {
        bool okx;
        int64_t left = 0, right = 0;
        axis_indices(r[1], r[3], x, s.crop_width, s.image_width, &okx, &left, &right);
        if (!okx) continue;
        for (int64_t yy : {top, bottom})
          for (int64_t xx : {left, right})
            touched[static_cast<size_t>((n * s.image_height + yy) * s.image_width + xx)] = true;
      }
    }
  }
  int64_t pixels = 0;
  for (bool t : touched) pixels += t;
  return pixels * s.depth * crgb_dtype_size(s.image_dtype);
}

}  // namespace crgb::cli
