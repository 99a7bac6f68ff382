// The data a config's [data] table describes: train and test sets with their transform pipelines.
//
//   ExperimentData data = load_experiment_data(cfg);
//   DataLoader train(data.train, {.batch_size = 64, .seed = 0}, data.train_pipeline);
//   DataLoader test(data.test, {.batch_size = 256, .shuffle = false}, data.eval_pipeline);
//   Shape input = data.input_shape();                     // [C, H, W]
#pragma once

#include "datasets/catalog.h"
#include "datasets/image_dataset.h"
#include "datasets/pipeline.h"
#include "experiments/config/config.h"

namespace camlab::experiments {

struct ExperimentData {
  datasets::ImageDataset train;
  datasets::ImageDataset test;
  datasets::Pipeline train_pipeline;  // augment, then normalize (fitted on train)
  datasets::Pipeline eval_pipeline;   // normalize only, the same statistics

  Shape input_shape() const;  // [C, H, W]
  int64_t num_classes() const;
};

ExperimentData load_experiment_data(const Config& cfg);
// Just the test split with the evaluation pipeline (eval, explain): the training statistics for
// normalize still come from the training split when the config normalizes without given values.
ExperimentData load_test_data(const Config& cfg);

// The catalog request for one split of the config's dataset (datasets/catalog.h).
datasets::DatasetRequest dataset_request(const Config& cfg, const std::string& split);

}  // namespace camlab::experiments
