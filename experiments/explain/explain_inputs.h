// The images `camlab explain` explains: items of the model's dataset, or photos from disk.
//
//   ExplainInputs d = dataset_inputs(model, loader, test, pipeline, device, false,
//                                    {"misclassified", "", 16, seed});
//   ExplainInputs p = photo_inputs({"dog.jpg", "photos/"}, PhotoPreprocess{});   // ImageNet recipe
//   d.images;   // [N, C, H, W], what the network is given
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cam/render/image.h"
#include "datasets/data_loader.h"
#include "datasets/photo_preprocess.h"
#include "nn/module.h"

namespace camlab::experiments {

struct ExplainInputs {
  Tensor images;   // float32 [N, C, H, W] on the CPU: the network's input
  Tensor labels;   // int64 [N]; undefined for photos (no ground truth)
  Tensor indices;  // int64 [N]: dataset indices, or 0..N-1 for photos
  // A segmenter's target region per image, 0/1 [N, H, W] (the pixels whose class logits are
  // summed); undefined = the region the model predicts for the class (segmentation_target.h).
  Tensor regions;
  std::vector<std::string> names;       // "#12" or "dog.jpg": the start of each row's caption
  std::vector<render::RgbImage> shown;  // the picture each row's maps are drawn over
  // Photos only: the decoded files and where the network's crop lies in each.
  std::vector<std::filesystem::path> files;
  std::vector<datasets::Image8> photos;
  std::vector<datasets::CropBox> crops;
};

struct DatasetChoice {
  std::string select;   // first, random, misclassified, confident-wrong, correct, per-class
  std::string indices;  // "0:16" or "3,7,9"; overrides select when given
  int64_t count = 16;
  uint64_t seed = 0;
};

// The dataset items `choice` names; `loader` runs over the whole test set (for the selection
// modes that need every prediction).
ExplainInputs dataset_inputs(nn::Module& model, datasets::DataLoader& loader,
                             const datasets::ImageDataset& test,
                             const datasets::Pipeline& eval_pipeline, Device device,
                             bool multilabel, const DatasetChoice& choice);

// `sources`: JPEG/PNG files, and folders whose photos are all taken (sorted by name). Each photo
// goes through `recipe`; all must come out the same size, which a crop guarantees.
ExplainInputs photo_inputs(const std::vector<std::filesystem::path>& sources,
                           const datasets::PhotoPreprocess& recipe);

}  // namespace camlab::experiments
