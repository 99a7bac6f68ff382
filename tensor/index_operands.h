// The index kernels' operands, unpacked from KernelArgs once for both backends
// (tensor/cpu/index.cpp, tensor/cuda/index.cu). The trick they share: give the indexed operand
// stride 0 at `dim`, walk the other operands' shape with the strided loop, and add
// index·stride[dim] to the indexed operand's offset.
//
//   IndexedRead r = index_select_operands(args);   // or gather_operands(args)
//   // for each element of r.out (strides r.out, r.x_strides, r.index_strides):
//   //   out[o] = x[x_off + index[i_off] · r.x_dim_stride]
//   ScatterAdd s = scatter_add_operands(args);     // out[o_off + index[i_off]·stride] +=
//   src[s_off]
#pragma once

#include <cstdint>

#include "tensor/dispatch.h"
#include "tensor/op_params.h"

namespace camlab {

// t's strides with the one at `dim` zeroed: the offset of every coordinate except the indexed one.
inline Shape strides_without(const Tensor& t, int64_t dim) {
  Shape strides = t.strides();
  strides[static_cast<size_t>(dim)] = 0;
  return strides;
}

// out[..i..] = x[.. index[..i..] ..], the index replacing coordinate `dim` of x; the walk is over
// out's shape.
struct IndexedRead {
  const char* op;
  Tensor out;
  Tensor x;
  Tensor index;         // int64, range-checked by the frontend (tensor/ops/index.cpp)
  Shape x_strides;      // x's strides with dim zeroed
  Shape index_strides;  // the index's strides over out's shape
  int64_t x_dim_stride;
};

// inputs {x (any shape), index [L] int64} -> out: x's shape with L at dim. The 1-d index is
// walked as an expansion over out's shape (stride 0 outside dim).
inline IndexedRead index_select_operands(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& index = args.inputs[1];
  const Tensor& out = args.outputs[0];
  const int64_t dim = args.get<DimParams>().dim;
  Shape index_strides(out.shape().size(), 0);
  index_strides[static_cast<size_t>(dim)] = index.stride(0);
  return {"index_select", out, x, index, strides_without(x, dim), index_strides, x.stride(dim)};
}

// inputs {x (any shape), index int64 of x's rank, index.size(d) ≤ x.size(d) off dim}
// -> out: index's shape.
inline IndexedRead gather_operands(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];
  const Tensor& index = args.inputs[1];
  const int64_t dim = args.get<DimParams>().dim;
  return {"gather",        args.outputs[0], x, index, strides_without(x, dim),
          index.strides(), x.stride(dim)};
}

// out[..index[..i..]..] += src[..i..] at `dim`; the walk is over index's shape.
struct ScatterAdd {
  Tensor out;         // holds x already; index.size(d) ≤ out.size(d) off dim
  Tensor src;         // index.size(d) ≤ src.size(d) for every d
  Tensor index;       // int64, any strides (stride 0 where expanded)
  Shape out_strides;  // out's strides with dim zeroed
  int64_t out_dim_stride;
};

// inputs {index, src} -> outputs {out}
inline ScatterAdd scatter_add_operands(const KernelArgs& args) {
  const Tensor& out = args.outputs[0];
  const int64_t dim = args.get<DimParams>().dim;
  return {out, args.inputs[1], args.inputs[0], strides_without(out, dim), out.stride(dim)};
}

}  // namespace camlab
