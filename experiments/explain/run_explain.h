// `camlab explain` behind its flags: the flags and the model's config become an ExplainRequest,
// the photos or dataset items become ExplainInputs, and explain() draws them.
//
//   ExplainFlags flags{.images = {"dog.jpg"}, .labels = "experiments/labels/imagenet1k.txt"};
//   ExplainResult r = run_explain({*t.model, t.config, &t.data, t.test_loader.get(), false,
//                                  t.device, t.run_dir},
//                                 flags);
//
// Every flag left empty (or 0) takes its config key: explain.methods, .layer, .target, .select,
// .count, .colormap, .labels, .top, .score, .reference_image, .similarity_layer and
// explain.photo.{resize, crop, mean, std}.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/config/config.h"
#include "experiments/explain/explain.h"
#include "experiments/train/experiment_data.h"

namespace camlab::experiments {

struct ExplainFlags {
  std::vector<std::filesystem::path> images;  // --image files and --images folders; empty = data
  std::string methods, layer, target, select, indices, colormap, labels, mean, std;
  int64_t count = 0;
  int64_t top = 0;
  int64_t resize = -1, crop = -1;  // -1 = the config's; 0 = skip the step
  std::filesystem::path out;       // "" = RUN_DIR/explain
  std::filesystem::path h5;
  // Targets: the score kind (logit, softmax, sigmoid) and the cosine target's reference photo
  // and compared layer ("" = explain.score, .reference_image, .similarity_layer).
  std::string score;
  std::filesystem::path reference_image;
  std::string similarity_layer;
};

// The model as the loader gives it back, with its config and test data. An imported graph that
// explains photos comes without test data (data and test_loader null).
struct LoadedModel {
  nn::Module& model;
  const Config& config;
  const ExperimentData* data;
  datasets::DataLoader* test_loader;
  bool multilabel;
  Device device;
  std::filesystem::path run_dir;
};

ExplainResult run_explain(const LoadedModel& loaded, const ExplainFlags& flags);

}  // namespace camlab::experiments
