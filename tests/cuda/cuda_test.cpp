// The CUDA variants (README "CUDA"), in two suites:
//  - CudaVariants: what holds on every machine, with or without a GPU: the
//    CUDA variants are listed, their availability agrees with the driver,
//    they are never the automatic choice for host data, asking for one
//    without a GPU is Unavailable with the driver's reason, and the rules of
//    crgb_grad_boxes_ex that are decided before any GPU work.
//  - CudaGpu: results on a GPU (every dtype against the reference and the
//    float64 re-derivation, bit-identical repeats, device-resident inputs on
//    the caller's stream, the data checks made on the device, scratch reuse).
//    Each test skips with "no CUDA device: <driver message>" where the driver
//    finds none, and fails (never skips) where the library and the driver
//    disagree about it.
// The GPU is reached through the tests' own loader (gpu.h), not the library's.
#include "cuda/gpu.h"

#include "support/dtype.h"
#include "support/generate.h"
#include "support/rederive.h"
#include "support/tolerance.h"
#include "support/variants.h"

#include <crgb/crgb.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

namespace crgb_test {
namespace {

std::vector<crgb::VariantInfo> cuda_variants() {
  std::vector<crgb::VariantInfo> v;
  for (const crgb::VariantInfo &info : crgb::variants())
    if (reads_cuda_memory(info.name)) v.push_back(info);
  return v;
}
std::vector<std::string> cuda_variant_names();  // (below)

// The GPU, or nullptr with the skip reason.
Gpu *gpu_or_reason(std::string *reason) {
  std::string why;
  Gpu *gpu = Gpu::get(&why);
  if (gpu == nullptr) *reason = "no CUDA device: " + why;
  return gpu;
}

#define REQUIRE_GPU(gpu)                                                              \
  std::string skip_reason_;                                                           \
  Gpu *gpu = gpu_or_reason(&skip_reason_);                                            \
  if (gpu == nullptr) GTEST_SKIP() << skip_reason_;                                   \
  ASSERT_FALSE(cuda_variants().empty());                                              \
  ASSERT_TRUE(cuda_variants().front().available)                                      \
      << "the driver finds a GPU of compute capability " << gpu->compute_capability() \
      << " but the library lists " << cuda_variants().front().name << " as unavailable"

// A small valid problem whose tensors claim to be in CUDA memory but are not:
// for the rules decided before any GPU work.
struct MarkedProblem {
  Problem p;
  crgb_tensor g, im, bx, bi;
  explicit MarkedProblem(crgb_device device = CRGB_DEVICE_CUDA) {
    std::mt19937 rng(5u);
    p = random_problem(rng, CRGB_FLOAT32, Shape{2, 5, 6, 3, 4, 3, 2});
    g = p.grads_tensor();
    im = p.image_tensor();
    bx = p.boxes_tensor();
    bi = p.box_ind_tensor();
    g.device = im.device = bx.device = bi.device = device;
  }
  crgb_status run(const crgb_options *options, std::vector<float> *out, std::string *message) {
    out->assign(static_cast<size_t>(4 * p.num_boxes), sentinel());
    crgb_error err{};
    const crgb_status s = crgb_grad_boxes_ex(&g, &im, &bx, &bi, out->data(),
                                             static_cast<int64_t>(out->size()), options, &err);
    *message = err.message;
    return s;
  }
};

bool all_sentinel(const std::vector<float> &v) {
  for (float x : v)
    if (!is_sentinel(x)) return false;
  return true;
}

TEST(CudaVariants, ListedForThisBuild) {
  const auto list = cuda_variants();
#ifdef CRGB_TEST_EXPECT_CUDA
  ASSERT_FALSE(list.empty()) << "an x86-64 build has CUDA rows (cmake/CrgbVariants.cmake)";
#endif
  for (const crgb::VariantInfo &v : list) {
    EXPECT_EQ(v.name.rfind("cuda_", 0), 0u) << v.name;
    EXPECT_NE(v.target.find("-cuda-cuda_capability_"), std::string::npos) << v.target;
  }
}

TEST(CudaVariants, AvailabilityAgreesWithTheDriver) {
  std::string why;
  Gpu *gpu = Gpu::get(&why);
  for (const crgb::VariantInfo &v : cuda_variants()) {
    if (gpu == nullptr) {
      EXPECT_FALSE(v.available) << v.name << ": the tests' loader found no device: " << why;
    } else {
      const int needs = std::stoi(v.target.substr(v.target.rfind('_') + 1));
      EXPECT_EQ(v.available, gpu->compute_capability() >= needs) << v.name;
    }
  }
}

TEST(CudaVariants, NeverTheAutomaticChoiceForHostData) {
  if (const char *env = std::getenv("CRGB_VARIANT"))
    GTEST_SKIP() << "CRGB_VARIANT=" << env << " decides the choice";
  EXPECT_TRUE(is_host_variant(crgb_selected_variant())) << crgb_selected_variant();
  for (const crgb::VariantInfo &v : cuda_variants()) EXPECT_FALSE(v.selected) << v.name;
}

TEST(CudaVariants, WithoutAGpuNamingOneIsUnavailable) {
  std::string why;
  if (Gpu::get(&why) != nullptr) GTEST_SKIP() << "a CUDA device is present (CudaGpu covers it)";
  const auto list = cuda_variants();
  if (list.empty()) GTEST_SKIP() << "this build has no CUDA variant";
  std::mt19937 rng(3u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 4, 4, 2, 2, 2, 2});
  for (const crgb::VariantInfo &v : list) {
    const Outcome o = run(p, v.name);
    EXPECT_EQ(o.status, CRGB_UNAVAILABLE) << o.message;
    EXPECT_EQ(o.message.rfind("variant '" + v.name + "' needs a CUDA GPU; no CUDA device: ", 0), 0u)
        << o.message;
    EXPECT_TRUE(all_sentinel(o.out));
  }
}

TEST(CudaVariants, WithoutAGpuDeviceDataIsUnavailable) {
  std::string why;
  if (Gpu::get(&why) != nullptr) GTEST_SKIP() << "a CUDA device is present (CudaGpu covers it)";
  if (cuda_variants().empty()) GTEST_SKIP() << "this build has no CUDA variant";
  MarkedProblem m;
  std::vector<float> out;
  std::string message;
  EXPECT_EQ(m.run(nullptr, &out, &message), CRGB_UNAVAILABLE) << message;
  EXPECT_NE(message.find("no CUDA device: "), std::string::npos) << message;
  EXPECT_TRUE(all_sentinel(out));
}

TEST(CudaVariants, DeviceDataNeverGoesToAHostVariant) {
  MarkedProblem m;
  crgb_options o{};
  o.variant = "reference";
  std::vector<float> out;
  std::string message;
  EXPECT_EQ(m.run(&o, &out, &message), CRGB_INVALID_ARGUMENT) << message;
  EXPECT_NE(message.find("never copied to the host"), std::string::npos) << message;
  EXPECT_TRUE(all_sentinel(out));
}

TEST(CudaVariants, InputsInMixedMemoryRefused) {
  for (int which = 1; which < 4; ++which) {
    MarkedProblem m(CRGB_DEVICE_HOST);
    crgb_tensor *t[] = {&m.g, &m.im, &m.bx, &m.bi};
    t[which]->device = CRGB_DEVICE_CUDA;
    std::vector<float> out;
    std::string message;
    EXPECT_EQ(m.run(nullptr, &out, &message), CRGB_INVALID_ARGUMENT) << message;
    EXPECT_NE(message.find("all four inputs must be in the same memory"), std::string::npos)
        << message;
    EXPECT_TRUE(all_sentinel(out));
  }
}

TEST(CudaVariants, OutputInCudaMemoryNeedsACudaVariant) {
  MarkedProblem m(CRGB_DEVICE_HOST);
  crgb_options o{};
  o.output_device = CRGB_DEVICE_CUDA;  // automatic: a host variant for host data
  std::vector<float> out;
  std::string message;
  EXPECT_EQ(m.run(&o, &out, &message), CRGB_INVALID_ARGUMENT) << message;
  EXPECT_NE(message.find("output is in CUDA memory"), std::string::npos) << message;
  EXPECT_TRUE(all_sentinel(out));
}

TEST(CudaVariants, OptionsAreChecked) {
  MarkedProblem m(CRGB_DEVICE_HOST);
  std::vector<float> out;
  std::string message;
  crgb_options o{};
  int dummy = 0;
  o.reserved[2] = &dummy;
  EXPECT_EQ(m.run(&o, &out, &message), CRGB_INVALID_ARGUMENT) << message;
  EXPECT_TRUE(all_sentinel(out));
  crgb_options bad_device{};
  const int seven = 7;  // through memcpy: a C caller may store any int in the enum
  std::memcpy(&bad_device.output_device, &seven, sizeof seven);
  EXPECT_EQ(m.run(&bad_device, &out, &message), CRGB_INVALID_ARGUMENT) << message;
  EXPECT_TRUE(all_sentinel(out));
}

TEST(CudaVariants, NullOptionsAreThePlainCall) {
  MarkedProblem m(CRGB_DEVICE_HOST);
  std::vector<float> ex;
  std::string message;
  ASSERT_EQ(m.run(nullptr, &ex, &message), CRGB_OK) << message;
  const Outcome plain = run(m.p, "");
  ASSERT_EQ(plain.status, CRGB_OK) << plain.message;
  EXPECT_EQ(0, std::memcmp(ex.data(), plain.out.data(), ex.size() * sizeof(float)));
}

// The problem's four inputs in device memory, and a device output.
struct OnDevice {
  DeviceBuffer grads, image, boxes, box_ind, output;
  crgb_tensor g, im, bx, bi;
  size_t out_count;

