// CUDA indexing kernels, with the contracts of tensor/cpu/index.cpp. All four read and write
// through strides; index tensors are int64 and already range-checked by the frontend.
//
//   index_select: x, index [L] (along dim)     -> out, x's shape with size L at dim
//   gather:       x, index (index's shape)     -> out[..i..] = x[..index[..i..]..]   (at dim)
//   scatter_add:  index, src -> out (holds x):    out[..index[..i..]..] += src[..i..] (at dim)
//   masked_fill:  x, mask (bool, x's shape)    -> out = mask ? value : x
//
// The trick shared by the first three: give the indexed operand stride 0 at `dim`, walk the
// walked shape with the strided layout, and add index·stride[dim] to that operand's offset.
// scatter_add's colliding writes use atomicAdd, so float sums may differ from the CPU's serial
// order in the last bits.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// t's strides with the one at `dim` zeroed: the offset of every coordinate except the indexed one.
Shape strides_without(const Tensor& t, int64_t dim) {
  Shape strides = t.strides();
  strides[static_cast<size_t>(dim)] = 0;
  return strides;
}

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

// out and index_strides describe the walked shape (out's); index_select passes its 1-d index as
// an expansion (stride 0 outside dim), gather its index as it is.
void indexed_read(const Tensor& out, const Tensor& x, const Tensor& index,
                  const Shape& index_strides, int64_t dim, const char* op) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const Shape x_strides = strides_without(x, dim);
  const StridedLayout<3> layout =
      make_layout<3>(out.shape(), {&out.strides(), &x_strides, &index_strides}, op);
  DeviceGuard guard(out.device());
  visit_all(x.dtype(), op, [&]<typename T>() {
    indexed_read_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(
        n, layout, x.data<T>(), index.data<int64_t>(), x.stride(dim), out.data<T>());
    check_launch(op);
  });
}

void index_select_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];      // any shape
  const Tensor& index = args.inputs[1];  // [L] int64
  const Tensor& out = args.outputs[0];   // x's shape with L at dim
  const int64_t dim = args.get<DimParams>().dim;
  Shape index_strides(out.shape().size(), 0);  // the 1-d index, expanded over out's shape
  index_strides[static_cast<size_t>(dim)] = index.stride(0);
  indexed_read(out, x, index, index_strides, dim, "index_select");
}

void gather_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];      // any shape
  const Tensor& index = args.inputs[1];  // int64, same rank as x, index.size(d) ≤ x.size(d) off dim
  const Tensor& out = args.outputs[0];  // index's shape
  indexed_read(out, x, index, index.strides(), args.get<DimParams>().dim, "gather");
}

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

// Numeric dtypes: a sum of bools means nothing.
template <typename Fn>
void visit_numeric(DType t, const char* op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    case DType::UInt8: return fn.template operator()<uint8_t>();
    default: fail("{}: expected a numeric dtype, got {}", op, dtype_name(t));
  }
}

void scatter_add_op(const KernelArgs& args) {
  const Tensor& index = args.inputs[0];  // int64, any strides (stride 0 where expanded)
  const Tensor& src = args.inputs[1];    // index.size(d) ≤ src.size(d) for every d
  const Tensor& out = args.outputs[0];   // holds x already; index.size(d) ≤ out.size(d) off dim
  const int64_t dim = args.get<DimParams>().dim;
  const int64_t n = index.numel();
  if (n == 0) return;
  const Shape out_strides = strides_without(out, dim);
  const StridedLayout<3> layout = make_layout<3>(
      index.shape(), {&out_strides, &src.strides(), &index.strides()}, "scatter_add");
  DeviceGuard guard(out.device());
  visit_numeric(out.dtype(), "scatter_add", [&]<typename T>() {
    scatter_add_kernel<<<blocks_for(n), kThreads, 0, current_stream()>>>(
        n, layout, index.data<int64_t>(), src.data<T>(), out.stride(dim), out.data<T>());
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
