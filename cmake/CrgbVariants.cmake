# The variants table: one row per variant, expanded with foreach into one
# static library per (variant, image dtype), named crgb_<isa>_<schedule>_<dtype>.
#
# Row: <variant name>|<isa>|<schedule>|<required CPU features>|<pinned Halide target>
# <schedule> is "manual" (the hand-written schedule of <isa>, schedules/) or the
# autoscheduler whose checked-in schedule the variant applies (adams2019,
# li2018, mullapudi2016: schedules/auto/<arch>_<isa>_<schedule>.schedule.h,
# made by scripts/regenerate_autoschedules.sh; the build never runs one).
# The required features are what the dispatcher checks (runtime/src/cpu_features.cpp)
# before it ever calls the variant; for a CUDA row (target with "cuda") they are
# the GPU's minimum compute capability, sm_XY (runtime/src/cuda_driver.cpp); for
# an OpenCL row (target with "opencl"), "opencl": an OpenCL device with
# cl_khr_fp64 (runtime/src/opencl_probe.cpp).
# Targets are pinned, never "host". A build
# uses only the rows whose target's arch-bits-os triple is the one it compiles
# for (Halide_CMAKE_TARGET): the x86-64 rows natively, the arm-64 rows in the
# aarch64 cross build (cmake/aarch64-linux-gnu.cmake).
set(CRGB_VARIANTS
    "sse41|sse41|manual|sse41|x86-64-linux-sse41"
    "avx2|avx2|manual|avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
    "avx512|avx512|manual|avx512_skylake|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
    "neon|neon|manual|neon|arm-64-linux"
    "neon_fp16|neon_fp16|manual|neon-fp16|arm-64-linux-arm_fp16"
    # CUDA (issue #4; schedules/cuda_schedule.h): device-resident data, or host
    # data by name; never chosen for host data automatically. One row serves
    # Ampere and Hopper: cuda_capability_86, the highest Halide 21 offers (it
    # has no 89 or 90), gives PTX byte-identical to 80's but for its .target
    # line and would not load on an A100 (8.0); the driver JIT-compiles sm_80
    # PTX for any later GPU, and tests/cuda assembles it for sm_80 and sm_90.
    "cuda_sm80|cuda|manual|sm_80|x86-64-linux-cuda-cuda_capability_80"
    # OpenCL (issue #19): the same GPU schedules (schedules/gpu_schedule.h,
    # grad_boxes_gpu_schedule.h) lowered to OpenCL C, which the driver
    # compiles at the first call. Host data only, copied to the device and
    # back; listed where an OpenCL platform has a device with cl_khr_fp64
    # (cl_doubles: the crop-1 centre is computed in double) and run by name
    # only. CI runs them on PoCL, an OpenCL platform on the CPU. No float16:
    # cl_khr_fp16 is optional and PoCL lacks it, so float16 is Unimplemented.
    "opencl|opencl|manual|opencl|x86-64-linux-opencl-cl_doubles"
    # Autoscheduled (issue #5): listed and run by name, never chosen automatically.
    "avx2_adams2019|avx2|adams2019|avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
    "avx2_li2018|avx2|li2018|avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
    "avx2_mullapudi2016|avx2|mullapudi2016|avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
    "avx512_adams2019|avx512|adams2019|avx512_skylake|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
    "avx512_li2018|avx512|li2018|avx512_skylake|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
    "avx512_mullapudi2016|avx512|mullapudi2016|avx512_skylake|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
    "neon_adams2019|neon|adams2019|neon|arm-64-linux"
    "neon_li2018|neon|li2018|neon|arm-64-linux"
    "neon_mullapudi2016|neon|mullapudi2016|neon|arm-64-linux"
    # The GPU autoschedules (schedules/auto/gpu_<autoscheduler>.schedule.h),
    # each one schedule for CUDA and OpenCL (docs/autoschedulers.md#on-the-gpu).
    # Table order keeps cuda_sm80 the automatic choice for CUDA data (ties in
    # compute capability go to the earlier row).
    "cuda_anderson2021|cuda|anderson2021|sm_80|x86-64-linux-cuda-cuda_capability_80"
    "cuda_mullapudi2016|cuda|mullapudi2016|sm_80|x86-64-linux-cuda-cuda_capability_80"
    "opencl_anderson2021|opencl|anderson2021|opencl|x86-64-linux-opencl-cl_doubles"
    "opencl_mullapudi2016|opencl|mullapudi2016|opencl|x86-64-linux-opencl-cl_doubles"
)
# In the order of crgb_dtype (runtime/include/crgb/crgb.h).
set(CRGB_DTYPES uint8 uint16 int8 int16 int32 int64 float16 float32 float64 bfloat16)
# The ops: <op>|<generator>|<its dtype GeneratorParam>|<generator executable>
# (generators/CMakeLists.txt), built for the dtypes
# CRGB_<op>_DTYPES: grad_boxes and crop_and_resize take an image of any dtype;
# grad_image writes TensorFlow's T (float16, float32, float64) or bfloat16.
set(CRGB_OPS
    "grad_boxes|crop_and_resize_grad_boxes|image_type|crgb.generator"
    "crop_and_resize|crop_and_resize|image_type|crgb_family.generator"
    "grad_image|crop_and_resize_grad_image|output_type|crgb_family.generator")