  OnDevice(const Gpu &gpu, const Problem &p)
      : grads(gpu, p.grads.data(), p.grads.size() * sizeof(float)),
        image(gpu, p.image.data(), p.image.size()),
        boxes(gpu, p.boxes.data(), p.boxes.size() * sizeof(float)),
        box_ind(gpu, p.box_ind.data(), p.box_ind.size() * sizeof(int32_t)),
        output(gpu, static_cast<size_t>(4 * p.num_boxes) * sizeof(float)),
        g(p.grads_tensor()),
        im(p.image_tensor()),
        bx(p.boxes_tensor()),
        bi(p.box_ind_tensor()),
        out_count(static_cast<size_t>(4 * p.num_boxes)) {
    g.data = grads.ptr();
    im.data = image.ptr();
    bx.data = boxes.ptr();
    bi.data = box_ind.ptr();
    g.device = im.device = bx.device = bi.device = CRGB_DEVICE_CUDA;
  }

  // Runs into the device output and reads it back (after the stream).
  Outcome run(const Gpu &gpu, const std::string &variant, void *stream = nullptr,
              void *context = nullptr) {
    crgb_options o{};
    o.variant = variant.empty() ? nullptr : variant.c_str();
    o.output_device = CRGB_DEVICE_CUDA;
    o.cuda_stream = stream;
    o.cuda_context = context;
    crgb_error err{};
    Outcome r;
    r.status = crgb_grad_boxes_ex(&g, &im, &bx, &bi, output.float_ptr(),
                                  static_cast<int64_t>(out_count), &o, &err);
    r.message = err.message;
    gpu.synchronize(stream);
    r.out = output.download<float>(out_count);
    return r;
  }

