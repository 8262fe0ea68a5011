# The variants table: one row per variant, expanded with foreach into one
# static library per (variant, image dtype), named crgb_<isa>_<schedule>_<dtype>.
#
# Row: <variant name>|<isa>|<schedule>|<required CPU features>|<pinned Halide target>
# The required features are what the dispatcher checks (runtime/src/cpu_features.cpp)
# before it ever calls the variant. Targets are pinned, never "host".
set(CRGB_VARIANTS
    "sse41|sse41|manual|sse41|x86-64-linux-sse41"
    "avx2|avx2|manual|avx2|x86-64-linux-sse41-avx-avx2-fma-f16c"
    "avx512|avx512|manual|avx512_skylake|x86-64-linux-sse41-avx-avx2-fma-f16c-avx512-avx512_skylake"
)
# In the order of crgb_dtype (runtime/include/crgb/crgb.h).
set(CRGB_DTYPES uint8 uint16 int8 int16 int32 int64 float16 float32 float64)

# One Halide runtime shared by every variant.
add_halide_runtime(crgb_halide_runtime TARGETS x86-64-linux)

set(CRGB_VARIANT_LIBRARIES "")
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
  # Hand-written schedules take part in the automatic choice, later rows
  # preferred; others (autoscheduled) run only when asked for by name.
  if (schedule STREQUAL "manual")
    set(schedule_param "schedule=${isa}")
    math(EXPR auto_rank "${auto_rank} + 1")
    set(rank ${auto_rank})
  else ()
    message(FATAL_ERROR "unknown schedule kind '${schedule}' in variant '${name}'")
  endif ()
  set(fns "")
  foreach (dtype IN LISTS CRGB_DTYPES)
    set(lib crgb_${isa}_${schedule}_${dtype})
    add_halide_library(${lib}
                       FROM crgb.generator
                       GENERATOR crop_and_resize_grad_boxes
                       FUNCTION_NAME ${lib}
                       USE_RUNTIME crgb_halide_runtime
                       TARGETS ${target}
                       PARAMS image_type=${dtype} ${schedule_param}
                       STMT ${lib}_stmt
                       ASSEMBLY ${lib}_asm)
    list(APPEND CRGB_VARIANT_LIBRARIES ${lib})
    string(APPEND crgb_variant_includes "#include \"${lib}.h\"\n")
    list(APPEND fns ${lib})
  endforeach ()
  list(JOIN fns ", " fn_list)
  string(APPEND crgb_variant_rows
         "    {\"${name}\", \"${target}\", \"${features}\", ${rank}, {${fn_list}}},\n")
endforeach ()

# The dispatcher's table of Halide variants, generated from the rows above.
set(CRGB_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
configure_file(${PROJECT_SOURCE_DIR}/runtime/src/halide_variants.cpp.in
               ${CRGB_GENERATED_DIR}/halide_variants.cpp @ONLY)
