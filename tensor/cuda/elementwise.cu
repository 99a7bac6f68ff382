// CUDA elementwise kernels: the functors of tensor/functors.h (the CPU backend runs the very same
// ones) through the one strided kernel of tensor/cuda/loops.cuh. Broadcast inputs arrive as
// expanded views (stride 0). The dtype rules are those of tensor/cpu/elementwise.cpp.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/elementwise_ops.h"
#include "tensor/functors.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// x: any shape -> out: same shape
template <typename F>
void float_unary(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    elementwise<T, T>("unary", F{}, args.outputs[0], args.inputs[0]);
  });
}

template <typename F>
void signed_unary(const KernelArgs& args) {
  visit_signed(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    elementwise<T, T>("unary", F{}, args.outputs[0], args.inputs[0]);
  });
}

// Unary ops with scalar parameters: the functor template is built from ScalarParams.
template <template <class> class F>
void scalar_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_numeric(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    elementwise<T, T>("unary", F<T>{T(p.a)}, args.outputs[0], args.inputs[0]);
  });
}

template <template <class> class F>
void scalar2_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_numeric(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    elementwise<T, T>("unary", F<T>{T(p.a), T(p.b)}, args.outputs[0], args.inputs[0]);
  });
}

template <template <class> class F>
void scalar_float_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_floating(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    elementwise<T, T>("unary", F<T>{T(p.a)}, args.outputs[0], args.inputs[0]);
  });
}

// a, b: expanded to out's shape
template <typename F>
void numeric_binary(const KernelArgs& args) {
  visit_numeric(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    elementwise<T, T, T>("binary", F{}, args.outputs[0], args.inputs[0], args.inputs[1]);
  });
}

template <typename F>
void float_binary(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    elementwise<T, T, T>("binary", F{}, args.outputs[0], args.inputs[0], args.inputs[1]);
  });
}

template <template <class> class F>
void scalar_float_binary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_floating(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    elementwise<T, T, T>("binary", F<T>{T(p.a)}, args.outputs[0], args.inputs[0], args.inputs[1]);
  });
}

// a, b: any dtype -> out: bool
template <typename F>
void compare(const KernelArgs& args) {
  visit_all(args.inputs[0].dtype(), "compare", [&]<typename T>() {
    elementwise<bool, T, T>("compare", F{}, args.outputs[0], args.inputs[0], args.inputs[1]);
  });
}

void logical_not_kernel(const KernelArgs& args) {
  visit_all(args.inputs[0].dtype(), "logical_not", [&]<typename T>() {
    elementwise<bool, T>("logical_not", fn::LogicalNot{}, args.outputs[0], args.inputs[0]);
  });
}

// condition ? a : b
struct Select {
  template <class T>
  CAMLAB_HD T operator()(bool condition, T a, T b) const {
    return condition ? a : b;
  }
};

// condition (bool), a, b: expanded to out's shape
void where_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  visit_all(out.dtype(), "where", [&]<typename T>() {
    elementwise<T, bool, T, T>("where", Select{}, out, args.inputs[0], args.inputs[1],
                               args.inputs[2]);
  });
}

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
#define CAMLAB_SET_KERNEL(op, family, functor) t[static_cast<size_t>(Op::op)] = family<functor>;
  CAMLAB_ELEMENTWISE_OPS(CAMLAB_SET_KERNEL)
#undef CAMLAB_SET_KERNEL
  t[static_cast<size_t>(Op::logical_not)] = logical_not_kernel;
  t[static_cast<size_t>(Op::where)] = where_kernel;
}

}  // namespace camlab::cuda
