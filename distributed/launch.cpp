#include "distributed/launch.h"

#include <cstdlib>

#include "distributed/local_communicator.h"
#include "tensor/error.h"
#ifdef CAMLAB_WITH_MPI
#include "distributed/mpi_communicator.h"
#endif

namespace camlab::distributed {
namespace {

std::shared_ptr<Communicator> mpi_world(const std::string& why) {
#ifdef CAMLAB_WITH_MPI
  (void)why;
  static std::shared_ptr<Communicator> world = std::make_shared<MpiCommunicator>();
  return world;
#else
  fail(
      "distributed: {}, but this camlab was built without MPI; install libopenmpi-dev "
      "(scripts/bootstrap.sh) and rebuild with -DCAMLAB_MPI=ON, or run without mpirun",
      why);
#endif
}

}  // namespace

std::string launcher_variable() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (const char* value = std::getenv(name)) return std::string(name) + "=" + value;
  }
  return "";
}

bool built_with_mpi() {
#ifdef CAMLAB_WITH_MPI
  return true;
#else
  return false;
#endif
}

std::shared_ptr<Communicator> make_communicator(const std::string& backend) {
  if (backend == "nccl") {
    fail(
        "[distributed] backend = \"nccl\" needs camlab's NCCL backend (CUDA + NCCL), which this "
        "build does not have; use backend = \"mpi\" or \"auto\" (gradients are then reduced "
        "over MPI on the CPU)");
  }
  if (backend == "mpi") return mpi_world("[distributed] backend = \"mpi\"");
  CAMLAB_CHECK(backend == "auto",
               "[distributed] backend = \"{}\" is not one of \"auto\", \"mpi\", \"nccl\"", backend);
  const std::string launcher = launcher_variable();
  if (!launcher.empty()) return mpi_world("a launcher started this process (" + launcher + ")");
  return std::make_shared<LocalCommunicator>();
}

}  // namespace camlab::distributed
