// A trained model back from a run directory or checkpoint, with the config it was trained with
// and its test data: what eval, explain, visualize, localize and segment start from.
//
//   TrainedModel t = load_trained_model("runs/quick", {}, "", "cpu");
//   Tensor logits = (*t.model)(images);             // eval() mode, weights loaded
//   t.data.test.class_names[3];                     // "Dress"
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "datasets/data_loader.h"
#include "experiments/config/config.h"
#include "experiments/train/experiment_data.h"
#include "experiments/train/objective.h"
#include "nn/sequential.h"

namespace camlab::experiments {

struct TrainedModel {
  Config config;
  std::shared_ptr<nn::Module> model;  // a config's Sequential, or an imported nn::Graph
  ExperimentData data;                // the test split and its evaluation pipeline
  std::unique_ptr<datasets::DataLoader> test_loader;  // null when loaded without a test set
  Objective objective;
  Device device;
  std::filesystem::path run_dir;
  std::filesystem::path checkpoint;
};

// `path`: a run directory (its checkpoint.h5, else best.h5) or a checkpoint file. `data`: an HDF5
// dataset file to use instead of the config's test set ("" keeps it). The config comes from the
// checkpoint, so a run directory without config.toml still loads. An .onnx file or a checkpoint
// from `camlab import` loads as an nn::Graph and needs `data`: it has no test set of its own —
// unless `test_set` is TestSet::Optional (explaining photos), when it loads without one
// (`data` empty, `test_loader` null).
enum class TestSet { Required, Optional };
TrainedModel load_trained_model(const std::filesystem::path& path,
                                const std::vector<std::string>& overrides, const std::string& data,
                                const std::string& device, TestSet test_set = TestSet::Required);

}  // namespace camlab::experiments
