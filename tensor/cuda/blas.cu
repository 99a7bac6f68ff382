#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <limits>
#include <mutex>
#include <type_traits>
#include <vector>

#include "tensor/cuda/blas.cuh"

namespace camlab::cuda {

void check_blas(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  fail("cuBLAS error in {}: {} ({})", what, cublasGetStatusString(status),
       cublasGetStatusName(status));
}

cublasHandle_t blas_handle() {
  static std::mutex mutex;
  static std::vector<cublasHandle_t> handles;  // by device index; never destroyed (exit order)
  int device = 0;
  CAMLAB_CUDA_CHECK(cudaGetDevice(&device));
  std::lock_guard lock(mutex);
  if (handles.size() <= static_cast<size_t>(device)) handles.resize(device + 1, nullptr);
  if (handles[device] == nullptr) {
    check_blas(cublasCreate(&handles[device]), "cublasCreate");
    // The default math mode: exact FP32 products (no TF32), so results match the CPU's sgemm.
    check_blas(cublasSetStream(handles[device], current_stream()), "cublasSetStream");
  }
  return handles[device];
}

namespace {

int as_int(int64_t value, const char* what) {
  CAMLAB_CHECK(value >= 0 && value <= std::numeric_limits<int>::max(),
               "matmul: {} = {} exceeds cuBLAS's 32-bit limit; split the product", what, value);
  return static_cast<int>(value);
}

}  // namespace

template <typename T>
void gemm_batched(bool trans_a, bool trans_b, int64_t n, int64_t m, int64_t k, T alpha, const T* a,
                  int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b, T beta,
                  T* c, int64_t ldc, int64_t stride_c, int64_t batch) {
  // Column-major Cᵀ [m, n] = op(B)ᵀ [m, k] · op(A)ᵀ [k, n] (see blas.cuh).
  const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int M = as_int(m, "m"), N = as_int(n, "n"), K = as_int(k, "k");
  const int LDB = as_int(std::max<int64_t>(ldb, 1), "ldb");
  const int LDA = as_int(std::max<int64_t>(lda, 1), "lda");
  const int LDC = as_int(std::max<int64_t>(ldc, 1), "ldc");
  const int count = as_int(batch, "batch");
  cublasHandle_t handle = blas_handle();
  if constexpr (std::is_same_v<T, float>) {
    check_blas(cublasSgemmStridedBatched(handle, op_b, op_a, M, N, K, &alpha, b, LDB, stride_b, a,
                                         LDA, stride_a, &beta, c, LDC, stride_c, count),
               "cublasSgemmStridedBatched");
  } else {
    check_blas(cublasDgemmStridedBatched(handle, op_b, op_a, M, N, K, &alpha, b, LDB, stride_b, a,
                                         LDA, stride_a, &beta, c, LDC, stride_c, count),
               "cublasDgemmStridedBatched");
  }
}

template void gemm_batched<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*,
                                  int64_t, int64_t, const float*, int64_t, int64_t, float, float*,
                                  int64_t, int64_t, int64_t);
template void gemm_batched<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                   int64_t, int64_t, const double*, int64_t, int64_t, double,
                                   double*, int64_t, int64_t, int64_t);

}  // namespace camlab::cuda
