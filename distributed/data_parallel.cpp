#include "distributed/data_parallel.h"

#include <chrono>
#include <cstring>

#include "distributed/gradient_buckets.h"
#include "tensor/ops.h"

namespace camlab::distributed {
namespace {

// Root's values of `t` on every rank, in place; through a host copy when t lives on a GPU or
// is a strided view.
void broadcast_tensor(Communicator& comm, Tensor& t) {
  if (t.numel() == 0) return;
  const size_t bytes = static_cast<size_t>(t.numel()) * dtype_size(t.dtype());
  if (t.device().is_cpu() && t.is_contiguous()) {
    comm.broadcast({static_cast<std::byte*>(t.raw_data()), bytes}, 0);
    return;
  }
  Tensor host = t.to(Device::cpu()).contiguous();
  comm.broadcast({static_cast<std::byte*>(host.raw_data()), bytes}, 0);
  t.copy_(host.to(t.device()));
}

}  // namespace

DataParallel::DataParallel(nn::Module& model, Communicator& comm, DataParallelOptions options)
    : comm_(comm), model_(model) {
  for (auto& [name, tensor] : model.named_parameters()) {
    if (!tensor.requires_grad()) continue;  // frozen: nothing to reduce
    CAMLAB_CHECK(tensor.dtype() == DType::Float32,
                 "data parallel: parameter '{}' is {}; gradients are reduced as float32", name,
                 dtype_name(tensor.dtype()));
    params_.push_back({.name = name, .tensor = tensor});
  }
  std::vector<int64_t> bytes;
  for (const Param& p : params_) bytes.push_back(p.tensor.numel() * 4);
  const auto cap = static_cast<int64_t>(options.bucket_mb * 1024 * 1024);
  for (std::vector<size_t>& members : assign_buckets(bytes, cap)) {
    Bucket bucket;
    int64_t size = 0;
    for (size_t k : members) {
      params_[k].bucket = buckets_.size();
      params_[k].offset = size;
      size += params_[k].tensor.numel();
    }
    bucket.flat.resize(static_cast<size_t>(size));
    bucket.params = std::move(members);
    buckets_.push_back(std::move(bucket));
  }
  reset_for_next_step();
  for (size_t k = 0; k < params_.size(); ++k) {
    hooks_.push_back(autograd::register_post_accumulate_hook(
        params_[k].tensor, [this, k](const Tensor& grad) { on_gradient(k, grad); }));
  }
}

void DataParallel::broadcast_from_main() {
  for (auto [name, tensor] : model_.named_parameters()) broadcast_tensor(comm_, tensor);
  for (auto [name, tensor] : model_.named_buffers()) broadcast_tensor(comm_, tensor);
}

void DataParallel::on_gradient(size_t param, const Tensor& grad) {
  Param& p = params_[param];
  CAMLAB_CHECK(!p.ready,
               "data parallel: '{}' received a second gradient before synchronize_gradients(); "
               "call it after every backward (gradient accumulation over several backwards is "
               "not supported)",
               p.name);
  copy_into_bucket(param, grad);
  p.ready = true;
  if (--buckets_[p.bucket].waiting == 0) start_ready_buckets();
}

void DataParallel::copy_into_bucket(size_t param, const Tensor& grad) {
  Param& p = params_[param];
  float* slot = buckets_[p.bucket].flat.data() + p.offset;
  if (!grad.defined()) {
    std::memset(slot, 0, static_cast<size_t>(p.tensor.numel()) * sizeof(float));
    return;
  }
  const Tensor host = grad.to(Device::cpu()).contiguous();  // [numel] as the parameter's shape
  std::memcpy(slot, host.data<float>(), static_cast<size_t>(host.numel()) * sizeof(float));
}

void DataParallel::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() && buckets_[next_to_start_].waiting == 0) {
    Bucket& bucket = buckets_[next_to_start_++];
    bucket.reduce = comm_.start_allreduce_sum(bucket.flat);
  }
}

void DataParallel::synchronize_gradients() {
  const auto start = std::chrono::steady_clock::now();
  for (size_t k = 0; k < params_.size(); ++k) {
    if (params_[k].ready) continue;
    copy_into_bucket(k, Tensor());  // unused in this forward: contributes zeros
    params_[k].ready = true;
    --buckets_[params_[k].bucket].waiting;
  }
  start_ready_buckets();
  for (Bucket& bucket : buckets_) {
    bucket.reduce->wait();
    bucket.reduce.reset();
    write_mean_gradients(bucket);
  }
  reset_for_next_step();
  sync_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double DataParallel::take_sync_seconds() {
  const double seconds = sync_seconds_;
  sync_seconds_ = 0;
  return seconds;
}

// grad = (Σ_ranks grad_r) / world size: the gradient of the mean loss over the global batch
// when every rank's batch has the same size (the sampler pads to make it so).
void DataParallel::write_mean_gradients(Bucket& bucket) {
  const float scale = 1.0f / static_cast<float>(comm_.size());
  for (float& v : bucket.flat) v *= scale;
  for (size_t k : bucket.params) {
    Param& p = params_[k];
    Tensor mean = Tensor::from_buffer(bucket.flat.data() + p.offset, p.tensor.shape(),
                                      DType::Float32);  // parameter's shape, on the CPU
    p.tensor.set_grad(p.tensor.device().is_cpu() ? mean : mean.to(p.tensor.device()));
  }
}

void DataParallel::reset_for_next_step() {
  for (Param& p : params_) p.ready = false;
  for (Bucket& b : buckets_) b.waiting = b.params.size();
  next_to_start_ = 0;
}

std::vector<std::vector<std::string>> DataParallel::bucket_names() const {
  std::vector<std::vector<std::string>> names;
  for (const Bucket& b : buckets_) {
    names.emplace_back();
    for (size_t k : b.params) names.back().push_back(params_[k].name);
  }
  return names;
}

}  // namespace camlab::distributed
