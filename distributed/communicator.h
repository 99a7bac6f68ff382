// The collectives data-parallel training needs, over whatever runs the ranks: MPI under a
// launcher (mpi_communicator.h), or the one process itself (local_communicator.h).
//
//   std::shared_ptr<Communicator> comm = make_communicator("auto");  // launch.h
//   comm->broadcast(std::as_writable_bytes(std::span(weights)), /*root=*/0);
//   std::unique_ptr<PendingReduce> sum = comm->start_allreduce_sum(grads);  // returns at once
//   ...                                       // the rest of the backward runs meanwhile
//   sum->wait();                              // grads now hold the sum over every rank
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace camlab::distributed {

// An all-reduce in flight. wait() returns once its buffer holds the result; the buffer must
// stay alive and untouched until then. The destructor waits too, so no reduce outlives its data.
class PendingReduce {
 public:
  virtual ~PendingReduce() = default;
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string name() const = 0;  // "local", "mpi"
  bool is_main() const { return rank() == 0; }

  // Every rank's `data` becomes root's. The same byte count on every rank.
  virtual void broadcast(std::span<std::byte> data, int root) = 0;
  virtual void barrier() = 0;
  // Starts the element-wise sum over ranks of `data`, in place (MPI_Iallreduce).
  virtual std::unique_ptr<PendingReduce> start_allreduce_sum(std::span<float> data) = 0;
  // The same, blocking, in double precision: evaluation and epoch tallies.
  virtual void allreduce_sum(std::span<double> data) = 0;
  // Ends every rank now (MPI_Abort): a failed rank must not leave the others waiting in a
  // collective. The caller prints the reason first.
  [[noreturn]] virtual void abort(int exit_code) = 0;
};

// Root's string on every rank (a path, a config hash).
std::string broadcast_string(Communicator& comm, std::string text, int root);

}  // namespace camlab::distributed
