// What a synchronised batch norm needs from whatever runs the ranks: the element-wise sum of a
// small tensor over every rank. nn does not know about MPI; distributed/sync_batch_norm.h plugs a
// Communicator in through this interface, and tests plug in a fake.
//
//   std::shared_ptr<BatchStatReducer> reducer = ...;   // e.g. distributed::make_stat_reducer(comm)
//   bn.set_stat_reducer(reducer);                       // BatchNorm2d now uses global statistics
//   Tensor total = reducer->sum_over_ranks(local);      // [C] Σ over ranks of each rank's [C]
#pragma once

#include "tensor/tensor.h"

namespace camlab::nn {

class BatchStatReducer {
 public:
  virtual ~BatchStatReducer() = default;
  // The sum over ranks of `local` (same shape and dtype on every rank), as a new tensor of that
  // shape, dtype and device. Every rank must call it the same number of times in the same order.
  virtual Tensor sum_over_ranks(const Tensor& local) = 0;
};

}  // namespace camlab::nn