  // Runs into host memory.
  Outcome run_to_host(const std::string &variant) {
    return call(g, im, bx, bi, variant, static_cast<int64_t>(out_count),
                static_cast<int64_t>(out_count));
  }
};

class CudaGpu : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string &variant() const { return GetParam(); }
};

TEST_P(CudaGpu, EveryDtypeMatchesTheReference) {
  REQUIRE_GPU(gpu);
  for (crgb_dtype dtype : all_dtypes()) {
    if (!built_for(variant(), dtype)) continue;
    std::mt19937 rng(900u + static_cast<unsigned>(dtype));
    for (int i = 0; i < 40; ++i) {
      const Problem p = random_problem(rng, dtype);
      if (p.num_boxes == 0) continue;
      const Outcome ref = run(p, "reference");
      ASSERT_EQ(ref.status, CRGB_OK) << ref.message;
      OnDevice d(*gpu, p);
      const Outcome dev = d.run(*gpu, variant());
      ASSERT_EQ(dev.status, CRGB_OK) << dev.message << "\n" << p.describe();
      EXPECT_TRUE(within_tolerance(dev.out, rederive(p))) << p.describe();
      Expected want = rederive(p);
      want.value.assign(ref.out.begin(), ref.out.end());
      EXPECT_TRUE(within_tolerance(dev.out, want, 2.0)) << p.describe();
      // Host inputs asked for by name run the same kernels: the same bits.
      const Outcome host = run(p, variant());
      ASSERT_EQ(host.status, CRGB_OK) << host.message;
      EXPECT_EQ(0, std::memcmp(host.out.data(), dev.out.data(), dev.out.size() * sizeof(float)))
          << p.describe();
    }
  }
}

