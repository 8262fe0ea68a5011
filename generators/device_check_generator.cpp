// The data checks of SEMANTICS.md ("Validation") for inputs already in GPU
// memory: box_ind in [0, batch) and every box coordinate finite. The library
// runs this before the op on device-resident data and copies back only the
// 4-byte result, so the inputs never leave the device.
//
// worst() = kOutOfRange if any box index is outside [0, batch), else
//           kNonFinite  if any box coordinate is NaN or infinite, else 0:
// the maximum of a per-box code whose order is TensorFlow's order of checks
// (the range check first), so the GPU's order of visiting boxes cannot matter.

#include "Halide.h"

namespace {

using namespace Halide;

// Must match runtime/src/cuda_call.cpp.
constexpr int kNonFinite = 1;
constexpr int kOutOfRange = 2;

class DeviceCheck : public Generator<DeviceCheck> {
 public:
  // boxes(c, b), box_ind(b): as in crop_and_resize_grad_boxes.
  Input<Buffer<float, 2>> boxes{"boxes"};
  Input<Buffer<int32_t, 1>> box_ind{"box_ind"};
  Input<int32_t> batch{"batch"};
  Output<Buffer<int32_t, 0>> worst{"worst"};

  void generate() {
    Var b("b");
    // The exponent bits, not is_finite(): a bit test cannot be folded away by
    // any floating-point optimisation.
    auto non_finite = [&](int c) {
      const Expr exponent = cast<uint32_t>(Expr(0x7f800000));
      return (reinterpret<uint32_t>(boxes(c, b)) & exponent) == exponent;
    };
    Func code("code");
    code(b) =
        select(box_ind(b) < 0 || box_ind(b) >= batch, kOutOfRange,
               non_finite(0) || non_finite(1) || non_finite(2) || non_finite(3), kNonFinite, 0);
    samples_ = RDom(0, box_ind.dim(0).extent(), "boxes");
    // Only boxes with a problem update the result, so valid input (the usual
    // case) performs no memory write at all.
    samples_.where(code(samples_) != 0);
    worst() = 0;
    worst() = max(worst(), code(samples_));
  }

  void schedule() {
    if (!get_target().has_feature(Target::CUDA))
      throw CompileError("device_check is for CUDA targets, got " + get_target().to_string());
    // One kernel clears the result, one checks a box per thread. The max is
    // atomic: an integer max is exact and order-free, so the result does not
    // depend on which thread gets there first (no float sum is involved).
    RVar block("block"), thread("thread");
    worst.gpu_single_thread();
    worst.update()
        .atomic()
        .split(samples_.x, block, thread, 256, TailStrategy::GuardWithIf)
        .gpu_blocks(block)
        .gpu_threads(thread);
  }

 private:
  RDom samples_;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(DeviceCheck, crgb_device_check)
