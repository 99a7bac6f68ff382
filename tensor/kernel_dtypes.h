// The dtype rules the kernels of both backends share: which dtypes an op family accepts, what a
// sum produces, and the check that the frontend allocated the output a kernel writes.
// (visit_floating and visit_all are in dtype.h.)
//
//   visit_numeric(t, "add", [&]<typename T>() { ... });   // every dtype but bool
//   visit_signed(t, "neg", [&]<typename T>() { ... });    // float32, float64, int64
//   check_output_dtype("sum", out, sum_dtype(x.dtype()));
#pragma once

#include <string_view>
#include <type_traits>

#include "tensor/dtype.h"
#include "tensor/tensor.h"

namespace camlab {

// Like visit_floating, for the signed dtypes (float32, float64, int64): ops where "negative"
// means something.
template <typename Fn>
decltype(auto) visit_signed(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    default: fail("{}: expected float32, float64 or int64, got {}", op, dtype_name(t));
  }
}

// Like visit_floating, for every dtype but bool: arithmetic (a sum of bools means nothing).
template <typename Fn>
decltype(auto) visit_numeric(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    case DType::UInt8: return fn.template operator()<uint8_t>();
    default: fail("{}: expected a numeric dtype, got {}", op, dtype_name(t));
  }
}

// What a sum produces, as in PyTorch: floating dtypes are kept, integers and bools widen to int64.
constexpr DType sum_dtype(DType t) { return is_floating(t) ? t : DType::Int64; }
template <typename T>
using sum_type = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

// A kernel's check that the frontend allocated the output dtype it writes.
inline void check_output_dtype(const char* op, const Tensor& out, DType want) {
  CAMLAB_CHECK(out.dtype() == want, "{}: output dtype is {} but the kernel writes {}", op,
               dtype_name(out.dtype()), dtype_name(want));
}

}  // namespace camlab
