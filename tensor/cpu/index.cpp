// CPU indexing kernels. All four read and write through strides, so expanded (stride-0) and
// transposed operands need no copy. Index tensors are int64 and already range-checked by the
// frontend (tensor/ops/index.cpp), which names the op and the bad index when one is not.
//
//   index_select: x, index [L] (along dim)     -> out, x's shape with size L at dim
//   gather:       x, index (index's shape)     -> out[..i..] = x[..index[..i..]..]   (at dim)
//   scatter_add:  index, src -> out (holds x):    out[..index[..i..]..] += src[..i..] (at dim)
//   masked_fill:  x, mask (bool, x's shape)    -> out = mask ? value : x
//
// The trick shared by the first three: give the indexed operand stride 0 at `dim`, walk the
// index's shape with the strided loop, and add index·stride[dim] to that operand's offset.
#include <cstdint>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/op_params.h"

namespace camlab::cpu {
namespace {

// t's strides with the one at `dim` zeroed: the offset of every coordinate except the indexed one.
Shape strides_without(const Tensor& t, int64_t dim) {
  Shape strides = t.strides();
  strides[static_cast<size_t>(dim)] = 0;
  return strides;
}

// out[..i..] = x[.. index[..i..] ..] with the index replacing coordinate `dim` of x. out and
// index_strides describe the walked shape (out's); index_select passes its 1-d index as an
// expansion (stride 0 outside dim), gather its index as it is.
void indexed_read(const Tensor& out, const Tensor& x, const Tensor& index,
                  const Shape& index_strides, int64_t dim, const char* op) {
  const Shape x_strides = strides_without(x, dim);
  const int64_t x_dim_stride = x.stride(dim);
  const int64_t* idx = index.data<int64_t>();
  visit_all(x.dtype(), op, [&]<typename T>() {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for_each_row<3>(
        out.shape(), {&out.strides(), &x_strides, &index_strides},
        [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t k = idx[base[2] + i * step[2]];
            po[base[0] + i * step[0]] = px[base[1] + i * step[1] + k * x_dim_stride];
          }
        });
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

// The strided loop of loops.h, run on one thread: scatter_add's writes may collide, and a fixed
// order keeps the float sums reproducible.
template <size_t K, typename RowFn>
void for_each_row_serial(const Shape& shape, const std::array<const Shape*, K>& strides,
                         RowFn&& row) {
  if (numel(shape) == 0) return;
  CollapsedLayout<K> layout = collapse_dims<K>(shape, strides);
  const int64_t ndim = static_cast<int64_t>(layout.shape.size());
  const int64_t inner = layout.shape.back();
  std::array<int64_t, K> step;
  for (size_t k = 0; k < K; ++k) step[k] = layout.strides[k].back();
  const int64_t rows = numel(layout.shape) / inner;
  for (int64_t r = 0; r < rows; ++r) {
    std::array<int64_t, K> base{};
    int64_t rest = r;
    for (int64_t d = ndim - 2; d >= 0; --d) {
      const int64_t i = rest % layout.shape[d];
      rest /= layout.shape[d];
      for (size_t k = 0; k < K; ++k) base[k] += i * layout.strides[k][d];
    }
    row(base, step, inner);
  }
}

// Numeric dtypes: a sum of bools means nothing.
template <typename Fn>
void visit_numeric(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32: return fn.template operator()<float>();
    case DType::Float64: return fn.template operator()<double>();
    case DType::Int64: return fn.template operator()<int64_t>();
    case DType::UInt8: return fn.template operator()<uint8_t>();
    default: fail("{}: expected a numeric dtype, got {}", op, dtype_name(t));
  }
}

void scatter_add_kernel(const KernelArgs& args) {
  const Tensor& index = args.inputs[0];  // int64, any strides (stride 0 where expanded)
  const Tensor& src = args.inputs[1];    // index.size(d) ≤ src.size(d) for every d
  const Tensor& out = args.outputs[0];   // holds x already; index.size(d) ≤ out.size(d) off dim
  const int64_t dim = args.get<DimParams>().dim;
  const Shape out_strides = strides_without(out, dim);
  const int64_t out_dim_stride = out.stride(dim);
  const int64_t* idx = index.data<int64_t>();
  visit_numeric(out.dtype(), "scatter_add", [&]<typename T>() {
    const T* ps = src.data<T>();
    T* po = out.data<T>();
    for_each_row_serial<3>(
        index.shape(), {&out_strides, &src.strides(), &index.strides()},
        [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t k = idx[base[2] + i * step[2]];
            po[base[0] + i * step[0] + k * out_dim_stride] += ps[base[1] + i * step[1]];
          }
        });
  });
}

void masked_fill_kernel(const KernelArgs& args) {
  const Tensor& x = args.inputs[0];     // any shape
  const Tensor& mask = args.inputs[1];  // bool, expanded to x's shape
  const Tensor& out = args.outputs[0];  // x's shape
  const double value = args.get<ScalarParams>().a;
  const bool* pm = mask.data<bool>();
  visit_all(x.dtype(), "masked_fill", [&]<typename T>() {
    const T fill = static_cast<T>(value);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for_each_row<3>(
        out.shape(), {&out.strides(), &x.strides(), &mask.strides()},
        [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            po[base[0] + i * step[0]] =
                pm[base[2] + i * step[2]] ? fill : px[base[1] + i * step[1]];
          }
        });
  });
}

}  // namespace

void register_index_kernels(KernelTable& t) {
  t[static_cast<size_t>(Op::index_select)] = index_select_kernel;
  t[static_cast<size_t>(Op::gather)] = gather_kernel;
  t[static_cast<size_t>(Op::scatter_add)] = scatter_add_kernel;
  t[static_cast<size_t>(Op::masked_fill)] = masked_fill_kernel;
}

}  // namespace camlab::cpu
