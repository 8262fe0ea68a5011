#!/usr/bin/env bash
# Regenerate every checked-in autoscheduled schedule (schedules/auto/) with the
# autoschedulers that ship with Halide 21: the one command for issue #5.
#
#   scripts/regenerate_autoschedules.sh            # all targets, all autoschedulers
#   ONLY="x86_avx2_adams2019" scripts/regenerate_autoschedules.sh   # a subset
#
# An ordinary build never runs an autoscheduler: it compiles the generator with
# these files and applies one by name (GeneratorParam autoscheduled). This
# script builds the generator alone in build-autoschedule/, runs it once per
# (target, autoscheduler) with `-e schedule` on the estimates of generate() (W1,
# image_type=float32), and writes schedules/auto/<target>_<autoscheduler>.schedule.h
# with a header recording the Halide version, parameters, machine and date.
#
# Machine parameters: parallelism = this machine's cores (nproc); Mullapudi2016's
# last_level_cache_size = this machine's L3 (lscpu). Adams2019 and Li2018 take
# no cache parameter (Adams2019's cost model is trained; Li2018 has none); the
# caches are recorded in the header all the same. Override with PARALLELISM=,
# LLC_BYTES=.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
halide=$(echo "$root"/.venv/lib/python3*/site-packages/halide)
build=${BUILD_DIR:-build-autoschedule}

.venv/bin/cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCRGB_BUILD_TESTS=OFF >/dev/null
.venv/bin/cmake --build "$build" --target crgb.generator >"$build/generator-build.log" 2>&1 || { cat "$build/generator-build.log"; exit 1; }
gen="$build/generators/crgb.generator"

version=$(.venv/bin/python -c "import importlib.metadata as m; print(m.version('halide'))")
cache() { lscpu -B -C=NAME,ONE-SIZE | awk -v n="$1" '$1 == n { print $2 }'; }
l1d=$(cache L1d); l2=$(cache L2); l3=$(cache L3)
model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
PARALLELISM=${PARALLELISM:-$(nproc)}
LLC_BYTES=${LLC_BYTES:-${l3:-16777216}}
today=$(date -u +%F)

# <name>|<Halide target>; the name prefixes the file and the variant (cmake/CrgbVariants.cmake).
# "gpu" is made for CUDA and applied to the CUDA and OpenCL variants alike (a
# schedule in Halide's GPU API names no GPU language).
targets=(
  "x86_avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
  "x86_avx512|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
  "arm_neon|arm-64-linux"
  "gpu|x86-64-linux-cuda-cuda_capability_80"
)
autoschedulers=(Adams2019 Li2018 Mullapudi2016 Anderson2021)  # Anderson2021: GPU only

# For the GPU: Mullapudi2016 (experimental_gpu_schedule=1) and Anderson2021;
# docs/autoschedulers.md#on-the-gpu has the details. Not made:
#   Li2018      its GPU schedule sums box_sums with .atomic(): the order of the
#               additions, so the result's rounding, changes from run to run;
#   Adams2019   has no GPU mode.
# (Anderson2021 aborted in its cost model, GPUMemInfo.h:69 total_bytes_used <=
# total_bytes, while the sampling tables' Tuple mixed a 1-byte flag with 4-byte
# values; the generator's flag is 32-bit on GPU targets since.)
gpu_skipped() {  # autoscheduler -> the reason, or nothing if it runs for "gpu"
  case "$1" in
  Li2018) echo "its GPU schedule reduces with .atomic() (nondeterministic order)" ;;
  Adams2019) echo "it has no GPU mode" ;;
  esac
}


# No ARM machine here: the arm-64 schedules are made for an assumed 4-core
# Cortex-A72-class part (ARM_PARALLELISM, ARM_LLC_BYTES: 4 cores, 1 MiB shared L2
# as last level), said in their headers.
ARM_PARALLELISM=${ARM_PARALLELISM:-4}
ARM_LLC_BYTES=${ARM_LLC_BYTES:-1048576}

