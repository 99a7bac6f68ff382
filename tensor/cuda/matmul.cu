// Batched GEMM on cuBLAS, one strided-batched call per matmul. As on the CPU
// (tensor/cpu/matmul.cpp) a transposed view goes to cuBLAS as a transpose with its leading
// dimension, never copied; only a matrix with no unit stride is made contiguous first. A broadcast
// batch has batch stride 0.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <algorithm>

#include "tensor/cuda/blas.cuh"
#include "tensor/cuda/register.h"

namespace camlab::cuda {
namespace {

// How cuBLAS should read one [rows, cols] matrix of a strided 3-d batch tensor.
struct BlasOperand {
  bool trans;  // stored column-major (e.g. a .transpose(1, 2) view)
  int64_t ld;
};

BlasOperand blas_operand(const Tensor& t) {  // t: [B, rows, cols]
  const int64_t rows = t.size(1), cols = t.size(2);
  if (t.stride(2) == 1 && (rows == 1 || t.stride(1) >= std::max<int64_t>(cols, 1))) {
    return {false, std::max<int64_t>(rows == 1 ? cols : t.stride(1), 1)};
  }
  return {true, std::max<int64_t>(cols == 1 ? rows : t.stride(2), 1)};
}

bool blas_readable(const Tensor& t) {
  const int64_t rows = t.size(1), cols = t.size(2);
  const bool row_major = t.stride(2) == 1 && (rows == 1 || t.stride(1) >= cols);
  const bool col_major = t.stride(1) == 1 && (cols == 1 || t.stride(2) >= rows);
  return row_major || col_major;
}

// a: [B, n, k], b: [B, k, m] (any strides, batch stride may be 0) -> out: [B, n, m] contiguous
void matmul_kernel(const KernelArgs& args) {
  const Tensor a = blas_readable(args.inputs[0]) ? args.inputs[0] : args.inputs[0].contiguous();
  const Tensor b = blas_readable(args.inputs[1]) ? args.inputs[1] : args.inputs[1].contiguous();
  const Tensor& out = args.outputs[0];
  const int64_t batch = out.size(0), n = out.size(1), m = out.size(2), k = a.size(2);
  if (out.numel() == 0) return;
  DeviceGuard guard(out.device());
  visit_floating(out.dtype(), "matmul", [&]<typename T>() {
    if (k == 0) {  // an empty sum: cuBLAS would leave C untouched
      CAMLAB_CUDA_CHECK(
          cudaMemsetAsync(out.data<T>(), 0, out.numel() * sizeof(T), current_stream()));
      return;
    }
    const BlasOperand oa = blas_operand(a), ob = blas_operand(b);
    gemm_batched<T>(oa.trans, ob.trans, n, m, k, T(1), a.data<T>(), oa.ld, a.stride(0), b.data<T>(),
                    ob.ld, b.stride(0), T(0), out.data<T>(), m, n * m, batch);
  });
}

}  // namespace

void register_matmul_kernels(KernelTable& t) { t[static_cast<size_t>(Op::matmul)] = matmul_kernel; }

}  // namespace camlab::cuda
