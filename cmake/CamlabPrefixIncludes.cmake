# Run by `cmake --install` (cmake/CamlabInstall.cmake): rewrites every installed header's
# #include "tensor/..." (any camlab module) to #include "camlab/tensor/...", so the installed
# headers find each other under <prefix>/include alone.
#   CAMLAB_INCLUDE_ROOT     <prefix>/include/camlab
#   CAMLAB_LIBRARY_MODULES  tensor;autograd;nn;...
list(JOIN CAMLAB_LIBRARY_MODULES "|" _camlab_modules)
file(GLOB_RECURSE _camlab_headers "${CAMLAB_INCLUDE_ROOT}/*.h")
foreach(header IN LISTS _camlab_headers)
  file(READ "${header}" text)
  string(REGEX REPLACE "#include \"(${_camlab_modules})/" "#include \"camlab/\\1/" rewritten
         "${text}")
  if(NOT rewritten STREQUAL text)
    file(WRITE "${header}" "${rewritten}")
  endif()
endforeach()
