// The communicator of a process that no launcher started: one rank, so every collective is the
// identity. `camlab train` uses it unless mpirun/srun started it, and then needs no MPI at all.
//
//   LocalCommunicator comm;
//   comm.size();                                   // 1
//   comm.start_allreduce_sum(grads)->wait();       // grads unchanged: the sum over one rank
#pragma once

#include "distributed/communicator.h"

namespace camlab::distributed {

class LocalCommunicator : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "local"; }
  void broadcast(std::span<std::byte>, int) override {}
  void barrier() override {}
  std::unique_ptr<PendingReduce> start_allreduce_sum(std::span<float> data) override;
  void allreduce_sum(std::span<double>) override {}
  [[noreturn]] void abort(int exit_code) override;
};

}  // namespace camlab::distributed
