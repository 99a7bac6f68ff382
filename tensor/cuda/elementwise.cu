// CUDA elementwise kernels: the functors of tensor/functors.h (the CPU backend runs the very same
// ones) through the one strided kernel of tensor/cuda/loops.cuh. Broadcast inputs arrive as
// expanded views (stride 0). The dtype rules are those of tensor/cpu/elementwise.cpp.
#include "tensor/cuda/runtime.cuh"
// runtime.cuh stays first (it sets fmt up for nvcc); the includes below sort on their own.
#include <cstdint>

#include "tensor/cuda/loops.cuh"
#include "tensor/cuda/register.h"
#include "tensor/functors.h"
#include "tensor/op_params.h"

namespace camlab::cuda {
namespace {

// Numeric (non-bool) dtypes for arithmetic.
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

// Signed dtypes, for ops where "negative" means something.
template <typename Fn>
void visit_signed(DType t, const char* op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    default: fail("{}: expected float32, float64 or int64, got {}", op, dtype_name(t));
  }
}

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
template <template <class> class F, bool kTwoScalars = false>
void scalar_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_numeric(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    if constexpr (kTwoScalars) {
      elementwise<T, T>("unary", F<T>{T(p.a), T(p.b)}, args.outputs[0], args.inputs[0]);
    } else {
      elementwise<T, T>("unary", F<T>{T(p.a)}, args.outputs[0], args.inputs[0]);
    }
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

template <class T>
using Clamp2 = fn::Clamp<T>;

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
  auto set = [&](Op op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(Op::neg, signed_unary<fn::Neg>);
  set(Op::exp, float_unary<fn::Exp>);
  set(Op::log, float_unary<fn::Log>);
  set(Op::sqrt, float_unary<fn::Sqrt>);
  set(Op::rsqrt, float_unary<fn::Rsqrt>);
  set(Op::abs, signed_unary<fn::Abs>);
  set(Op::sign, signed_unary<fn::Sign>);
  set(Op::relu, signed_unary<fn::Relu>);
  set(Op::sigmoid, float_unary<fn::Sigmoid>);
  set(Op::tanh, float_unary<fn::Tanh>);
  set(Op::gelu, float_unary<fn::Gelu>);
  set(Op::leaky_relu, scalar_float_unary<fn::LeakyRelu>);
  set(Op::elu, scalar_float_unary<fn::Elu>);
  set(Op::clamp, scalar_unary<Clamp2, true>);
  set(Op::pow_scalar, scalar_float_unary<fn::PowScalar>);
  set(Op::add_scalar, scalar_unary<fn::AddScalar>);
  set(Op::mul_scalar, scalar_unary<fn::MulScalar>);
  set(Op::logical_not, logical_not_kernel);
  set(Op::add, numeric_binary<fn::Add>);
  set(Op::sub, numeric_binary<fn::Sub>);
  set(Op::mul, numeric_binary<fn::Mul>);
  set(Op::div, numeric_binary<fn::Div>);
  set(Op::pow, float_binary<fn::Pow>);
  set(Op::minimum, numeric_binary<fn::Minimum>);
  set(Op::maximum, numeric_binary<fn::Maximum>);
  set(Op::eq, compare<fn::Eq>);
  set(Op::ne, compare<fn::Ne>);
  set(Op::lt, compare<fn::Lt>);
  set(Op::le, compare<fn::Le>);
  set(Op::gt, compare<fn::Gt>);
  set(Op::ge, compare<fn::Ge>);
  set(Op::where, where_kernel);
  set(Op::relu_backward, float_binary<fn::ReluBackward>);
  set(Op::sigmoid_backward, float_binary<fn::SigmoidBackward>);
  set(Op::tanh_backward, float_binary<fn::TanhBackward>);
  set(Op::gelu_backward, float_binary<fn::GeluBackward>);
  set(Op::leaky_relu_backward, scalar_float_binary<fn::LeakyReluBackward>);
  set(Op::elu_backward, scalar_float_binary<fn::EluBackward>);
}

}  // namespace camlab::cuda
