// crgb_fuzz: a libFuzzer target over the C API: crgb_grad_boxes,
// crgb_crop_and_resize and crgb_grad_image, each plain or _ex (README,
// "Sanitizers and fuzzing"). Built with clang, ASan and UBSan
// (-DCRGB_FUZZ=ON -DCRGB_SANITIZE=address,undefined); the seed corpus is
// tests/fuzz/corpus (made by make_corpus.py, which also documents the format).
//
// Each input describes one call: the op (bits 3-4 of the flags byte; 0, the
// value every grad_boxes input of the corpus has, is grad_boxes), the variant
// name (any of this build's variants by index, too), the method string, the
// image dtype (grad_image: the output dtype), the worker thread count, the
// caller's floating-point environment, optionally the _ex form's options
// (output device, reserved pointers) and a NULL output, seven base sizes
// (zero, one, small, and declared sizes far beyond memory: 2^31, 2^32, 2^62,
// INT64_MAX, negative ones; crop_size and image_size hold them wrapped to
// int32), structural mutations of the four descriptors (rank, one dimension,
// dtype, device, NULL data, NULL descriptor, the output size), crop's
// extrapolation value, and then the data: box indices (negative, >= batch,
// INT32_MIN/MAX), boxes (NaN, inf, 1e40, 3e38, FLT_MAX, denormal, -0), grads
// and pixels, extra crop_size/image_size elements. Input bytes are read front
// to back; past the end, data comes from a generator seeded by the input.
//
// The oracle:
//  - the status class is the one an independent model of the rules predicts
//    (../shared/mission/SEMANTICS.md, the C API's own checks, the variants'
//    limits and which ops and dtypes each implements), error->status equals
//    it, the message is NUL-terminated and set;
//  - on error the output buffer is untouched; on success exactly the output's
//    size is written (4 * num_boxes floats; the crops; the image gradient);
//  - grad_boxes agrees with the float64 re-derivation of tests/support within
//    the suite's tolerance (tolerance.h); crop_and_resize and grad_image of a
//    Halide variant agree with the reference variant (forward: bit-identical
//    expected, accepted within 1e-5 of the sum of the absolute corner values;
//    gradient: the same values in the same dtype, the sign of zero aside), and
//    the reference with the float64 re-derivations of support/family.h
//    (bounds relative to the corners and to the sum of absolute shares);
//  - with a flag, every other available variant implementing the op is run on
//    the same input and checked the same way;
//  - the caller's MXCSR is restored, and with a second call on one thread the
//    result is bit-identical;
//  - nothing crashes, leaks, or trips ASan/UBSan. The Halide-compiled code is
//    not instrumented, so every buffer is placed against inaccessible pages
//    (at its end, or at its start when the input says so), and a tensor
//    declared larger than the harness backs with memory points at an
//    inaccessible page: the library must reject such a call before reading
//    it, or the harness does not make it.
#include "support/dtype.h"
#include "support/family.h"
#include "support/problem.h"
#include "support/rederive.h"
#include "support/tolerance.h"

#include <crgb/crgb.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cfenv>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace {

// ---------------------------------------------------------------- input ---

class Input {
 public:
  Input(const uint8_t *data, size_t size) : data_(data), size_(size) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ size;
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
    state_ = h | 1;
  }
  bool exhausted() const { return pos_ >= size_; }
  // The next input byte; past the end, 0.
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  // The next input byte; past the end, a pseudo-random one.
  uint8_t data_byte() { return pos_ < size_ ? data_[pos_++] : static_cast<uint8_t>(next() >> 56); }

 private:
  uint64_t next() {  // xorshift64*
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545f4914f6cdd1dull;
  }
  const uint8_t *data_;
  size_t size_, pos_ = 0;
  uint64_t state_;
};

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// A size: 0..11 (byte < 0xC0), 12..43 (< 0xE0), else one of 32 special values.
const int64_t kSpecialSizes[32] = {0,
                                   1,
                                   2,
                                   3,
                                   255,
                                   256,
                                   65535,
                                   65536,
                                   46340,
                                   46341,
                                   kInt32Max,
                                   kInt32Max + 1,
                                   (int64_t{1} << 32) - 1,
                                   int64_t{1} << 32,
                                   int64_t{1} << 33,
                                   int64_t{1} << 40,
                                   int64_t{1} << 53,
                                   int64_t{1} << 61,
                                   int64_t{1} << 62,
                                   kInt64Max,
                                   -1,
                                   -2,
                                   kInt64Min,
                                   -(int64_t{1} << 31),
                                   kInt32Max + 2,
                                   int64_t{1} << 20,
                                   int64_t{1} << 24,
                                   3037000499,
                                   3037000500,
                                   int64_t{1} << 30,
                                   int64_t{1} << 29,
                                   int64_t{1} << 28};

int64_t size_from(uint8_t b) {
  if (b < 0xC0) return b % 12;
  if (b < 0xE0) return 12 + (b - 0xC0);
  return kSpecialSizes[b - 0xE0];
}

