// crgb_fuzz: a libFuzzer target over the C API, crgb_grad_boxes (README,
// "Sanitizers and fuzzing"). Built with clang, ASan and UBSan
// (-DCRGB_FUZZ=ON -DCRGB_SANITIZE=address,undefined); the seed corpus is
// tests/fuzz/corpus (made by make_corpus.py, which also documents the format).
//
// Each input describes one call: the variant name, the method string, the
// image dtype, the worker thread count, the caller's floating-point
// environment, seven base sizes (zero, one, small, and declared sizes far
// beyond memory: 2^31, 2^32, 2^62, INT64_MAX, negative ones), structural
// mutations of the four descriptors (rank, one dimension, dtype, device, NULL
// data, NULL descriptor, the output size), and then the data: box indices
// (negative, >= batch, INT32_MIN/MAX), boxes (NaN, inf, 1e40, 3e38, FLT_MAX,
// denormal, -0), grads and pixels. Input bytes are read front to back; past
// the end, data comes from a generator seeded by the input.
//
// The oracle:
//  - the status class is the one an independent model of the rules predicts
//    (../shared/mission/SEMANTICS.md, the C API's own checks, the variants'
//    limits), error->status equals it, the message is NUL-terminated and set;
//  - on error the output buffer is untouched; on success exactly 4 * num_boxes
//    floats are written, and they agree with the float64 re-derivation of
//    tests/support within the suite's tolerance (tolerance.h);
//  - the caller's MXCSR is restored, and with a second call on one thread the
//    result is bit-identical;
//  - nothing crashes, leaks, or trips ASan/UBSan. The Halide-compiled code is
//    not instrumented, so every buffer is placed against inaccessible pages
//    (at its end, or at its start when the input says so), and a tensor
//    declared larger than the harness backs with memory points at an
//    inaccessible page: the library must reject such a call before reading
//    it, or the harness does not make it.
#include "support/dtype.h"
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

int dtype_bytes(int dtype) {
  static const int bytes[9] = {1, 2, 1, 2, 4, 8, 2, 4, 8};
  return dtype >= 0 && dtype <= 8 ? bytes[dtype] : 0;
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

struct Variant {
  std::string name;
  bool halide = false, available = false, cuda = false;
};

std::vector<Variant> variant_list() {
  std::vector<Variant> list;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info;
    if (crgb_variant_get(i, &info) != 0) std::abort();
    const std::string target = info.target;
    list.push_back({info.name, target != "c++", info.available != 0,
                    target.find("-cuda") != std::string::npos});
  }
  return list;
}

const std::vector<Variant> &variants() {
  static const std::vector<Variant> list = variant_list();
  return list;
}

