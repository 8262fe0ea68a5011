# crgb._crgb_jax: the XLA FFI handlers of crgb.jax (python/src/jax_ffi.cpp),
# built against the FFI headers that jaxlib ships (jax.ffi.include_dir()).
# They come from CRGB_JAX_PYTHON, an interpreter with JAX installed (default:
# the one building the package); without JAX the module is left out and
# crgb.jax says how to build it. Build against the oldest jaxlib crgb
# supports (tests/python/requirements.txt pins it): the FFI API is versioned,
# and a handler built for a newer one breaks an older jaxlib's CPU backend.
set(CRGB_JAX_PYTHON "${Python_EXECUTABLE}" CACHE FILEPATH
    "Python interpreter with JAX, whose jaxlib headers crgb._crgb_jax is built against")
execute_process(COMMAND "${CRGB_JAX_PYTHON}" -c "import jax, jax.ffi; print(jax.ffi.include_dir()); print(jax.__version__)"
                OUTPUT_VARIABLE crgb_jax_query OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE crgb_jax_rc ERROR_QUIET)
if (NOT crgb_jax_rc EQUAL 0)
  message(STATUS "crgb: no JAX in ${CRGB_JAX_PYTHON}: crgb._crgb_jax (crgb.jax) not built; "
                 "pass -DCRGB_JAX_PYTHON=<python with jax> to build it")
  return()
endif ()
string(REPLACE "\n" ";" crgb_jax_query "${crgb_jax_query}")
list(GET crgb_jax_query 0 crgb_xla_ffi_include)
list(GET crgb_jax_query 1 crgb_jax_version)
message(STATUS "crgb: crgb._crgb_jax against the XLA FFI headers of JAX ${crgb_jax_version}")

nanobind_add_module(_crgb_jax NB_STATIC src/jax_ffi.cpp)
# SYSTEM: XLA's headers are not ours to keep warning-free.
target_include_directories(_crgb_jax SYSTEM PRIVATE "${crgb_xla_ffi_include}")
target_link_libraries(_crgb_jax PRIVATE crgb::crgb)
target_link_options(_crgb_jax PRIVATE "LINKER:--exclude-libs,ALL")
install(TARGETS _crgb_jax LIBRARY DESTINATION crgb COMPONENT python)
