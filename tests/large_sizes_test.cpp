// Sizes beyond what a variant indexes: element counts at or above 2^31 and
// byte counts above 2^31 - 1 (what Halide's buffers address without its
// large_buffers feature). The Halide variants, asked for by name, reject such
// a call with InvalidArgument before reading (or allocating) anything; the
// automatic choice and the reference (which indexes in 64 bits) run it.
//
// Nothing of those sizes is allocated: the large tensor is a reservation of
// address space with no access (PROT_NONE, MAP_NORESERVE), so any read of it
// is a crash, and where a variant must read some pixels (the reference, and a
// Halide variant just below its limit) only the pages those pixels lie on
// are made readable. The pixels are then checked against the float64
// re-derivation reading the same memory.
#include "support/dtype.h"
#include "support/generate.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>

namespace crgb_test {
namespace {

// `bytes` of address space that nothing may touch, until pages are opened.
class Reservation {
 public:
  explicit Reservation(uint64_t bytes) : length_(bytes + page()) {
    void *p = mmap(nullptr, length_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("cannot reserve address space");
    base_ = static_cast<unsigned char *>(p);
  }
  ~Reservation() { munmap(base_, length_); }
  Reservation(const Reservation &) = delete;
  Reservation &operator=(const Reservation &) = delete;

  unsigned char *data() const { return base_; }
  // Makes the page holding byte `offset` readable and writable (zeros).
  void open(uint64_t offset) {
    const uint64_t start = offset / page() * page();
    if (opened_.insert(start).second &&
        mprotect(base_ + start, page(), PROT_READ | PROT_WRITE) != 0)
      throw std::runtime_error("mprotect failed");
  }
  static uint64_t page() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

 private:
  unsigned char *base_;
  uint64_t length_;
  std::set<uint64_t> opened_;
};

bool is_halide(const std::string &variant) {
  for (const crgb::VariantInfo &v : crgb::variants())
    if (v.name == variant) return v.target != "c++";
  return false;
}

::testing::AssertionResult untouched(const Outcome &o) {
  for (size_t i = 0; i < o.out.size(); ++i)
    if (!is_sentinel(o.out[i]))
      return ::testing::AssertionFailure()
             << "output[" << i << "] was written (" << o.out[i] << ")";
  return ::testing::AssertionSuccess();
}

// A problem whose image (and, with big_grads, grads) is declared as `shape`
// but lives in a reservation. Boxes, box indices (and otherwise grads) are
// ordinary memory: validation reads them.
struct LargeCall {
  Problem p;  // shapes, boxes, box_ind, grads (when small); image empty
  std::unique_ptr<Reservation> image, grads;

