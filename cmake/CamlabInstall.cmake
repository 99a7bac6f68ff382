# `cmake --install`: the public headers under include/camlab/ (consumers write
# #include <camlab/camlab.h> or <camlab/tensor/tensor.h> with -I<prefix>/include), the static
# libraries under lib/,
# the camlab CLI in bin/, the shipped configs in share/camlab/configs/, and a package config in
# lib/cmake/camlab/ so that another CMake project can write
#
#   find_package(camlab REQUIRED)          # -DCMAKE_PREFIX_PATH=<prefix>
#   target_link_libraries(app PRIVATE camlab::camlab)
#
# camlab::camlab links every module library and, through them, their system packages (OpenBLAS,
# HDF5, fmt, ...), which camlabConfig.cmake finds again on the consumer's side.
# Included by the top-level CMakeLists.txt after every module exists.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CAMLAB_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/camlab)

# camlab::camlab for consumers, and for examples/ inside this build.
add_library(camlab_all INTERFACE)
add_library(camlab::camlab ALIAS camlab_all)
set_target_properties(camlab_all PROPERTIES EXPORT_NAME camlab)

# Each module library becomes camlab::<module> in the export, as it is called inside this build.
set(_camlab_exported camlab_all camlab_includes camlab_warnings camlab_cuda_flags)
foreach(module IN ITEMS tensor autograd nn distributed onnx datasets render cam experiments_core experiments)
  set_target_properties(camlab_${module} PROPERTIES EXPORT_NAME ${module})
  target_link_libraries(camlab_all INTERFACE camlab_${module})
  list(APPEND _camlab_exported camlab_${module})
endforeach()
set_target_properties(camlab_includes PROPERTIES EXPORT_NAME includes)
set_target_properties(camlab_warnings PROPERTIES EXPORT_NAME warnings)
set_target_properties(camlab_cuda_flags PROPERTIES EXPORT_NAME cuda_flags)

install(TARGETS ${_camlab_exported} EXPORT camlabTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS camlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers only: not the kernels behind the dispatch tables (tensor/cpu, tensor/cuda), the
# HDF5 helpers (nn/h5*.h; HDF5 is a private dependency) or the CLI verbs (experiments/cli).
# The folders match too (no trailing slash), so they are not created empty.
set(CAMLAB_PRIVATE_HEADERS "/tensor/(cpu|cuda)(/|$)|/nn/h5[a-z_]*\\.h$|/experiments/cli(/|$)")
foreach(module IN LISTS CAMLAB_LIBRARY_MODULES)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/camlab/${module}
          FILES_MATCHING PATTERN "*.h" REGEX "${CAMLAB_PRIVATE_HEADERS}" EXCLUDE)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/camlab/camlab.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/camlab)
# Inside the tree headers include each other as "tensor/tensor.h"; installed, they say
# "camlab/tensor/tensor.h", so a consumer's -I<prefix>/include reaches no generic top-level name.
install(CODE "set(CAMLAB_INCLUDE_ROOT \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}/camlab\")
set(CAMLAB_LIBRARY_MODULES \"${CAMLAB_LIBRARY_MODULES}\")
include(\"${CMAKE_CURRENT_LIST_DIR}/CamlabPrefixIncludes.cmake\")")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/experiments/configs/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/camlab/configs FILES_MATCHING PATTERN "*.toml")
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/torch_to_camlab.py
                 ${PROJECT_SOURCE_DIR}/tools/camlab_to_torch.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/camlab/tools)

install(EXPORT camlabTargets NAMESPACE camlab:: DESTINATION ${CAMLAB_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/camlabConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/camlabConfig.cmake
                              INSTALL_DESTINATION ${CAMLAB_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/camlabConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/camlabConfig.cmake ${PROJECT_BINARY_DIR}/camlabConfigVersion.cmake
        DESTINATION ${CAMLAB_INSTALL_CMAKEDIR})

# tests/install: install into a temporary prefix and build an example as an outside project.
# Not in sanitizer builds: their static libraries need -fsanitize at the consumer's link too.
if(BUILD_TESTING AND NOT CAMLAB_SANITIZE)
  add_test(NAME install.find_package_outside_project
           COMMAND ${CMAKE_COMMAND} -DCAMLAB_BUILD_DIR=${PROJECT_BINARY_DIR}
                   -DCAMLAB_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/install-test
                   -DCXX_COMPILER=${CMAKE_CXX_COMPILER} -DC_COMPILER=${CMAKE_C_COMPILER}
                   -DCOMPILER_LAUNCHER=${CAMLAB_CCACHE}
                   -P ${PROJECT_SOURCE_DIR}/tests/install/run_install_test.cmake)
  set_tests_properties(install.find_package_outside_project PROPERTIES LABELS "install;slow"
                       TIMEOUT 300)
endif()
