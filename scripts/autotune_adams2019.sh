#!/usr/bin/env bash
# Adams2019 autotuning experiment (issue #5): Halide's autotune loop
# (share/tools/adams2019_autotune_loop.sh of the wheel), made to run on this
# machine for a bounded number of batches, then the best schedule it found
# set against the hand-written one under the same harness.
#
#   scripts/autotune_adams2019.sh                    # 2 batches of 8 samples, AVX2
#   BATCHES=4 BATCH_SIZE=16 ISA=avx512 scripts/autotune_adams2019.sh
#
# Each batch: compile BATCH_SIZE schedules of this pipeline with Adams2019 using
# the current cost-model weights (sample 0: beam search, beam 32, no dropout;
# the others: random probes biased by the model, beam 1, dropout 1%), benchmark
# each with Halide's RunGen (--estimate_all: W1-shaped random inputs, the
# estimates of generate()), turn the featurizations and runtimes into training
# samples, and retrain the cost model on every sample so far. The first batch
# starts from Adams2019's built-in weights. The wheel's script itself cannot be
# used as is: it expects Halide's source-tree layout (distrib/tools, one
# autoscheduler bin folder) and a starting weights file the wheel lacks, and
# hard-codes 32 threads and 32 samples per batch.
#
# Results go to build-autotune/ (not checked in): best.schedule.h, report.txt.
# If the best schedule beats the hand-written one, check it in by hand as
# schedules/auto/x86_<isa>_adams2019_autotuned.schedule.h (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
halide=$(echo "$root"/.venv/lib/python3*/site-packages/halide)
BATCHES=${BATCHES:-2}
BATCH_SIZE=${BATCH_SIZE:-8}
ISA=${ISA:-avx2}
THREADS=${THREADS:-$(nproc)}
case "$ISA" in
avx2) target=x86-64-linux-sse41-avx-avx2-fma-f16c ;;
avx512) target=x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake ;;
*) echo "ISA must be avx2 or avx512" >&2; exit 2 ;;
esac
out=${OUT_DIR:-$root/build-autotune}/$ISA
build=${BUILD_DIR:-build-autoschedule}

.venv/bin/cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRGB_BUILD_TESTS=OFF >/dev/null
.venv/bin/cmake --build "$build" --target crgb.generator >/dev/null
gen="$root/$build/generators/crgb.generator"
mkdir -p "$out"
cxx=${CXX:-c++}

# RunGen's main, compiled once.
if [[ ! -f $out/RunGenMain.o ]]; then
  $cxx -std=c++17 -O2 -I "$halide/include" -DHALIDE_NO_PNG -DHALIDE_NO_JPEG \
    -c "$halide/share/tools/RunGenMain.cpp" -o "$out/RunGenMain.o"
fi

