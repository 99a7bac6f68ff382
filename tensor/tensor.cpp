#include "tensor/tensor.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "tensor/autograd_meta.h"
#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"

namespace camlab {

TensorImpl& Tensor::impl() const {
  CAMLAB_CHECK(impl_ != nullptr, "use of an undefined tensor");
  return *impl_;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape) {
    CAMLAB_CHECK(s >= 0, "empty: negative size in shape {}", shape_str(shape));
  }
  size_t nbytes = 0;
  CAMLAB_CHECK(!__builtin_mul_overflow(static_cast<size_t>(camlab::numel(shape)), dtype_size(dtype),
                                       &nbytes),
               "empty: shape {} of {} needs more bytes than an address space holds",
               shape_str(shape), dtype_name(dtype));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::make(nbytes, device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::from_buffer(const void* data, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  copy_bytes(t.raw_data(), Device::cpu(), data, Device::cpu(),
             static_cast<size_t>(t.numel()) * dtype_size(dtype));
  return t;
}

int64_t Tensor::size(int64_t dim) const { return shape()[normalize_dim(dim, this->dim(), "size")]; }
int64_t Tensor::stride(int64_t dim) const {
  return strides()[normalize_dim(dim, this->dim(), "stride")];
}

bool Tensor::is_contiguous() const {
  const TensorImpl& t = impl();
  int64_t expected = 1;
  for (size_t d = t.shape.size(); d-- > 0;) {
    if (t.shape[d] == 1) continue;
    if (t.strides[d] != expected) return false;
    expected *= t.shape[d];
  }
  return true;
}

void* Tensor::raw_data() const {
  return static_cast<char*>(impl().storage->data()) +
         impl().offset * static_cast<int64_t>(dtype_size(impl().dtype));
}

double Tensor::item() const {
  const RawOpScope reads_only;  // a number, not a tensor: nothing to track
  CAMLAB_CHECK(numel() == 1, "item: the tensor has {} elements (shape {}); item() needs exactly 1",
               numel(), shape_str(shape()));
  Tensor host = to(Device::cpu());
  return visit_all(dtype(), "item",
                   [&]<typename T>() { return static_cast<double>(*host.data<T>()); });
}

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.storage();
  impl->offset = offset;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

Tensor Tensor::as_strided(const Shape& shape, const Shape& strides, int64_t offset) const {
  const UntrackedOp untracked("Tensor::as_strided", "", *this);
  return make_view(*this, shape, strides, offset);
}

namespace {

// Resolves one -1 in a requested shape against the element count.
Shape infer_shape(const Shape& requested, int64_t count, std::string_view op, const Shape& from) {
  Shape shape = requested;
  int64_t known = 1, infer_at = -1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      CAMLAB_CHECK(infer_at < 0, "{}: only one dim may be -1 in {}", op, shape_str(requested));
      infer_at = static_cast<int64_t>(d);
    } else {
      CAMLAB_CHECK(!__builtin_mul_overflow(known, shape[d], &known),
                   "{}: shape {} multiplies past 2^63 - 1 elements", op, shape_str(requested));
    }
  }
  if (infer_at >= 0 && known != 0 && count % known == 0) shape[infer_at] = count / known;
  CAMLAB_CHECK(camlab::numel(shape) == count,
               "{}: shape {} is invalid for input of shape {} ({} elements)", op,
               shape_str(requested), shape_str(from), count);
  return shape;
}

// Strides for viewing `t` as `shape` without copying, if possible (PyTorch's computeStride):
// each run of old dims that merges into new dims must itself be contiguous.
std::optional<Shape> view_strides(const Tensor& t, const Shape& shape) {
  const Shape& old_shape = t.shape();
  const Shape& old_strides = t.strides();
  Shape strides(shape.size());
  if (t.numel() == 0 || old_shape.empty()) return contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    bool chunk_ends =
        d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride);
    if (chunk_ends) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

}  // namespace

Tensor Tensor::view(const Shape& requested) const {
  const UntrackedOp untracked("Tensor::view", "camlab::view", *this);
  Shape shape = infer_shape(requested, numel(), "view", this->shape());
  auto strides = view_strides(*this, shape);
  CAMLAB_CHECK(strides.has_value(),
               "view: a tensor of shape {} with strides {} cannot be viewed as {} without a copy; "
               "use reshape()",
               shape_str(this->shape()), shape_str(this->strides()), shape_str(shape));
  return make_view(*this, shape, *strides, offset());
}

