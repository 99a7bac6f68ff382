#include "distributed/sync_batch_norm.h"

#include "nn/batch_norm.h"

namespace camlab::distributed {

Tensor CommunicatorStatReducer::sum_over_ranks(const Tensor& local) {
  Tensor total = local.to(Device::cpu()).to(DType::Float64).contiguous().clone();  // like local
  comm_->allreduce_sum(std::span(total.data<double>(), static_cast<size_t>(total.numel())));
  return total.to(local.dtype()).to(local.device());
}

int64_t synchronize_batch_norm(nn::Module& model, std::shared_ptr<Communicator> comm) {
  auto reducer = std::make_shared<CommunicatorStatReducer>(std::move(comm));
  int64_t layers = 0;
  for (auto& [name, module] : model.named_modules()) {
    if (auto* bn = dynamic_cast<nn::BatchNorm2d*>(module)) {
      bn->set_stat_reducer(reducer);
      ++layers;
    }
  }
  return layers;
}

}  // namespace camlab::distributed
