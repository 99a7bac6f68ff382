// Data parallelism with the semantics of PyTorch's DistributedDataParallel (Li et al. 2020):
// every rank holds the whole model and a shard of each batch; rank 0's weights are broadcast
// once, and after each backward every gradient is the mean over the ranks, so every rank takes
// the same optimizer step. Gradients travel in buckets (gradient_buckets.h); a bucket's
// all-reduce starts from autograd's post-accumulate hook as soon as its last gradient is ready,
// so communication overlaps the rest of the backward.
//
//   DataParallel ddp(*model, *comm, {.bucket_mb = 25});
//   ddp.broadcast_from_main();            // once, before training
//   for (...) {
//     optimizer.zero_grad();
//     camlab::backward(loss(model(x_shard), y_shard));   // buckets start during this
//     ddp.synchronize_gradients();         // waits; .grad() = mean over ranks
//     optimizer.step();
//   }
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/post_accumulate_hook.h"
#include "distributed/communicator.h"
#include "nn/module.h"

namespace camlab::distributed {

struct DataParallelOptions {
  double bucket_mb = 25;  // bucket cap in MiB, as DDP's bucket_cap_mb; 0: one bucket per tensor
};

class DataParallel {
 public:
  // Hooks every parameter of `model` that requires grad. The model must already be on its
  // device (Module::to makes new parameter tensors) and outlive this object.
  DataParallel(nn::Module& model, Communicator& comm, DataParallelOptions options = {});
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Every rank's parameters and buffers (batch-norm statistics) become rank 0's.
  void broadcast_from_main();

  // Starts the buckets no hook started (a parameter the forward did not use counts as a zero
  // gradient), waits for all, and sets each parameter's .grad() to the mean over the ranks.
  void synchronize_gradients();

  // Parameter names per bucket, in the order the buckets are reduced.
  std::vector<std::vector<std::string>> bucket_names() const;
  // Buckets whose all-reduce has started since the last synchronize_gradients().
  size_t buckets_started() const { return next_to_start_; }
  // Seconds spent inside synchronize_gradients() since the last call: the communication the
  // backward did not hide, plus writing the mean gradients back.
  double take_sync_seconds();

 private:
  struct Param {
    std::string name;
    Tensor tensor;
    size_t bucket = 0;
    int64_t offset = 0;  // in the bucket's flat buffer, in elements
    bool ready = false;
  };
  struct Bucket {
    std::vector<size_t> params;
    std::vector<float> flat;  // [Σ numel] the bucket's gradients, concatenated
    size_t waiting = 0;       // parameters whose gradient has not arrived yet
    std::unique_ptr<PendingReduce> reduce;
  };

  void on_gradient(size_t param, const Tensor& grad);
  void copy_into_bucket(size_t param, const Tensor& grad);
  void start_ready_buckets();
  void write_mean_gradients(Bucket& bucket);
  void reset_for_next_step();

  Communicator& comm_;
  nn::Module& model_;
  std::vector<Param> params_;
  std::vector<Bucket> buckets_;
  // Buckets start strictly in order, so every rank issues the same sequence of collectives
  // (MPI requires it) whatever order its hooks fire in.
  size_t next_to_start_ = 0;
  double sync_seconds_ = 0;
  std::vector<autograd::PostAccumulateHandle> hooks_;
};

}  // namespace camlab::distributed