// Whether the (Halide) variant has a pipeline for this dtype: autoscheduled
// variants are built for some dtypes only and answer Unimplemented for the
// others. Asked once per pair with a trivial valid call.
bool built_for(const std::string &variant, int dtype) {
  static std::vector<std::vector<int>> cache(variants().size(), std::vector<int>(9, -1));
  for (size_t v = 0; v < variants().size(); ++v) {
    if (variants()[v].name != variant) continue;
    int &c = cache[v][dtype];
    if (c < 0) {
      const float g[1] = {1.0f}, b[4] = {0.0f, 0.0f, 1.0f, 1.0f};
      const int32_t k[1] = {0};
      const unsigned char im[8] = {};
      const crgb_tensor grads = {g, CRGB_FLOAT32, 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
      const crgb_tensor image = {
          im, static_cast<crgb_dtype>(dtype), 4, {1, 1, 1, 1}, CRGB_DEVICE_HOST};
      const crgb_tensor boxes = {b, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
      const crgb_tensor box_ind = {k, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
      float out[4];
      c = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, nullptr, variant.c_str(), out, 4,
                          nullptr) != CRGB_UNIMPLEMENTED;
    }
    return c != 0;
  }
  return false;
}

// What the model predicts, and what the call may read.
struct Prediction {
  crgb_status status = CRGB_OK;
  const char *why = "";
  bool reads_indices_and_boxes = false;  // got as far as checking box_ind's and the boxes' values
  bool computes = false;                 // runs a variant over grads and image
  int64_t num_boxes = 0;
};

struct Call {
  const crgb_tensor *t[4];  // grads, image, boxes, box_ind (NULL: a NULL descriptor)
  const char *method;
  const char *variant;  // NULL or "": automatic
  float *output;
  int64_t output_elems;
};

Prediction predict(const Call &c) {
  Prediction p;
  auto fail = [&](crgb_status s, const char *why) {
    p.status = s;
    p.why = why;
    return p;
  };
  if (c.method != nullptr && std::strcmp(c.method, "bilinear") != 0)
    return fail(CRGB_INVALID_ARGUMENT, "method");
  // Each descriptor's own sanity, in order.
  for (const crgb_tensor *t : c.t) {
    if (t == nullptr) return fail(CRGB_INVALID_ARGUMENT, "NULL descriptor");
    if (t->rank < 0 || t->rank > CRGB_MAX_RANK) return fail(CRGB_INVALID_ARGUMENT, "rank range");
    if (dtype_bytes(raw(t->dtype)) == 0) return fail(CRGB_INVALID_ARGUMENT, "dtype enum");
    if (raw(t->device) != CRGB_DEVICE_HOST && raw(t->device) != CRGB_DEVICE_CUDA)
      return fail(CRGB_INVALID_ARGUMENT, "device enum");
    for (int i = 0; i < t->rank; ++i)
      if (t->shape[i] < 0) return fail(CRGB_INVALID_ARGUMENT, "negative dimension");
    if (elements(*t) > kInt64Max / 8) return fail(CRGB_INVALID_ARGUMENT, "element count");
  }
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
  const bool both_empty = elements(boxes) == 0 && elements(box_ind) == 0;
  if (boxes.rank != 2) return fail(CRGB_INVALID_ARGUMENT, "boxes rank");
  int64_t nb = 0;
  if (both_empty) {
    if (box_ind.rank != 1) return fail(CRGB_INVALID_ARGUMENT, "box_ind rank (empty)");
  } else {
    nb = boxes.shape[0];
    if (boxes.shape[1] != 4) return fail(CRGB_INVALID_ARGUMENT, "boxes columns");
    if (box_ind.rank != 1) return fail(CRGB_INVALID_ARGUMENT, "box_ind rank");
    if (box_ind.shape[0] != nb) return fail(CRGB_INVALID_ARGUMENT, "box_ind length");
  }
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
  p.reads_indices_and_boxes = nb > 0;
  const int32_t *ind = static_cast<const int32_t *>(box_ind.data);
  const float *bx = static_cast<const float *>(boxes.data);
  if (p.reads_indices_and_boxes && (static_cast<const void *>(ind) == no_access_page() ||
                                    static_cast<const void *>(bx) == no_access_page()))
    return p;  // not backed: the harness does not make this call
  for (int64_t b = 0; b < nb; ++b)
    if (ind[b] < 0 || ind[b] >= image.shape[0]) return fail(CRGB_OUT_OF_RANGE, "box_ind value");
  for (int64_t i = 0; i < 4 * nb; ++i)
    if (!std::isfinite(bx[i])) return fail(CRGB_INVALID_ARGUMENT, "box not finite");
  // The variant.
  const Variant *v = nullptr;
  const bool automatic = c.variant == nullptr || *c.variant == '\0';
  if (automatic) {
    for (const Variant &x : variants())
      if (std::string(crgb_selected_variant()) == x.name) v = &x;
    if (v == nullptr) std::abort();
  } else {
    for (const Variant &x : variants())
      if (x.name == c.variant) v = &x;
    if (v == nullptr) return fail(CRGB_INVALID_ARGUMENT, "unknown variant");
    if (!v->available) return fail(CRGB_UNAVAILABLE, "unavailable variant");
  }
  const int dtype = raw(image.dtype);
  if (v->halide) {
    // Halide's buffers (no large_buffers) address 2^31 - 1 bytes each.
    auto fits = [](int64_t a, int64_t b, int64_t c, int64_t d, int64_t bytes) {
      if (a == 0 || b == 0 || c == 0 || d == 0) return true;
      __int128 n = static_cast<__int128>(a) * b * c * d * bytes;
      return n <= kInt32Max;
    };
    const bool ok =
        fits(sizes[1], sizes[2], 1, 1, 1) && fits(nb, sizes[1], sizes[2], sizes[3], 4) &&
        fits(sizes[4], sizes[5], sizes[6], sizes[3], dtype_bytes(dtype)) && fits(nb, 4, 1, 1, 4);
    if (!ok) {
      if (!automatic) return fail(CRGB_INVALID_ARGUMENT, "too large for Halide");
      v = &variants().front();  // the reference runs it
    }
  }
  p.computes = nb > 0 && sizes[3] > 0;
  if (p.computes && v->halide && !built_for(v->name, dtype))
    return fail(CRGB_UNIMPLEMENTED, "dtype not built");
  return p;
}

// ------------------------------------------------------------- checking ---

[[noreturn]] void finding(const char *what, const std::string &detail) {
  std::fprintf(stderr, "\ncrgb_fuzz FINDING: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const Call &c) {
  std::string s = "variant=" + std::string(c.variant ? (*c.variant ? c.variant : "\"\"") : "NULL") +
                  " method=" + std::string(c.method ? c.method : "NULL") +
                  " output_elems=" + std::to_string(c.output_elems);
  const char *names[4] = {"grads", "image", "boxes", "box_ind"};
  for (int i = 0; i < 4; ++i) {
    s += std::string(" ") + names[i];
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
  }
  return s;
}

bool is_sentinel(float v) {
  return crgb_test::is_sentinel(v);
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
                                 "BILINEAR", "bilinear ", "bilinea", "bilinear"};
const char *const kVariantNames[6] = {"reference", "sse41", "avx2",
                                      "avx512",    "neon",  "avx2_adams2019"};
const int kBadDtypes[8] = {
    -1, 9, 42, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), 255, 10, -9};

// Stores any int in an enum field, as a C caller can (copying an out-of-range
// value through the C++ enum type would itself be undefined behaviour).
void set_dtype(crgb_tensor &t, int v) {
  std::memcpy(&t.dtype, &v, sizeof v);
}
void set_device(crgb_tensor &t, int v) {
  std::memcpy(&t.device, &v, sizeof v);
}

constexpr size_t kMaxTensorBytes = size_t{1} << 18;  // backed with memory up to this
constexpr int64_t kMaxOutputFloats = 1 << 14;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const unsigned default_csr = get_csr();
  Input in(data, size);

  // Header.
  const uint8_t variant_sel = in.byte(), method_sel = in.byte(), dtype_sel = in.byte();
  const uint8_t threads_sel = in.byte(), fp_sel = in.byte(), flags = in.byte();
  std::string variant_storage;
  const char *variant = nullptr;
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
  const char *method = kMethods[method_sel % 8];
  const int image_dtype = dtype_sel < 0xF0 ? dtype_sel % 9 : kBadDtypes[dtype_sel & 7];
  const bool at_start = flags & 1, rerun_one_thread = flags & 2, null_error = flags & 4;

  int64_t dims[7];  // num_boxes, crop_height, crop_width, depth, batch, image_height, image_width
  for (int64_t &d : dims) d = size_from(in.byte());
  crgb_tensor t[4] = {
      {nullptr, CRGB_FLOAT32, 4, {dims[0], dims[1], dims[2], dims[3]}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_UINT8, 4, {dims[4], dims[5], dims[6], dims[3]}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_FLOAT32, 2, {dims[0], 4}, CRGB_DEVICE_HOST},
      {nullptr, CRGB_INT32, 1, {dims[0]}, CRGB_DEVICE_HOST}};
  set_dtype(t[1], image_dtype);
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
      case 2: set_dtype(x, a < 0xF0 ? a % 9 : kBadDtypes[a & 7]); break;
      case 3: set_device(x, a % 4 == 3 ? -1 : a % 3); break;
      case 4: null_data[which] = true; break;
      case 5: null_descriptor[which] = (a & 1); break;
      case 6: output_delta = static_cast<int8_t>(a); break;
      case 7: x.rank = 4 - (which == 2 ? 2 : which == 3 ? 3 : 0) + (a % 3) - 1; break;  // one off
    }
  }

  // Back each tensor of valid structure and modest size with guarded memory.
  Guarded memory[4];
  int64_t count[4] = {};
  for (int i = 0; i < 4; ++i) {
    const crgb_tensor &x = t[i];
    const int bytes = dtype_bytes(raw(x.dtype));
    bool structured = x.rank >= 0 && x.rank <= CRGB_MAX_RANK && bytes > 0;
    for (int k = 0; structured && k < x.rank; ++k) structured = x.shape[k] >= 0;
    count[i] = structured ? elements(x) : -1;
    if (structured && count[i] <= static_cast<int64_t>(kMaxTensorBytes) / bytes) {
      memory[i] = Guarded(static_cast<size_t>(count[i]) * bytes, at_start);
      t[i].data = memory[i].data();
    } else {
      count[i] = -1;
      t[i].data = no_access_page();
    }
    if (null_data[i]) t[i].data = nullptr;
  }

  // Data: box indices and boxes first, then grads, then pixels.
  const int64_t batch = t[1].rank >= 1 ? t[1].shape[0] : 0;
  if (count[3] > 0 && t[3].data != nullptr && raw(t[3].dtype) == CRGB_INT32) {
    int32_t *ind = reinterpret_cast<int32_t *>(memory[3].data());
    // batch is any declared size (INT64_MAX, -2^63 included): wrap it to 32
    // bits in unsigned arithmetic, which cannot overflow.
    const uint64_t ubatch = static_cast<uint64_t>(batch);
    const auto wrap32 = [](uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
    const int32_t bad[16] = {-1,
                             wrap32(ubatch),
                             wrap32(ubatch + 1),
                             std::numeric_limits<int32_t>::min(),
                             std::numeric_limits<int32_t>::max(),
                             wrap32(0 - ubatch),
                             1 << 30,
                             -2};
    for (int64_t i = 0; i < count[3]; ++i) {
      const uint8_t b = in.data_byte();
      ind[i] =
          b < 0xF8 ? static_cast<int32_t>(b % (batch > 0 && batch <= 255 ? batch : 1)) : bad[b & 7];
    }
  }
  if (count[2] > 0 && t[2].data != nullptr && raw(t[2].dtype) == CRGB_FLOAT32) {
    float *bx = reinterpret_cast<float *>(memory[2].data());
    for (int64_t i = 0; i < count[2]; ++i) bx[i] = box_from(in.data_byte());
  }
  if (count[0] > 0 && t[0].data != nullptr && raw(t[0].dtype) == CRGB_FLOAT32) {
    float *g = reinterpret_cast<float *>(memory[0].data());
    for (int64_t i = 0; i < count[0]; ++i) g[i] = static_cast<float>(value_from(in.data_byte()));
  }
  if (count[1] > 0 && t[1].data != nullptr) {
    unsigned char *im = memory[1].data();
    const int bytes = dtype_bytes(raw(t[1].dtype));
    for (int64_t i = 0; i < count[1]; ++i) {
      const int dt = raw(t[1].dtype);
      if (dt == CRGB_FLOAT32 || dt == CRGB_FLOAT64) {
        crgb_test::store_element(static_cast<crgb_dtype>(dt), im, i, value_from(in.data_byte()));
      } else {
        for (int k = 0; k < bytes; ++k) im[i * bytes + k] = in.data_byte();
      }
    }
  }

  // The output: what the call declares, backed up to a limit (a larger
  // declaration is cut to what is backed: the harness never lies about it).
  int64_t declared = 0;
  if (t[2].rank >= 1 && t[2].shape[0] > 0 && t[2].shape[0] <= kInt64Max / 4)
    declared = 4 * t[2].shape[0];
  int64_t output_elems = declared + output_delta;
  const int64_t backed = std::min<int64_t>(std::max<int64_t>(output_elems, 0), kMaxOutputFloats);
  if (output_elems > backed) output_elems = backed;
  Guarded out_memory(static_cast<size_t>(backed) * sizeof(float), at_start);
  float *output = reinterpret_cast<float *>(out_memory.data());
  for (int64_t i = 0; i < backed; ++i) output[i] = crgb_test::sentinel();

  Call call{{null_descriptor[0] ? nullptr : &t[0], null_descriptor[1] ? nullptr : &t[1],
             null_descriptor[2] ? nullptr : &t[2], null_descriptor[3] ? nullptr : &t[3]},
            method,
            variant,
            output,
            output_elems};
  const Prediction want = predict(call);
  // Calls the harness cannot make safely: the library would legitimately read
  // a tensor the harness did not back with memory.
  if (want.reads_indices_and_boxes && (count[2] < 0 || count[3] < 0)) return -1;
  if (want.computes && (count[0] < 0 || count[1] < 0)) return -1;

  if (threads_sel & 0x80) crgb_set_num_threads(threads_sel & 7);
  crgb_error err;
  err.status = static_cast<crgb_status>(CRGB_INTERNAL);
  std::memset(err.message, 'X', sizeof err.message);
  if (fp_sel & 0x80) enter_fp_env(fp_sel);
  const unsigned entered = get_csr();
  const crgb_status got =
      crgb_grad_boxes(call.t[0], call.t[1], call.t[2], call.t[3], method, variant, output,
                      output_elems, null_error ? nullptr : &err);
  const unsigned after = get_csr();
  leave_fp_env(default_csr);
  if (after != entered)
    finding("the caller's MXCSR was not restored", describe(call) + "\nentered " +
                                                       std::to_string(entered) + " after " +
                                                       std::to_string(after));

  const std::string message =
      null_error ? std::string()
                 : std::string(err.message, strnlen(err.message, sizeof err.message));
  const std::string context = describe(call) + "\nstatus " + crgb_status_name(got) + ": " +
                              message + "\nmodel: " + crgb_status_name(want.status) + " (" +
                              want.why + ")";
  if (!null_error && strnlen(err.message, sizeof err.message) == sizeof err.message)
    finding("error message not NUL-terminated", context);
  if (!null_error && err.status != got)
    finding("error->status differs from the returned status", context);
  if (got != want.status) finding("status class differs from the model's", context);

  if (got != CRGB_OK) {
    if (message.empty() && !null_error) finding("an error without a message", context);
    for (int64_t i = 0; i < backed; ++i)
      if (!is_sentinel(output[i]))
        finding("output written on error", context + "\nat " + std::to_string(i));
    return 0;
  }
  const int64_t n = 4 * want.num_boxes;
  for (int64_t i = 0; i < backed; ++i)
    if (is_sentinel(output[i]) != (i >= n))
      finding(i < n ? "output not written" : "output written past 4 * num_boxes",
              context + "\nat " + std::to_string(i));
  if (n == 0) return 0;

  // Agreement with the float64 re-derivation.
  crgb_test::Problem p;
  p.dtype = static_cast<crgb_dtype>(raw(t[1].dtype));
  p.batch = t[1].shape[0];
  p.image_height = t[1].shape[1];
  p.image_width = t[1].shape[2];
  p.depth = t[1].shape[3];
  p.num_boxes = want.num_boxes;
  p.crop_height = t[0].shape[1];
  p.crop_width = t[0].shape[2];
  const size_t image_bytes = static_cast<size_t>(count[1]) * dtype_bytes(raw(t[1].dtype));
  p.grads.assign(reinterpret_cast<const float *>(t[0].data),
                 reinterpret_cast<const float *>(t[0].data) + count[0]);
  p.image.assign(memory[1].data(), memory[1].data() + image_bytes);
  p.boxes.assign(reinterpret_cast<const float *>(t[2].data),
                 reinterpret_cast<const float *>(t[2].data) + n);
  p.box_ind.assign(reinterpret_cast<const int32_t *>(t[3].data),
                   reinterpret_cast<const int32_t *>(t[3].data) + want.num_boxes);
  const std::vector<float> result(output, output + n);
  if (p.depth > 0) {
    crgb_test::Expected expected = crgb_test::rederive(p);
    // An autoscheduled schedule may evaluate each term in another order than
    // TensorFlow's (fast-math lets LLVM reassociate and distribute it, e.g.
    // g * (bl - tl) before the lerp weight), so its rounding, and where it
    // overflows, scale with the terms' unweighted magnitudes (corner_sum), not
    // with the lerp-weighted ones (abs_sum). crgb_fuzz found both on
    // avx2_adams2019 with pixels near FLT_MAX and near 1e7.
    const std::string v = call.variant ? call.variant : "";
    for (const char *suffix : {"_adams2019", "_li2018", "_mullapudi2016"})
      if (v.size() > std::strlen(suffix) &&
          v.compare(v.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        for (size_t i = 0; i < expected.abs_sum.size(); ++i)
          expected.abs_sum[i] = std::max(expected.abs_sum[i], expected.corner_sum[i]);
    const ::testing::AssertionResult ok = crgb_test::within_tolerance(result, expected);
    if (!ok)
      finding("result outside the tolerance of the re-derivation",
              context + "\n" + p.describe() + "\n" + ok.message());
  } else {
    for (float v : result)
      if (v != 0.0f) finding("depth 0 must give zeros", context);
  }

  // Determinism: the same call on one thread gives the same bits.
  if (rerun_one_thread) {
    const int previous = crgb_set_num_threads(1);
    std::vector<float> again(static_cast<size_t>(n), crgb_test::sentinel());
    const crgb_status s = crgb_grad_boxes(call.t[0], call.t[1], call.t[2], call.t[3], method,
                                          variant, again.data(), n, nullptr);
    crgb_set_num_threads(previous);
    if (s != CRGB_OK ||
        std::memcmp(again.data(), result.data(), static_cast<size_t>(n) * sizeof(float)) != 0)
      finding("a second call on one thread differs", context);
  }
  return 0;
}
