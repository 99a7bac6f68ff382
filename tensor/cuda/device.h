// What CUDA devices this process can use. Compiled by nvcc when the backend is built; without it
// the CPU-only answers in tensor/cuda_query.cpp apply.
//
//   if (cuda::device_count() > 0) fmt::print("{}\n", cuda::device_name(0));
#pragma once

#include <string>

namespace camlab::cuda {

bool backend_built();  // this build has the CUDA backend
int device_count();    // 0 when no driver or no GPU
std::string device_name(int index);

}  // namespace camlab::cuda
