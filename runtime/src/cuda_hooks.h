// Routes Halide's CUDA runtime to the caller's context and stream for the
// duration of one call, through Halide 21's hooks (halide_set_cuda_acquire_
// context, _release_context, _get_stream). Outside a crgb call on the same
// thread the hooks defer to whatever was installed before, so another
// Halide-generated library in the process keeps its own behaviour.
#pragma once

namespace crgb::detail::cuda {

struct Placement {
  void *context;  // CUcontext
  void *stream;   // CUstream in it
};

// While alive, Halide's CUDA calls on this thread use `context` and `stream`
// (a CUcontext and CUstream). Also enables Halide's device allocation cache
// (halide_reuse_device_allocations), once per process, so the scratch
// buffers of a call are reused by the next call on the same stream.
class ScopedHalideContext {
 public:
  ScopedHalideContext(void *context, void *stream);
  ~ScopedHalideContext();
  ScopedHalideContext(const ScopedHalideContext &) = delete;
  ScopedHalideContext &operator=(const ScopedHalideContext &) = delete;

 private:
  Placement placement_;
  const Placement *previous_;
};

}  // namespace crgb::detail::cuda
