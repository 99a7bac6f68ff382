// Tensor: a strided view of a shared Storage. Copies of a Tensor are handles to the same tensor.
//
//   Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
//   Tensor xt = x.transpose(0, 1);            // [3, 2], a view: no bytes copied
//   Tensor c = xt.contiguous();               // now row-major
//   float v = x.at<float>({1, 2});            // 6
//   fmt::print("{}\n", x.str());               // prints values as PyTorch does
//
// The member functions here are the raw, untracked layer: shape manipulation and element access.
// Math lives in tensor/ops.h (raw) and, differentiable, in autograd/ops.h (namespace camlab).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/dtype.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace camlab {

struct AutogradMeta;
class HookHandle;
class Tensor;
namespace autograd {
class Node;
}
// A hook sees the gradient flowing into a tensor and may return a replacement; returning an
// undefined Tensor keeps the gradient as it was.
using GradHookFn = std::function<Tensor(const Tensor&)>;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  Shape strides;  // in elements
  DType dtype = DType::Float32;
  std::shared_ptr<AutogradMeta> autograd;  // null until autograd needs it
};

class Tensor {
 public:
  Tensor() = default;  // undefined
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new contiguous tensor with uninitialised contents.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32,
                      Device device = Device::cpu());
  template <typename T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape);
  // Copies nbytes = numel(shape) * dtype_size(dtype) from host memory.
  static Tensor from_buffer(const void* data, const Shape& shape, DType dtype);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  const Shape& strides() const { return impl().strides; }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t numel() const { return camlab::numel(impl().shape); }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  int64_t offset() const { return impl().offset; }
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  bool is_contiguous() const;
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

  // Typed pointer to element [0, ..., 0]; checks that T matches the dtype.
  template <typename T>
  T* data() const;
  void* raw_data() const;
  // Reads one element (host tensors only); index has one entry per dim.
  template <typename T>
  T at(const Shape& index) const;
  // The single value of a one-element tensor, converted to double.
  double item() const;

  // Views (share storage). Negative dims count from the end.
  Tensor view(const Shape& shape) const;     // needs compatible strides; -1 infers one size
  Tensor reshape(const Shape& shape) const;  // a view when possible, else a contiguous copy
  Tensor permute(const Shape& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor expand(const Shape& shape) const;  // broadcast: size-1 dims get stride 0
  Tensor squeeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor as_strided(const Shape& shape, const Shape& strides, int64_t offset) const;

  // Copies.
  Tensor contiguous() const;  // itself when already contiguous
  Tensor clone() const;
  Tensor to(DType dtype) const;    // itself when the dtype matches
  Tensor to(Device device) const;  // itself when already there
  void copy_(const Tensor& src);   // element-wise copy with broadcasting and dtype conversion

  std::string str() const;  // PyTorch-style printing; large tensors abbreviated

  // Autograd state. The engine (autograd/) reads and writes these; tensor/ only stores them.
  bool requires_grad() const;
  Tensor& set_requires_grad(bool requires_grad);
  bool is_leaf() const;
  Tensor grad() const;  // undefined until a backward reaches this tensor
  void set_grad(const Tensor& grad);
  void zero_grad();  // drops the gradient
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  void retain_grad();  // keep .grad on a non-leaf after backward
  HookHandle register_hook(GradHookFn hook);
  // The shared autograd slot, created on first use.
  const std::shared_ptr<AutogradMeta>& autograd_meta() const;
  bool has_autograd_meta() const { return impl_ && impl_->autograd != nullptr; }

 private:
  TensorImpl& impl() const;
  std::shared_ptr<TensorImpl> impl_;
};

// A view sharing storage with the same dtype: the building block of every view op.
Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset);

template <typename T>
T* Tensor::data() const {
  CAMLAB_CHECK(defined(), "data: the tensor is undefined");
  CAMLAB_CHECK(dtype_of<T>() == dtype(), "data<{}>: the tensor holds {}", dtype_name(dtype_of<T>()),
               dtype_name(dtype()));
  return static_cast<T*>(impl_->storage->data()) + impl_->offset;
}

template <typename T>
Tensor Tensor::from_vector(const std::vector<T>& values, const Shape& shape) {
  CAMLAB_CHECK(static_cast<int64_t>(values.size()) == camlab::numel(shape),
               "from_vector: {} values do not fill shape {} ({} elements)", values.size(),
               shape_str(shape), camlab::numel(shape));
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> bytes(values.begin(), values.end());
    return from_buffer(bytes.data(), shape, DType::Bool);
  } else {
    return from_buffer(values.data(), shape, dtype_of<T>());
  }
}

template <typename T>
T Tensor::at(const Shape& index) const {
  CAMLAB_CHECK(static_cast<int64_t>(index.size()) == dim(), "at: index {} for a {}-d tensor",
               shape_str(index), dim());
  CAMLAB_CHECK(device().is_cpu(), "at: the tensor is on {}; move it to the CPU first",
               device().str());
  int64_t linear = 0;
  for (int64_t d = 0; d < dim(); ++d) {
    CAMLAB_CHECK(index[d] >= 0 && index[d] < size(d), "at: index {} out of range for shape {}",
                 shape_str(index), shape_str(shape()));
    linear += index[d] * stride(d);
  }
  return data<T>()[linear];
}

}  // namespace camlab
