# ctest "cuda.ptxas": every CUDA library's PTX (<build>/ptx/*.ptx, Halide's
# device_code output, cmake/CrgbVariants.cmake) assembles with NVIDIA's ptxas
# for the GPUs the variants are for: sm_80 (A100) and sm_90 (H100). The
# driver's JIT does the same at run time; this finds a PTX it would refuse
# without a GPU. Skipped, with the reason, where ptxas is not installed.
#   cmake -DPTXAS=<path or empty> -DPTX_FILES=<a.ptx|b.ptx> -DARCHS=<sm_80|sm_90> -P ptxas_test.cmake
if (NOT PTXAS OR NOT EXISTS "${PTXAS}")
  message("SKIP: ptxas not found (the CUDA toolkit's bin/ptxas; set CRGB_PTXAS when configuring)")
  return()
endif ()
string(REPLACE "|" ";" PTX_FILES "${PTX_FILES}")
string(REPLACE "|" ";" ARCHS "${ARCHS}")
if (NOT PTX_FILES)
  message(FATAL_ERROR "no PTX files given")
endif ()
set(failures 0)
foreach (ptx IN LISTS PTX_FILES)
  if (NOT EXISTS "${ptx}")
    message(SEND_ERROR "missing ${ptx} (built by the crgb_ptx target)")
    math(EXPR failures "${failures} + 1")
    continue ()
  endif ()
  foreach (arch IN LISTS ARCHS)
    execute_process(COMMAND "${PTXAS}" -arch=${arch} "${ptx}" -o /dev/null
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    get_filename_component(name "${ptx}" NAME)
    if (rc EQUAL 0)
      message("ok   ${arch}  ${name}")
    else ()
      message(SEND_ERROR "FAIL ${arch}  ${name}: ${out}${err}")
      math(EXPR failures "${failures} + 1")
    endif ()
  endforeach ()
endforeach ()
if (failures GREATER 0)
  message(FATAL_ERROR "${failures} PTX assemblies failed")
endif ()
