#!/usr/bin/env bash
# The install tree, consumed as a program outside the repository would
# (registered by CMakeLists.txt here as the ctest "install.consumer"):
#   1. cmake --install of the build tree into a temporary prefix, then moved
#      elsewhere: nothing may depend on where it was installed;
#   2. the layout; no path of this machine's source, build or Python
#      environment in any installed file; no libHalide; only the C API's
#      symbols with default visibility in libcrgb.a;
#   3. the installed examples built with find_package (CMAKE_PREFIX_PATH = the
#      prefix, Halide disabled), also from a C-only project, and run;
#   4. the same programs built with pkg-config and plain cc/c++ command lines,
#      the single-variant recipe of the README, and run;
#   5. a program that also links another Halide-generated library with its
#      own runtime (two_runtimes.cpp), statically, and through a shared object
#      made from libcrgb.a that exports none of crgb's internals and keeps its
#      Halide runtime private.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
while (($#)); do
  case $1 in
    --cmake) cmake=$2 ;;
    --generator) generator=$2 ;;
    --make-program) make_program=$2 ;;
    --build-dir) build=$2 ;;
    --pkg-config) pkg_config=$2 ;;
    --other-lib) other_lib=$2 ;;
    --other-runtime) other_runtime=$2 ;;
    --other-include) other_include=$2 ;;
    *) echo "consumer_test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
if [ -z "${pkg_config:-}" ] || [ ! -x "$pkg_config" ]; then
  echo "FAIL: pkg-config not found (scripts/setup.sh installs Debian's pkg-config)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/crgb-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

# Nothing of this build's environment: no search paths, no Halide, no venv.
unset CMAKE_PREFIX_PATH CMAKE_INCLUDE_PATH CMAKE_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR \
      CPATH C_INCLUDE_PATH CPLUS_INCLUDE_PATH LIBRARY_PATH LD_LIBRARY_PATH Halide_DIR \
      HalideHelpers_DIR VIRTUAL_ENV PYTHONPATH CRGB_VARIANT
PATH=$(tr ':' '\n' <<<"$PATH" | grep -v "^$src" | paste -sd: -)

step "install into a temporary prefix, then move it"
"$cmake" --install "$build" --prefix "$work/staged" >"$work/install.log"
mv "$work/staged" "$work/prefix"
prefix=$work/prefix
lib=$prefix/lib

step "layout"
for f in include/crgb/crgb.h include/crgb/crgb.hpp include/crgb/halide/HalideRuntime.h \
         include/crgb/halide/HalideBuffer.h lib/libcrgb.a lib/libcrgb_halide_runtime.a \
         lib/cmake/crgb/crgbConfig.cmake lib/cmake/crgb/crgbConfigVersion.cmake \
         lib/pkgconfig/crgb.pc share/crgb/examples/CMakeLists.txt share/crgb/examples/example.c \
         share/crgb/examples/example.cpp share/crgb/examples/single_variant.c \
         share/doc/crgb/Halide-LICENSE.txt; do
  [ -f "$prefix/$f" ] || fail "missing $f"
done
n_runtimes=$(find "$prefix" -name '*halide_runtime*' | wc -l)
[ "$n_runtimes" -eq 1 ] || fail "$n_runtimes Halide runtimes installed, want 1"
n_variant_libs=$(find "$lib" -name 'libcrgb_*_*.a' ! -name 'libcrgb_halide_runtime.a' | wc -l)
n_variant_headers=$(find "$prefix/include/crgb/variants" -name 'crgb_*.h' | wc -l)
[ "$n_variant_libs" -gt 0 ] && [ "$n_variant_libs" -eq "$n_variant_headers" ] ||
  fail "$n_variant_libs variant libraries, $n_variant_headers variant headers"
echo "$n_variant_libs variant libraries and headers, one runtime"

step "no build-machine path, no libHalide"
for needle in "$src" "$(cd "$build" && pwd)" "$work/staged" site-packages .venv; do
  if hits=$(grep -rlaF -- "$needle" "$prefix"); then
    fail "installed files mention '$needle': $hits"
  fi
done
if find "$prefix" -iname '*libHalide*' | grep -q .; then fail "libHalide installed"; fi

