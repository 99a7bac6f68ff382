// MPI_COMM_WORLD as a Communicator: the ranks mpirun or srun started. Compiled only when CMake
// found MPI (CAMLAB_WITH_MPI); make_communicator (launch.h) is the way to get one.
//
//   MpiCommunicator comm;            // MPI_Init_thread on first use, MPI_Finalize at exit
//   comm.rank(); comm.size();        // MPI_Comm_rank / MPI_Comm_size of the world
//   auto pending = comm.start_allreduce_sum(bucket);   // MPI_Iallreduce(MPI_SUM)
//   pending->wait();                                   // MPI_Wait
#pragma once

#include "distributed/communicator.h"

namespace camlab::distributed {

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator();

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "mpi"; }
  void broadcast(std::span<std::byte> data, int root) override;
  void barrier() override;
  std::unique_ptr<PendingReduce> start_allreduce_sum(std::span<float> data) override;
  void allreduce_sum(std::span<double> data) override;
  [[noreturn]] void abort(int exit_code) override;

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace camlab::distributed