  crgb_tensor image_tensor() const {
    return crgb::tensor(image->data(), p.dtype, {p.batch, p.image_height, p.image_width, p.depth});
  }
  crgb_tensor grads_tensor() const {
    return crgb::tensor(grads ? static_cast<const void *>(grads->data()) : p.grads.data(),
                        CRGB_FLOAT32, {p.num_boxes, p.crop_height, p.crop_width, p.depth});
  }
  Outcome run(const std::string &variant) const {
    return call(grads_tensor(), image_tensor(), p.boxes_tensor(), p.box_ind_tensor(), variant,
                4 * p.num_boxes, 4 * p.num_boxes);
  }
};

LargeCall large(crgb_dtype dtype, int64_t batch, int64_t height, int64_t width, int64_t depth,
                std::vector<float> boxes, int64_t crop_height, int64_t crop_width,
                bool big_grads = false) {
  LargeCall c;
  Problem &p = c.p;
  p.dtype = dtype;
  p.batch = batch;
  p.image_height = height;
  p.image_width = width;
  p.depth = depth;
  p.num_boxes = static_cast<int64_t>(boxes.size() / 4);
  p.crop_height = crop_height;
  p.crop_width = crop_width;
  p.boxes = std::move(boxes);
  p.box_ind.assign(static_cast<size_t>(p.num_boxes), static_cast<int32_t>(batch - 1));
  const uint64_t elements = static_cast<uint64_t>(batch * height * width * depth);
  c.image = std::make_unique<Reservation>(elements * dtype_size(dtype));
  const uint64_t grads_elements =
      static_cast<uint64_t>(p.num_boxes * crop_height * crop_width * depth);
  if (big_grads) {
    c.grads = std::make_unique<Reservation>(grads_elements * sizeof(float));
  } else {
    std::mt19937 rng(17u);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    p.grads.resize(grads_elements);
    for (float &g : p.grads) g = unit(rng);
  }
  return c;
}

// Opens the pages of every pixel the op reads for c's boxes (in float32, as
// TensorFlow locates them) and fills those pixels with a pattern that depends
// on their index, so a wrong index reads a wrong value (or crashes).
void open_sampled_pixels(LargeCall &c) {
  const Problem &p = c.p;
  const int64_t esize = static_cast<int64_t>(dtype_size(p.dtype));
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    const float *box = &p.boxes[static_cast<size_t>(4 * b)];
    const int64_t n = p.box_ind[static_cast<size_t>(b)];
    for (int64_t y = 0; y < p.crop_height; ++y) {
      const float cy = sample_coordinate(box[0], box[2], y, p.image_height, p.crop_height);
      if (!sample_inside(cy, p.image_height)) continue;
      for (int64_t x = 0; x < p.crop_width; ++x) {
        const float cx = sample_coordinate(box[1], box[3], x, p.image_width, p.crop_width);
        if (!sample_inside(cx, p.image_width)) continue;
        for (int64_t yy :
             {static_cast<int64_t>(std::floor(cy)), static_cast<int64_t>(std::ceil(cy))})
          for (int64_t xx :
               {static_cast<int64_t>(std::floor(cx)), static_cast<int64_t>(std::ceil(cx))})
            for (int64_t d = 0; d < p.depth; ++d) {
              const int64_t i = ((n * p.image_height + yy) * p.image_width + xx) * p.depth + d;
              c.image->open(static_cast<uint64_t>(i * esize));
              c.image->open(static_cast<uint64_t>(i * esize + esize - 1));
              store_element(p.dtype, c.image->data(), i, static_cast<double>(i % 251) - 100.0);
            }
      }
    }
  }
}

Expected rederive_large(const LargeCall &c) {
  return rederive(c.p, [&c](int64_t b, int64_t y, int64_t x, int64_t d) {
    const Problem &p = c.p;
    return element_as_float(p.dtype, c.image->data(),
                            ((b * p.image_height + y) * p.image_width + x) * p.depth + d);
  });
}

// Boxes near the far corner of the image (the largest indices) and near the
// origin; samples off the integer grid.
const std::vector<float> kCornerBoxes = {0.99990f, 0.99993f, 1.0f, 0.99999f, 0.0f,     0.0f,
                                         0.00003f, 0.00002f, 1.0f, 1.0f,     0.99995f, 0.99991f};

class LargeSizes : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string &variant() const { return GetParam(); }

  void expect_rejected_unread(const LargeCall &c, const char *what) {
    SCOPED_TRACE(what);
    const Outcome o = c.run(variant());
    EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT) << o.message;
    EXPECT_NE(o.message.find("2^31"), std::string::npos) << o.message;
    EXPECT_TRUE(untouched(o));
  }

  // Runs (on `variant`) with the sampled pixels opened; the result must match
  // the re-derivation.
  void expect_computed(LargeCall &c, const std::string &variant, const char *what) {
    SCOPED_TRACE(std::string(what) + " on " + (variant.empty() ? "automatic" : variant));
    open_sampled_pixels(c);
    const Outcome o = c.run(variant);
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    EXPECT_TRUE(within_tolerance(o.out, rederive_large(c)));
    bool any_nonzero = false;
    for (float v : o.out) any_nonzero = any_nonzero || v != 0.0f;
    EXPECT_TRUE(any_nonzero) << "the samples should see the pixel pattern";
  }
};