Tensor Tensor::reshape(const Shape& requested) const {
  const UntrackedOp untracked("Tensor::reshape", "camlab::reshape", *this);
  Shape shape = infer_shape(requested, numel(), "reshape", this->shape());
  if (auto strides = view_strides(*this, shape)) return make_view(*this, shape, *strides, offset());
  return contiguous().view(shape);
}

Tensor Tensor::permute(const Shape& dims) const {
  const UntrackedOp untracked("Tensor::permute", "camlab::permute", *this);
  CAMLAB_CHECK(static_cast<int64_t>(dims.size()) == dim(),
               "permute: {} dims given for a {}-d tensor of shape {}", dims.size(), dim(),
               shape_str(shape()));
  Shape shape(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], dim(), "permute");
    CAMLAB_CHECK(!seen[d], "permute: dim {} repeated in {}", d, shape_str(dims));
    seen[d] = true;
    shape[i] = this->shape()[d];
    strides[i] = this->strides()[d];
  }
  return make_view(*this, shape, strides, offset());
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  const UntrackedOp untracked("Tensor::transpose", "camlab::transpose", *this);
  Shape order(dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[normalize_dim(dim0, dim(), "transpose")],
            order[normalize_dim(dim1, dim(), "transpose")]);
  return permute(order);
}

Tensor Tensor::slice(int64_t dim, int64_t start, int64_t end, int64_t step) const {
  const UntrackedOp untracked("Tensor::slice", "camlab::slice", *this);
  int64_t d = normalize_dim(dim, this->dim(), "slice");
  int64_t n = shape()[d];
  CAMLAB_CHECK(step > 0, "slice: step must be positive, got {}", step);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape shape = this->shape(), strides = this->strides();
  shape[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  return make_view(*this, shape, strides, offset() + start * this->strides()[d]);
}

Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  const UntrackedOp untracked("Tensor::narrow", "camlab::narrow", *this);
  int64_t d = normalize_dim(dim, this->dim(), "narrow");
  CAMLAB_CHECK(start >= 0 && length >= 0 && start + length <= shape()[d],
               "narrow: [{}, {}) is outside dim {} of size {} (shape {})", start, start + length, d,
               shape()[d], shape_str(shape()));
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  const UntrackedOp untracked("Tensor::select", "camlab::select", *this);
  int64_t d = normalize_dim(dim, this->dim(), "select");
  int64_t n = shape()[d];
  CAMLAB_CHECK(index >= -n && index < n, "select: index {} out of range for dim {} of size {}",
               index, d, n);
  if (index < 0) index += n;
  Shape shape = this->shape(), strides = this->strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return make_view(*this, shape, strides, offset() + index * this->strides()[d]);
}

Tensor Tensor::expand(const Shape& target) const {
  const UntrackedOp untracked("Tensor::expand", "camlab::expand", *this);
  CAMLAB_CHECK(target.size() >= shape().size(), "expand: cannot expand {} to fewer dims {}",
               shape_str(shape()), shape_str(target));
  size_t lead = target.size() - shape().size();
  Shape shape(target.size()), strides(target.size(), 0);
  for (size_t i = 0; i < target.size(); ++i) {
    if (i < lead) {
      shape[i] = target[i];
      continue;
    }
    int64_t have = this->shape()[i - lead];
    int64_t want = target[i] == -1 ? have : target[i];
    CAMLAB_CHECK(have == want || have == 1,
                 "expand: shape {} cannot expand to {} (dim {}: size {} is neither {} nor 1)",
                 shape_str(this->shape()), shape_str(target), i, have, want);
    shape[i] = want;
    strides[i] = have == want ? this->strides()[i - lead] : 0;
  }
  return make_view(*this, shape, strides, offset());
}

Tensor Tensor::squeeze(int64_t dim) const {
  const UntrackedOp untracked("Tensor::squeeze", "camlab::squeeze", *this);
  int64_t d = normalize_dim(dim, this->dim(), "squeeze");
  if (shape()[d] != 1) return *this;
  Shape shape = this->shape(), strides = this->strides();
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return make_view(*this, shape, strides, offset());
}

