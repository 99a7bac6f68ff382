// CAMLAB_HD marks a function for both host and device, so elementwise math is written once and
// compiled by g++ for the CPU backend and by nvcc for the CUDA backend.
#pragma once

#if defined(__CUDACC__)
#define CAMLAB_HD __host__ __device__ __forceinline__
#else
#define CAMLAB_HD inline
#endif
