#include "distributed/mpi_communicator.h"

#include <mpi.h>

#include <climits>
#include <cstdlib>

#include "tensor/error.h"

namespace camlab::distributed {
namespace {

// One error line naming the call and MPI's own text for the code.
void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail("{}: {}", call, std::string(text, static_cast<size_t>(length)));
}

int count_of(size_t n, const char* call) {
  CAMLAB_CHECK(n <= static_cast<size_t>(INT_MAX),
               "{}: {} elements exceed MPI's int count; lower [distributed] bucket_mb", call, n);
  return static_cast<int>(n);
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// FUNNELED: only the main thread calls MPI (the data loader's threads never do).
void initialize_once() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  // Errors come back as codes, so check() can turn them into one camlab line.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  std::atexit(finalize_at_exit);
}

class MpiPendingReduce final : public PendingReduce {
 public:
  MpiPendingReduce() = default;
  MpiPendingReduce(const MpiPendingReduce&) = delete;
  MpiPendingReduce& operator=(const MpiPendingReduce&) = delete;
  ~MpiPendingReduce() override {
    if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);
  }
  void wait() override { check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait"); }
  MPI_Request* request() { return &request_; }

 private:
  MPI_Request request_ = MPI_REQUEST_NULL;
};

}  // namespace

MpiCommunicator::MpiCommunicator() {
  initialize_once();
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

void MpiCommunicator::broadcast(std::span<std::byte> data, int root) {
  check(MPI_Bcast(data.data(), count_of(data.size(), "MPI_Bcast"), MPI_BYTE, root, MPI_COMM_WORLD),
        "MPI_Bcast");
}

void MpiCommunicator::barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

std::unique_ptr<PendingReduce> MpiCommunicator::start_allreduce_sum(std::span<float> data) {
  auto pending = std::make_unique<MpiPendingReduce>();
  check(MPI_Iallreduce(MPI_IN_PLACE, data.data(), count_of(data.size(), "MPI_Iallreduce"),
                       MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, pending->request()),
        "MPI_Iallreduce");
  return pending;
}

void MpiCommunicator::allreduce_sum(std::span<double> data) {
  check(MPI_Allreduce(MPI_IN_PLACE, data.data(), count_of(data.size(), "MPI_Allreduce"), MPI_DOUBLE,
                      MPI_SUM, MPI_COMM_WORLD),
        "MPI_Allreduce");
}

void MpiCommunicator::abort(int exit_code) {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace camlab::distributed
