// Elementwise math, written once for both backends: each functor is CAMLAB_HD, and the CPU loops
// (tensor/cpu/elementwise.cpp) and CUDA kernels (tensor/cuda/elementwise.cu) instantiate them.
//
//   Sigmoid f;                  float y = f(0.5f);
//   LeakyRelu<float> g{0.01f};  float z = g(-2.0f);
//
// Scalar parameters (slope, alpha, bounds) are members set from ScalarParams.
#pragma once

#include <cmath>
#include <type_traits>

#include "tensor/hd.h"

namespace camlab::fn {

#if !defined(__CUDACC__)
// On the host the float overloads live in std::; CUDA's math headers put them in the global
// namespace, where unqualified calls find them.
using std::erf;
using std::exp;
using std::log;
using std::pow;
using std::sqrt;
using std::tanh;
#endif

// ---- unary ----
struct Neg {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return -x;
  }
};
struct Exp {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return exp(x);
  }
};
struct Log {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return log(x);
  }
};
struct Sqrt {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return sqrt(x);
  }
};
struct Rsqrt {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return T(1) / sqrt(x);
  }
};
struct Abs {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return x < T(0) ? -x : x;
  }
};
struct Sign {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return T((x > T(0)) - (x < T(0)));
  }
};
struct Relu {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return x > T(0) ? x : T(0);
  }
};
struct Sigmoid {
  // Split by sign so exp never overflows.
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    if (x >= T(0)) return T(1) / (T(1) + exp(-x));
    T e = exp(x);
    return e / (T(1) + e);
  }
};
struct Tanh {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return tanh(x);
  }
};
// The error function, erf(x) = 2/√π ∫₀ˣ e^(−t²) dt (ONNX's Erf; exported GELUs are built on it).
struct Erf {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return erf(x);
  }
};
// Exact GELU, x·Φ(x) with Φ the standard normal CDF (Hendrycks & Gimpel 2016).
struct Gelu {
  template <class T>
  CAMLAB_HD T operator()(T x) const {
    return T(0.5) * x * (T(1) + erf(x * T(0.70710678118654752440)));
  }
};
struct LogicalNot {
  template <class T>
  CAMLAB_HD bool operator()(T x) const {
    return !x;
  }
};

template <class T>
struct LeakyRelu {
  T slope;
  CAMLAB_HD T operator()(T x) const { return x > T(0) ? x : slope * x; }
};
template <class T>
struct Elu {
  T alpha;
  CAMLAB_HD T operator()(T x) const { return x > T(0) ? x : alpha * (exp(x) - T(1)); }
};
template <class T>
struct Clamp {
  T low, high;
  CAMLAB_HD T operator()(T x) const { return x < low ? low : (x > high ? high : x); }
};
template <class T>
struct PowScalar {
  T exponent;
  CAMLAB_HD T operator()(T x) const {
    if (exponent == T(2)) return x * x;
    return pow(x, exponent);
  }
};
template <class T>
struct AddScalar {
  T value;
  CAMLAB_HD T operator()(T x) const { return x + value; }
};
template <class T>
struct MulScalar {
  T value;
  CAMLAB_HD T operator()(T x) const { return x * value; }
};

// ---- binary ----
struct Add {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return a + b;
  }
};
struct Sub {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return a - b;
  }
};
struct Mul {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return a * b;
  }
};
struct Div {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return a / b;
  }
};
struct Pow {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return pow(a, b);
  }
};
template <class T>
CAMLAB_HD bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    return x != x;
  } else {
    return false;
  }
}
// NaN propagates, as in torch.minimum/maximum.
struct Minimum {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return (a < b || is_nan(a)) ? a : b;
  }
};
struct Maximum {
  template <class T>
  CAMLAB_HD T operator()(T a, T b) const {
    return (a > b || is_nan(a)) ? a : b;
  }
};
struct Eq {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a == b;
  }
};
struct Ne {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a != b;
  }
};
struct Lt {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a < b;
  }
};
struct Le {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct Gt {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a > b;
  }
};
struct Ge {
  template <class T>
  CAMLAB_HD bool operator()(T a, T b) const {
    return a >= b;
  }
};

// ---- activation backwards: (grad_y, saved) -> grad_x ----
struct ReluBackward {
  template <class T>
  CAMLAB_HD T operator()(T g, T x) const {
    return x > T(0) ? g : T(0);
  }
};
struct SigmoidBackward {  // saved y: dy/dx = y(1 − y)
  template <class T>
  CAMLAB_HD T operator()(T g, T y) const {
    return g * y * (T(1) - y);
  }
};
struct TanhBackward {  // saved y: dy/dx = 1 − y²
  template <class T>
  CAMLAB_HD T operator()(T g, T y) const {
    return g * (T(1) - y * y);
  }
};
struct GeluBackward {  // d/dx x·Φ(x) = Φ(x) + x·φ(x)
  template <class T>
  CAMLAB_HD T operator()(T g, T x) const {
    T cdf = T(0.5) * (T(1) + erf(x * T(0.70710678118654752440)));
    T pdf = T(0.39894228040143267794) * exp(T(-0.5) * x * x);
    return g * (cdf + x * pdf);
  }
};
template <class T>
struct LeakyReluBackward {
  T slope;
  CAMLAB_HD T operator()(T g, T x) const { return x > T(0) ? g : slope * g; }
};
template <class T>
struct EluBackward {  // saved x: d/dx α(eˣ − 1) = α·eˣ
  T alpha;
  CAMLAB_HD T operator()(T g, T x) const { return x > T(0) ? g : g * alpha * exp(x); }
};

}  // namespace camlab::fn
