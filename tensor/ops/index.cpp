// Frontends of indexing and joining: validate shapes, dtypes and index ranges, allocate, dispatch
// the kernels of tensor/cpu/index.cpp. cat and stack need no kernel: they copy_ into views.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

void check_index_dtype(const Tensor& index, std::string_view op) {
  CAMLAB_CHECK(index.defined(), "{}: the index is undefined", op);
  CAMLAB_CHECK(index.dtype() == DType::Int64, "{}: index must be int64, got {} {}", op,
               dtype_name(index.dtype()), shape_str(index.shape()));
}

// Every value of index must lie in [0, size): one line naming the op, the bad value and where it
// sits, the dim it indexes and the valid range. Read on the host so every device shares the check.
void check_index_range(const Tensor& index, int64_t size, int64_t dim, const Tensor& x,
                       std::string_view op) {
  Tensor host = index.to(Device::cpu()).contiguous();
  const int64_t* values = host.data<int64_t>();
  for (int64_t i = 0; i < host.numel(); ++i) {
    if (values[i] >= 0 && values[i] < size) continue;
    fail(
        "{}: index {} (at flat position {} of index {}) is out of range for dim {} of input {}; "
        "valid range is [0, {})",
        op, values[i], i, shape_str(index.shape()), dim, shape_str(x.shape()), size);
  }
}

