// Batched GEMM on OpenBLAS. A transposed view is handed to BLAS as CblasTrans with its leading
// dimension, never copied; only a matrix with no unit stride is made contiguous first.
#include <cblas.h>

#include "tensor/cpu/register.h"

namespace camlab::cpu {
namespace {

// How BLAS should read one [rows, cols] matrix of a strided 3-d batch tensor.
struct BlasOperand {
  CBLAS_TRANSPOSE trans;
  int64_t ld;
};

BlasOperand blas_operand(const Tensor& t) {  // t: [B, rows, cols]
  int64_t rows = t.size(1), cols = t.size(2);
  if (t.stride(2) == 1 && (rows == 1 || t.stride(1) >= std::max<int64_t>(cols, 1))) {
    return {CblasNoTrans, std::max<int64_t>(rows == 1 ? cols : t.stride(1), 1)};
  }
  return {CblasTrans, std::max<int64_t>(cols == 1 ? rows : t.stride(2), 1)};
}

bool blas_readable(const Tensor& t) {
  int64_t rows = t.size(1), cols = t.size(2);
  bool row_major = t.stride(2) == 1 && (rows == 1 || t.stride(1) >= cols);
  bool col_major = t.stride(1) == 1 && (cols == 1 || t.stride(2) >= rows);
  return row_major || col_major;
}

template <typename T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t n, int64_t m, int64_t k, const T* a,
          int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, n, m, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, n, m, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
  }
}

// a: [B, n, k], b: [B, k, m] (any strides, batch stride may be 0) -> out: [B, n, m] contiguous
void matmul_kernel(const KernelArgs& args) {
  Tensor a = blas_readable(args.inputs[0]) ? args.inputs[0] : args.inputs[0].contiguous();
  Tensor b = blas_readable(args.inputs[1]) ? args.inputs[1] : args.inputs[1].contiguous();
  const Tensor& out = args.outputs[0];
  const int64_t batch = out.size(0), n = out.size(1), m = out.size(2), k = a.size(2);
  BlasOperand oa = blas_operand(a), ob = blas_operand(b);
  visit_floating(out.dtype(), "matmul", [&]<typename T>() {
    for (int64_t i = 0; i < batch; ++i) {
      T* c = out.data<T>() + i * n * m;
      if (k == 0) {
        std::fill(c, c + n * m, T(0));
        continue;
      }
      gemm<T>(oa.trans, ob.trans, n, m, k, a.data<T>() + i * a.stride(0), oa.ld,
              b.data<T>() + i * b.stride(0), ob.ld, c, std::max<int64_t>(m, 1));
    }
  });
}

}  // namespace

void register_matmul_kernels(KernelTable& t) { t[static_cast<size_t>(Op::matmul)] = matmul_kernel; }

}  // namespace camlab::cpu