float f32(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Box coordinates: (b - 0x30) / 128 in [-0.375, 1.25) for b < 0xD0, else one of 48 specials.
const float kSpecialBoxes[48] = {NAN,
                                 -NAN,
                                 INFINITY,
                                 -INFINITY,
                                 static_cast<float>(1e40),
                                 3e38f,
                                 -3e38f,
                                 FLT_MAX,
                                 -FLT_MAX,
                                 1e30f,
                                 -1e30f,
                                 1e-40f,
                                 -1e-40f,
                                 1e-45f,
                                 -0.0f,
                                 0.0f,
                                 1.0f,
                                 0.99999994f,
                                 1.0000001f,
                                 0.5f,
                                 16777216.0f,
                                 -16777216.0f,
                                 65535.0f,
                                 FLT_MIN,
                                 -FLT_MIN,
                                 1e10f,
                                 0.1f,
                                 0.3f,
                                 0.7f,
                                 0.9f,
                                 1.5f,
                                 -0.5f,
                                 2.0f,
                                 -1.0f,
                                 1e-20f,
                                 1e20f,
                                 -3e38f,
                                 3e38f,
                                 0.33333334f,
                                 0.6666667f,
                                 f32(0x7fc0beef),
                                 f32(0xffbfffff),
                                 f32(0x7f800001),
                                 1e-38f,
                                 1.1754942e-38f,
                                 0.25f,
                                 0.75f,
                                 4.0f};

float box_from(uint8_t b) {
  return b < 0xD0 ? static_cast<float>(b - 0x30) / 128.0f : kSpecialBoxes[b - 0xD0];
}

// Grads and float pixels: (b - 120) / 32 for b < 0xF0, else one of 16 specials.
const double kSpecialValues[16] = {NAN,   INFINITY, -INFINITY, 3.4e38,     -3.4e38, 1e30,
                                   1e-40, -1e-45,   -0.0,      1e-30,      65504.0, 1e5,
                                   -7e4,  1e-7,     2.0e-39,   123456789.0};
double value_from(uint8_t b) {
  return b < 0xF0 ? (b - 120) / 32.0 : kSpecialValues[b - 0xF0];
}

// ------------------------------------------------------- guarded memory ---

size_t page_size() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// One page nothing may touch: the data of tensors the harness does not back.
const void *no_access_page() {
  static void *p = mmap(nullptr, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p;
}

// `bytes` of read-write memory with inaccessible pages on both sides, the
// data against the upper guard (or the lower one).
class Guarded {
 public:
  Guarded() = default;
  Guarded(size_t bytes, bool at_start) {
    const size_t page = page_size(), pages = (bytes + page - 1) / page;
    length_ = (pages + 2) * page;
    void *m = mmap(nullptr, length_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) std::abort();
    base_ = static_cast<unsigned char *>(m);
    if (pages > 0 && mprotect(base_ + page, pages * page, PROT_READ | PROT_WRITE) != 0)
      std::abort();
    data_ = at_start ? base_ + page : base_ + page + pages * page - bytes;
  }
  Guarded(Guarded &&o) noexcept { *this = std::move(o); }
  Guarded &operator=(Guarded &&o) noexcept {
    std::swap(base_, o.base_);
    std::swap(length_, o.length_);
    std::swap(data_, o.data_);
    return *this;
  }
  ~Guarded() {
    if (base_) munmap(base_, length_);
  }
  unsigned char *data() const { return data_; }

 private:
  unsigned char *base_ = nullptr, *data_ = nullptr;
  size_t length_ = 0;
};

// -------------------------------------------------------------- the model ---

constexpr int kGradBoxes = CRGB_OP_GRAD_BOXES, kCrop = CRGB_OP_CROP_AND_RESIZE,
              kGradImage = CRGB_OP_GRAD_IMAGE;

int dtype_bytes(int dtype) {
  static const int bytes[10] = {1, 2, 1, 2, 4, 8, 2, 4, 8, 2};
  return dtype >= 0 && dtype <= 9 ? bytes[dtype] : 0;
}

bool is_gradient_dtype(int dtype) {
  return dtype == CRGB_FLOAT16 || dtype == CRGB_FLOAT32 || dtype == CRGB_FLOAT64 ||
         dtype == CRGB_BFLOAT16;
}

// Element count of a descriptor whose rank is in range and dims are >= 0;
// saturates at INT64_MAX. 0 if any dimension is 0.
int64_t elements(const crgb_tensor &t) {
  for (int i = 0; i < t.rank; ++i)
    if (t.shape[i] == 0) return 0;
  int64_t n = 1;
  for (int i = 0; i < t.rank; ++i) n = t.shape[i] > kInt64Max / n ? kInt64Max : n * t.shape[i];
  return n;
}

// The product of non-negative sizes, saturating at INT64_MAX; 0 if one is 0.
int64_t product(std::initializer_list<int64_t> sizes) {
  for (int64_t s : sizes)
    if (s == 0) return 0;
  int64_t n = 1;
  for (int64_t s : sizes) n = s > kInt64Max / n ? kInt64Max : n * s;
  return n;
}

int raw(const crgb_dtype &d) {
  int v;
  std::memcpy(&v, &d, sizeof v);
  return v;
}
int raw(const crgb_device &d) {
  int v;
  std::memcpy(&v, &d, sizeof v);
  return v;
}

// Any int as a crgb_dtype argument, as a C caller can pass one. The value is
// loaded here without UBSan's enum check (the harness's own load would be the
// undefined behaviour, not the library's); the library must read it as an int.
__attribute__((no_sanitize("enum"))) crgb_dtype as_dtype(int v) {
  crgb_dtype d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}

// A size wrapped to 32 bits, as it lands in an int32 crop_size or image_size
// (in unsigned arithmetic, which cannot overflow).
int32_t wrap32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

struct Variant {
  std::string name;
  bool halide = false, available = false, cuda = false;
  int ops = 0;  // crgb_variant_info.ops
};

std::vector<Variant> variant_list() {
  std::vector<Variant> list;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info;
    if (crgb_variant_get(i, &info) != 0) std::abort();
    const std::string target = info.target;
    list.push_back({info.name, target != "c++", info.available != 0,
                    target.find("-cuda") != std::string::npos, info.ops});
  }
  return list;
}

const std::vector<Variant> &variants() {
  static const std::vector<Variant> list = variant_list();
  return list;
}

const Variant &reference_variant() {
  return variants().front();
}

bool implements(const Variant &v, int op) {
  return ((v.ops >> op) & 1) != 0;
}

// Whether the variant has a pipeline of op for this dtype (the image's; for
// grad_image the output's). The autoscheduled variants are built for some
// dtypes and one op only. Asked once per triple with a trivial valid call.
bool built_for(const Variant &variant, int op, int dtype) {
  static std::vector<int> cache(variants().size() * 3 * 10, -1);
  int &c = cache[((&variant - variants().data()) * 3 + op) * 10 + dtype];
  if (c < 0) {
    const float g[1] = {1.0f}, b[4] = {0.0f, 0.0f, 1.0f, 1.0f};
    const int32_t k[1] = {0}, crop[2] = {1, 1}, size[4] = {1, 1, 1, 1};
    const unsigned char im[8] = {};
    const crgb_tensor grads = {g, CRGB_FLOAT32, 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
    const crgb_tensor image = {im, as_dtype(dtype), 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
    const crgb_tensor boxes = {b, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
    const crgb_tensor box_ind = {k, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
    const crgb_tensor crop_size = {crop, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
    const crgb_tensor image_size = {size, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
    alignas(8) unsigned char out[16];
    const char *name = variant.name.c_str();
    crgb_status s;
    if (op == kCrop)
      s = crgb_crop_and_resize(&image, &boxes, &box_ind, &crop_size, nullptr, 0.0f, name,
                               reinterpret_cast<float *>(out), 1, nullptr);
    else if (op == kGradImage)
      s = crgb_grad_image(&grads, &boxes, &box_ind, &image_size, as_dtype(dtype), nullptr, name,
                          out, 1, nullptr);
    else
      s = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, nullptr, name,
                          reinterpret_cast<float *>(out), 4, nullptr);
    c = s != CRGB_UNIMPLEMENTED;
  }
  return c != 0;
}

// One call as the harness makes it. The four descriptor slots are, by op:
//   grad_boxes       grads      image       boxes  box_ind
//   crop_and_resize  crop_size  image       boxes  box_ind
//   grad_image       grads      image_size  boxes  box_ind
struct Call {
  int op = kGradBoxes;
  const crgb_tensor *t[4] = {};  // NULL: a NULL descriptor
  const char *method = nullptr;
  const char *variant = nullptr;  // NULL or "": automatic
  void *output = nullptr;
  int64_t output_elems = 0;
  bool ex = false;                  // the _ex form, with options
  crgb_options options{};           // its options (method and variant come from the fields above)
  float extrapolation = 0;          // crop_and_resize
  int output_dtype = CRGB_FLOAT32;  // grad_image, any int
};

crgb_status invoke(const Call &c, crgb_error *error) {
  crgb_options o = c.options;
  o.method = c.method;
  o.variant = c.variant;
  float *out = static_cast<float *>(c.output);
  switch (c.op) {
    case kCrop:
      return c.ex ? crgb_crop_and_resize_ex(c.t[1], c.t[2], c.t[3], c.t[0], c.extrapolation, out,
                                            c.output_elems, &o, error)
                  : crgb_crop_and_resize(c.t[1], c.t[2], c.t[3], c.t[0], c.method, c.extrapolation,
                                         c.variant, out, c.output_elems, error);
    case kGradImage:
      return c.ex ? crgb_grad_image_ex(c.t[0], c.t[2], c.t[3], c.t[1], as_dtype(c.output_dtype),
                                       c.output, c.output_elems, &o, error)
                  : crgb_grad_image(c.t[0], c.t[2], c.t[3], c.t[1], as_dtype(c.output_dtype),
                                    c.method, c.variant, c.output, c.output_elems, error);
    default:
      return c.ex ? crgb_grad_boxes_ex(c.t[0], c.t[1], c.t[2], c.t[3], out, c.output_elems, &o,
                                       error)
                  : crgb_grad_boxes(c.t[0], c.t[1], c.t[2], c.t[3], c.method, c.variant, out,
                                    c.output_elems, error);
  }
}

// What the model predicts, and what the call may read.
struct Prediction {
  crgb_status status = CRGB_OK;
  const char *why = "";
  bool reads_indices_and_boxes = false;  // got as far as checking box_ind's and the boxes' values
  bool reads[2] = {};  // reads the data of slot 0 / slot 1 (runs a variant; crop_size, image_size)
  bool skip = false;   // a call the harness cannot make (a device pointer it does not have)
  const Variant *runs = nullptr;  // the variant that computes (after the automatic fallback)
  int64_t written = 0;            // output elements written on success
  bool nearest = false;
  // The validated sizes.
  int64_t num_boxes = 0, crop_height = 0, crop_width = 0, depth = 0;
  int64_t batch = 0, image_height = 0, image_width = 0;
};

// Each descriptor's own sanity (check_descriptor's rules, in its order).
const char *descriptor_problem(const crgb_tensor *t) {
  if (t == nullptr) return "NULL descriptor";
  if (t->rank < 0 || t->rank > CRGB_MAX_RANK) return "rank range";
  if (dtype_bytes(raw(t->dtype)) == 0) return "dtype enum";
  if (raw(t->device) != CRGB_DEVICE_HOST && raw(t->device) != CRGB_DEVICE_CUDA)
    return "device enum";
  for (int i = 0; i < t->rank; ++i)
    if (t->shape[i] < 0) return "negative dimension";
  if (elements(*t) > kInt64Max / 8) return "element count";
  return nullptr;
}

const char *options_problem(const Call &c) {
  if (!c.ex) return nullptr;
  for (void *r : c.options.reserved)
    if (r != nullptr) return "options.reserved";
  const int d = raw(c.options.output_device);
  if (d != CRGB_DEVICE_HOST && d != CRGB_DEVICE_CUDA) return "output device enum";
  return nullptr;
}

bool output_in_cuda(const Call &c) {
  return c.ex && raw(c.options.output_device) == CRGB_DEVICE_CUDA;
}

bool automatic(const Call &c) {
  return c.variant == nullptr || *c.variant == '\0';
}

// The variant a call names or gets automatically for data in `device`
// (find_variant): NULL, with *status and *why set, if there is none.
const Variant *find_variant(const Call &c, int device, crgb_status *status, const char **why) {
  if (automatic(c)) {
    if (device == CRGB_DEVICE_CUDA) {  // the available CUDA variant, if any
      bool any = false;
      for (const Variant &x : variants()) {
        any = any || x.cuda;
        if (x.cuda && x.available) return &x;
      }
      *status = any ? CRGB_UNAVAILABLE : CRGB_UNIMPLEMENTED;
      *why = any ? "no GPU for CUDA data" : "no CUDA variant built";
      return nullptr;
    }
    for (const Variant &x : variants())
      if (std::string(crgb_selected_variant()) == x.name) return &x;
    std::abort();
  }
  for (const Variant &x : variants()) {
    if (x.name != c.variant) continue;
    if (device == CRGB_DEVICE_CUDA && !x.cuda) {
      *status = CRGB_INVALID_ARGUMENT, *why = "host variant, CUDA data";
      return nullptr;
    }
    if (!x.available) {
      *status = CRGB_UNAVAILABLE, *why = "unavailable variant";
      return nullptr;
    }
    return &x;
  }
  *status = CRGB_INVALID_ARGUMENT, *why = "unknown variant";
  return nullptr;
}

// The variant of a call of crop_and_resize or grad_image (api.cpp's choose):
// found, implementing the op, writing where the output is, able to index the
// sizes (or, chosen automatically, replaced by the reference).
const Variant *choose(const Call &c, int device, bool fits, Prediction &p) {
  const Variant *v = find_variant(c, device, &p.status, &p.why);
  if (v == nullptr) return nullptr;
  if (!implements(*v, c.op)) {
    p.status = CRGB_UNIMPLEMENTED, p.why = "op not implemented";
    return nullptr;
  }
  if (output_in_cuda(c) && !v->cuda) {
    p.status = CRGB_INVALID_ARGUMENT, p.why = "CUDA output, host variant";
    return nullptr;
  }
  // A CUDA variant runs only with a GPU: the harness has no device memory.
  if (v->cuda) p.skip = true;
  if (v->halide && !fits) {
    if (!automatic(c) || v->cuda) {
      p.status = CRGB_INVALID_ARGUMENT, p.why = "too large for Halide";
      return nullptr;
    }
    return &reference_variant();
  }
  return v;
}

bool halide_fits(int64_t elements, int bytes) {
  return elements <= kInt32Max / bytes;
}

// ParseAndCheckBoxSizes (with the rank checks kept for empty inputs): the
// number of boxes, or a reason.
const char *box_sizes(const crgb_tensor &boxes, const crgb_tensor &box_ind, int64_t *nb) {
  *nb = 0;
  if (boxes.rank != 2) return "boxes rank";
  if (elements(boxes) == 0 && elements(box_ind) == 0)
    return box_ind.rank != 1 ? "box_ind rank (empty)" : nullptr;
  *nb = boxes.shape[0];
  if (boxes.shape[1] != 4) return "boxes columns";
  if (box_ind.rank != 1) return "box_ind rank";
  if (box_ind.shape[0] != *nb) return "box_ind length";
  return nullptr;
}

// box_ind's range, then the boxes' finiteness, on host data. Returns false
// when the harness did not back them (it then does not make the call).
bool box_values(const crgb_tensor &boxes, const crgb_tensor &box_ind, int64_t nb, int64_t batch,
                Prediction &p) {
  p.reads_indices_and_boxes = nb > 0;
  const int32_t *ind = static_cast<const int32_t *>(box_ind.data);
  const float *bx = static_cast<const float *>(boxes.data);
  if (p.reads_indices_and_boxes && (static_cast<const void *>(ind) == no_access_page() ||
                                    static_cast<const void *>(bx) == no_access_page()))
    return false;
  for (int64_t b = 0; b < nb; ++b)
    if (ind[b] < 0 || ind[b] >= batch) {
      p.status = CRGB_OUT_OF_RANGE, p.why = "box_ind value";
      return true;
    }
  for (int64_t i = 0; i < 4 * nb; ++i)
    if (!std::isfinite(bx[i])) {
      p.status = CRGB_INVALID_ARGUMENT, p.why = "box not finite";
      return true;
    }
  return true;
}

// TensorShape::AddDimWithStatus, one dimension at a time: false on overflow.
bool shape_elements(std::initializer_list<int64_t> dims, int64_t *n) {
  *n = 1;
  for (int64_t d : dims) {
    if (d != 0 && *n > kInt64Max / d) return false;
    *n *= d;
  }
  return true;
}

Prediction predict_grad_boxes(const Call &c) {
  Prediction p;
  auto fail = [&](crgb_status s, const char *why) {
    p.status = s;
    p.why = why;
    return p;
  };
  if (const char *why = options_problem(c)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (output_in_cuda(c)) {
    // Output in CUDA memory runs when a CUDA variant can: the harness has no
    // device pointer to give it.
    for (const Variant &x : variants())
      if (x.cuda && x.available) p.skip = true;
  }
  if (c.method != nullptr && std::strcmp(c.method, "bilinear") != 0)
    return fail(CRGB_INVALID_ARGUMENT, "method");
  // Each descriptor's own sanity, in order.
  for (const crgb_tensor *t : c.t)
    if (const char *why = descriptor_problem(t)) return fail(CRGB_INVALID_ARGUMENT, why);
  const crgb_tensor &grads = *c.t[0], &image = *c.t[1], &boxes = *c.t[2], &box_ind = *c.t[3];
  for (const crgb_tensor *t : c.t)
    if (raw(t->device) != raw(grads.device)) return fail(CRGB_INVALID_ARGUMENT, "mixed memory");
  if (raw(grads.dtype) != CRGB_FLOAT32 || raw(boxes.dtype) != CRGB_FLOAT32 ||
      raw(box_ind.dtype) != CRGB_INT32)
    return fail(CRGB_INVALID_ARGUMENT, "op dtype");
  // TensorFlow's checks, in its order.
  if (grads.rank != 4) return fail(CRGB_INVALID_ARGUMENT, "grads rank");
  if (grads.shape[1] <= 0 || grads.shape[2] <= 0) return fail(CRGB_INVALID_ARGUMENT, "crop size");
  if (image.rank != 4) return fail(CRGB_INVALID_ARGUMENT, "image rank");
  if (image.shape[1] <= 0 || image.shape[2] <= 0) return fail(CRGB_INVALID_ARGUMENT, "image size");
  if (image.shape[3] != grads.shape[3]) return fail(CRGB_INVALID_ARGUMENT, "depth");
  int64_t nb = 0;
  if (const char *why = box_sizes(boxes, box_ind, &nb)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (grads.shape[0] != nb) return fail(CRGB_INVALID_ARGUMENT, "grads rows");
  const int64_t sizes[7] = {nb,
                            grads.shape[1],
                            grads.shape[2],
                            grads.shape[3],
                            image.shape[0],
                            image.shape[1],
                            image.shape[2]};
  for (int64_t s : sizes)
    if (s > kInt32Max) return fail(CRGB_INVALID_ARGUMENT, "int range");
  if (c.output_elems < 4 * nb) return fail(CRGB_INVALID_ARGUMENT, "output size");
  if (nb > 0 && c.output == nullptr) return fail(CRGB_INVALID_ARGUMENT, "NULL output");
  for (const crgb_tensor *t : c.t)
    if (t->data == nullptr && elements(*t) > 0) return fail(CRGB_INVALID_ARGUMENT, "NULL data");
  p.num_boxes = nb;
  p.crop_height = sizes[1], p.crop_width = sizes[2], p.depth = sizes[3];
  p.batch = sizes[4], p.image_height = sizes[5], p.image_width = sizes[6];
  p.written = 4 * nb;
  if (raw(grads.device) == CRGB_DEVICE_CUDA) {
    // "CUDA memory" (the harness's host buffers): never read on the host. It
    // needs a CUDA variant, named or automatic; with a GPU, the pointer check
    // refuses host memory before anything runs.
    const bool automatic = c.variant == nullptr || *c.variant == '\0';
    const Variant *cuda = nullptr;
    bool any_cuda = false;
    for (const Variant &x : variants()) {
      any_cuda = any_cuda || x.cuda;
      if (automatic ? x.cuda && x.available : x.name == c.variant) cuda = &x;
    }
    if (automatic && !any_cuda) return fail(CRGB_UNIMPLEMENTED, "no CUDA variant built");
    if (!automatic && cuda == nullptr) return fail(CRGB_INVALID_ARGUMENT, "unknown variant");
    if (!automatic && !cuda->cuda) return fail(CRGB_INVALID_ARGUMENT, "host variant, CUDA data");
    if (cuda == nullptr || !cuda->available) return fail(CRGB_UNAVAILABLE, "no GPU for CUDA data");
    if (nb == 0) return p;
    return fail(CRGB_INVALID_ARGUMENT, "host memory marked CUDA");
  }
  // The values of box_ind, then of the boxes.
  if (!box_values(boxes, box_ind, nb, image.shape[0], p) || p.status != CRGB_OK) return p;
  // The variant.
  crgb_status vs = CRGB_OK;
  const Variant *v = find_variant(c, CRGB_DEVICE_HOST, &vs, &p.why);
  if (v == nullptr) return fail(vs, p.why);
  if (output_in_cuda(c) && !v->cuda)
    return fail(CRGB_INVALID_ARGUMENT, "CUDA output, host variant");
  const int dtype = raw(image.dtype);
  if (v->halide) {
    // Halide's buffers (no large_buffers) address 2^31 - 1 bytes each.
    const bool ok =
        halide_fits(product({sizes[1], sizes[2]}), 1) &&
        halide_fits(product({nb, sizes[1], sizes[2], sizes[3]}), 4) &&
        halide_fits(product({sizes[4], sizes[5], sizes[6], sizes[3]}), dtype_bytes(dtype)) &&
        halide_fits(product({nb, 4}), 4);
    if (!ok) {
      if (!automatic(c)) return fail(CRGB_INVALID_ARGUMENT, "too large for Halide");
      v = &reference_variant();  // the reference runs it
    }
  }
  const bool computes = nb > 0 && sizes[3] > 0;
  p.reads[0] = p.reads[1] = computes;
  if (computes) p.runs = v;
  if (computes && v->halide && !built_for(*v, kGradBoxes, dtype))
    return fail(CRGB_UNIMPLEMENTED, "dtype not built");
  return p;
}

Prediction predict_crop(const Call &c) {
  Prediction p;
  auto fail = [&](crgb_status s, const char *why) {
    p.status = s;
    p.why = why;
    return p;
  };
  if (const char *why = options_problem(c)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (c.method != nullptr && std::strcmp(c.method, "bilinear") != 0 &&
      std::strcmp(c.method, "nearest") != 0)
    return fail(CRGB_INVALID_ARGUMENT, "method");
  p.nearest = c.method != nullptr && std::strcmp(c.method, "nearest") == 0;
  for (const crgb_tensor *t : {c.t[1], c.t[2], c.t[3], c.t[0]})
    if (const char *why = descriptor_problem(t)) return fail(CRGB_INVALID_ARGUMENT, why);
  const crgb_tensor &crop_size = *c.t[0], &image = *c.t[1], &boxes = *c.t[2], &box_ind = *c.t[3];
  if (raw(crop_size.device) != CRGB_DEVICE_HOST)
    return fail(CRGB_INVALID_ARGUMENT, "crop_size not in host memory");
  if (raw(crop_size.dtype) != CRGB_INT32) return fail(CRGB_INVALID_ARGUMENT, "crop_size dtype");
  if (raw(boxes.device) != raw(image.device) || raw(box_ind.device) != raw(image.device))
    return fail(CRGB_INVALID_ARGUMENT, "mixed memory");
  if (raw(boxes.dtype) != CRGB_FLOAT32 || raw(box_ind.dtype) != CRGB_INT32)
    return fail(CRGB_INVALID_ARGUMENT, "op dtype");
  // TensorFlow's checks, in its order.
  if (image.rank != 4) return fail(CRGB_INVALID_ARGUMENT, "image rank");
  if (image.shape[1] <= 0 || image.shape[2] <= 0) return fail(CRGB_INVALID_ARGUMENT, "image size");
  if (boxes.rank != 2) return fail(CRGB_INVALID_ARGUMENT, "boxes rank");
  if (box_ind.rank != 1) return fail(CRGB_INVALID_ARGUMENT, "box_ind rank");
  int64_t nb = 0;
  if (const char *why = box_sizes(boxes, box_ind, &nb)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (crop_size.rank != 1) return fail(CRGB_INVALID_ARGUMENT, "crop_size rank");
  if (crop_size.shape[0] != 2) return fail(CRGB_INVALID_ARGUMENT, "crop_size length");
  if (crop_size.data == nullptr) return fail(CRGB_INVALID_ARGUMENT, "crop_size NULL data");
  p.reads[0] = true;
  if (crop_size.data == no_access_page()) return p;  // not backed: the call is not made
  const int32_t *crop = static_cast<const int32_t *>(crop_size.data);
  p.num_boxes = nb, p.crop_height = crop[0], p.crop_width = crop[1];
  p.batch = image.shape[0], p.image_height = image.shape[1], p.image_width = image.shape[2];
  p.depth = image.shape[3];
  if (p.crop_height <= 0 || p.crop_width <= 0) return fail(CRGB_INVALID_ARGUMENT, "crop size");
  int64_t needed = 0;
  if (!shape_elements({nb, p.crop_height, p.crop_width, p.depth}, &needed))
    return fail(CRGB_INVALID_ARGUMENT, "output shape overflow");
  for (int64_t s :
       {nb, p.crop_height, p.crop_width, p.depth, p.batch, p.image_height, p.image_width})
    if (s > kInt32Max) return fail(CRGB_INVALID_ARGUMENT, "int range");
  if (c.output_elems < needed) return fail(CRGB_INVALID_ARGUMENT, "output size");
  if (needed > 0 && c.output == nullptr) return fail(CRGB_INVALID_ARGUMENT, "NULL output");
  for (const crgb_tensor *t : {&image, &boxes, &box_ind})
    if (t->data == nullptr && elements(*t) > 0) return fail(CRGB_INVALID_ARGUMENT, "NULL data");
  if (raw(image.device) == CRGB_DEVICE_HOST &&
      (!box_values(boxes, box_ind, nb, p.batch, p) || p.status != CRGB_OK))
    return p;
  const int dtype = raw(image.dtype);
  const bool fits =
      halide_fits(needed, 4) &&
      halide_fits(product({p.batch, p.image_height, p.image_width, p.depth}), dtype_bytes(dtype)) &&
      halide_fits(product({nb, 4}), 4);
  const Variant *v = choose(c, raw(image.device), fits, p);
  if (v == nullptr) return p;
  if (nb == 0 || p.depth == 0) return p;  // an empty result: nothing written
  if (v->halide && !built_for(*v, kCrop, dtype)) return fail(CRGB_UNIMPLEMENTED, "dtype not built");
  p.reads[1] = true;
  p.runs = v;
  p.written = needed;
  return p;
}

Prediction predict_grad_image(const Call &c) {
  Prediction p;
  auto fail = [&](crgb_status s, const char *why) {
    p.status = s;
    p.why = why;
    return p;
  };
  if (const char *why = options_problem(c)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (c.method != nullptr && std::strcmp(c.method, "bilinear") != 0 &&
      std::strcmp(c.method, "nearest") != 0)
    return fail(CRGB_INVALID_ARGUMENT, "method");
  p.nearest = c.method != nullptr && std::strcmp(c.method, "nearest") == 0;
  for (const crgb_tensor *t : {c.t[0], c.t[2], c.t[3], c.t[1]})
    if (const char *why = descriptor_problem(t)) return fail(CRGB_INVALID_ARGUMENT, why);
  const crgb_tensor &grads = *c.t[0], &image_size = *c.t[1], &boxes = *c.t[2], &box_ind = *c.t[3];
  if (raw(image_size.device) != CRGB_DEVICE_HOST)
    return fail(CRGB_INVALID_ARGUMENT, "image_size not in host memory");
  if (raw(image_size.dtype) != CRGB_INT32) return fail(CRGB_INVALID_ARGUMENT, "image_size dtype");
  if (raw(boxes.device) != raw(grads.device) || raw(box_ind.device) != raw(grads.device))
    return fail(CRGB_INVALID_ARGUMENT, "mixed memory");
  if (raw(grads.dtype) != CRGB_FLOAT32 || raw(boxes.dtype) != CRGB_FLOAT32 ||
      raw(box_ind.dtype) != CRGB_INT32)
    return fail(CRGB_INVALID_ARGUMENT, "op dtype");
  if (!is_gradient_dtype(c.output_dtype)) return fail(CRGB_INVALID_ARGUMENT, "output dtype");
  // TensorFlow's checks, in its order.
  if (grads.rank != 4) return fail(CRGB_INVALID_ARGUMENT, "grads rank");
  if (grads.shape[1] <= 0 || grads.shape[2] <= 0) return fail(CRGB_INVALID_ARGUMENT, "crop size");
  int64_t nb = 0;
  if (const char *why = box_sizes(boxes, box_ind, &nb)) return fail(CRGB_INVALID_ARGUMENT, why);
  if (grads.shape[0] != nb) return fail(CRGB_INVALID_ARGUMENT, "grads rows");
  if (image_size.rank != 1) return fail(CRGB_INVALID_ARGUMENT, "image_size rank");
  if (image_size.shape[0] != 4) return fail(CRGB_INVALID_ARGUMENT, "image_size length");
  if (image_size.data == nullptr) return fail(CRGB_INVALID_ARGUMENT, "image_size NULL data");
  p.reads[1] = true;
  if (image_size.data == no_access_page()) return p;  // not backed: the call is not made
  const int32_t *size = static_cast<const int32_t *>(image_size.data);
  p.num_boxes = nb, p.crop_height = grads.shape[1], p.crop_width = grads.shape[2];
  p.depth = grads.shape[3];
  p.batch = size[0], p.image_height = size[1], p.image_width = size[2];
  if (p.image_height <= 0 || p.image_width <= 0) return fail(CRGB_INVALID_ARGUMENT, "image size");
  if (size[3] != p.depth) return fail(CRGB_INVALID_ARGUMENT, "depth");
  if (p.batch < 0) return fail(CRGB_INVALID_ARGUMENT, "negative batch");
  int64_t needed = 0;
  if (!shape_elements({p.batch, p.image_height, p.image_width, p.depth}, &needed))
    return fail(CRGB_INVALID_ARGUMENT, "output shape overflow");
  for (int64_t s :
       {nb, p.crop_height, p.crop_width, p.depth, p.batch, p.image_height, p.image_width})
    if (s > kInt32Max) return fail(CRGB_INVALID_ARGUMENT, "int range");
  if (c.output_elems < needed) return fail(CRGB_INVALID_ARGUMENT, "output size");
  if (needed > 0 && c.output == nullptr) return fail(CRGB_INVALID_ARGUMENT, "NULL output");
  for (const crgb_tensor *t : {&grads, &boxes, &box_ind})
    if (t->data == nullptr && elements(*t) > 0) return fail(CRGB_INVALID_ARGUMENT, "NULL data");
  if (raw(grads.device) == CRGB_DEVICE_HOST &&
      (!box_values(boxes, box_ind, nb, p.batch, p) || p.status != CRGB_OK))
    return p;
  const bool fits = halide_fits(product({nb, p.crop_height, p.crop_width, p.depth}), 4) &&
                    halide_fits(needed, dtype_bytes(c.output_dtype)) &&
                    halide_fits(product({nb, 4}), 4);
  const Variant *v = choose(c, raw(grads.device), fits, p);
  if (v == nullptr) return p;
  if (needed == 0) return p;  // an empty result: nothing written
  p.written = needed;
  if (nb == 0) return p;  // zeros, written without running a variant
  if (v->halide && !built_for(*v, kGradImage, c.output_dtype))
    return fail(CRGB_UNIMPLEMENTED, "dtype not built");
  p.reads[0] = true;
  p.runs = v;
  return p;
}

Prediction predict(const Call &c) {
  switch (c.op) {
    case kCrop: return predict_crop(c);
    case kGradImage: return predict_grad_image(c);
    default: return predict_grad_boxes(c);
  }
}

// ------------------------------------------------------------- checking ---

[[noreturn]] void finding(const char *what, const std::string &detail) {
  std::fprintf(stderr, "\ncrgb_fuzz FINDING: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const Call &c) {
  static const char *const kSlots[3][4] = {{"grads", "image", "boxes", "box_ind"},
                                           {"crop_size", "image", "boxes", "box_ind"},
                                           {"grads", "image_size", "boxes", "box_ind"}};
  static const char *const kOps[3] = {"grad_boxes", "crop_and_resize", "grad_image"};
  std::string s = std::string(kOps[c.op]) + (c.ex ? "_ex" : "") + " variant=" +
                  std::string(c.variant ? (*c.variant ? c.variant : "\"\"") : "NULL") +
                  " method=" + std::string(c.method ? c.method : "NULL") +
                  " output_elems=" + std::to_string(c.output_elems) +
                  (c.output == nullptr ? " output=NULL" : "");
  if (c.op == kCrop) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " extrapolation=%.9g", c.extrapolation);
    s += buf;
  }
  if (c.op == kGradImage) s += " output_dtype=" + std::to_string(c.output_dtype);
  if (c.ex) {
    s += " output_device=" + std::to_string(raw(c.options.output_device));
    for (int i = 0; i < 4; ++i)
      if (c.options.reserved[i] != nullptr) s += " reserved[" + std::to_string(i) + "] set";
  }
  for (int i = 0; i < 4; ++i) {
    s += std::string(" ") + kSlots[c.op][i];
    if (c.t[i] == nullptr) {
      s += "=NULL";
      continue;
    }
    s += "(dtype " + std::to_string(raw(c.t[i]->dtype)) + ", device " +
         std::to_string(raw(c.t[i]->device)) + ", rank " + std::to_string(c.t[i]->rank) + ")[";
    for (int k = 0; k < c.t[i]->rank && k < CRGB_MAX_RANK; ++k)
      s += (k ? "," : "") + std::to_string(c.t[i]->shape[k]);
    s += c.t[i]->data == nullptr ? "] NULL data"
                                 : (c.t[i]->data == no_access_page() ? "] unbacked" : "]");
    const bool vector = (c.op == kCrop && i == 0) || (c.op == kGradImage && i == 1);
    if (vector && c.t[i]->data != nullptr && c.t[i]->data != no_access_page() &&
        raw(c.t[i]->dtype) == CRGB_INT32 && c.t[i]->rank == 1 && c.t[i]->shape[0] <= 8) {
      s += " = {";
      for (int64_t k = 0; k < c.t[i]->shape[0]; ++k)
        s += (k ? "," : "") + std::to_string(static_cast<const int32_t *>(c.t[i]->data)[k]);
      s += "}";
    }
  }
  return s;
}

// Untouched output elements hold a NaN no call writes: float32 0x7fc0beef
// (crgb_test::sentinel()), and signalling NaNs for the other output dtypes
// (the library's conversions and sums only make quiet ones).
void sentinel_bits(int dtype, unsigned char *bits) {
  const uint16_t half = 0x7dbe, bfloat = 0x7fbe;
  const uint64_t dbl = 0x7ff5beefdeadbeefull;
  const float f = crgb_test::sentinel();
  switch (dtype) {
    case CRGB_FLOAT16: std::memcpy(bits, &half, 2); return;
    case CRGB_BFLOAT16: std::memcpy(bits, &bfloat, 2); return;
    case CRGB_FLOAT64: std::memcpy(bits, &dbl, 8); return;
    default: std::memcpy(bits, &f, 4); return;
  }
}

void fill_sentinel(unsigned char *out, int64_t n, int dtype) {
  unsigned char bits[8];
  sentinel_bits(dtype, bits);
  const int size = dtype_bytes(dtype);
  for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * size, bits, size);
}

bool is_sentinel(const unsigned char *out, int64_t i, int dtype) {
  unsigned char bits[8];
  sentinel_bits(dtype, bits);
  const int size = dtype_bytes(dtype);
  return std::memcmp(out + i * size, bits, size) == 0;
}

#if defined(__x86_64__) || defined(__i386__)
unsigned get_csr() {
  return _mm_getcsr();
}
void set_csr(unsigned v) {
  _mm_setcsr(v);
}
#else
unsigned get_csr() {
  return 0;
}
void set_csr(unsigned) {}
#endif

// The caller's FP environment from one byte: bit 0 FTZ, bit 1 DAZ, bits 2-3
// rounding, bit 4 unmask invalid/divide-by-zero/overflow.
void enter_fp_env(uint8_t b) {
  const int rounding[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  std::fesetround(rounding[(b >> 2) & 3]);
#if defined(__x86_64__) || defined(__i386__)
  set_csr(get_csr() | ((b & 1) ? 0x8000u : 0u) | ((b & 2) ? 0x0040u : 0u));
#endif
  if (b & 16) feenableexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW);
}
void leave_fp_env(unsigned default_csr) {
  fedisableexcept(FE_ALL_EXCEPT);
  std::fesetround(FE_TONEAREST);
  set_csr(default_csr);
}

const char *const kMethods[8] = {"bilinear", nullptr,     "nearest", "",
                                 "BILINEAR", "bilinear ", "bilinea", "nearest"};
const char *const kVariantNames[6] = {"reference", "sse41", "avx2",
                                      "avx512",    "neon",  "avx2_adams2019"};
const int kBadDtypes[8] = {
    -1, 11, 42, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), 255, 10, -9};
const int kGradientDtypes[4] = {CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64, CRGB_BFLOAT16};

// Stores any int in an enum field, as a C caller can (copying an out-of-range
// value through the C++ enum type would itself be undefined behaviour).
void set_dtype(crgb_tensor &t, int v) {
  std::memcpy(&t.dtype, &v, sizeof v);
}
void set_device(crgb_tensor &t, int v) {
  std::memcpy(&t.device, &v, sizeof v);
}

constexpr size_t kMaxTensorBytes = size_t{1} << 18;  // backed with memory up to this
constexpr int64_t kMaxOutputFloats = 1 << 14;        // output elements backed, up to this

// One input's call, its backing and what was learnt on the way.
struct Case {
  Call call;
  Prediction want;
  int64_t count[4] = {};                // elements backed per slot, -1 if not backed
  const unsigned char *memory[4] = {};  // their data
  int out_type = CRGB_FLOAT32;          // the output buffer's element type
  std::string context;
  // The reference variant's result on this input (crop_and_resize, grad_image).
  bool have_reference = false;
  std::vector<unsigned char> reference;
};

bool makeable(const Prediction &p, const int64_t count[4]) {
  if (p.skip) return false;
  if (p.reads_indices_and_boxes && (count[2] < 0 || count[3] < 0)) return false;
  return !(p.reads[0] && count[0] < 0) && !(p.reads[1] && count[1] < 0);
}

crgb_test::Problem problem_of(const Case &k) {
  const Call &c = k.call;
  const Prediction &w = k.want;
  crgb_test::Problem p;
  p.batch = w.batch, p.image_height = w.image_height, p.image_width = w.image_width;
  p.depth = w.depth, p.num_boxes = w.num_boxes;
  p.crop_height = w.crop_height, p.crop_width = w.crop_width;
  const float *boxes = reinterpret_cast<const float *>(k.memory[2]);
  const int32_t *box_ind = reinterpret_cast<const int32_t *>(k.memory[3]);
  p.boxes.assign(boxes, boxes + 4 * w.num_boxes);
  p.box_ind.assign(box_ind, box_ind + w.num_boxes);
  if (c.op != kCrop) {
    const float *grads = reinterpret_cast<const float *>(k.memory[0]);
    p.grads.assign(grads, grads + k.count[0]);
  }
  if (c.op != kGradImage) {
    p.dtype = static_cast<crgb_dtype>(raw(c.t[1]->dtype));
    const size_t bytes = static_cast<size_t>(k.count[1]) * dtype_bytes(raw(c.t[1]->dtype));
    p.image.assign(k.memory[1], k.memory[1] + bytes);
  }
  return p;
}

bool ends_with(const std::string &s, const char *suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() > n && s.compare(s.size() - n, std::string::npos, suffix) == 0;
}

// grad_boxes: agreement with the float64 re-derivation.
void check_grad_boxes(const Case &k, const Variant &variant, const unsigned char *out,
                      const std::string &context) {
  const int64_t n = k.want.written;
  const float *f = reinterpret_cast<const float *>(out);
  const std::vector<float> result(f, f + n);
  const crgb_test::Problem p = problem_of(k);
  if (p.depth == 0) {
    for (float v : result)
      if (v != 0.0f) finding("depth 0 must give zeros", context);
    return;
  }
  crgb_test::Expected expected = crgb_test::rederive(p);
  // An autoscheduled schedule may evaluate each term in another order than
  // TensorFlow's (fast-math lets LLVM reassociate and distribute it, e.g.
  // g * (bl - tl) before the lerp weight), so its rounding, and where it
  // overflows, scale with the terms' unweighted magnitudes (corner_sum), not
  // with the lerp-weighted ones (abs_sum). crgb_fuzz found both on
  // avx2_adams2019 with pixels near FLT_MAX and near 1e7.
  for (const char *suffix : {"_adams2019", "_li2018", "_mullapudi2016"})
    if (ends_with(variant.name, suffix))
      for (size_t i = 0; i < expected.abs_sum.size(); ++i)
        expected.abs_sum[i] = std::max(expected.abs_sum[i], expected.corner_sum[i]);
  const ::testing::AssertionResult ok = crgb_test::within_tolerance(result, expected);
  if (!ok)
    finding("result outside the tolerance of the re-derivation",
            context + "\n" + p.describe() + "\n" + ok.message());
}

std::vector<double> as_doubles(const unsigned char *out, int64_t n, int dtype) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[i] = crgb_test::element_as_double(static_cast<crgb_dtype>(dtype), out, i);
  return v;
}

// Per crop element, the sum of the absolute values it is made from: the four
// corners (bilinear), the pixel (nearest) or the extrapolation value.
std::vector<double> crop_magnitudes(const crgb_test::Problem &p, bool nearest,
                                    float extrapolation) {
  std::vector<double> m(static_cast<size_t>(p.num_boxes * p.crop_height * p.crop_width * p.depth),
                        std::fabs(static_cast<double>(extrapolation)));
  auto px = [&](int64_t b, int64_t y, int64_t x, int64_t d) {
    return std::fabs(static_cast<double>(p.image_at(b, y, x, d)));
  };
  for (int64_t b = 0; b < p.num_boxes; ++b) {
    const float *box = p.boxes.data() + 4 * b;
    const int64_t im = p.box_ind[b];
    for (int64_t y = 0; y < p.crop_height; ++y) {
      const float cy = crgb_test::crop_coordinate(box[0], box[2], y, p.image_height, p.crop_height);
      if (!(cy >= 0 && cy <= static_cast<float>(p.image_height - 1))) continue;
      for (int64_t x = 0; x < p.crop_width; ++x) {
        const float cx = crgb_test::crop_coordinate(box[1], box[3], x, p.image_width, p.crop_width);
        if (!(cx >= 0 && cx <= static_cast<float>(p.image_width - 1))) continue;
        const int64_t y0 = static_cast<int64_t>(std::floor(cy)),
                      y1 = static_cast<int64_t>(std::ceil(cy));
        const int64_t x0 = static_cast<int64_t>(std::floor(cx)),
                      x1 = static_cast<int64_t>(std::ceil(cx));
        const int64_t yn = static_cast<int64_t>(std::round(cy)),
                      xn = static_cast<int64_t>(std::round(cx));
        for (int64_t d = 0; d < p.depth; ++d)
          m[static_cast<size_t>(((b * p.crop_height + y) * p.crop_width + x) * p.depth + d)] =
              nearest
                  ? px(im, yn, xn, d)
                  : px(im, y0, x0, d) + px(im, y0, x1, d) + px(im, y1, x0, d) + px(im, y1, x1, d);
      }
    }
  }
  return m;
}

// The reference variant's result on k's input (crop_and_resize, grad_image),
// checked once against the float64 re-derivation. `out` is the result of
// the call that ran the reference, if one did.
const std::vector<unsigned char> &reference_result(Case &k, const unsigned char *out) {
  if (k.have_reference) return k.reference;
  const int64_t n = k.want.written;
  const size_t bytes = static_cast<size_t>(n) * dtype_bytes(k.out_type);
  if (out != nullptr) {
    k.reference.assign(out, out + bytes);
  } else {
    Call rc = k.call;
    rc.variant = "reference";
    k.reference.assign(bytes, 0);
    fill_sentinel(k.reference.data(), n, k.out_type);
    rc.output = k.reference.data();
    rc.output_elems = n;
    crgb_error err;
    const crgb_status s = invoke(rc, &err);
    if (s != CRGB_OK)
      finding("the reference variant rejects a call another variant accepted",
              k.context + "\nreference: " + crgb_status_name(s) + ": " +
                  std::string(err.message, strnlen(err.message, sizeof err.message)));
    for (int64_t i = 0; i < n; ++i)
      if (is_sentinel(k.reference.data(), i, k.out_type))
        finding("the reference left an output element unwritten",
                k.context + "\nat " + std::to_string(i));
  }
  k.have_reference = true;
  const crgb_test::Problem p = problem_of(k);
  const std::vector<double> got = as_doubles(k.reference.data(), n, k.out_type);
  const crgb_test::FamilyExpected want =
      k.call.op == kCrop ? crgb_test::rederive_crop(p, k.want.nearest, k.call.extrapolation)
                         : crgb_test::rederive_grad_image(
                               p, k.want.nearest, static_cast<crgb_dtype>(k.call.output_dtype));
  const ::testing::AssertionResult ok = crgb_test::within_bounds(got, want);
  if (!ok)
    finding("the reference's result is outside the bounds of the float64 re-derivation",
            k.context + "\n" + p.describe() + "\n" + ok.message());
  return k.reference;
}

// crop_and_resize and grad_image: a Halide variant agrees with the reference.
// Forward: the variants evaluate TensorFlow's arithmetic under strict_float,
// so bit-identical results are expected; accepted within 1e-5 of the sum of
// the absolute corner values. Gradient: the same values (the sign of zero
// aside, NaN as NaN) in the same output dtype.
void check_family(Case &k, const Variant &variant, const unsigned char *out,
                  const std::string &context) {
  const int64_t n = k.want.written;
  if (!variant.halide && k.have_reference) {  // the reference again (every_variant)
    if (std::memcmp(out, k.reference.data(), k.reference.size()) != 0)
      finding("the reference differs from its own earlier result", context);
    return;
  }
  const std::vector<unsigned char> &ref = reference_result(k, variant.halide ? nullptr : out);
  if (!variant.halide) return;
  if (k.call.op == kCrop) {
    const std::vector<double> magnitude =
        crop_magnitudes(problem_of(k), k.want.nearest, k.call.extrapolation);
    for (int64_t i = 0; i < n; ++i) {
      float g, r;
      std::memcpy(&g, out + 4 * i, 4);
      std::memcpy(&r, ref.data() + 4 * i, 4);
      if (std::memcmp(&g, &r, 4) == 0 || (std::isnan(g) && std::isnan(r))) continue;
      if (std::fabs(static_cast<double>(g) - r) <= 1e-5 * magnitude[i]) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "\nat %lld: %s got %a, reference %a (corner sum %g)",
                    static_cast<long long>(i), variant.name.c_str(), g, r, magnitude[i]);
      finding("crop_and_resize differs from the reference", context + buf);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const double g = crgb_test::element_as_double(static_cast<crgb_dtype>(k.out_type), out, i);
    const double r =
        crgb_test::element_as_double(static_cast<crgb_dtype>(k.out_type), ref.data(), i);
    if (g == r || (std::isnan(g) && std::isnan(r))) continue;
    char buf[160];
    std::snprintf(buf, sizeof buf, "\nat %lld: %s got %a, reference %a", static_cast<long long>(i),
                  variant.name.c_str(), g, r);
    finding("grad_image differs from the reference", context + buf);
  }
}

// The status, the error, the message, and the buffer around what is written.
void check_outcome(const Case &k, const Call &c, const Prediction &want, crgb_status got,
                   const crgb_error &err, bool null_error, const unsigned char *out, int64_t backed,
                   const std::string &context) {
  const std::string message =
      null_error ? std::string()
                 : std::string(err.message, strnlen(err.message, sizeof err.message));
  if (!null_error && strnlen(err.message, sizeof err.message) == sizeof err.message)
    finding("error message not NUL-terminated", context);
  if (!null_error && err.status != got)
    finding("error->status differs from the returned status", context);
  if (got != want.status) finding("status class differs from the model's", context);
  if (got != CRGB_OK) {
    if (message.empty() && !null_error) finding("an error without a message", context);
    for (int64_t i = 0; i < backed; ++i)
      if (!is_sentinel(out, i, k.out_type))
        finding("output written on error", context + "\nat " + std::to_string(i));
    return;
  }
  if (c.output == nullptr) return;
  for (int64_t i = 0; i < backed; ++i)
    if (is_sentinel(out, i, k.out_type) != (i >= want.written))
      finding(i < want.written ? "output not written" : "output written past its size",
              context + "\nat " + std::to_string(i));
}

void check_result(Case &k, const Prediction &want, const unsigned char *out,
                  const std::string &context) {
  if (want.written == 0) return;
  // grad_image of no boxes writes zeros without running a variant.
  const Variant &v = want.runs ? *want.runs : reference_variant();
  if (k.call.op == kGradBoxes)
    check_grad_boxes(k, v, out, context);
  else
    check_family(k, v, out, context);
}

std::string with_status(const std::string &call, crgb_status got, const std::string &message,
                        const Prediction &want) {
  return call + "\nstatus " + crgb_status_name(got) + ": " + message +
         "\nmodel: " + crgb_status_name(want.status) + " (" + want.why + ")";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const unsigned default_csr = get_csr();
  Input in(data, size);

  // Header.
  const uint8_t variant_sel = in.byte(), method_sel = in.byte(), dtype_sel = in.byte();
  const uint8_t threads_sel = in.byte(), fp_sel = in.byte(), flags = in.byte();
  const int op = ((flags >> 3) & 3) % 3;
  std::string variant_storage;
  const char *variant = nullptr;
  if (variant_sel >= 0xF0) {  // any variant of this build, by its place in the list
    variant = variants()[(variant_sel - 0xF0) % variants().size()].name.c_str();
  } else {
    switch (variant_sel % 10) {
      case 0: variant = nullptr; break;
      case 1: variant = ""; break;
      case 8: variant = "no_such_variant"; break;
      case 9: {  // a name from the input
        const int n = in.byte() % 12;
        for (int i = 0; i < n; ++i) variant_storage += static_cast<char>(in.byte() % 95 + 32);
        variant = variant_storage.c_str();
        break;
      }
      default: variant = kVariantNames[variant_sel % 10 - 2];
    }
  }
  crgb_options options{};
  bool null_output = false;
  if (flags & 0x40) {  // the options byte
    const uint8_t o = in.byte();
    const int device = (o & 3) == 3 ? -1 : (o & 3);
    std::memcpy(&options.output_device, &device, sizeof device);
    if (o & 4) options.reserved[(o >> 3) & 3] = &options;
    null_output = (o & 0x20) != 0;
  }
  const char *method = kMethods[method_sel % 8];
  const int dtype = dtype_sel < 0xF0 ? dtype_sel % 10 : kBadDtypes[dtype_sel & 7];
  const int output_dtype = op != kGradImage   ? CRGB_FLOAT32
                           : dtype_sel < 0xC0 ? kGradientDtypes[dtype_sel % 4]
                                              : dtype;
  const bool at_start = flags & 1, rerun_one_thread = flags & 2, null_error = flags & 4;
  const bool every_variant = flags & 0x80;

  int64_t dims[7];  // num_boxes, crop_height, crop_width, depth, batch, image_height, image_width
  for (int64_t &d : dims) d = size_from(in.byte());
  crgb_tensor t[4] = {
      {nullptr, CRGB_FLOAT32, 4, {dims[0], dims[1], dims[2], dims[3]}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_UINT8, 4, {dims[4], dims[5], dims[6], dims[3]}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_FLOAT32, 2, {dims[0], 4}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_INT32, 1, {dims[0]}, CRGB_DEVICE_HOST}};
  // crop_size and image_size: the sizes wrapped to int32.
  const int32_t crop_values[2] = {wrap32(dims[1]), wrap32(dims[2])};
  const int32_t size_values[4] = {wrap32(dims[4]), wrap32(dims[5]), wrap32(dims[6]),
                                  wrap32(dims[3])};
  if (op == kCrop) t[0] = {nullptr, CRGB_INT32, 1, {2}, CRGB_DEVICE_HOST};
  if (op == kGradImage)
    t[1] = {nullptr, CRGB_INT32, 1, {4}, CRGB_DEVICE_HOST};
  else
    set_dtype(t[1], dtype);
  const int base_rank[4] = {t[0].rank, t[1].rank, 2, 1};
  bool null_data[4] = {}, null_descriptor[4] = {};
  int64_t output_delta = 0;

  // Structural mutations: what, which tensor, two arguments.
  const uint8_t mutation_sel = in.byte();
  const int mutations = mutation_sel < 0xA0 ? 0 : (mutation_sel & 3) + 1;
  for (int m = 0; m < mutations; ++m) {
    const uint8_t what = in.byte(), which = in.byte() % 4, a = in.byte(), b = in.byte();
    crgb_tensor &x = t[which];
    switch (what % 8) {
      case 0: x.rank = static_cast<int8_t>(a) % 12 - 1; break;  // -12..10
      case 1: x.shape[a % CRGB_MAX_RANK] = size_from(b); break;
      case 2: set_dtype(x, a < 0xF0 ? a % 10 : kBadDtypes[a & 7]); break;
      case 3: set_device(x, a % 4 == 3 ? -1 : a % 3); break;
      case 4: null_data[which] = true; break;
      case 5: null_descriptor[which] = (a & 1); break;
      case 6: output_delta = static_cast<int8_t>(a); break;
      case 7: x.rank = base_rank[which] + (a % 3) - 1; break;  // one off
    }
  }
  float extrapolation = 0.0f;
  if (op == kCrop) {
    const uint8_t e = in.byte();
    extrapolation = e == 0 ? 0.0f : static_cast<float>(value_from(e));
  }

  // Back each tensor of valid structure and modest size with guarded memory.
  Guarded memory[4];
  Case k;
  for (int i = 0; i < 4; ++i) {
    const crgb_tensor &x = t[i];
    const int bytes = dtype_bytes(raw(x.dtype));
    bool structured = x.rank >= 0 && x.rank <= CRGB_MAX_RANK && bytes > 0;
    for (int j = 0; structured && j < x.rank; ++j) structured = x.shape[j] >= 0;
    k.count[i] = structured ? elements(x) : -1;
    if (structured && k.count[i] <= static_cast<int64_t>(kMaxTensorBytes) / bytes) {
      memory[i] = Guarded(static_cast<size_t>(k.count[i]) * bytes, at_start);
      t[i].data = memory[i].data();
    } else {
      k.count[i] = -1;
      t[i].data = no_access_page();
    }
    k.memory[i] = memory[i].data();
    if (null_data[i]) t[i].data = nullptr;
  }

  // Data: box indices and boxes first, then grads (or crop_size), then
  // pixels (or image_size). An int32 size vector holds the sizes, then
  // sizes from the input.
  int64_t batch = t[1].rank >= 1 ? t[1].shape[0] : 0;
  if (op == kGradImage) batch = size_values[0];
  if (k.count[3] > 0 && t[3].data != nullptr && raw(t[3].dtype) == CRGB_INT32) {
    int32_t *ind = reinterpret_cast<int32_t *>(memory[3].data());
    // batch is any declared size (INT64_MAX, -2^63 included): wrap it to 32
    // bits in unsigned arithmetic, which cannot overflow.
    const uint64_t ubatch = static_cast<uint64_t>(batch);
    const auto wrap = [](uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
    const int32_t bad[16] = {-1,
                             wrap(ubatch),
                             wrap(ubatch + 1),
                             std::numeric_limits<int32_t>::min(),
                             std::numeric_limits<int32_t>::max(),
                             wrap(0 - ubatch),
                             1 << 30,
                             -2};
    for (int64_t i = 0; i < k.count[3]; ++i) {
      const uint8_t b = in.data_byte();
      ind[i] =
          b < 0xF8 ? static_cast<int32_t>(b % (batch > 0 && batch <= 255 ? batch : 1)) : bad[b & 7];
    }
  }
  if (k.count[2] > 0 && t[2].data != nullptr && raw(t[2].dtype) == CRGB_FLOAT32) {
    float *bx = reinterpret_cast<float *>(memory[2].data());
    for (int64_t i = 0; i < k.count[2]; ++i) bx[i] = box_from(in.data_byte());
  }
  auto fill_sizes = [&](int slot, const int32_t *values, int n) {
    if (k.count[slot] <= 0 || t[slot].data == nullptr || raw(t[slot].dtype) != CRGB_INT32) return;
    int32_t *v = reinterpret_cast<int32_t *>(memory[slot].data());
    for (int64_t i = 0; i < k.count[slot]; ++i)
      v[i] = i < n ? values[i] : wrap32(size_from(in.data_byte()));
  };
  if (op == kCrop) {
    fill_sizes(0, crop_values, 2);
  } else if (k.count[0] > 0 && t[0].data != nullptr && raw(t[0].dtype) == CRGB_FLOAT32) {
    float *g = reinterpret_cast<float *>(memory[0].data());
    for (int64_t i = 0; i < k.count[0]; ++i) g[i] = static_cast<float>(value_from(in.data_byte()));
  }
  if (op == kGradImage) {
    fill_sizes(1, size_values, 4);
  } else if (k.count[1] > 0 && t[1].data != nullptr) {
    unsigned char *im = memory[1].data();
    const int bytes = dtype_bytes(raw(t[1].dtype));
    for (int64_t i = 0; i < k.count[1]; ++i) {
      const int dt = raw(t[1].dtype);
      if (dt == CRGB_FLOAT32 || dt == CRGB_FLOAT64) {
        crgb_test::store_element(static_cast<crgb_dtype>(dt), im, i, value_from(in.data_byte()));
      } else {
        for (int j = 0; j < bytes; ++j) im[i * bytes + j] = in.data_byte();
      }
    }
  }

  // The output: what the call declares, backed up to a limit (a larger
  // declaration is cut to what is backed: the harness never lies about it).
  auto sizes_product = [](std::initializer_list<int64_t> sizes) -> int64_t {
    for (int64_t s : sizes)
      if (s < 0) return 0;
    return std::min(product(sizes), kInt64Max / 2);
  };
  int64_t declared = 0;
  if (op == kGradBoxes) {
    if (t[2].rank >= 1 && t[2].shape[0] > 0 && t[2].shape[0] <= kInt64Max / 4)
      declared = 4 * t[2].shape[0];
  } else if (op == kCrop) {
    declared = sizes_product({t[2].rank >= 1 ? t[2].shape[0] : 0, crop_values[0], crop_values[1],
                              t[1].rank >= 4 ? t[1].shape[3] : 0});
  } else {
    declared = sizes_product({size_values[0], size_values[1], size_values[2], size_values[3]});
  }
  int64_t output_elems = declared + output_delta;
  const int64_t backed = std::min<int64_t>(std::max<int64_t>(output_elems, 0), kMaxOutputFloats);
  if (output_elems > backed) output_elems = backed;
  k.out_type = op == kGradImage && is_gradient_dtype(output_dtype) ? output_dtype : CRGB_FLOAT32;
  const int out_bytes = dtype_bytes(k.out_type);
  Guarded out_memory(static_cast<size_t>(backed) * out_bytes, at_start);
  unsigned char *output = out_memory.data();
  fill_sentinel(output, backed, k.out_type);

  Call &call = k.call;
  call.op = op;
  for (int i = 0; i < 4; ++i) call.t[i] = null_descriptor[i] ? nullptr : &t[i];
  call.method = method;
  call.variant = variant;
  call.output = null_output ? nullptr : output;
  call.output_elems = output_elems;
  call.ex = (flags & 0x20) != 0;
  if (call.ex) call.options = options;
  call.extrapolation = extrapolation;
  call.output_dtype = output_dtype;
  k.want = predict(call);
  const Prediction &want = k.want;
  // Calls the harness cannot make safely: the library would legitimately read
  // a tensor the harness did not back with memory.
  if (!makeable(want, k.count)) return -1;

  if (threads_sel & 0x80) crgb_set_num_threads(threads_sel & 7);
  crgb_error err;
  err.status = static_cast<crgb_status>(CRGB_INTERNAL);
  std::memset(err.message, 'X', sizeof err.message);
  if (fp_sel & 0x80) enter_fp_env(fp_sel);
  const unsigned entered = get_csr();
  const crgb_status got = invoke(call, null_error ? nullptr : &err);
  const unsigned after = get_csr();
  leave_fp_env(default_csr);
  if (after != entered)
    finding("the caller's MXCSR was not restored", describe(call) + "\nentered " +
                                                       std::to_string(entered) + " after " +
                                                       std::to_string(after));
  k.context = with_status(
      describe(call), got,
      null_error ? std::string() : std::string(err.message, strnlen(err.message, 512)), want);
  // CRGB_FUZZ_TRACE=1: each call made and its outcome, on stderr.
  static const bool trace = std::getenv("CRGB_FUZZ_TRACE") != nullptr;
  if (trace) std::fprintf(stderr, "crgb_fuzz call: %s\n", k.context.c_str());
  check_outcome(k, call, want, got, err, null_error, output, backed, k.context);
  if (got != CRGB_OK || want.written == 0) return 0;
  check_result(k, want, output, k.context);

  // Determinism: the same call on one thread gives the same bits.
  if (rerun_one_thread) {
    const int previous = crgb_set_num_threads(1);
    Guarded again_memory(static_cast<size_t>(backed) * out_bytes, at_start);
    fill_sentinel(again_memory.data(), backed, k.out_type);
    Call again = call;
    again.output = again_memory.data();
    const crgb_status s = invoke(again, nullptr);
    crgb_set_num_threads(previous);
    if (s != CRGB_OK || std::memcmp(again_memory.data(), output,
                                    static_cast<size_t>(want.written) * out_bytes) != 0)
      finding("a second call on one thread differs", k.context);
  }

  // Every other variant that implements the op, by name, on the same input.
  if (every_variant) {
    for (const Variant &v : variants()) {
      if (!v.available || !implements(v, op) || &v == want.runs) continue;
      Call other = call;
      other.variant = v.name.c_str();
      const Prediction w = predict(other);
      if (!makeable(w, k.count)) continue;
      Guarded other_memory(static_cast<size_t>(backed) * out_bytes, at_start);
      fill_sentinel(other_memory.data(), backed, k.out_type);
      other.output = other_memory.data();
      crgb_error e;
      const crgb_status s = invoke(other, &e);
      const std::string context = with_status(
          describe(other), s, std::string(e.message, strnlen(e.message, sizeof e.message)), w);
      check_outcome(k, other, w, s, e, false, other_memory.data(), backed, context);
      if (s == CRGB_OK) check_result(k, w, other_memory.data(), context);
    }
  }
  return 0;
}