Tensor Tensor::squeeze() const {
  const UntrackedOp untracked("Tensor::squeeze", "camlab::squeeze", *this);
  Shape shape, strides;
  for (int64_t d = 0; d < dim(); ++d) {
    if (this->shape()[d] == 1) continue;
    shape.push_back(this->shape()[d]);
    strides.push_back(this->strides()[d]);
  }
  return make_view(*this, shape, strides, offset());
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  const UntrackedOp untracked("Tensor::unsqueeze", "camlab::unsqueeze", *this);
  int64_t d = normalize_dim(dim, this->dim() + 1, "unsqueeze");
  Shape shape = this->shape(), strides = this->strides();
  int64_t stride = d < this->dim() ? this->strides()[d] * this->shape()[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return make_view(*this, shape, strides, offset());
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  const UntrackedOp untracked("Tensor::flatten", "camlab::flatten", *this);
  if (dim() == 0) return reshape({1});
  int64_t s = normalize_dim(start_dim, dim(), "flatten");
  int64_t e = normalize_dim(end_dim, dim(), "flatten");
  CAMLAB_CHECK(s <= e, "flatten: start_dim {} is after end_dim {}", s, e);
  Shape shape(this->shape().begin(), this->shape().begin() + s);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= this->shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), this->shape().begin() + e + 1, this->shape().end());
  return reshape(shape);
}

Tensor Tensor::contiguous() const {
  const UntrackedOp untracked("Tensor::contiguous", "camlab::contiguous", *this);
  if (is_contiguous()) return *this;
  return clone();
}

Tensor Tensor::clone() const {
  const UntrackedOp untracked("Tensor::clone", "", *this);
  Tensor out = empty(shape(), dtype(), device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(DType target) const {
  // To an integer or bool dtype the result carries no gradient: a read, not a cut.
  const UntrackedOp untracked("Tensor::to", "camlab::to", is_floating(target) ? *this : Tensor());
  if (target == dtype()) return *this;
  Tensor out = empty(shape(), target, device());
  out.copy_(*this);
  return out;
}

Tensor Tensor::to(Device target) const {
  const UntrackedOp untracked("Tensor::to", "camlab::to", *this);
  if (target == device()) return *this;
  Tensor src = contiguous();
  Tensor out = empty(shape(), dtype(), target);
  copy_bytes(out.raw_data(), target, src.raw_data(), src.device(),
             static_cast<size_t>(numel()) * dtype_size(dtype()));
  return out;
}

void Tensor::copy_(const Tensor& src) {
  const UntrackedOp untracked("Tensor::copy_", "", src, *this);  // reads src, writes in place
  CAMLAB_CHECK(src.device() == device(), "copy_: source is on {} but destination on {}; use to()",
               src.device().str(), device().str());
  Tensor expanded = src.expand(shape());
  dispatch(Op::copy, device(), KernelArgs{.inputs = {expanded}, .outputs = {*this}});
}

// ---- autograd state: stored here, interpreted by autograd/ ----

const std::shared_ptr<AutogradMeta>& Tensor::autograd_meta() const {
  if (!impl().autograd) impl_->autograd = std::make_shared<AutogradMeta>();
  return impl_->autograd;
}

bool Tensor::requires_grad() const { return impl().autograd && impl_->autograd->requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  if (requires_grad) {
    CAMLAB_CHECK(is_floating(dtype()),
                 "requires_grad: only floating tensors can require grad, not {}",
                 dtype_name(dtype()));
  }
  autograd_meta()->requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const { return !impl().autograd || impl_->autograd->grad_fn == nullptr; }

Tensor Tensor::grad() const { return impl().autograd ? impl_->autograd->grad : Tensor(); }

void Tensor::set_grad(const Tensor& grad) { autograd_meta()->grad = grad; }

void Tensor::zero_grad() {
  if (impl().autograd) impl_->autograd->grad = Tensor();
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  return impl().autograd ? impl_->autograd->grad_fn : none;
}

void Tensor::retain_grad() {
  CAMLAB_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  autograd_meta()->retains_grad = true;
}

HookHandle Tensor::register_hook(GradHookFn hook) {
  CAMLAB_CHECK(requires_grad(),
               "register_hook: the tensor does not require grad, so no gradient "
               "will ever reach the hook");
  const auto& meta = autograd_meta();
  uint64_t id = meta->next_hook_id++;
  meta->hooks.emplace_back(id, std::move(hook));
  return HookHandle(meta, id);
}

void HookHandle::remove() {
  if (auto meta = meta_.lock()) {
    std::erase_if(meta->hooks, [&](const auto& entry) { return entry.first == id_; });
  }
  meta_.reset();
}

}  // namespace camlab
