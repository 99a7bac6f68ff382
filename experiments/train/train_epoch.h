// One pass over the training set: forward, loss, backward, optimizer step, per batch.
//
//   TrainingSession s(cfg, options);
//   datasets::DataLoader loader(s.data.train, {.batch_size = 64, .shuffle = true},
//                               s.data.train_pipeline);
//   EpochStats stats = train_epoch(s, loader, 0);   // stats.loss, .accuracy, .images_per_second
//
// Dropout masks are reseeded from (seed, global step) before every step, so a resumed run draws
// exactly the masks an uninterrupted one would.
#pragma once

#include <cstdint>

#include "datasets/data_loader.h"
#include "experiments/train/training_session.h"

namespace camlab::experiments {

struct EpochStats {
  double loss = 0;      // mean over the epoch's images
  double accuracy = 0;  // correct predictions / predictions (per label when multi-label)
  double images_per_second = 0;
  double seconds = 0;
};

// A non-finite loss stops training with an error naming the epoch, the step, the last good
// checkpoint and the keys that would help. options.interrupt_after_steps throws
// TrainingInterrupted (the tests' crash).
EpochStats train_epoch(TrainingSession& s, datasets::DataLoader& loader, int64_t epoch);

}  // namespace camlab::experiments
