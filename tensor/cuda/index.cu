// CUDA indexing kernels, with the contracts of tensor/cpu/index.cpp. All four read and write
// through strides; index tensors are int64 and already range-checked by the frontend.
//
//   index_select: x, index [L] (along dim)     -> out, x's shape with size L at dim
//   gather:       x, index (index's shape)     -> out[..i..] = x[..index[..i..]..]   (at dim)
//   scatter_add:  index, src -> out (holds x):    out[..index[..i..]..] += src[..i..] (at dim)
//   masked_fill:  x, mask (bool, x's shape)    -> out = mask ? value : x
//
// The first three share their operands' unpacking with the CPU (tensor/index_operands.h).
// scatter_add's colliding writes use atomicAdd, so float sums may differ from the CPU's serial
// order in the last bits.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/index_operands.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// out[o] = x[x_base + index[i]·x_dim_stride], with offsets {out, x_base, index} from the layout.
template <typename T>
__global__ void indexed_read_kernel(int64_t n, StridedLayout<3> layout, const T* x,
                                    const int64_t* index, int64_t x_dim_stride, T* out) {
  for (int64_t i = grid_start(); i < n; i += grid_step()) {
    int64_t offset[3];
    layout.offsets(i, offset);
    out[offset[0]] = x[offset[1] + index[offset[2]] * x_dim_stride];
  }
}

// out[..i..] = x[.. index[..i..] ..] (index_operands.h), one thread per element of out.
void indexed_read(const IndexedRead& r) {
  const int64_t n = r.out.numel();
  if (n == 0) return;
  const StridedLayout<3> layout =
      make_layout<3>(r.out.shape(), {&r.out.strides(), &r.x_strides, &r.index_strides}, r.op);
  DeviceGuard guard(r.out.device());
  visit_all(r.x.dtype(), r.op, [&]<typename T>() {
    indexed_read_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(
        n, layout, r.x.data<T>(), r.index.data<int64_t>(), r.x_dim_stride, r.out.data<T>());
    check_launch(r.op);
  });
}

void index_select_kernel(const KernelArgs& args) { indexed_read(index_select_operands(args)); }
void gather_kernel(const KernelArgs& args) { indexed_read(gather_operands(args)); }

// *address += value for every numeric dtype. Bytes have no atomicAdd: the containing aligned
// 32-bit word is updated with compare-and-swap.
__device__ void atomic_add(float* address, float value) { atomicAdd(address, value); }
__device__ void atomic_add(double* address, double value) { atomicAdd(address, value); }
__device__ void atomic_add(int64_t* address, int64_t value) {
  // Two's complement: unsigned wrap-around addition is signed addition.
  atomicAdd(reinterpret_cast<unsigned long long*>(address), static_cast<unsigned long long>(value));
}
__device__ void atomic_add(uint8_t* address, uint8_t value) {
  const auto byte_address = reinterpret_cast<uintptr_t>(address);
  auto* word = reinterpret_cast<unsigned int*>(byte_address & ~uintptr_t{3});
  const unsigned shift = static_cast<unsigned>(byte_address & 3) * 8;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    const unsigned int sum = ((assumed >> shift) + value) & 0xFFu;
    old = atomicCAS(word, assumed, (assumed & ~(0xFFu << shift)) | (sum << shift));
  } while (old != assumed);
}

// out[out_base + index[i]·out_dim_stride] += src[i], offsets {out_base, src, index}.
template <typename T>
__global__ void scatter_add_kernel(int64_t n, StridedLayout<3> layout, const int64_t* index,
                                   const T* src, int64_t out_dim_stride, T* out) {
  for (int64_t i = grid_start(); i < n; i += grid_step()) {
    int64_t offset[3];
    layout.offsets(i, offset);
    atomic_add(out + offset[0] + index[offset[2]] * out_dim_stride, src[offset[1]]);
  }
}

void scatter_add_op(const KernelArgs& args) {
  const ScatterAdd s = scatter_add_operands(args);
  const int64_t n = s.index.numel();
  if (n == 0) return;
  const StridedLayout<3> layout = make_layout<3>(
      s.index.shape(), {&s.out_strides, &s.src.strides(), &s.index.strides()}, "scatter_add");
  DeviceGuard guard(s.out.device());
  visit_numeric(s.out.dtype(), "scatter_add", [&]<typename T>() {
    scatter_add_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(
        n, layout, s.index.data<int64_t>(), s.src.data<T>(), s.out_dim_stride, s.out.data<T>());
    check_launch("scatter_add");
  });
}

template <typename T>
struct MaskedFill {
  T fill;
  __device__ T operator()(T x, bool masked) const { return masked ? fill : x; }
};

// x: any shape, mask: bool expanded to x's shape -> out: x's shape
void masked_fill_op(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const double value = args.get<ScalarParams>().a;
  visit_all(x.dtype(), "masked_fill", [&]<typename T>() {
    elementwise<T, T, bool>("masked_fill", MaskedFill<T>{static_cast<T>(value)}, args.outputs[0], x,
                            args.inputs[1]);
  });
}

}  // namespace

void register_index_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::index_select)] = index_select_kernel;
  t[static_cast<size_t>(Op::gather)] = gather_kernel;
  t[static_cast<size_t>(Op::scatter_add)] = scatter_add_op;
  t[static_cast<size_t>(Op::masked_fill)] = masked_fill_op;
}

}  // namespace camlab::cuda
