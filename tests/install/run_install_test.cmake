# CTest script (cmake -P): install the build into a fresh prefix, configure and build
# tests/install (an outside project using find_package(camlab)) against it, and run the result.
#   -DCAMLAB_BUILD_DIR -DCAMLAB_SOURCE_DIR -DWORK_DIR [-DCXX_COMPILER -DC_COMPILER
#   -DCOMPILER_LAUNCHER]
foreach(var IN ITEMS CAMLAB_BUILD_DIR CAMLAB_SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "run_install_test.cmake needs -D${var}=...")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${what} failed (${rc})\n${out}\n${err}")
  endif()
  message(STATUS "install test: ${what} ok")
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(consumer ${WORK_DIR}/consumer)
file(REMOVE_RECURSE ${WORK_DIR})

run_step("cmake --install" ${CMAKE_COMMAND} --install ${CAMLAB_BUILD_DIR} --prefix ${prefix})
foreach(file IN ITEMS include/camlab/camlab.h include/camlab/tensor/tensor.h
                      include/camlab/nn/nn.h include/camlab/cam/methods/method.h
                      lib/cmake/camlab/camlabConfig.cmake
                      lib/cmake/camlab/camlabTargets.cmake bin/camlab
                      share/camlab/configs/fmnist-gapnet.toml)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install test: ${prefix}/${file} was not installed")
  endif()
endforeach()

# Only the public API: no kernels, HDF5 helpers or CLI verbs, and no installed header that names
# a generic top-level path ("tensor/tensor.h") a consumer's own headers could shadow.
foreach(file IN ITEMS include/camlab/nn/h5.h include/camlab/nn/h5_handle.h
                      include/camlab/tensor/cpu include/camlab/tensor/cuda
                      include/camlab/experiments/cli)
  if(EXISTS ${prefix}/${file})
    message(FATAL_ERROR "install test: ${prefix}/${file} is internal but was installed")
  endif()
endforeach()
file(GLOB_RECURSE headers ${prefix}/include/*.h)
foreach(header IN LISTS headers)
  file(STRINGS ${header} generic REGEX "#include \"(tensor|autograd|nn|datasets|cam|experiments)/")
  if(generic)
    message(FATAL_ERROR "install test: ${header} includes a generic path: ${generic}")
  endif()
endforeach()

set(configure_args -S ${CAMLAB_SOURCE_DIR}/tests/install -B ${consumer}
    -DCMAKE_PREFIX_PATH=${prefix} -DCAMLAB_EXAMPLE_DIR=${CAMLAB_SOURCE_DIR}/examples
    -DCMAKE_BUILD_TYPE=Release)
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_C_COMPILER=${C_COMPILER})
endif()
if(COMPILER_LAUNCHER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER_LAUNCHER=${COMPILER_LAUNCHER})
endif()
run_step("configure the outside project" ${CMAKE_COMMAND} ${configure_args})
run_step("build it" ${CMAKE_COMMAND} --build ${consumer})
run_step("run it" ${CMAKE_COMMAND} -E env OMP_NUM_THREADS=2 ${consumer}/train_small_net 120)
file(REMOVE_RECURSE ${WORK_DIR})
