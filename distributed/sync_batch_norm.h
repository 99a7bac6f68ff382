// `train.sync_batchnorm = true`: every BatchNorm2d of a model normalises with the statistics of
// all ranks' batches (torch.nn.SyncBatchNorm), summed through the Communicator. nn defines the
// maths (nn/sync_batch_norm.h) against a BatchStatReducer; this file supplies the reducer.
//
//   std::shared_ptr<Communicator> comm = make_communicator("auto");
//   int64_t layers = synchronize_batch_norm(*model, comm);   // before the first forward
//   // 2 ranks × batch 32 now train as 1 process × batch 64 with plain batch norm
#pragma once

#include <memory>

#include "distributed/communicator.h"
#include "nn/batch_stat_reducer.h"
#include "nn/module.h"

namespace camlab::distributed {

// Sums a statistics tensor over ranks with Communicator::allreduce_sum (blocking, in double
// through host memory: batch-norm statistics are a few channels, not worth a device path).
class CommunicatorStatReducer : public nn::BatchStatReducer {
 public:
  explicit CommunicatorStatReducer(std::shared_ptr<Communicator> comm) : comm_(std::move(comm)) {}
  Tensor sum_over_ranks(const Tensor& local) override;

 private:
  std::shared_ptr<Communicator> comm_;
};

// Gives every BatchNorm2d in `model` (at any depth) a CommunicatorStatReducer; returns how many.
int64_t synchronize_batch_norm(nn::Module& model, std::shared_ptr<Communicator> comm);

}  // namespace camlab::distributed