# No GPU here either: the GPU schedule is made for an assumed A100-class part
# (GPU_PARALLELISM streaming multiprocessors, GPU_LLC_BYTES of L2), the oldest
# the CUDA variant supports (sm_80).
GPU_PARALLELISM=${GPU_PARALLELISM:-108}
GPU_LLC_BYTES=${GPU_LLC_BYTES:-41943040}

params_for() {  # autoscheduler, target name
  if [[ $2 == gpu ]]; then
    if [[ $1 == Mullapudi2016 ]]; then
      echo "autoscheduler.experimental_gpu_schedule=1 autoscheduler.parallelism=$GPU_PARALLELISM autoscheduler.last_level_cache_size=$GPU_LLC_BYTES"
    else
      PARALLELISM=$GPU_PARALLELISM params_for_machine "$1"
    fi
  elif [[ $2 == arm_* ]]; then
    PARALLELISM=$ARM_PARALLELISM LLC_BYTES=$ARM_LLC_BYTES params_for_machine "$1"
  else
    params_for_machine "$1"
  fi
}

params_for_machine() {
  case "$1" in
  Adams2019) echo "autoscheduler.parallelism=$PARALLELISM" ;;
  Li2018) echo "autoscheduler.parallelism=$PARALLELISM" ;;
  Mullapudi2016) echo "autoscheduler.parallelism=$PARALLELISM autoscheduler.last_level_cache_size=$LLC_BYTES" ;;
  Anderson2021) echo "autoscheduler.parallelism=$PARALLELISM" ;;
  esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p schedules/auto