step "libcrgb.a: default visibility only for the C API"
exported=$(readelf -sW "$lib/libcrgb.a" |
           awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" {print $8}' | sort -u)
echo "$exported"
api=$(grep -o '^CRGB_API [^(]*(' "$prefix/include/crgb/crgb.h" | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u)
[ "$exported" = "$api" ] || fail "default-visibility symbols differ from crgb.h's CRGB_API functions"

step "find_package (CMake)"
cmake_args=(-G "$generator" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" --no-warn-unused-cli
            -DCMAKE_DISABLE_FIND_PACKAGE_Halide=ON -DCMAKE_DISABLE_FIND_PACKAGE_HalideHelpers=ON)
[ -z "${make_program:-}" ] || cmake_args+=(-DCMAKE_MAKE_PROGRAM="$make_program")
"$cmake" -S "$prefix/share/crgb/examples" -B "$work/fp" "${cmake_args[@]}" >"$work/fp.log" ||
  { cat "$work/fp.log"; fail "configure with find_package"; }
"$cmake" --build "$work/fp" >>"$work/fp.log" || { cat "$work/fp.log"; fail "build with find_package"; }
"$work/fp/example_c"
"$work/fp/example_cpp"
if [ -x "$work/fp/single_variant" ]; then "$work/fp/single_variant"; fi

step "find_package from a C-only project"
mkdir -p "$work/c_only"
cat >"$work/c_only/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(c_only LANGUAGES C)
find_package(crgb 0.2 REQUIRED)
add_executable(example_c "$prefix/share/crgb/examples/example.c")
target_link_libraries(example_c PRIVATE crgb::crgb)
EOF
"$cmake" -S "$work/c_only" -B "$work/c_only/build" "${cmake_args[@]}" >"$work/c_only.log" &&
  "$cmake" --build "$work/c_only/build" >>"$work/c_only.log" ||
  { cat "$work/c_only.log"; fail "C-only project with find_package"; }
"$work/c_only/build/example_c" >/dev/null && echo "ok"

step "pkg-config and plain cc/c++"
export PKG_CONFIG_PATH=$lib/pkgconfig
pc() { "$pkg_config" "$@"; }
version=$(pc --modversion crgb)
echo "crgb.pc version $version"
ex=$prefix/share/crgb/examples
(set -x
 cc -O2 "$ex/example.c" -DCRGB_EXPECTED_VERSION="\"$version\"" $(pc --cflags --static --libs crgb) \
    -o "$work/pc_example_c"
 c++ -O2 -std=c++17 "$ex/example.cpp" -DCRGB_EXPECTED_VERSION="\"$version\"" \
     $(pc --cflags --static --libs crgb) -o "$work/pc_example_cpp")
"$work/pc_example_c"
"$work/pc_example_cpp"
if [ -f "$lib/libcrgb_grad_boxes_avx2_manual_float32.a" ]; then
  # The README's single-variant recipe: one variant library and the runtime.
  (set -x
   cc -O2 "$ex/single_variant.c" $(pc --cflags crgb) -L"$(pc --variable=libdir crgb)" \
      -lcrgb_grad_boxes_avx2_manual_float32 -lcrgb_halide_runtime -lpthread -ldl -o "$work/pc_single_variant")
  "$work/pc_single_variant"
fi

step "with another Halide-generated library and its own runtime"
(set -x
 c++ -O2 -std=c++17 "$here/two_runtimes.cpp" -I"$other_include" $(pc --cflags crgb) \
     "$other_lib" "$other_runtime" $(pc --static --libs crgb) -o "$work/two_runtimes")
"$work/two_runtimes"

step "a shared object made from libcrgb.a, its runtime kept private (README)"
(set -x
 c++ -shared -o "$work/libcrgb_private.so" -Wl,--whole-archive "$lib/libcrgb.a" -Wl,--no-whole-archive \
     -Wl,--exclude-libs,libcrgb_halide_runtime.a $(pc --static --libs crgb))
dynamic=$(nm -D --defined-only "$work/libcrgb_private.so")
grep -q ' T crgb_grad_boxes$' <<<"$dynamic" || fail "the shared object does not export crgb_grad_boxes"
if grep -E ' (_ZN4crgb|_ZTVN4crgb|_ZTIN4crgb|halide_)' <<<"$dynamic"; then
  fail "the shared object exports crgb's internals or Halide's runtime"
fi
(set -x
 c++ -O2 -std=c++17 "$here/two_runtimes.cpp" -I"$other_include" $(pc --cflags crgb) \
     "$other_lib" "$other_runtime" -L"$work" -lcrgb_private -Wl,-rpath,"$work" \
     -o "$work/two_runtimes_shared")
"$work/two_runtimes_shared"

echo
echo "consumer test passed"
