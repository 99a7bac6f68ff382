// CPU indexing kernels. All four read and write through strides, so expanded (stride-0) and
// transposed operands need no copy. Index tensors are int64 and already range-checked by the
// frontend (tensor/ops/index.cpp), which names the op and the bad index when one is not.
//
//   index_select: x, index [L] (along dim)     -> out, x's shape with size L at dim
//   gather:       x, index (index's shape)     -> out[..i..] = x[..index[..i..]..]   (at dim)
//   scatter_add:  index, src -> out (holds x):    out[..index[..i..]..] += src[..i..] (at dim)
//   masked_fill:  x, mask (bool, x's shape)    -> out = mask ? value : x
// The first three share their operands' unpacking with CUDA (tensor/index_operands.h).
#include <cstdint>

#include "tensor/cpu/loops.h"
#include "tensor/cpu/register.h"
#include "tensor/index_operands.h"
#include "tensor/kernel_dtypes.h"
#include "tensor/op_params.h"

namespace camlab::cpu {
namespace {

// out[..i..] = x[.. index[..i..] ..] (index_operands.h), on every core.
void indexed_read(const IndexedRead& r) {
  const int64_t* idx = r.index.data<int64_t>();
  visit_all(r.x.dtype(), r.op, [&]<typename T>() {
    const T* px = r.x.data<T>();
    T* po = r.out.data<T>();
    for_each_row<3>(
        r.out.shape(), {&r.out.strides(), &r.x_strides, &r.index_strides},
        [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t k = idx[base[2] + i * step[2]];
            po[base[0] + i * step[0]] = px[base[1] + i * step[1] + k * r.x_dim_stride];
          }
        });
  });
}

void index_select_kernel(const KernelArgs& args) { indexed_read(index_select_operands(args)); }
void gather_kernel(const KernelArgs& args) { indexed_read(gather_operands(args)); }

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

void scatter_add_kernel(const KernelArgs& args) {
  const ScatterAdd s = scatter_add_operands(args);
  const int64_t* idx = s.index.data<int64_t>();
  visit_numeric(s.out.dtype(), "scatter_add", [&]<typename T>() {
    const T* ps = s.src.data<T>();
    T* po = s.out.data<T>();
    for_each_row_serial<3>(
        s.index.shape(), {&s.out_strides, &s.src.strides(), &s.index.strides()},
        [&](const std::array<int64_t, 3>& base, const std::array<int64_t, 3>& step, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t k = idx[base[2] + i * step[2]];
            po[base[0] + i * step[0] + k * s.out_dim_stride] += ps[base[1] + i * step[1]];
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
