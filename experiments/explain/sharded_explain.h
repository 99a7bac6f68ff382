// `mpirun -np N camlab explain ...`: the images split across the ranks, the maps gathered to
// rank 0, which alone prints and writes explain.png and the HDF5 file, the same files as one
// process would write.
//
//   auto comm = distributed::make_communicator("auto");
//   ExplainResult r = explain_sharded(model, inputs, request, *comm);
//   // rank r explained images [N·r/size, N·(r+1)/size); every rank's r holds all N rows
//
// Each image's maps depend on that image alone for the methods whose noise or baseline is not
// drawn per batch, so the gathered maps are a one-process run's (SmoothGrad, SS-CAM and
// Random-CAM draw per batch and DFF factors the batch jointly, so theirs differ with the split:
// docs/distributed.md).
#pragma once

#include <string>

#include "distributed/communicator.h"
#include "experiments/explain/explain.h"

namespace camlab::experiments {

ExplainResult explain_sharded(nn::Module& model, const ExplainInputs& inputs,
                              const ExplainRequest& request, distributed::Communicator& comm);

// The hook `camlab explain` calls: explain_sharded over the ranks a launcher started
// (distributed.backend picks the communicator, as for training), else plain explain().
ExplainResult explain_on_ranks(nn::Module& model, const ExplainInputs& inputs,
                               const ExplainRequest& request, const std::string& backend);

}  // namespace camlab::experiments
