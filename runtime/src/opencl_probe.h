// Whether this machine has an OpenCL device the OpenCL variants can run on:
// the ICD loader (libOpenCL.so.1) loaded at run time, so the library links and
// runs without it, and only the first question about an OpenCL variant loads it.
#pragma once

#include <string>

namespace crgb::detail::opencl {

// "" when some platform has a device with cl_khr_fp64 (the variants are built
// with cl_doubles), else why not: "libOpenCL.so.1: cannot open shared object
// file...", "no OpenCL platform", "no OpenCL device has cl_khr_fp64 (...)".
// Looked up once per process (thread-safe).
const std::string &problem();

}  // namespace crgb::detail::opencl
