// Which communicator a process gets: MPI when a launcher (mpirun, srun) started it, the
// single-process one otherwise, so a plain `camlab train` needs no MPI at run time.
//
//   std::shared_ptr<Communicator> comm = make_communicator(cfg.get_string("distributed.backend"));
//   if (comm->is_main()) save_checkpoint(...);    // rank 0 alone writes the run directory
//   launcher_variable();                          // "OMPI_COMM_WORLD_SIZE=2", or "" when none
#pragma once

#include <memory>
#include <string>

#include "distributed/communicator.h"

namespace camlab::distributed {

// The first of OMPI_COMM_WORLD_SIZE (Open MPI's mpirun), PMI_SIZE (MPICH, Slurm PMI-2) and
// PMIX_RANK (Slurm/PMIx srun) that is set, as "NAME=value"; empty when no launcher started us.
std::string launcher_variable();

// Whether this camlab was built with MPI (CMake's CAMLAB_MPI found it).
bool built_with_mpi();

// backend "auto": MPI under a launcher, else the local communicator; "mpi": MPI always (a run
// without a launcher is a singleton of size 1); "nccl": an error, this build has no NCCL. Each
// failure is one line saying what to do. The MPI communicator is process-wide: a second call
// returns the same one.
std::shared_ptr<Communicator> make_communicator(const std::string& backend);

}  // namespace camlab::distributed