TEST_P(CudaGpu, BitIdenticalOverRepeatedRuns) {
  REQUIRE_GPU(gpu);
  for (crgb_dtype dtype : {CRGB_FLOAT32, CRGB_UINT8, CRGB_FLOAT16}) {
    std::mt19937 rng(77u);
    // W1-like: many samples per box, so any unordered sum would show.
    const Problem p = random_problem(rng, dtype, Shape{2, 32, 32, 256, 96, 7, 7});
    OnDevice d(*gpu, p);
    const Outcome first = d.run(*gpu, variant());
    ASSERT_EQ(first.status, CRGB_OK) << first.message;
    for (int i = 0; i < 20; ++i) {
      const Outcome again = d.run(*gpu, variant());
      ASSERT_EQ(again.status, CRGB_OK) << again.message;
      ASSERT_EQ(0,
                std::memcmp(first.out.data(), again.out.data(), first.out.size() * sizeof(float)))
          << "run " << i << " differs, " << crgb_dtype_name(dtype);
    }
  }
}

TEST_P(CudaGpu, CallersStreamAndContext) {
  REQUIRE_GPU(gpu);
  std::mt19937 rng(78u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{1, 20, 24, 40, 12, 5, 9});
  OnDevice d(*gpu, p);
  const Outcome on_default = d.run(*gpu, variant());
  ASSERT_EQ(on_default.status, CRGB_OK) << on_default.message;
  void *stream = gpu->create_stream();
  const Outcome on_stream = d.run(*gpu, variant(), stream, gpu->context());
  gpu->destroy_stream(stream);
  ASSERT_EQ(on_stream.status, CRGB_OK) << on_stream.message;
  EXPECT_EQ(on_default.out, on_stream.out);
  // CU_STREAM_PER_THREAD is one handle for a different stream on each thread.
  const Outcome per_thread = d.run(*gpu, variant(), reinterpret_cast<void *>(uintptr_t{2}));
  EXPECT_EQ(per_thread.status, CRGB_INVALID_ARGUMENT) << per_thread.message;
  // A thread with no current context: the context owning the data is used.
  Outcome from_thread;
  std::thread([&] { from_thread = d.run_to_host(variant()); }).join();
  ASSERT_EQ(from_thread.status, CRGB_OK) << from_thread.message;
  EXPECT_EQ(0, std::memcmp(from_thread.out.data(), on_default.out.data(),
                           on_default.out.size() * sizeof(float)));
  // The automatic choice for device data is a CUDA variant: the best one.
  const Outcome automatic = d.run(*gpu, "");
  ASSERT_EQ(automatic.status, CRGB_OK) << automatic.message;
  if (variant() == cuda_variant_names().back()) {
    EXPECT_EQ(automatic.out, on_default.out);
  }
}

TEST_P(CudaGpu, DataChecksRunOnTheDevice) {
  REQUIRE_GPU(gpu);
  std::mt19937 rng(79u);
  const Problem good = random_problem(rng, CRGB_FLOAT32, Shape{3, 6, 7, 4, 700, 3, 3});
  struct Case {
    const char *what;
    int64_t bad_index_at, nan_box_at;  // -1: none
    int32_t bad_index;
    crgb_status status;
    const char *message;
  };
  const Case cases[] = {
      {"box_ind = batch", 650, -1, 3, CRGB_OUT_OF_RANGE,
       "box_index has values outside [0, batch_size)"},
      {"box_ind < 0", 0, -1, -1, CRGB_OUT_OF_RANGE, "box_index has values outside [0, batch_size)"},
      {"NaN box", -1, 699, 0, CRGB_INVALID_ARGUMENT,
       "Boxes contains at least one element that is not finite"},
      // Both: TensorFlow checks the index range first.
      {"both", 5, 2, 7, CRGB_OUT_OF_RANGE, "box_index has values outside [0, batch_size)"},
  };
  for (const Case &c : cases) {
    Problem p = good;
    if (c.bad_index_at >= 0) p.box_ind[static_cast<size_t>(c.bad_index_at)] = c.bad_index;
    if (c.nan_box_at >= 0) p.boxes[static_cast<size_t>(4 * c.nan_box_at + 1)] = NAN;
    OnDevice d(*gpu, p);
    gpu->fill_bytes(reinterpret_cast<uintptr_t>(d.output.ptr()), 0xab, d.out_count * sizeof(float));
    const Outcome o = d.run(*gpu, variant());
    EXPECT_EQ(o.status, c.status) << c.what << ": " << o.message;
    EXPECT_EQ(o.message, c.message) << c.what;
    for (float v : o.out) {
      uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      ASSERT_EQ(bits, 0xababababu) << c.what << ": the output was written";
    }
    const Outcome host_out = d.run_to_host(variant());
    EXPECT_EQ(host_out.status, c.status) << c.what;
    EXPECT_TRUE(all_sentinel(host_out.out)) << c.what;
  }
}

