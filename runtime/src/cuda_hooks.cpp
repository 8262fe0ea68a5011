#include "cuda_hooks.h"

#include <HalideRuntime.h>
#include <HalideRuntimeCuda.h>

#include <mutex>

namespace crgb::detail::cuda {
namespace {

// The call in progress on this thread. Halide calls the hooks on the thread
// that runs the pipeline's host code, which for the CUDA schedules (no
// parallel host loops) is the calling thread.
thread_local const Placement *current = nullptr;

halide_cuda_acquire_context_t previous_acquire = nullptr;
halide_cuda_release_context_t previous_release = nullptr;
halide_cuda_get_stream_t previous_get_stream = nullptr;

int acquire(void *user_context, void **context, bool create) {
  if (current != nullptr) {
    *context = current->context;
    return 0;
  }
  return previous_acquire(user_context, context, create);
}

int release(void *user_context) {
  return current != nullptr ? 0 : previous_release(user_context);
}

int get_stream(void *user_context, void *context, void **stream) {
  if (current != nullptr && context == current->context) {
    *stream = current->stream;
    return 0;
  }
  return previous_get_stream(user_context, context, stream);
}

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    previous_acquire = halide_set_cuda_acquire_context(acquire);
    previous_release = halide_set_cuda_release_context(release);
    previous_get_stream = halide_set_cuda_get_stream(get_stream);
    // Intermediates and copies of host inputs go back to a free list keyed by
    // (context, stream) instead of cuMemFree, which would synchronise the
    // device on every call. Process-wide: Halide has one such setting.
    halide_reuse_device_allocations(nullptr, true);
  });
}

}  // namespace

ScopedHalideContext::ScopedHalideContext(void *context, void *stream)
    : placement_{context, stream}, previous_(current) {
  install();
  current = &placement_;
}

ScopedHalideContext::~ScopedHalideContext() {
  current = previous_;
}

}  // namespace crgb::detail::cuda