// The joining checks shared by cat and stack: same dtype, device and rank everywhere, and the
// same sizes except at `skip_dim` (none when -1). Errors name the offending tensor's position.
void check_joinable(const std::vector<Tensor>& tensors, int64_t skip_dim, std::string_view op) {
  CAMLAB_CHECK(!tensors.empty(), "{}: expected a non-empty list of tensors", op);
  const Tensor& first = tensors[0];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    CAMLAB_CHECK(t.defined(), "{}: tensor {} is undefined", op, i);
    CAMLAB_CHECK(t.dtype() == first.dtype(),
                 "{}: tensor {} is {} {} but tensor 0 is {} {}; convert it with .to(DType::{})", op,
                 i, dtype_name(t.dtype()), shape_str(t.shape()), dtype_name(first.dtype()),
                 shape_str(first.shape()), dtype_name(first.dtype()));
    CAMLAB_CHECK(t.device() == first.device(), "{}: tensor {} is on {} but tensor 0 on {}", op, i,
                 t.device().str(), first.device().str());
    bool same = t.dim() == first.dim();
    for (int64_t d = 0; same && d < t.dim(); ++d)
      same = d == skip_dim || t.size(d) == first.size(d);
    if (same) continue;
    if (skip_dim < 0) {
      fail("{}: tensor {} has shape {} but tensor 0 has {}; all shapes must be equal", op, i,
           shape_str(t.shape()), shape_str(first.shape()));
    }
    fail("{}: tensor {} has shape {} but tensor 0 has {}; sizes must match except in dim {}", op, i,
         shape_str(t.shape()), shape_str(first.shape()), skip_dim);
  }
}

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  const UntrackedOp untracked("ops::cat", "camlab::cat", tensors);
  CAMLAB_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  CAMLAB_CHECK(tensors[0].defined() && tensors[0].dim() >= 1,
               "cat: tensor 0 must have at least one dim, got {}",
               tensors[0].defined() ? shape_str(tensors[0].shape()) : "undefined");
  const int64_t d = normalize_dim(dim, tensors[0].dim(), "cat");
  check_joinable(tensors, d, "cat");
  Shape shape = tensors[0].shape();  // the inputs' shape with their sizes summed at d
  shape[static_cast<size_t>(d)] = 0;
  for (const Tensor& t : tensors) shape[static_cast<size_t>(d)] += t.size(d);
  Tensor out = Tensor::empty(shape, tensors[0].dtype(), tensors[0].device());
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    if (t.size(d) > 0) out.narrow(d, start, t.size(d)).copy_(t);
    start += t.size(d);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  const UntrackedOp untracked("ops::stack", "camlab::stack", tensors);
  check_joinable(tensors, -1, "stack");
  const int64_t d = normalize_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;  // each [.., 1 at d, ..]
  expanded.reserve(tensors.size());
  for (const Tensor& t : tensors) expanded.push_back(t.unsqueeze(d));
  return cat(expanded, d);
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const UntrackedOp untracked("ops::index_select", "camlab::index_select", x);
  CAMLAB_CHECK(x.defined() && x.dim() >= 1,
               "index_select: input must have at least one dim, got {}",
               x.defined() ? shape_str(x.shape()) : "undefined");
  check_index_dtype(index, "index_select");
  CAMLAB_CHECK(index.dim() <= 1, "index_select: index must be 1-d, got {} (input {})",
               shape_str(index.shape()), shape_str(x.shape()));
  CAMLAB_CHECK(index.device() == x.device(), "index_select: index is on {} but the input on {}",
               index.device().str(), x.device().str());
  const int64_t d = normalize_dim(dim, x.dim(), "index_select");
  check_index_range(index, x.size(d), d, x, "index_select");
  Tensor flat_index = index.reshape({-1});  // [L]
  Shape shape = x.shape();                  // x's shape with L at d
  shape[static_cast<size_t>(d)] = flat_index.size(0);
  Tensor out = Tensor::empty(shape, x.dtype(), x.device());
  DimParams p{.dim = d};
  dispatch(Op::index_select, x.device(),
           KernelArgs{.inputs = {x, flat_index}, .outputs = {out}, .params = &p});
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const UntrackedOp untracked("ops::gather", "camlab::gather", x);
  CAMLAB_CHECK(x.defined() && x.dim() >= 1, "gather: input must have at least one dim, got {}",
               x.defined() ? shape_str(x.shape()) : "undefined");
  check_index_dtype(index, "gather");
  const int64_t d = normalize_dim(dim, x.dim(), "gather");
  bool fits = index.dim() == x.dim();
  for (int64_t k = 0; fits && k < x.dim(); ++k) fits = k == d || index.size(k) <= x.size(k);
  CAMLAB_CHECK(fits,
               "gather: index {} does not fit input {} along dim {}: it needs the same number of "
               "dims and no larger size in any other dim",
               shape_str(index.shape()), shape_str(x.shape()), d);
  CAMLAB_CHECK(index.device() == x.device(), "gather: index is on {} but the input on {}",
               index.device().str(), x.device().str());
  check_index_range(index, x.size(d), d, x, "gather");
  Tensor out = Tensor::empty(index.shape(), x.dtype(), x.device());  // index's shape
  DimParams p{.dim = d};
  dispatch(Op::gather, x.device(),
           KernelArgs{.inputs = {x, index}, .outputs = {out}, .params = &p});
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  const UntrackedOp untracked("ops::scatter_add", "camlab::scatter_add", x, src);
  CAMLAB_CHECK(x.defined() && x.dim() >= 1 && src.defined(),
               "scatter_add: input and src must be defined with at least one dim");
  check_index_dtype(index, "scatter_add");
  CAMLAB_CHECK(src.dtype() == x.dtype(),
               "scatter_add: src is {} {} but the input is {} {}; convert one with .to(DType::...)",
               dtype_name(src.dtype()), shape_str(src.shape()), dtype_name(x.dtype()),
               shape_str(x.shape()));
  const int64_t d = normalize_dim(dim, x.dim(), "scatter_add");
  bool fits = index.dim() == x.dim() && src.dim() == x.dim();
  for (int64_t k = 0; fits && k < x.dim(); ++k) {
    fits = index.size(k) <= src.size(k) && (k == d || index.size(k) <= x.size(k));
  }
  CAMLAB_CHECK(fits,
               "scatter_add: index {} does not fit src {} and input {} along dim {}: all need the "
               "same number of dims, index no larger than src anywhere nor than the input off "
               "dim {}",
               shape_str(index.shape()), shape_str(src.shape()), shape_str(x.shape()), d, d);
  CAMLAB_CHECK(index.device() == x.device() && src.device() == x.device(),
               "scatter_add: index, src and input must share a device, got {}, {} and {}",
               index.device().str(), src.device().str(), x.device().str());
  check_index_range(index, x.size(d), d, x, "scatter_add");
  Tensor out = x.clone();  // like x; the kernel adds src into it
  DimParams p{.dim = d};
  dispatch(Op::scatter_add, x.device(),
           KernelArgs{.inputs = {index, src}, .outputs = {out}, .params = &p});
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  const UntrackedOp untracked("ops::masked_fill", "camlab::masked_fill", x);
  CAMLAB_CHECK(x.defined() && mask.defined(), "masked_fill: input and mask must be defined");
  CAMLAB_CHECK(mask.dtype() == DType::Bool, "masked_fill: mask must be bool, got {} {}",
               dtype_name(mask.dtype()), shape_str(mask.shape()));
  CAMLAB_CHECK(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape(),
               "masked_fill: mask {} must broadcast to the input's shape {}",
               shape_str(mask.shape()), shape_str(x.shape()));
  CAMLAB_CHECK(mask.device() == x.device(), "masked_fill: mask is on {} but the input on {}",
               mask.device().str(), x.device().str());
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  ScalarParams p{.a = value};
  dispatch(Op::masked_fill, x.device(),
           KernelArgs{.inputs = {x, mask.expand(x.shape())}, .outputs = {out}, .params = &p});
  return out;
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  const UntrackedOp untracked("ops::masked_select", "", x);
  CAMLAB_CHECK(x.defined() && mask.defined(), "masked_select: input and mask must be defined");
  CAMLAB_CHECK(mask.dtype() == DType::Bool, "masked_select: mask must be bool, got {} {}",
               dtype_name(mask.dtype()), shape_str(mask.shape()));
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_select");
  // The kept positions are read on the host; the gather itself runs on x's device.
  Tensor host_mask = mask.expand(shape).to(Device::cpu()).contiguous();  // [shape] bool
  const bool* keep = host_mask.data<bool>();
  std::vector<int64_t> positions;  // flat indices into x broadcast to shape
  for (int64_t i = 0; i < host_mask.numel(); ++i) {
    if (keep[i]) positions.push_back(i);
  }
  const auto count = static_cast<int64_t>(positions.size());
  Tensor index = Tensor::from_vector<int64_t>(positions, {count}).to(x.device());  // [count]
  return index_select(x.expand(shape).reshape({-1}), 0, index);
}

Tensor one_hot(const Tensor& labels, int64_t classes, DType dtype) {
  check_index_dtype(labels, "one_hot");
  Tensor host = labels.to(Device::cpu()).contiguous();  // [*]
  const int64_t* values = host.data<int64_t>();
  if (classes < 0) {  // as PyTorch: infer the class count from the largest label
    CAMLAB_CHECK(host.numel() > 0, "one_hot: cannot infer the class count of empty labels {}",
                 shape_str(labels.shape()));
    classes = *std::max_element(values, values + host.numel()) + 1;
  }
  CAMLAB_CHECK(classes > 0, "one_hot: classes must be positive, got {}", classes);
  for (int64_t i = 0; i < host.numel(); ++i) {
    CAMLAB_CHECK(values[i] >= 0 && values[i] < classes,
                 "one_hot: label {} (at flat position {} of labels {}) is out of range; valid "
                 "range is [0, {})",
                 values[i], i, shape_str(labels.shape()), classes);
  }
  Tensor class_ids = arange(0, static_cast<double>(classes), 1, DType::Int64, labels.device());
  return eq(labels.unsqueeze(-1), class_ids).to(dtype);  // [*, classes]
}

}  // namespace camlab::ops