set(CRGB_grad_boxes_DTYPES ${CRGB_DTYPES})
set(CRGB_crop_and_resize_DTYPES ${CRGB_DTYPES})
set(CRGB_grad_image_DTYPES float16 float32 float64 bfloat16)
# The autoscheduled variants are built for these dtypes only, and for the
# grad_boxes op only (their schedules are of that pipeline): their schedules
# compile slowly (Adams2019's takes 30-65 s of CPU per dtype, against 2 s for a
# hand-written one), so all ten would add about 10 minutes on 2 cores. Their
# other dtypes and ops are Unimplemented.
set(CRGB_AUTOSCHEDULED_DTYPES uint8 float32 CACHE STRING
    "Image dtypes the autoscheduled variants are built for")
# The CUDA variants compile quickly (about 1 s per dtype): all of them by default.
set(CRGB_CUDA_DTYPES ${CRGB_DTYPES} CACHE STRING "Image dtypes the CUDA variants are built for")

# Each generated library is made once per test command (CI's budget): a
# second build tree of the same sources for the same target (the sanitizer
# builds, the Python package) takes the libraries, headers and PTX that a
# native build tree made, instead of running the generator again. The
# generated code is not instrumented in any case (cmake/CrgbSanitize.cmake).
set(CRGB_PREBUILT_DIR "" CACHE PATH
    "A build tree of this project for the same target whose generated Halide libraries to reuse")
find_package(Threads REQUIRED)
if (CRGB_PREBUILT_DIR)
  # Which libraries exist there is that tree's choice.
  load_cache(${CRGB_PREBUILT_DIR} READ_WITH_PREFIX crgb_prebuilt_ CRGB_AUTOSCHEDULED_DTYPES
             CRGB_CUDA_DTYPES)
  set(CRGB_AUTOSCHEDULED_DTYPES ${crgb_prebuilt_CRGB_AUTOSCHEDULED_DTYPES})
  set(CRGB_CUDA_DTYPES ${crgb_prebuilt_CRGB_CUDA_DTYPES})
endif ()

# A generated library of CRGB_PREBUILT_DIR as an imported target, with the
# usage requirements add_halide_library gives its own.
function(crgb_import_prebuilt lib)
  set(archive ${CRGB_PREBUILT_DIR}/lib${lib}.a)
  if (NOT EXISTS ${archive})
    message(FATAL_ERROR "CRGB_PREBUILT_DIR=${CRGB_PREBUILT_DIR} has no ${archive}: build that "
                        "tree first (scripts/build.sh), from the same sources")
  endif ()
  add_library(${lib} STATIC IMPORTED GLOBAL)
  set_target_properties(${lib} PROPERTIES IMPORTED_LOCATION ${archive})
  target_include_directories(${lib} INTERFACE ${CRGB_PREBUILT_DIR})
  if (lib STREQUAL "crgb_halide_runtime")
    target_link_libraries(${lib} INTERFACE Halide::Runtime Threads::Threads ${CMAKE_DL_LIBS})
  else ()
    target_link_libraries(${lib} INTERFACE crgb_halide_runtime Halide::Runtime)
  endif ()
endfunction()

# add_halide_library, or the same library of CRGB_PREBUILT_DIR.
function(crgb_halide_library lib)
  if (CRGB_PREBUILT_DIR)
    crgb_import_prebuilt(${lib})
  else ()
    add_halide_library(${lib} ${ARGN})
  endif ()
endfunction()

# One Halide runtime shared by every variant. Each library adds its target to
# it, so with CUDA rows it carries Halide's CUDA module too, which loads
# libcuda at run time: linking needs no driver.
if (CRGB_PREBUILT_DIR)
  crgb_import_prebuilt(crgb_halide_runtime)