failed=0
for t in "${targets[@]}"; do
  tname=${t%%|*}
  target=${t#*|}
  for as in "${autoschedulers[@]}"; do
    lower=$(echo "$as" | tr '[:upper:]' '[:lower:]')
    name=${tname}_${lower}
    if [[ -n ${ONLY:-} && " $ONLY " != *" $name "* ]]; then continue; fi
    if [[ $tname != gpu && $as == Anderson2021 ]]; then continue; fi
    if [[ $tname == gpu && -n $(gpu_skipped "$as") ]]; then
      echo "== $name: not made ($(gpu_skipped "$as"))"
      continue
    fi
    params=$(params_for "$as" "$tname")
    echo "== $name"
    start=$SECONDS
    # shellcheck disable=SC2086
    if ! "$gen" -g crop_and_resize_grad_boxes -f "$name" -o "$tmp" -e schedule \
      -p "$halide/lib64/libautoschedule_$lower.so" target="$target" image_type=float32 \
      autoscheduler="$as" $params >"$tmp/$name.log" 2>&1; then
      echo "   FAILED (log follows)"
      sed 's/^/   /' "$tmp/$name.log"
      failed=1
      continue
    fi
    raw="$tmp/$name.schedule.h"
    if [[ $as == Li2018 ]]; then
      .venv/bin/python scripts/li2018_to_cpp.py "$raw" "$tmp/$name.cpp.h"
      raw="$tmp/$name.cpp.h"
    fi
    # The one change to what the autoschedulers emit: every split guards its
    # tail (GuardWithIf). Their ShiftInwards and RoundUp (explicit, or Auto's
    # default on a compute_root Func) assume each extent is at least its split
    # factor, as in the estimates (W1: 512 boxes); with fewer boxes the
    # pipeline reads outside its inputs and Halide's bounds check fails, e.g.
    # "Input buffer boxes is accessed at -26, which is before the min (0) in
    # dimension 1" (avx2_adams2019 with 6 boxes).
    sed -i -E -e 's/TailStrategy::(ShiftInwards|RoundUp)/TailStrategy::GuardWithIf/g' \
      -e 's/\.split\(([^,()]+), ([^,()]+), ([^,()]+), ([0-9]+)\)/.split(\1, \2, \3, \4, TailStrategy::GuardWithIf)/g' "$raw"
    # Mullapudi2016 for arm-64 reorders the RDom's x but declares only the
    # RVars it split (samples$y, samples$z): declare any samples$<dim> used and
    # missing, from box_sums' update, as the others are.
    .venv/bin/python - "$raw" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
used = set(re.findall(r"samples\$([xyz])\b", text))
declared = set(re.findall(r"RVar samples\$([xyz])\(", text))
for dim in sorted(used - declared):
    idx = "xyz".index(dim)
    decl = (f"        RVar samples${dim}(box_sums.update(0).get_schedule().rvars()[{idx}].var);\n")
    text = re.sub(r"\n(?=        RVar samples\$)", lambda m: "\n" + decl, text, count=1)
# Mullapudi2016's GPU mode (Halide 21) emits "F.split(v, v_vo, v_vi, 32)gpu(v_vo,
# v_vi);": no dot, a directive named gpu, and v_vo, v_vi never declared. Read
# it as gpu_blocks(v_vo).gpu_threads(v_vi), declaring both after v's line.
text = re.sub(r"\)gpu\((\w+), (\w+)\)", r").gpu_blocks(\1).gpu_threads(\2)", text)
def declare(m):
    var = m.group(2)
    extra = [n for n in (var + "_vo", var + "_vi") if n in text]
    return m.group(0) + "".join(f"\n{m.group(1)}Var {n}(\"{n}\");" for n in extra)
text = re.sub(r"^( *)Var (\w+) = \w+\.args\(\)\[\d+\];", declare, text, flags=re.M)
# Anderson2021 (Halide 21) redeclares the function's own parameter:
# "auto pipeline = get_pipeline();" does not compile; the parameter is the same.
text = re.sub(r"^ *auto pipeline = get_pipeline\(\);\n", "", text, flags=re.M)
# It also writes ".reorder(v)" of a single variable, a no-op that Halide's C++
# API does not accept (reorder takes two or more): dropped.
text = re.sub(r"\n *\.reorder\(\w+\)(?=\n)", "", text)
open(path, "w").write(text)
PY
    {
      echo "// Checked in by scripts/regenerate_autoschedules.sh: regenerate, do not edit."
      echo "// Autoscheduler: $as (Halide $version, PyPI wheel), $today."
      echo "// Target: $target"
      echo "// Parameters: autoscheduler=$as $params"
      if [[ $tname == gpu ]]; then
        echo "// Machine: none (no GPU here); assumed $GPU_PARALLELISM SMs and an L2 of"
        echo "//   $((GPU_LLC_BYTES / 1048576)) MiB (A100 class). Generated on $model. Applied to the"
        echo "//   CUDA and OpenCL variants alike."
      elif [[ $tname == arm_* ]]; then
        echo "// Machine: none (no ARM hardware here); assumed $ARM_PARALLELISM cores and a"
        echo "//   last-level cache of $((ARM_LLC_BYTES / 1024)) KiB (Cortex-A72 class). Generated on $model."
      else
        echo "// Machine: $model, $(nproc) cores; caches L1d $((l1d / 1024)) KiB/core,"
        echo "//   L2 $((l2 / 1024)) KiB/core, L3 $((l3 / 1048576)) MiB shared."
      fi
      echo "// Estimates: W1 (generate()), image_type=float32; the same schedule is applied"
      echo "// to every image dtype. Applied by the generator when autoscheduled=$name."
      echo "// Changed from the autoscheduler's output: every tail strategy is GuardWithIf"
      echo "// (its ShiftInwards/RoundUp read outside the inputs when num_boxes < a split"
      echo "// factor); see scripts/regenerate_autoschedules.sh."
      echo
      cat "$raw"
    } >"schedules/auto/$name.schedule.h"
    echo "   ok ($((SECONDS - start)) s) -> schedules/auto/$name.schedule.h"
  done
done
exit $failed