// Halide variants named explicitly: InvalidArgument, nothing read (any read of
// the reserved tensor would crash), nothing written.
TEST_P(LargeSizes, HalideVariantsRejectWhatTheyCannotIndex) {
  if (!is_halide(variant())) GTEST_SKIP() << variant() << " indexes in 64 bits";
  // 2^31 uint8 elements: one past 2^31 - 1 bytes and elements.
  expect_rejected_unread(large(CRGB_UINT8, 1, 32768, 65536, 1, kCornerBoxes, 2, 2),
                         "uint8 image of 2^31 elements");
  // 2^32 elements.
  expect_rejected_unread(large(CRGB_UINT8, 1, 65536, 65536, 1, kCornerBoxes, 2, 2),
                         "uint8 image of 2^32 elements");
  // 2^28 float64 elements: fewer than 2^31 elements but 2^31 bytes.
  expect_rejected_unread(large(CRGB_FLOAT64, 1, 16384, 16384, 1, kCornerBoxes, 2, 2),
                         "float64 image of 2^31 bytes");
  // int32: 2^29 elements of 4 bytes.
  expect_rejected_unread(large(CRGB_INT32, 2, 16384, 16384, 1, kCornerBoxes, 2, 2),
                         "int32 image of 2^31 bytes");
  // grads of 2^29 float32 (2^31 bytes), image small.
  expect_rejected_unread(large(CRGB_FLOAT32, 1, 8, 8, 1, {0, 0, 1, 1}, 32768, 16384, true),
                         "grads of 2^31 bytes");
  // grads of 2^31 elements over 3 boxes and a deep image.
  expect_rejected_unread(
      large(CRGB_UINT8, 1, 4, 4, 65536, {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, 128, 128, true),
      "grads of 3 * 2^30 elements");
}

// The same inputs run on the reference (named or chosen automatically): it
// indexes in 64 bits, and reads only the pixels its samples touch.
TEST_P(LargeSizes, ReferenceRunsBeyond2To31) {
  if (is_halide(variant())) {
    // The automatic choice falls back to the reference for these.
    LargeCall c = large(CRGB_UINT8, 1, 65536, 65536, 1, kCornerBoxes, 2, 3);
    expect_computed(c, "", "uint8 image of 2^32 elements");
    return;
  }
  {
    LargeCall c = large(CRGB_UINT8, 1, 65536, 65536, 1, kCornerBoxes, 2, 3);
    expect_computed(c, variant(), "uint8 image of 2^32 elements");
  }
  {
    LargeCall c = large(CRGB_FLOAT64, 1, 16384, 16384, 1, kCornerBoxes, 3, 2);
    expect_computed(c, variant(), "float64 image of 2^31 bytes");
  }
  {
    LargeCall c =
        large(CRGB_INT16, 3, 32768, 32768, 1, kCornerBoxes, 1, 1);  // box_ind = 2: the last image
    expect_computed(c, variant(), "int16 image of 3 * 2^30 elements, 1x1 crops");
  }
  {
    // 2^31 grads, all of whose samples fall outside the image: nothing is read, zeros.
    LargeCall c = large(CRGB_FLOAT32, 1, 8, 8, 1, {5, 5, 6, 6, -3, -3, -2, -2}, 32768, 32768, true);
    ASSERT_EQ(c.p.num_boxes * c.p.crop_height * c.p.crop_width, int64_t{1} << 31);
    const Outcome o = c.run(variant());
    ASSERT_EQ(o.status, CRGB_OK) << o.message;
    EXPECT_EQ(o.out, std::vector<float>(8, 0.0f));
  }
}

// Just below the limit, a Halide variant runs: its largest index is
// 2^31 - 2^15 - 1, the pixels at the far corner.
TEST_P(LargeSizes, HalideVariantsRunJustBelowTheirLimit) {
  if (!is_halide(variant())) GTEST_SKIP() << variant() << " has no such limit";
  if (!is_host_variant(variant()))  // host data asked of a GPU variant is copied whole
    GTEST_SKIP() << variant()
                 << " copies all 2^31 bytes to its device; this test's image is a "
                    "reservation that only allows reading the touched pages";
  if (!built_for(variant(), CRGB_UINT8)) GTEST_SKIP() << variant() << " is not built for uint8";
  LargeCall c = large(CRGB_UINT8, 1, 32768, 65535, 1, kCornerBoxes, 2, 3);
  expect_computed(c, variant(), "uint8 image of 2^31 - 2^15 elements");
}

// A dimension beyond TensorFlow's int (2^31 - 1) is InvalidArgument on every
// variant, before any data of the big tensors is read.
TEST_P(LargeSizes, DimensionsBeyondIntRejected) {
  LargeCall c = large(CRGB_UINT8, 1, 1, 1, int64_t{1} << 31, {0, 0, 1, 1}, 1, 1, true);
  const Outcome o = c.run(variant());
  EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT) << o.message;
  EXPECT_TRUE(untouched(o));
}

INSTANTIATE_TEST_SUITE_P(AllVariants, LargeSizes, ::testing::ValuesIn(available_variants()),
                         VariantName());

}  // namespace
}  // namespace crgb_test
