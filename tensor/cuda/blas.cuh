// cuBLAS for the CUDA backend: one handle per device on camlab's stream, and a row-major
// strided-batched GEMM over float/double.
//
//   // C[b] = A[b] · B[b], row-major: A [n, k], B [k, m], C [n, m] for b < batch
//   gemm_batched<float>(op_n, op_n, n, m, k, a, lda, stride_a, b, ldb, stride_b, c, m, n * m,
//   batch);
//
// cuBLAS is column-major. A row-major matrix with leading dimension ld is, read column-major,
// its transpose; so row-major C = op(A)·op(B) is computed as column-major Cᵀ = op(B)ᵀ·op(A)ᵀ,
// i.e. the same call with the operands swapped and m, n exchanged. No copy, no transpose kernel.
#pragma once

#include <cublas_v2.h>

#include <cstdint>

#include "tensor/cuda/runtime.cuh"

namespace camlab::cuda {

// The handle of the current device, bound to current_stream(). Created on first use.
cublasHandle_t blas_handle();

void check_blas(cublasStatus_t status, const char* what);

// Row-major C[i] = op(A[i]) · op(B[i]) for i < batch: op(A) [n, k], op(B) [k, m], C [n, m] with
// leading dimension ldc. trans_a: A is stored [k, n] (a transposed view). Batch strides may be 0.
template <typename T>
void gemm_batched(bool trans_a, bool trans_b, int64_t n, int64_t m, int64_t k, T alpha, const T* a,
                  int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b, T beta,
                  T* c, int64_t ldc, int64_t stride_c, int64_t batch);

}  // namespace camlab::cuda