# link_bench DIR: the RunGen benchmark of the pipeline the generator wrote to DIR.
link_bench() {
  $cxx -std=c++17 -I "$halide/include" "$1"/*.registration.cpp "$out/RunGenMain.o" "$1"/*.a \
    -o "$1/bench" -ldl -lpthread
}
# run_bench DIR: seconds per run, best case (RunGen's benchmark), or empty.
run_bench() {
  HL_NUM_THREADS=$THREADS timeout 120 "$1/bench" --estimate_all --benchmarks=all \
    >"$1/bench.txt" 2>&1 || true
  awk '/^Benchmark for/ { print $8 }' "$1/bench.txt"
}

# The hand-written schedule of the same ISA, under the same harness.
hand=$out/hand_written
if [[ ! -x $hand/bench ]]; then
  mkdir -p "$hand"
  "$gen" -g crop_and_resize_grad_boxes -f hand -o "$hand" -e static_library,c_header,registration \
    target="$target" image_type=float32 schedule="$ISA"
  link_bench "$hand"
fi
hand_s=$(run_bench "$hand")
echo "hand-written $ISA: $hand_s s"

weights=$out/updated.weights
first=$( (ls -d "$out"/batch_* 2>/dev/null || true) | sed 's|.*/batch_||' | sort -n | tail -1)
first=${first:-0}
for ((batch = first + 1; batch <= first + BATCHES; batch++)); do
  SECONDS=0
  dir=$out/batch_$batch
  mkdir -p "$dir"
  weights_arg=""
  [[ -f $weights ]] && weights_arg="autoscheduler.weights_path=$weights"
  echo -n "batch $batch: compiling $BATCH_SIZE samples"
  for ((s = 0; s < BATCH_SIZE; s++)); do
    while (($(jobs -r | wc -l) >= $(nproc))); do sleep 1; done
    (
      d=$dir/$s
      mkdir -p "$d"
      if ((s == 0)); then beam=32 dropout=100; else beam=1 dropout=1; fi
      fname=$(printf "crgb_batch_%04d_sample_%04d" "$batch" "$s")
      timeout 600 "$gen" -g crop_and_resize_grad_boxes -f "$fname" -o "$d" \
        -e static_library,c_header,registration,schedule,featurization \
        -p "$halide/lib64/libautoschedule_adams2019.so" target="$target" image_type=float32 \
        autoscheduler=Adams2019 autoscheduler.parallelism="$THREADS" \
        autoscheduler.beam_size=$beam autoscheduler.random_dropout=$dropout \
        autoscheduler.random_dropout_seed=$((batch * 10000 + s)) $weights_arg \
        >"$d/compile_log.txt" 2>&1 && link_bench "$d" >>"$d/compile_log.txt" 2>&1 ||
        echo "compile failed: $d" >>"$dir/failures.txt"
    ) &
    echo -n .
  done
  wait
  echo " benchmarking"
  for ((s = 0; s < BATCH_SIZE; s++)); do
    d=$dir/$s
    [[ -x $d/bench ]] || continue
    r=$(run_bench "$d")
    [[ -n $r ]] || continue
    echo "  sample $s: $r s"
    fname=$(printf "crgb_batch_%04d_sample_%04d" "$batch" "$s")
    "$halide/bin/featurization_to_sample" "$d/$fname.featurization" "$r" 0 \
      "$(printf "%04d%04d" "$batch" "$s")" "$d/$fname.sample" || true
  done
  echo "  retraining the cost model on every sample so far"
  # The wheel ships Adams2019's built-in weights only inside the plugin, not as
  # a file the retrainer can start from, so the first retraining starts from
  # random weights (the first batch's schedules still come from the built-in model).
  init="--randomize_weights=1"
  [[ -f $weights ]] && init="--initial_weights=$weights"
  # shellcheck disable=SC2086
  find "$out" -name "*.sample" | "$halide/bin/adams2019_retrain_cost_model" \
    --epochs="$BATCH_SIZE" --rates=0.0001 --num_cores="$THREADS" $init \
    --weights_out="$weights" --best_benchmark="$out/best.benchmark.txt" \
    --best_schedule="$out/best.schedule.h" >"$dir/retrain_log.txt" 2>&1 || echo "  retrain failed: $dir/retrain_log.txt"
  echo "batch $batch took $SECONDS s"
done

# The best sample over every batch so far, by its RunGen time.
best=$(for f in "$out"/batch_*/*/bench.txt; do
  t=$(awk '/^Benchmark for/ { print $8 }' "$f")
  [[ -n $t ]] && echo "$t $(dirname "$f")"
done | sort -g | head -1)
best_s=${best%% *}
best_dir=${best#* }
cp "$best_dir"/*.schedule.h "$out/best.schedule.h"
{
  echo "Adams2019 autotuning, $ISA ($target), $(date -u +%F), Halide $(.venv/bin/python -c "import importlib.metadata as m; print(m.version('halide'))")"
  echo "batches so far: $(ls -d "$out"/batch_* | wc -l), $BATCH_SIZE samples each, $THREADS threads"
  echo "harness: RunGen --estimate_all (W1 shape, random inputs), best case per run"
  echo "hand-written $ISA: $(awk -v t="$hand_s" 'BEGIN { printf "%.3f ms", t * 1000 }')"
  echo "best autotuned:  $(awk -v t="$best_s" 'BEGIN { printf "%.3f ms", t * 1000 }') ($best_dir)"
  awk -v h="$hand_s" -v b="$best_s" 'BEGIN { printf "hand / autotuned = %.2f: %s\n", h / b, \
    (b < h ? "the autotuned schedule wins" : "the hand-written schedule wins") }'
} | tee "$out/report.txt"