TEST_P(CudaGpu, EmptyCases) {
  REQUIRE_GPU(gpu);
  std::mt19937 rng(80u);
  // Depth 0: zeros, after the data checks (an out-of-range index still fails).
  Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 5, 5, 0, 3, 2, 2});
  OnDevice d(*gpu, p);
  const Outcome zeros = d.run(*gpu, variant());
  ASSERT_EQ(zeros.status, CRGB_OK) << zeros.message;
  EXPECT_EQ(zeros.out, std::vector<float>(12, 0.0f));
  p.box_ind[1] = 2;
  OnDevice bad(*gpu, p);
  EXPECT_EQ(bad.run(*gpu, variant()).status, CRGB_OUT_OF_RANGE);
  // No boxes: nothing to do, nothing read.
  const Problem none = random_problem(rng, CRGB_FLOAT32, Shape{2, 5, 5, 3, 0, 2, 2});
  OnDevice n(*gpu, none);
  EXPECT_EQ(n.run(*gpu, variant()).status, CRGB_OK);
}

TEST_P(CudaGpu, BadDevicePointersRefused) {
  REQUIRE_GPU(gpu);
  std::mt19937 rng(81u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 8, 8, 16, 4, 3, 3});
  OnDevice d(*gpu, p);
  // An image tensor larger than its allocation.
  DeviceBuffer small(*gpu, p.image.size() / 2);
  crgb_tensor im = d.im;
  im.data = small.ptr();
  const Outcome o = call(d.g, im, d.bx, d.bi, variant(), static_cast<int64_t>(d.out_count),
                         static_cast<int64_t>(d.out_count));
  EXPECT_EQ(o.status, CRGB_INVALID_ARGUMENT) << o.message;
  EXPECT_NE(o.message.find("image needs"), std::string::npos) << o.message;
  // Host memory marked as CUDA memory.
  crgb_tensor host_grads = d.g;
  host_grads.data = p.grads.data();
  const Outcome h = call(host_grads, d.im, d.bx, d.bi, variant(), static_cast<int64_t>(d.out_count),
                         static_cast<int64_t>(d.out_count));
  EXPECT_EQ(h.status, CRGB_INVALID_ARGUMENT) << h.message;
  EXPECT_NE(h.message.find("is not CUDA memory"), std::string::npos) << h.message;
  // The context survived: a correct call still runs.
  EXPECT_EQ(d.run(*gpu, variant()).status, CRGB_OK);
}

TEST_P(CudaGpu, ScratchMemoryIsReusedAcrossCalls) {
  REQUIRE_GPU(gpu);
  std::mt19937 rng(82u);
  const Problem p = random_problem(rng, CRGB_FLOAT32, Shape{2, 16, 16, 64, 32, 7, 7});
  OnDevice d(*gpu, p);
  for (int i = 0; i < 3; ++i) {  // warm-up: kernels loaded, cache filled
    ASSERT_EQ(d.run(*gpu, variant()).status, CRGB_OK);
    ASSERT_EQ(run(p, variant()).status, CRGB_OK);
  }
  const size_t before = gpu->free_memory();
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(d.run(*gpu, variant()).status, CRGB_OK);
    ASSERT_EQ(run(p, variant()).status, CRGB_OK);
  }
  EXPECT_EQ(gpu->free_memory(), before) << "device memory grew or shrank: not reused";
  // Released on request, and the next call works.
  EXPECT_EQ(crgb_cuda_release(gpu->context()), CRGB_OK);
  const Outcome after = d.run(*gpu, variant());
  EXPECT_EQ(after.status, CRGB_OK) << after.message;
}

// The hand-written CUDA variants (cuda_sm*), which implement every op and
// dtype; the autoscheduled ones (cuda_<autoscheduler>: the box gradient on
// uint8 and float32) run in every other suite, as any available variant does.
std::vector<std::string> cuda_variant_names() {
  std::vector<std::string> names;
  for (const crgb::VariantInfo &v : cuda_variants())
    if (v.name.rfind("cuda_sm", 0) == 0) names.push_back(v.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllCudaVariants, CudaGpu, ::testing::ValuesIn(cuda_variant_names()),
                         VariantName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CudaGpu);

}  // namespace
}  // namespace crgb_test
