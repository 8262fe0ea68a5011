// crgb_gpu_bench: the box gradient on an NVIDIA GPU with device-resident data
// (scripts/gpu_check.sh runs it). Per workload, side by side in one process:
//   - each CUDA variant of crgb (crgb_grad_boxes_ex, inputs and output in
//     device memory, on one stream), checked against the reference variant
//     on the host and for bit-identical results over --repeats runs;
//   - the TensorFlow-style atomic baseline (atomic_baseline.cuh);
//   - the device-to-device copy bandwidth (cudaMemcpyAsync of the workload's
//     grads), the yardstick: % copy = (grads + touched image bytes) / time
//     over that bandwidth.
// Times are medians of --samples calls timed with CUDA events. Writes a
// markdown table to stdout (and --markdown FILE) and the records to --json FILE.
// Exit status: 0 all checks passed; 1 a check failed; 2 no CUDA device (the
// reason on stderr); 3 bad arguments.
#include <crgb/crgb.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "atomic_baseline.cuh"
#include "workloads.h"

using crgb::cli::Workload;
using crgb::cli::WorkloadSpec;
namespace gb = crgb::gpu_bench;

namespace {

#define CHECK_CUDA(expr)                                                                          \
  do {                                                                                            \
    cudaError_t e_ = (expr);                                                                      \
    if (e_ != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(e_)); \
      std::exit(1);                                                                               \
    }                                                                                             \
  } while (0)

struct Device {
  void *p = nullptr;
  explicit Device(size_t bytes) { CHECK_CUDA(cudaMalloc(&p, std::max<size_t>(bytes, 4))); }
  ~Device() { cudaFree(p); }
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;
  template <typename T>
  T *as() const {
    return static_cast<T *>(p);
  }
};

template <typename F>
double median_ms(int samples, cudaStream_t stream, F &&call) {
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  call();  // warm-up (kernel load, allocation cache)
  CHECK_CUDA(cudaStreamSynchronize(stream));
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    CHECK_CUDA(cudaEventRecord(start, stream));
    call();
    CHECK_CUDA(cudaEventRecord(stop, stream));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float t = 0;
    CHECK_CUDA(cudaEventElapsedTime(&t, start, stop));
    ms.push_back(t);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

crgb_tensor on_device(crgb_tensor t, const void *data) {
  t.data = data;
  t.device = CRGB_DEVICE_CUDA;
  return t;
}

// Largest |a - b| over the largest |b|: the benchmark's sanity bound (the
// test suite holds the rigorous one).
double rel_err(const std::vector<float> &a, const std::vector<float> &b) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(double(b[i])));
  }
  return scale > 0 ? worst / scale : worst;
}