else ()
  add_halide_runtime(crgb_halide_runtime TARGETS ${Halide_CMAKE_TARGET})
endif ()

# A CUDA library: the variant library as above, plus its PTX under
# CRGB_PTX_DIR. Also the device-check pipeline of a CUDA row.
function(crgb_add_cuda_library lib generator_exe generator target params)
  if (CRGB_PREBUILT_DIR)
    crgb_import_prebuilt(${lib})
    set(CRGB_PTX_FILES ${CRGB_PTX_FILES} ${CRGB_PREBUILT_DIR}/ptx/${lib}.ptx PARENT_SCOPE)
    set(crgb_variant_includes "${crgb_variant_includes}#include \"${lib}.h\"\n" PARENT_SCOPE)
    return ()
  endif ()
  add_halide_library(${lib}
                     FROM ${generator_exe}
                     GENERATOR ${generator}
                     FUNCTION_NAME ${lib}
                     USE_RUNTIME crgb_halide_runtime
                     TARGETS ${target}
                     PARAMS ${params}
                     STMT ${lib}_stmt
                     DEVICE_CODE ${lib}_device_code)
  set(ptx ${CRGB_PTX_DIR}/${lib}.ptx)
  add_custom_command(OUTPUT ${ptx}
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CRGB_PTX_DIR}
                     COMMAND ${CMAKE_COMMAND} -E copy ${${lib}_device_code} ${ptx}
                     DEPENDS ${${lib}_device_code}
                     COMMENT "PTX of ${lib}")
  set(CRGB_PTX_FILES ${CRGB_PTX_FILES} ${ptx} PARENT_SCOPE)
  # halide_variants.cpp includes every library's header.
  set(crgb_variant_includes "${crgb_variant_includes}#include \"${lib}.h\"\n" PARENT_SCOPE)
endfunction()

