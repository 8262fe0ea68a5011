# `cmake --install`: a relocatable tree that a C or C++ build consumes without
# our CMakeLists, Halide, libHalide or the Python environment (README,
# "Install and link"):
#
#   include/crgb/crgb.h, crgb.hpp          the public C API and C++ layer
#   include/crgb/halide/                   Halide 21's HalideRuntime.h and HalideBuffer.h,
#                                          for calling one variant directly
#   include/crgb/variants/<variant>/       each variant's generated headers
#   lib/libcrgb.a                          the dispatcher
#   lib/libcrgb_<op>_<isa>_<schedule>_<dtype>.a one per op, variant and dtype
#   lib/libcrgb_<isa>_check.a              a CUDA variant's on-device input checks
#   lib/libcrgb_halide_runtime.a           the one Halide runtime they share
#   lib/cmake/crgb/                        crgbConfig.cmake, crgbConfigVersion.cmake
#   lib/pkgconfig/crgb.pc
#   share/crgb/examples/                   a C, a C++ and a single-variant program
#   share/doc/crgb/                        Halide's license (its runtime and headers)
#
# add_halide_library makes IMPORTED targets, which install(EXPORT) cannot
# export, so the archives are installed as files and crgbConfig.cmake declares
# the imported targets itself (cmake/crgbConfig.cmake.in): crgb::crgb (the
# dispatcher, which brings every variant, the runtime, Threads and dl),
# crgb::<op>_<variant>_<dtype> (one variant, which brings the runtime) and
# crgb::halide_runtime. Every path in them is relative to the installed file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

foreach (dir IN ITEMS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_DATADIR
                      CMAKE_INSTALL_DOCDIR)
  if (IS_ABSOLUTE "${${dir}}")
    message(FATAL_ERROR "${dir} must be relative to the prefix (the install tree is relocatable)")
  endif ()
endforeach ()
set(crgb_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/crgb)

# The dispatcher and its public headers.
install(TARGETS crgb ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/crgb/crgb.h
              ${PROJECT_SOURCE_DIR}/runtime/include/crgb/crgb.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/crgb)

# The Halide runtime, once, under a fixed name, with Halide's runtime headers
# (generated headers only forward-declare halide_buffer_t) and its license.
install(FILES $<TARGET_FILE:crgb_halide_runtime>
        DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME libcrgb_halide_runtime.a)
get_target_property(crgb_halide_dirs Halide::Runtime INTERFACE_INCLUDE_DIRECTORIES)
list(TRANSFORM crgb_halide_dirs REPLACE "^\\$<BUILD_INTERFACE:(.*)>$" "\\1")
find_file(crgb_halide_runtime_h HalideRuntime.h PATHS ${crgb_halide_dirs} NO_DEFAULT_PATH NO_CACHE
          REQUIRED)
get_filename_component(crgb_halide_include_dir "${crgb_halide_runtime_h}" DIRECTORY)
install(FILES ${crgb_halide_include_dir}/HalideRuntime.h ${crgb_halide_include_dir}/HalideBuffer.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/crgb/halide)
file(GLOB crgb_halide_license "${crgb_halide_include_dir}/../../halide-*.dist-info/licenses/LICENSE*"
     "${crgb_halide_include_dir}/../share/doc/Halide/LICENSE*")
if (crgb_halide_license)
  list(GET crgb_halide_license 0 crgb_halide_license)
  install(FILES ${crgb_halide_license} DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME Halide-LICENSE.txt)
endif ()

# Each variant library and header; the imported targets of crgbConfig.cmake and
# the -l flags of crgb.pc. Rows as in cmake/CrgbVariants.cmake; a row this build
# skipped (another architecture) made no library.
set(CRGB_CONFIG_TARGETS "")
set(crgb_variant_targets "")
set(CRGB_PC_VARIANT_LIBS "")
foreach (entry IN LISTS CRGB_VARIANT_LIBRARY_ROWS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 op)
  list(GET fields 2 dtype)
  list(GET fields 3 lib)
  get_target_property(header ${lib} INTERFACE_HEADER_SET)
  if (NOT header)
    set(header ${PROJECT_BINARY_DIR}/${lib}.h)
  endif ()
  install(FILES $<TARGET_FILE:${lib}> DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME lib${lib}.a)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/crgb/variants/${name})
  string(APPEND CRGB_CONFIG_TARGETS
         "_crgb_import(crgb::${op}_${name}_${dtype} ${lib} crgb::halide_runtime)\n")
  list(APPEND crgb_variant_targets crgb::${op}_${name}_${dtype})
  string(APPEND CRGB_PC_VARIANT_LIBS " -l${lib}")
endforeach ()
# The CUDA rows' device-check pipelines (cmake/CrgbVariants.cmake), which
# libcrgb.a calls: installed beside their variant's libraries.
foreach (entry IN LISTS CRGB_CUDA_CHECKS)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 lib)
  install(FILES $<TARGET_FILE:${lib}> DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME lib${lib}.a)
  install(FILES ${PROJECT_BINARY_DIR}/${lib}.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/crgb/variants/${name})
  string(APPEND CRGB_CONFIG_TARGETS "_crgb_import(crgb::${name}_check ${lib} crgb::halide_runtime)\n")
  list(APPEND crgb_variant_targets crgb::${name}_check)
  string(APPEND CRGB_PC_VARIANT_LIBS " -l${lib}")
endforeach ()
list(LENGTH CRGB_VARIANT_LIBRARIES crgb_n_libs)
list(LENGTH crgb_variant_targets crgb_n_targets)
list(LENGTH CRGB_CUDA_CHECKS crgb_n_checks)
math(EXPR crgb_n_targets "${crgb_n_targets} - ${crgb_n_checks}")
if (NOT crgb_n_libs EQUAL crgb_n_targets)
  message(FATAL_ERROR "cmake/CrgbInstall.cmake: CRGB_VARIANT_LIBRARIES has ${crgb_n_libs} "
                      "libraries, the rows of CRGB_VARIANTS name ${crgb_n_targets}")
endif ()
string(APPEND CRGB_CONFIG_TARGETS
       "_crgb_import(crgb::crgb crgb \"${crgb_variant_targets};crgb::halide_runtime\")\n")

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/crgbConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/install/crgbConfig.cmake
                              INSTALL_DESTINATION ${crgb_cmake_dir}
                              NO_SET_AND_CHECK_MACRO)
# 0.x: a minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/install/crgbConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/install/crgbConfig.cmake
              ${PROJECT_BINARY_DIR}/install/crgbConfigVersion.cmake
        DESTINATION ${crgb_cmake_dir})

# pkg-config: the prefix is found from the .pc file's own place (${pcfiledir}).
file(RELATIVE_PATH CRGB_PC_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" CRGB_PC_PREFIX "${CRGB_PC_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/crgb.pc.in ${PROJECT_BINARY_DIR}/install/crgb.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/install/crgb.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/examples/CMakeLists.txt
              ${PROJECT_SOURCE_DIR}/examples/example.c
              ${PROJECT_SOURCE_DIR}/examples/example.cpp
              ${PROJECT_SOURCE_DIR}/examples/single_variant.c
        DESTINATION ${CMAKE_INSTALL_DATADIR}/crgb/examples)
