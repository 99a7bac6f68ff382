// Loss, accuracy and the confusion matrix of a model over a loader, without recording a graph.
//
//   Evaluation e = evaluate(*model, test_loader, objective, device);
//   fmt::print("{:.2f}% (loss {:.4f})\n", 100 * e.accuracy, e.loss);
//   e.confusion;   // int64 [K, K]: rows true class, columns predicted (single-label only)
//   evaluate(*model, shard_loader, objective, device, 0, comm.get());   // sums over the ranks
#pragma once

#include "datasets/data_loader.h"
#include "distributed/communicator.h"
#include "experiments/train/objective.h"
#include "nn/module.h"

namespace camlab::experiments {

struct Evaluation {
  double loss = 0;      // mean over images
  double accuracy = 0;  // correct / predictions
  int64_t images = 0;
  Tensor confusion;  // int64 [K, K]; undefined for multi-label data
};

// Runs the model in eval() mode and restores its previous mode. With `comm`, the loader holds
// this rank's shard (unpadded, so each image counts once) and the sums are reduced over the
// ranks: every rank returns the figures of the whole set.
Evaluation evaluate(nn::Module& model, datasets::DataLoader& loader, const Objective& objective,
                    Device device, int64_t epoch = 0, distributed::Communicator* comm = nullptr);

}  // namespace camlab::experiments
