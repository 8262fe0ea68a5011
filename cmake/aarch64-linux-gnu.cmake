# CMake toolchain file: cross-build crgb for aarch64 Linux on an x86-64 Debian 12
# host (docs/arm.md). Stage 2 of Halide's two-stage cross build: the
# generator is not built here but imported from a host build
# (CRGB_HOST_BUILD_DIR, top-level CMakeLists.txt), which emits arm-64-linux
# objects; everything else (library, dispatcher, CLI, GoogleTest suite) is
# compiled by Debian's aarch64-linux-gnu toolchain.
#
# Packages (scripts/setup.sh): g++-aarch64-linux-gnu, qemu-user, and through
# Debian multiarch (dpkg --add-architecture arm64) zlib1g-dev:arm64,
# libgtest-dev:arm64 and libstdc++6:arm64. The -dev packages install into
# /usr/lib/aarch64-linux-gnu, where find_package finds them by
# CMAKE_LIBRARY_ARCHITECTURE; no sysroot: the cross compiler searches the
# multiarch paths itself.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# ctest (add_test, gtest_discover_tests) runs every aarch64 program under
# user-mode QEMU. The programs load the multiarch arm64 loader and libraries
# (/lib/ld-linux-aarch64.so.1, libc6:arm64, libstdc++6:arm64): one consistent
# glibc. Not `-L /usr/aarch64-linux-gnu`: with libc6:arm64 installed, the
# cross toolchain's loader would pick up the multiarch libc through the host's
# ld.so.cache, a loader and libc of different builds, and pthread_create hangs.
find_program(CRGB_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${CRGB_QEMU_AARCH64}")

# Link zlib statically, so the programs need no arm64 zlib at run time.
set(ZLIB_USE_STATIC_LIBS ON)