set(CRGB_VARIANT_LIBRARIES "")
set(CRGB_VARIANT_NAMES "")  # the Halide variants of this build, table order
# One entry per library: <variant>|<op>|<dtype>|<library> (cmake/CrgbInstall.cmake).
set(CRGB_VARIANT_LIBRARY_ROWS "")
# Each CUDA library's kernels as PTX, kept for inspection and for the ptxas test
# (tests/cuda): <build>/ptx/<library>.ptx, Halide's device_code output.
set(CRGB_PTX_DIR ${PROJECT_BINARY_DIR}/ptx)
set(CRGB_PTX_FILES "")
set(CRGB_CUDA_CHECK_LIBRARIES "")  # the CUDA rows' device-check pipelines
set(CRGB_CUDA_CHECKS "")
set(crgb_variant_includes "")
set(crgb_variant_rows "")
set(auto_rank 0)
foreach (row IN LISTS CRGB_VARIANTS)
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 name)
  list(GET fields 1 isa)
  list(GET fields 2 schedule)
  list(GET fields 3 features)
  list(GET fields 4 target)
  string(REGEX MATCH "^[^-]+-[^-]+-[^-]+" triple "${target}")
  if (NOT triple STREQUAL Halide_CMAKE_TARGET)
    continue ()
  endif ()
  list(APPEND CRGB_VARIANT_NAMES ${name})
  set(device CRGB_DEVICE_HOST)  # where its data lives
  set(check nullptr)
  set(opencl false)
  if (target MATCHES "-cuda(-|$)")
    set(device CRGB_DEVICE_CUDA)
  elseif (target MATCHES "-opencl(-|$)")
    set(opencl true)  # host data, computed on an OpenCL device
    set(CRGB_HAS_OPENCL ON)  # runtime/CMakeLists.txt: the runtime has Halide's OpenCL module
  endif ()
  # Hand-written schedules take part in the automatic choice, later rows
  # preferred; others (autoscheduled) run only when asked for by name.
  set(row_ops grad_boxes crop_and_resize grad_image)
  if (schedule STREQUAL "manual" AND device STREQUAL "CRGB_DEVICE_CUDA")
    set(schedule_param "schedule=${isa}")
    set(rank 0)  # host data never runs on the GPU unless asked by name
    set(variant_dtypes ${CRGB_CUDA_DTYPES})
    # The device-side data checks (generators/device_check_generator.cpp).
    set(check crgb_${isa}_check)
    crgb_add_cuda_library(${check} crgb.generator crgb_device_check ${target} "")
    list(APPEND CRGB_CUDA_CHECK_LIBRARIES ${check})
    list(APPEND CRGB_CUDA_CHECKS "${name}|${check}")  # for cmake/CrgbInstall.cmake
  elseif (schedule STREQUAL "manual" AND opencl)
    set(schedule_param "")  # a GPU target gets the GPU schedule
    set(rank 0)  # run by name only
    set(variant_dtypes ${CRGB_DTYPES})
  elseif (schedule STREQUAL "manual")
    set(schedule_param "schedule=${isa}")
    math(EXPR auto_rank "${auto_rank} + 1")
    set(rank ${auto_rank})
    set(variant_dtypes ${CRGB_DTYPES})
  elseif (schedule MATCHES "^(adams2019|li2018|mullapudi2016|anderson2021)$")
    set(rank 0)  # never chosen automatically
    set(variant_dtypes ${CRGB_AUTOSCHEDULED_DTYPES})
    set(row_ops grad_boxes)
    if (device STREQUAL "CRGB_DEVICE_CUDA" OR opencl)
      # One GPU schedule for every GPU API.
      set(schedule_param "autoscheduled=gpu_${schedule}")
      if (NOT opencl AND (TARGET crgb_${isa}_check OR CRGB_PREBUILT_DIR))
        set(check crgb_${isa}_check)  # the hand-written CUDA row's device checks
      endif ()
    else ()
      string(REGEX MATCH "^[a-z0-9]+" arch "${target}")  # x86, arm
      set(schedule_param "autoscheduled=${arch}_${isa}_${schedule}")
    endif ()
  else ()
    message(FATAL_ERROR "unknown schedule kind '${schedule}' in variant '${name}'")
  endif ()
  if (opencl)
    list(REMOVE_ITEM variant_dtypes float16)  # no float16 on OpenCL (see the opencl row)
  endif ()
  set(op_tables "")
  foreach (op_row IN LISTS CRGB_OPS)
    string(REPLACE "|" ";" op_fields "${op_row}")
    list(GET op_fields 0 op)
    list(GET op_fields 1 generator)
    list(GET op_fields 2 dtype_param)
    list(GET op_fields 3 generator_exe)
    set(op_dtypes ${CRGB_${op}_DTYPES})
    set(fns "")
    foreach (dtype IN LISTS CRGB_DTYPES)
      if (NOT op IN_LIST row_ops OR NOT dtype IN_LIST variant_dtypes OR NOT dtype IN_LIST op_dtypes)
        list(APPEND fns nullptr)  # not built: Unimplemented (runtime/src/halide_call.cpp)
        continue ()
      endif ()
      set(lib crgb_${op}_${isa}_${schedule}_${dtype})
      if (device STREQUAL "CRGB_DEVICE_CUDA")
        crgb_add_cuda_library(${lib} ${generator_exe} ${generator} ${target}
                              "${dtype_param}=${dtype};${schedule_param}")
      else ()
        crgb_halide_library(${lib}
                           FROM ${generator_exe}
                           GENERATOR ${generator}
                           FUNCTION_NAME ${lib}
                           USE_RUNTIME crgb_halide_runtime
                           TARGETS ${target}
                           PARAMS ${dtype_param}=${dtype} ${schedule_param}
                           STMT ${lib}_stmt
                           ASSEMBLY ${lib}_asm)
        string(APPEND crgb_variant_includes "#include \"${lib}.h\"\n")
      endif ()
      list(APPEND CRGB_VARIANT_LIBRARIES ${lib})
      list(APPEND CRGB_VARIANT_LIBRARY_ROWS "${name}|${op}|${dtype}|${lib}")
      list(APPEND fns ${lib})
    endforeach ()
    list(JOIN fns ", " fn_list)
    string(APPEND op_tables "\n     {${fn_list}},")
  endforeach ()
  string(APPEND crgb_variant_rows
         "    {\"${name}\", \"${target}\", \"${features}\", ${rank}, ${device}, ${opencl}, ${check},"
         "${op_tables}},\n")
endforeach ()

if (CRGB_PTX_FILES AND NOT CRGB_PREBUILT_DIR)
  add_custom_target(crgb_ptx ALL DEPENDS ${CRGB_PTX_FILES})
endif ()

# The dispatcher's table of Halide variants, generated from the rows above.
set(CRGB_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
configure_file(${PROJECT_SOURCE_DIR}/runtime/src/halide_variants.cpp.in
               ${CRGB_GENERATED_DIR}/halide_variants.cpp @ONLY)
