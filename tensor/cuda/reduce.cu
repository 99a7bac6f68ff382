// CUDA reductions: sum, amax, amin over any set of dims; argmax, argmin along one dim.
// x: any shape and strides -> out: x's shape with the reduced dims set to 1 (keepdim layout).
//
// One general strided kernel in two shapes: a thread per output element when each output folds
// few values, a block per output element (tree-reduced in shared memory) when it folds many.
// Semantics as tensor/cpu/reduce.cpp: float sums accumulate in double, max/min propagate NaN,
// arg-reductions return the first extreme index (a NaN counts as the extreme).
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <algorithm>
#include <limits>
#include <type_traits>

#include "tensor/cuda/block_reduce.cuh"
#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/functors.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// ---- reducers: init(), load(value, index), combine(a, b) (associative), finish<TOut>(acc) ----

template <typename T>
struct SumReducer {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  __device__ Acc init() const { return 0; }
  __device__ Acc load(T v, int64_t) const { return static_cast<Acc>(v); }
  __device__ Acc operator()(Acc a, Acc b) const { return a + b; }
  template <typename TOut>
  __device__ TOut finish(Acc acc) const {
    return static_cast<TOut>(acc);
  }
};

// kMax: amax (true) or amin (false). A NaN wins over any number.
template <typename T, bool kMax>
struct ExtremeReducer {
  using Acc = T;
  __device__ Acc init() const {
    if constexpr (std::is_floating_point_v<T>) {
      return kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
    } else {
      return kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    }
  }
  __device__ Acc load(T v, int64_t) const { return v; }
  __device__ Acc operator()(Acc a, Acc b) const {
    if (fn::is_nan(a)) return a;
    if (fn::is_nan(b)) return b;
    return (kMax ? b > a : b < a) ? b : a;
  }
  template <typename TOut>
  __device__ TOut finish(Acc acc) const {
    return static_cast<TOut>(acc);
  }
};

// argmax (kMax) / argmin. Partial results meet in any order, so ties go to the smaller index
// explicitly: the first extreme wins, and the first NaN beats every number.
template <typename T, bool kMax>
struct ArgReducer {
  struct Acc {
    T value;
    int64_t index;  // -1: nothing seen yet
  };
  __device__ Acc init() const { return {T(0), -1}; }
  __device__ Acc load(T v, int64_t index) const { return {v, index}; }
  __device__ Acc operator()(Acc a, Acc b) const {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    const bool a_nan = fn::is_nan(a.value), b_nan = fn::is_nan(b.value);
    if (a_nan != b_nan) return a_nan ? a : b;
    if (!a_nan) {
      if (kMax ? b.value > a.value : b.value < a.value) return b;
      if (kMax ? a.value > b.value : a.value < b.value) return a;
    }
    return a.index < b.index ? a : b;
  }
  template <typename TOut>
  __device__ TOut finish(Acc acc) const {
    return acc.index < 0 ? 0 : acc.index;
  }
};

// x split into kept dims (one output each; x and out strides) and reduced dims (x strides).
// Reduced dims keep their row-major order, so the linear index over them is the position along
// the dim when a single dim is reduced (arg-reductions).
struct ReduceLayout {
  StridedLayout<2> kept;  // {x, out}
  StridedLayout<1> reduced;
  int64_t kept_count = 1, reduced_count = 1;
};

ReduceLayout make_reduce_layout(const Tensor& x, const Tensor& out, const Shape& dims,
                                const char* op) {
  Shape kept, kept_in, kept_out, reduced, reduced_in;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (std::find(dims.begin(), dims.end(), d) != dims.end()) {
      reduced.push_back(x.size(d));
      reduced_in.push_back(x.stride(d));
    } else {
      kept.push_back(x.size(d));
      kept_in.push_back(x.stride(d));
      kept_out.push_back(out.stride(d));
    }
  }
  ReduceLayout layout;
  layout.kept = make_layout<2>(kept, {&kept_in, &kept_out}, op);
  layout.reduced = make_layout<1>(reduced, {&reduced_in}, op);
  layout.kept_count = numel(kept);
  layout.reduced_count = numel(reduced);
  return layout;
}

