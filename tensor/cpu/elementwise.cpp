// CPU elementwise kernels: the functors of tensor/functors.h run through the strided loop of
// tensor/cpu/loops.h. Broadcast inputs arrive as expanded views (stride 0), so one loop serves
// same-shape and broadcast cases alike.
#include <cstdint>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/cpu/vec_math.h"
#include "tensor/elementwise_ops.h"
#include "tensor/functors.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cpu {
namespace {

// out = f(x), elementwise. x: any shape, out: same shape.
template <typename TOut, typename TIn, typename F>
void unary_loop(const Tensor& out, const Tensor& x, F f) {
  TOut* o = out.data<TOut>();
  const TIn* in = x.data<TIn>();
  for_each_row<2>(
      out.shape(), {&out.strides(), &x.strides()},
      [&](const std::array<int64_t, 2>& base, const std::array<int64_t, 2>& step, int64_t n) {
        TOut* po = o + base[0];
        const TIn* pi = in + base[1];
        if (step[0] == 1 && step[1] == 1) {
          for (int64_t i = 0; i < n; ++i) po[i] = static_cast<TOut>(f(pi[i]));
        } else {
          for (int64_t i = 0; i < n; ++i) {
            po[i * step[0]] = static_cast<TOut>(f(pi[i * step[1]]));
          }
        }
      });
}

// out = f(a, b), elementwise; a and b already expanded to out's shape.
template <typename TOut, typename TIn, typename F>
void binary_loop(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  TOut* o = out.data<TOut>();
  const TIn* pa = a.data<TIn>();
  const TIn* pb = b.data<TIn>();
  for_each_row<3>(
      out.shape(), {&out.strides(), &a.strides(), &b.strides()},
      [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
        TOut* po = o + base[0];
        const TIn* ra = pa + base[1];
        const TIn* rb = pb + base[2];
        if (step[0] == 1 && step[1] == 1 && step[2] == 1) {
          for (int64_t i = 0; i < n; ++i) po[i] = static_cast<TOut>(f(ra[i], rb[i]));
        } else {
          for (int64_t i = 0; i < n; ++i) {
            po[i * step[0]] = static_cast<TOut>(f(ra[i * step[1]], rb[i * step[2]]));
          }
        }
      });
}

template <typename F>
void float_unary(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "unary",
                 [&]<typename T>() { unary_loop<T, T>(args.outputs[0], args.inputs[0], F{}); });
}

template <typename F>
void signed_unary(const KernelArgs& args) {
  visit_signed(args.inputs[0].dtype(), "unary",
               [&]<typename T>() { unary_loop<T, T>(args.outputs[0], args.inputs[0], F{}); });
}

// Unary ops with scalar parameters: the functor template is built from ScalarParams.
template <template <class> class F>
void scalar_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_numeric(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    unary_loop<T, T>(args.outputs[0], args.inputs[0], F<T>{T(p.a)});
  });
}

template <template <class> class F>
void scalar2_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_numeric(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    unary_loop<T, T>(args.outputs[0], args.inputs[0], F<T>{T(p.a), T(p.b)});
  });
}

template <template <class> class F>
void scalar_float_unary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_floating(args.inputs[0].dtype(), "unary", [&]<typename T>() {
    unary_loop<T, T>(args.outputs[0], args.inputs[0], F<T>{T(p.a)});
  });
}

template <typename F>
void numeric_binary(const KernelArgs& args) {
  visit_numeric(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    binary_loop<T, T>(args.outputs[0], args.inputs[0], args.inputs[1], F{});
  });
}

template <typename F>
void float_binary(const KernelArgs& args) {
  visit_floating(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    binary_loop<T, T>(args.outputs[0], args.inputs[0], args.inputs[1], F{});
  });
}

template <template <class> class F>
void scalar_float_binary(const KernelArgs& args) {
  const auto& p = args.get<ScalarParams>();
  visit_floating(args.inputs[0].dtype(), "binary", [&]<typename T>() {
    binary_loop<T, T>(args.outputs[0], args.inputs[0], args.inputs[1], F<T>{T(p.a)});
  });
}

template <typename F>
void compare(const KernelArgs& args) {
  visit_all(args.inputs[0].dtype(), "compare", [&]<typename T>() {
    binary_loop<bool, T>(args.outputs[0], args.inputs[0], args.inputs[1], F{});
  });
}

void logical_not_kernel(const KernelArgs& args) {
  visit_all(args.inputs[0].dtype(), "logical_not", [&]<typename T>() {
    unary_loop<bool, T>(args.outputs[0], args.inputs[0], fn::LogicalNot{});
  });
}

// out = condition ? a : b; all three expanded to out's shape.
void where_kernel(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  const Tensor& cond = args.inputs[0];
  const Tensor& a = args.inputs[1];
  const Tensor& b = args.inputs[2];
  visit_all(out.dtype(), "where", [&]<typename T>() {
    T* po = out.data<T>();
    const bool* pc = cond.data<bool>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    for_each_row<4>(
        out.shape(), {&out.strides(), &cond.strides(), &a.strides(), &b.strides()},
        [&](const std::array<int64_t, 4>& base, const std::array<int64_t, 4>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            po[base[0] + i * step[0]] =
                pc[base[1] + i * step[1]] ? pa[base[2] + i * step[2]] : pb[base[3] + i * step[3]];
          }
        });
  });
}

// fn::Exp on the CPU: the vectorisable float exp of vec_math.h (std::exp for double).
struct ExpCpu {
  template <class T>
  T operator()(T x) const {
    return exp_fast(x);
  }
};

}  // namespace

void register_elementwise_kernels(KernelTable& t) {
#define CAMLAB_SET_KERNEL(op, family, functor) t[static_cast<size_t>(Op::op)] = family<functor>;
  CAMLAB_ELEMENTWISE_OPS(CAMLAB_SET_KERNEL)
#undef CAMLAB_SET_KERNEL
  t[static_cast<size_t>(Op::exp)] = float_unary<ExpCpu>;  // the same function, vectorizable
  t[static_cast<size_t>(Op::logical_not)] = logical_not_kernel;
  t[static_cast<size_t>(Op::where)] = where_kernel;
}

}  // namespace camlab::cpu
