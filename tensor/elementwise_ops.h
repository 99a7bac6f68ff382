// The elementwise op table, one row per Op: the kernel family (which dtypes it accepts and which
// ScalarParams it reads) and the functor of tensor/functors.h it runs. Both backends expand it
// into their kernel tables with their own family templates (tensor/cpu/elementwise.cpp,
// tensor/cuda/elementwise.cu), so an op cannot run one functor on the CPU and another on CUDA.
//
//   #define SET(op, family, functor) t[static_cast<size_t>(Op::op)] = family<functor>;
//   CAMLAB_ELEMENTWISE_OPS(SET)
//   #undef SET
//
// Families, each templated on the functor:
//   float_unary, float_binary        float32, float64
//   signed_unary                     float32, float64, int64
//   numeric_binary                   every dtype but bool
//   scalar_unary                     every dtype but bool; functor<T>{ScalarParams::a}
//   scalar2_unary                    every dtype but bool; functor<T>{a, b}
//   scalar_float_unary/_binary       float32, float64; functor<T>{a}
//   compare                          every dtype, bool output
// logical_not and where have kernels of their own in each backend.
#pragma once

#include "tensor/functors.h"

// clang-format off
#define CAMLAB_ELEMENTWISE_OPS(X)                                      \
  X(neg, signed_unary, fn::Neg)                                        \
  X(exp, float_unary, fn::Exp)                                         \
  X(log, float_unary, fn::Log)                                         \
  X(sqrt, float_unary, fn::Sqrt)                                       \
  X(rsqrt, float_unary, fn::Rsqrt)                                     \
  X(abs, signed_unary, fn::Abs)                                        \
  X(sign, signed_unary, fn::Sign)                                      \
  X(relu, signed_unary, fn::Relu)                                      \
  X(sigmoid, float_unary, fn::Sigmoid)                                 \
  X(tanh, float_unary, fn::Tanh)                                       \
  X(gelu, float_unary, fn::Gelu)                                       \
  X(erf, float_unary, fn::Erf)                                         \
  X(leaky_relu, scalar_float_unary, fn::LeakyRelu)                     \
  X(elu, scalar_float_unary, fn::Elu)                                  \
  X(clamp, scalar2_unary, fn::Clamp)                                   \
  X(pow_scalar, scalar_float_unary, fn::PowScalar)                     \
  X(add_scalar, scalar_unary, fn::AddScalar)                           \
  X(mul_scalar, scalar_unary, fn::MulScalar)                           \
  X(add, numeric_binary, fn::Add)                                      \
  X(sub, numeric_binary, fn::Sub)                                      \
  X(mul, numeric_binary, fn::Mul)                                      \
  X(div, numeric_binary, fn::Div)                                      \
  X(pow, float_binary, fn::Pow)                                        \
  X(minimum, numeric_binary, fn::Minimum)                              \
  X(maximum, numeric_binary, fn::Maximum)                              \
  X(eq, compare, fn::Eq)                                               \
  X(ne, compare, fn::Ne)                                               \
  X(lt, compare, fn::Lt)                                               \
  X(le, compare, fn::Le)                                               \
  X(gt, compare, fn::Gt)                                               \
  X(ge, compare, fn::Ge)                                               \
  X(relu_backward, float_binary, fn::ReluBackward)                     \
  X(sigmoid_backward, float_binary, fn::SigmoidBackward)               \
  X(tanh_backward, float_binary, fn::TanhBackward)                     \
  X(gelu_backward, float_binary, fn::GeluBackward)                     \
  X(leaky_relu_backward, scalar_float_binary, fn::LeakyReluBackward)   \
  X(elu_backward, scalar_float_binary, fn::EluBackward)
// clang-format on
