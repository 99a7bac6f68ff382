// Element types and the compile-time dispatch over them.
//
//   DType t = DType::Float32;
//   size_t bytes = dtype_size(t);                       // 4
//   visit_floating(t, "exp", [&]<typename T>() { ... }); // T = float or double
//   visit_all(t, "copy", [&]<typename T>() { ... });     // every dtype
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tensor/error.h"

namespace camlab {

enum class DType : uint8_t { Float32, Float64, Int64, UInt8, Bool };

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::UInt8: return 1;
    case DType::Bool: return 1;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "?";
}

constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }

// The C++ type behind each dtype; bool is stored as one byte.
template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::UInt8;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}

// Calls fn.template operator()<T>() with T the C++ type of a floating dtype.
template <typename Fn>
decltype(auto) visit_floating(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    default: fail("{}: expected a floating dtype (float32 or float64), got {}", op, dtype_name(t));
  }
}

// Like visit_floating, for every dtype.
template <typename Fn>
decltype(auto) visit_all(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    case DType::UInt8: return fn.template operator()<uint8_t>();
    case DType::Bool: return fn.template operator()<bool>();
  }
  fail("{}: unknown dtype", op);
}

}  // namespace camlab