// One thread per output element folds its values in index order.
template <typename R, typename T, typename TOut>
__global__ void reduce_per_thread_kernel(R r, const T* x, TOut* out, ReduceLayout layout) {
  for (int64_t k = grid_start(); k < layout.kept_count; k += grid_step()) {
    int64_t base[2];
    layout.kept.offsets(k, base);
    typename R::Acc acc = r.init();
    for (int64_t j = 0; j < layout.reduced_count; ++j) {
      int64_t offset[1];
      layout.reduced.offsets(j, offset);
      acc = r(acc, r.load(x[base[0] + offset[0]], j));
    }
    out[base[1]] = r.template finish<TOut>(acc);
  }
}

// One block per output element: each thread folds every blockDim.x-th value, then the block
// combines the partials.
template <typename R, typename T, typename TOut>
__global__ void reduce_per_block_kernel(R r, const T* x, TOut* out, ReduceLayout layout) {
  __shared__ typename R::Acc scratch[kReduceThreads];
  for (int64_t k = blockIdx.x; k < layout.kept_count; k += gridDim.x) {
    int64_t base[2];
    layout.kept.offsets(k, base);
    typename R::Acc acc = r.init();
    for (int64_t j = threadIdx.x; j < layout.reduced_count; j += blockDim.x) {
      int64_t offset[1];
      layout.reduced.offsets(j, offset);
      acc = r(acc, r.load(x[base[0] + offset[0]], j));
    }
    acc = block_reduce(acc, scratch, r);
    if (threadIdx.x == 0) out[base[1]] = r.template finish<TOut>(acc);
  }
}

// Above this many values per output a block shares the work.
constexpr int64_t kPerBlockFrom = 256;

template <typename T, typename TOut, typename R>
void reduce(const char* op, const R& r, const Tensor& x, const Tensor& out, const Shape& dims) {
  const ReduceLayout layout = make_reduce_layout(x, out, dims, op);
  if (layout.kept_count == 0) return;
  DeviceGuard guard(x.device());
  const T* px = x.data<T>();
  TOut* po = out.data<TOut>();
  if (layout.reduced_count >= kPerBlockFrom) {
    const auto blocks = static_cast<unsigned>(std::min<int64_t>(layout.kept_count, 1 << 20));
    reduce_per_block_kernel<R, T, TOut>
        <<<blocks, kReduceThreads, 0, current_stream()>>>(r, px, po, layout);
  } else {
    reduce_per_thread_kernel<R, T, TOut>
        <<<blocks_for(layout.kept_count), kThreads, 0, current_stream()>>>(r, px, po, layout);
  }
  check_launch(op);
}

// out: sum_dtype(x) (tensor/dtype.h).
void sum_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const Shape& dims = args.get<ReduceParams>().dims;
  visit_all(x.dtype(), "sum", [&]<typename T>() {
    check_output_dtype("sum", out, sum_dtype(x.dtype()));
    reduce<T, sum_type<T>>("sum", SumReducer<T>{}, x, out, dims);
  });
}

template <bool kMax>
void extreme_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const char* op = kMax ? "amax" : "amin";
  const Shape& dims = args.get<ReduceParams>().dims;
  visit_all(x.dtype(), op, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      fail("{}: bool input {}; convert it with .to(DType::UInt8) first", op, shape_str(x.shape()));
    } else {
      check_output_dtype(op, out, x.dtype());
      reduce<T, T>(op, ExtremeReducer<T, kMax>{}, x, out, dims);
    }
  });
}

template <bool kMax>
void arg_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& out = args.outputs[0];
  const char* op = kMax ? "argmax" : "argmin";
  check_output_dtype(op, out, DType::Int64);
  const Shape dims{args.get<DimParams>().dim};
  visit_all(x.dtype(), op, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      fail("{}: bool input {}; convert it with .to(DType::UInt8) first", op, shape_str(x.shape()));
    } else {
      reduce<T, int64_t>(op, ArgReducer<T, kMax>{}, x, out, dims);
    }
  });
}

}  // namespace

void register_reduce_kernels(KernelTable& t) {
  auto set = [&](Op op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(Op::sum, sum_kernel);
  set(Op::amax, extreme_kernel<true>);
  set(Op::amin, extreme_kernel<false>);
  set(Op::argmax, arg_kernel<true>);
  set(Op::argmin, arg_kernel<false>);
}

}  // namespace camlab::cuda