struct Row {
  std::string workload, variant;
  double ms, gbps, copy_pct, vs_atomic, max_rel_err;
  bool bit_identical, ok;
};

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> names = {"W1", "W2", "W3", "W4", "W5", "W6"};
  int samples = 15, repeats = 20;
  std::string json_path, md_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--workloads" && has) {
      names.clear();
      std::stringstream in(argv[++i]);
      for (std::string w; std::getline(in, w, ',');) names.push_back(w);
    } else if (a == "--samples" && has) {
      samples = std::max(3, std::atoi(argv[++i]));
    } else if (a == "--repeats" && has) {
      repeats = std::max(2, std::atoi(argv[++i]));
    } else if (a == "--json" && has) {
      json_path = argv[++i];
    } else if (a == "--markdown" && has) {
      md_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: crgb_gpu_bench [--workloads W1,...,W6] [--samples N] [--repeats N]\n"
                   "                      [--json FILE] [--markdown FILE]\n");
      return 3;
    }
  }
  int devices = 0;
  const cudaError_t probe = cudaGetDeviceCount(&devices);
  if (probe != cudaSuccess || devices == 0) {
    std::fprintf(stderr, "crgb_gpu_bench: no CUDA device (%s)\n",
                 probe != cudaSuccess ? cudaGetErrorString(probe) : "the driver reports 0");
    return 2;
  }
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  cudaStream_t stream;
  CHECK_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));

  std::vector<std::string> cuda_variants;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0 && info.available && std::strstr(info.target, "cuda") &&
        (info.ops >> CRGB_OP_GRAD_BOXES) & 1)
      cuda_variants.push_back(info.name);
  }
  std::vector<Row> rows;
  bool all_ok = true;
  std::printf("device: %s (compute capability %d.%d, %d SMs)\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount);
  for (const std::string &name : names) {
    const WorkloadSpec *spec = nullptr;
    for (const WorkloadSpec &s : crgb::cli::builtin_workloads())
      if (s.name == name) spec = &s;
    if (spec == nullptr) {
      std::fprintf(stderr, "unknown workload %s (W1-W6)\n", name.c_str());
      return 3;
    }
    std::fprintf(stderr, "%s: generating\n", name.c_str());
    const Workload w = crgb::cli::make_workload(*spec, 20261202u);
    const size_t out_elems = size_t(spec->num_boxes) * 4;
    Device grads(w.grads.size() * 4), image(w.image.size()), boxes(w.boxes.size() * 4),
        box_ind(w.box_ind.size() * 4), out(out_elems * 4), copy_dst(w.grads.size() * 4);
    CHECK_CUDA(cudaMemcpy(grads.p, w.grads.data(), w.grads.size() * 4, cudaMemcpyHostToDevice));
    CHECK_CUDA(cudaMemcpy(image.p, w.image.data(), w.image.size(), cudaMemcpyHostToDevice));
    CHECK_CUDA(cudaMemcpy(boxes.p, w.boxes.data(), w.boxes.size() * 4, cudaMemcpyHostToDevice));
    CHECK_CUDA(
        cudaMemcpy(box_ind.p, w.box_ind.data(), w.box_ind.size() * 4, cudaMemcpyHostToDevice));
    const crgb_tensor g_t = on_device(w.grads_t(), grads.p), im_t = on_device(w.image_t(), image.p),
                      bx_t = on_device(w.boxes_t(), boxes.p),
                      bi_t = on_device(w.box_ind_t(), box_ind.p);

    // The reference, on the host.
    std::vector<float> want(out_elems);
    crgb_error err{};
    const crgb_tensor hg = w.grads_t(), him = w.image_t(), hbx = w.boxes_t(), hbi = w.box_ind_t();
    if (crgb_grad_boxes(&hg, &him, &hbx, &hbi, "bilinear", "reference", want.data(),
                        int64_t(out_elems), &err) != CRGB_OK) {
      std::fprintf(stderr, "%s: reference failed: %s\n", name.c_str(), err.message);
      return 1;
    }
    const double bytes = double(w.required_bytes());
    const double copy_ms = median_ms(samples, stream, [&] {
      CHECK_CUDA(cudaMemcpyAsync(copy_dst.p, grads.p, w.grads.size() * 4, cudaMemcpyDeviceToDevice,
                                 stream));
    });
    // A copy reads and writes each byte.
    const double copy_gbps = 2.0 * w.grads.size() * 4 / copy_ms / 1e6;

    const gb::BaselineShape shape{
        int(spec->batch),     int(spec->image_height), int(spec->image_width), int(spec->depth),
        int(spec->num_boxes), int(spec->crop_height),  int(spec->crop_width)};
    auto atomic = [&] {
      cudaError_t e =
          spec->image_dtype == CRGB_UINT8
              ? gb::atomic_grad_boxes(grads.as<float>(), image.as<uint8_t>(), boxes.as<float>(),
                                      box_ind.as<int32_t>(), shape, out.as<float>(), stream)
              : gb::atomic_grad_boxes(grads.as<float>(), image.as<float>(), boxes.as<float>(),
                                      box_ind.as<int32_t>(), shape, out.as<float>(), stream);
      CHECK_CUDA(e);
    };
    const double atomic_ms = median_ms(samples, stream, atomic);
    std::vector<float> got(out_elems);
    CHECK_CUDA(cudaMemcpy(got.data(), out.p, out_elems * 4, cudaMemcpyDeviceToHost));
    rows.push_back({name, "tf_atomic_baseline", atomic_ms, bytes / atomic_ms / 1e6,
                    100.0 * bytes / atomic_ms / 1e6 / copy_gbps, 1.0, rel_err(got, want), false,
                    rel_err(got, want) <= 1e-3});

    for (const std::string &v : cuda_variants) {
      crgb_options o{};
      o.variant = v.c_str();
      o.output_device = CRGB_DEVICE_CUDA;
      o.cuda_stream = stream;
      bool failed = false;
      auto call = [&] {
        if (crgb_grad_boxes_ex(&g_t, &im_t, &bx_t, &bi_t, out.as<float>(), int64_t(out_elems), &o,
                               &err) != CRGB_OK) {
          std::fprintf(stderr, "%s %s: %s\n", name.c_str(), v.c_str(), err.message);
          failed = true;
        }
      };
      const double ms = median_ms(samples, stream, call);
      // Bit-identity over fresh runs: each result copied back and compared.
      std::vector<float> first;
      bool identical = true;
      for (int r = 0; r < repeats && !failed; ++r) {
        CHECK_CUDA(cudaMemsetAsync(out.p, 0xff, out_elems * 4, stream));
        call();
        CHECK_CUDA(
            cudaMemcpyAsync(got.data(), out.p, out_elems * 4, cudaMemcpyDeviceToHost, stream));
        CHECK_CUDA(cudaStreamSynchronize(stream));
        if (r == 0)
          first = got;
        else
          identical = identical && std::memcmp(first.data(), got.data(), out_elems * 4) == 0;
      }
      const double e = failed ? INFINITY : rel_err(first, want);
      const bool ok = !failed && identical && e <= 1e-3;
      all_ok = all_ok && ok;
      rows.push_back({name, v, ms, bytes / ms / 1e6, 100.0 * bytes / ms / 1e6 / copy_gbps,
                      atomic_ms / ms, e, identical, ok});
    }
    rows.push_back({name, "d2d_copy", copy_ms, copy_gbps, 100.0, 0, 0, true, true});
  }

  std::ostringstream md;
  md << "Device: " << prop.name << " (sm_" << prop.major << prop.minor << ", "
     << prop.multiProcessorCount << " SMs); box gradient, device-resident data, median of "
     << samples << " calls; % copy: (grads + touched image bytes) / time over the "
     << "device-to-device copy bandwidth; x atomic: the atomic baseline's time / this one's.\n\n"
     << "| workload | variant | ms | GB/s | % copy | x atomic | max rel err | bit-identical x"
     << repeats << " |\n|---|---|---:|---:|---:|---:|---:|---|\n";
  char line[512];
  for (const Row &r : rows) {
    char ratio[32] = "";
    if (r.vs_atomic > 0) std::snprintf(ratio, sizeof ratio, "%.2f", r.vs_atomic);
    std::snprintf(line, sizeof line, "| %s | %s | %.3f | %.1f | %.1f | %s | %.1e | %s |\n",
                  r.workload.c_str(), r.variant.c_str(), r.ms, r.gbps, r.copy_pct, ratio,
                  r.max_rel_err,
                  r.variant == "d2d_copy"             ? ""
                  : r.variant == "tf_atomic_baseline" ? "no (atomics)"
                  : r.bit_identical                   ? "yes"
                                                      : "NO");
    md << line;
  }
  std::fputs(md.str().c_str(), stdout);
  if (!md_path.empty()) std::ofstream(md_path) << md.str();
  if (!json_path.empty()) {
    std::ofstream j(json_path);
    j << "{\"device\": \"" << prop.name << "\", \"compute_capability\": \"" << prop.major << "."
      << prop.minor << "\", \"samples\": " << samples << ", \"repeats\": " << repeats
      << ", \"records\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row &r = rows[i];
      j << "  {\"workload\": \"" << r.workload << "\", \"variant\": \"" << r.variant
        << "\", \"ms\": " << r.ms << ", \"gbps\": " << r.gbps << ", \"copy_pct\": " << r.copy_pct
        << ", \"x_atomic\": " << r.vs_atomic << ", \"max_rel_err\": " << r.max_rel_err
        << ", \"bit_identical\": " << (r.bit_identical ? "true" : "false")
        << ", \"ok\": " << (r.ok ? "true" : "false") << "}" << (i + 1 < rows.size() ? ",\n" : "\n");
    }
    j << "]}\n";
  }
  return all_ok ? 0 : 1;
}
