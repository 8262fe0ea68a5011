# crgb/_crgb_tf_ops.so: crgb's three ops as a TensorFlow custom op library
# (src/tf_ops.cc), which crgb/tensorflow.py loads with tf.load_op_library.
# Included by python/CMakeLists.txt.
#
# It is compiled against the TensorFlow of CRGB_TENSORFLOW_PYTHON (its headers,
# its C++ ABI flag) and links only libtensorflow_framework.so.2, which
# TensorFlow has loaded by the time the library is. Where that Python has no
# TensorFlow the library is skipped, and _crgb_tf_ops is a target that builds
# nothing, so that a build naming it (scikit-build-core's build.targets) works
# on either kind of machine.
set(CRGB_TENSORFLOW_PYTHON "${Python_EXECUTABLE}" CACHE FILEPATH
    "The Python whose TensorFlow crgb/_crgb_tf_ops.so is built for")

# Two runs: one per list, so that neither output has to be split from the
# other. TF_CPP_MIN_LOG_LEVEL: TensorFlow's start-up chatter (on stderr).
foreach (kind IN ITEMS compile link)
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env TF_CPP_MIN_LOG_LEVEL=3
            "${CRGB_TENSORFLOW_PYTHON}" -c
            "import tensorflow as tf; print(';'.join(tf.sysconfig.get_${kind}_flags()))"
    RESULT_VARIABLE crgb_tf_result
    OUTPUT_VARIABLE crgb_tf_${kind}_flags
    ERROR_VARIABLE crgb_tf_error
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if (NOT crgb_tf_result EQUAL 0)
    break ()
  endif ()
endforeach ()

if (NOT crgb_tf_result EQUAL 0)
  string(REGEX REPLACE ".*\n([^\n]+)\n*$" "\\1" crgb_tf_error "\n${crgb_tf_error}")
  message(STATUS "crgb: TensorFlow op library skipped: ${CRGB_TENSORFLOW_PYTHON} cannot import "
                 "tensorflow (${crgb_tf_error}); set CRGB_TENSORFLOW_PYTHON to a Python that can")
  add_custom_target(_crgb_tf_ops COMMAND "${CMAKE_COMMAND}" -E echo
                                         "crgb: no TensorFlow, _crgb_tf_ops not built")
  return ()
endif ()

add_library(_crgb_tf_ops MODULE src/tf_ops.cc)
# tf.load_op_library takes any path; crgb/tensorflow.py loads this name.
# Hidden visibility: TensorFlow finds the ops and kernels through the
# registrations' static initializers, so the library needs no exports at all
# (not even the inline functions of TensorFlow's headers).
set_target_properties(_crgb_tf_ops PROPERTIES PREFIX "" SUFFIX ".so" OUTPUT_NAME _crgb_tf_ops
                                              POSITION_INDEPENDENT_CODE ON
                                              CXX_VISIBILITY_PRESET hidden
                                              VISIBILITY_INLINES_HIDDEN ON)
# Each compile flag as TensorFlow gives it, but its headers as system headers
# (their warnings are not ours to fix under -Wall -Wextra) and without its
# --std=c++17 (the project's CMAKE_CXX_STANDARD is 17). The definitions, above
# all -D_GLIBCXX_USE_CXX11_ABI, must match TensorFlow's build.
foreach (flag IN LISTS crgb_tf_compile_flags)
  if (flag MATCHES "^-I(.+)")
    target_include_directories(_crgb_tf_ops SYSTEM PRIVATE "${CMAKE_MATCH_1}")
  elseif (flag MATCHES "^-D(.+)")
    target_compile_definitions(_crgb_tf_ops PRIVATE "${CMAKE_MATCH_1}")
  elseif (NOT flag MATCHES "^--?std=")
    target_compile_options(_crgb_tf_ops PRIVATE "${flag}")
  endif ()
endforeach ()
foreach (flag IN LISTS crgb_tf_link_flags)
  if (flag MATCHES "^-L(.+)")
    target_link_directories(_crgb_tf_ops PRIVATE "${CMAKE_MATCH_1}")
  else ()
    target_link_libraries(_crgb_tf_ops PRIVATE "${flag}")  # -l:libtensorflow_framework.so.2
  endif ()
endforeach ()
target_link_libraries(_crgb_tf_ops PRIVATE crgb::crgb)
# As for _crgb: export nothing from the static archives (the Halide runtime's
# weak halide_* symbols, crgb's C API), so that neither crgb._crgb nor another
# Halide library in the process binds to this copy, nor this one to theirs.
# The op and kernel registrations run from static initializers: no export
# needed.
target_link_options(_crgb_tf_ops PRIVATE "LINKER:--exclude-libs,ALL")

install(TARGETS _crgb_tf_ops LIBRARY DESTINATION crgb COMPONENT python)
message(STATUS "crgb: TensorFlow op library _crgb_tf_ops for ${CRGB_TENSORFLOW_PYTHON}")
